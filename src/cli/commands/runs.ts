import { Command, Option } from "commander";
import { formatLocalShort } from "../../scheduler/describe-schedule.js";
import { getCompaniesByIds } from "../../storage/repos/companies.js";
import { listRuns, type RunStatus, type SyncRun } from "../../storage/repos/sync-runs.js";
import { runsCancelCommand } from "./runs-cancel.js";
import { CliError, openRuntime } from "../runtime.js";
import { printTable, resolveCompanyId } from "./schedules.js";

const STATUSES: readonly RunStatus[] = ["queued", "running", "succeeded", "partial", "failed", "cancelled", "skipped"];

export function runsCommand(): Command {
  const runs = new Command("runs").description("Inspect sync runs (the queue and its history)");
  runs
    .command("list")
    .description("List recent runs, newest first (times in each company's zone)")
    .option("--company <id-or-code>", "only this company (id or NUIS)")
    .addOption(new Option("--status <status>", "only runs in this status").choices(STATUSES))
    .option("--limit <n>", "how many runs (1-1000)", parseLimit, 50)
    .option("--json", "print JSON lines")
    .action(async (options: { company?: string; status?: RunStatus; limit: number; json?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const db = runtime.db.db;
        const companyId = options.company === undefined ? undefined : await resolveCompanyId(db, options.company);
        const page = await listRuns(db, { companyId, status: options.status, limit: options.limit });
        const companies = new Map((await getCompaniesByIds(db, [...new Set(page.items.map((r) => r.companyId))])).map((c) => [c.id, c]));
        if (options.json) {
          for (const run of page.items) process.stdout.write(`${JSON.stringify({ ...run, companyName: companies.get(run.companyId)?.name ?? null })}\n`);
          return;
        }
        if (page.items.length === 0) {
          process.stdout.write("(no runs)\n");
          return;
        }
        const rows = page.items.map((run) => {
          const company = companies.get(run.companyId);
          return runRow(run, company?.name ?? String(run.companyId), company?.timezone ?? "UTC");
        });
        printTable(["ID", "COMPANY", "JOB", "TRIGGER", "STATUS", "TRY", "WINDOW", "SLOT", "STARTED", "TOOK", "ERROR"], rows);
      } finally {
        await runtime.close();
      }
    });
  runs.addCommand(runsCancelCommand());
  return runs;
}

function runRow(run: SyncRun, companyName: string, timezone: string): string[] {
  const took = run.startedAt && run.finishedAt ? `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)}s` : "-";
  const error = run.errorCode ? `${run.errorCode}: ${run.errorMessage ?? ""}`.slice(0, 80) : "";
  return [
    String(run.id),
    companyName,
    run.jobType,
    run.trigger,
    run.status,
    `${run.attempt}/${run.maxAttempts}`,
    `${run.windowFrom}..${run.windowTo}`,
    formatLocalShort(run.scheduledFor, timezone),
    formatLocalShort(run.startedAt, timezone),
    took,
    error,
  ];
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new CliError(`--limit must be an integer from 1 to 1000, got "${value}"`, 2);
  return n;
}
