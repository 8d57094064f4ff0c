import { Command, Option } from "commander";
import { appendAudit } from "../../storage/repos/audit-log.js";
import { confirmZeroAmount, findZeroAmountDocumentByEic, listZeroAmountDocuments, type ZeroAmountDocument, type ZeroAmountStatus } from "../../storage/repos/zero-amount-documents.js";
import { CliError, openRuntime } from "../runtime.js";
import { printTable, resolveCompanyId } from "./schedules.js";

const STATUSES: readonly ZeroAmountStatus[] = ["open", "resolved", "confirmed_zero"];
const EIC = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Documents as devsync tracks them; today the ones DevPos lists without an amount. */
export function documentsCommand(): Command {
  const documents = new Command("documents").description("Inspect DevPos documents devsync keeps track of");

  documents
    .command("zero-amount")
    .description("List documents DevPos shows without an amount (re-read on each run until they have one or are confirmed as zero)")
    .requiredOption("--company <id-or-code>", "the company (id or NUIS)")
    .addOption(new Option("--status <status>", "which rows").choices(STATUSES).default("open"))
    .option("--json", "print JSON lines")
    .action(async (options: { company: string; status: ZeroAmountStatus; json?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const db = runtime.db.db;
        const companyId = await resolveCompanyId(db, options.company);
        const rows: ZeroAmountDocument[] = [];
        let cursor: string | null = null;
        do {
          const page = await listZeroAmountDocuments(db, { companyId, status: options.status, limit: 1000, cursor });
          rows.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        if (options.json) {
          for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(`(no ${options.status} zero-amount documents)\n`);
          return;
        }
        printTable(
          ["EIC", "KIND", "NUMBER", "DATE", "PARTY", "CHECKS", "LAST CHECKED", "STATUS"],
          rows.map((r) => [r.sourceKey, r.kind, r.docNumber ?? "-", r.txnDate, (r.partyName ?? "-").slice(0, 40), String(r.checks), r.lastCheckedAt.toISOString(), r.status]),
        );
      } finally {
        await runtime.close();
      }
    });

  documents
    .command("confirm-zero")
    .description("Confirm that an open zero-amount document really is 0: runs stop re-reading it")
    .requiredOption("--company <id-or-code>", "the company (id or NUIS)")
    .requiredOption("--eic <eic>", "the document's EIC")
    .requiredOption("--note <text>", "why it is truly zero (kept with the row and in the audit log)")
    .option("--json", "print the confirmed row as JSON")
    .action(async (options: { company: string; eic: string; note: string; json?: boolean }) => {
      const eic = options.eic.trim().toLowerCase();
      if (!EIC.test(eic)) throw new CliError(`--eic must be a DevPos EIC (a UUID), got "${options.eic}"`, 2);
      const note = options.note.trim();
      if (note === "" || note.length > 500 || CONTROL_CHARS.test(note)) throw new CliError("--note must be 1 to 500 characters of plain text", 2);
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const db = runtime.db.db;
        const companyId = await resolveCompanyId(db, options.company);
        const row = await findZeroAmountDocumentByEic(db, companyId, eic);
        if (!row) throw new CliError(`company ${options.company} has no zero-amount document ${eic}`, 1);
        const now = new Date();
        const confirmed = await confirmZeroAmount(db, { companyId, id: row.id, userId: null, by: "cli", note, now });
        if (!confirmed) throw new CliError(`document ${eic} is ${row.status}; only an open one can be confirmed as zero`, 1);
        await appendAudit(db, {
          at: now,
          actorLabel: "cli",
          action: "zero_amount.confirm",
          companyId,
          targetType: "zero_amount_document",
          targetId: String(confirmed.id),
          details: { eic, kind: confirmed.kind, doc_number: confirmed.docNumber, note },
        });
        process.stdout.write(options.json ? `${JSON.stringify(confirmed)}\n` : `confirmed ${eic} (${confirmed.docNumber ?? "no number"}, ${confirmed.txnDate}) as truly zero\n`);
      } finally {
        await runtime.close();
      }
    });

  return documents;
}
