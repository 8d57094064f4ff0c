import { Command, InvalidArgumentError } from "commander";
import { formatRunEvent, followRunEvents } from "../../ops/follow-run-events.js";
import { getCompany, getCompanyByCode } from "../../storage/repos/companies.js";
import { getRun } from "../../storage/repos/sync-runs.js";
import { CliError, openRuntime } from "../runtime.js";

interface LogsOptions {
  company?: string;
  run?: number;
  follow?: boolean;
  lines: number;
  json?: boolean;
  pollMs: number;
}

/** `devsync logs`: the run log (run_events), optionally followed as it grows. */
export function logsCommand(): Command {
  return new Command("logs")
    .description("Print the sync run log; --follow keeps printing events as they happen (Ctrl-C to stop)")
    .option("--company <code>", "only this company (code / NUIS)")
    .option("--run <id>", "only this run (with --follow: stops when the run has finished)", positiveInt)
    .option("-f, --follow", "keep printing new events as they are recorded")
    .option("-n, --lines <n>", "how many past events to print first", nonNegativeInt, 50)
    .option("--json", "one JSON object per line")
    .option("--poll-ms <ms>", "how often --follow asks the database", positiveInt, 1000)
    .action(async (options: LogsOptions) => {
      const runtime = await openRuntime({ logLevel: "warn", migrate: false });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const db = runtime.db.db;
        let companyId: number | undefined;
        if (options.company !== undefined) {
          const company = await getCompanyByCode(db, options.company);
          if (!company) throw new CliError(`no company with code ${options.company.trim().toUpperCase()} (see \`devsync companies list\`)`, 1);
          companyId = company.id;
        }
        if (options.run !== undefined) {
          const run = await getRun(db, options.run);
          if (!run || (companyId !== undefined && run.companyId !== companyId)) throw new CliError(`no run ${options.run}${options.company ? ` for company ${options.company}` : ""}`, 1);
        }
        const codes = new Map<number, string>();
        const codeOf = async (id: number) => {
          if (!codes.has(id)) codes.set(id, (await getCompany(db, id))?.code ?? `company ${id}`);
          return codes.get(id)!;
        };
        await followRunEvents({
          db,
          filter: { companyId, runId: options.run },
          backlog: options.lines,
          follow: options.follow ?? false,
          pollMs: options.pollMs,
          signal: controller.signal,
          onEvent: async (event) => {
            const code = await codeOf(event.companyId);
            const line = options.json
              ? JSON.stringify({ id: event.id, at: event.at.toISOString(), level: event.level, company_id: event.companyId, company: code, run_id: event.runId, message: event.message, data: event.data ?? null })
              : formatRunEvent(event, code);
            process.stdout.write(`${line}\n`);
          },
        });
      } finally {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        await runtime.close();
      }
    });
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a positive integer");
  return Number(value);
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number");
  return Number(value);
}
