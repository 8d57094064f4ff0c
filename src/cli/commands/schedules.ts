import { Command } from "commander";
import { nextRunText } from "../../domain/next-run-text.js";
import { describeFrequency, formatLocalShort } from "../../scheduler/describe-schedule.js";
import { getCompany, getCompanyByCode } from "../../storage/repos/companies.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { listSchedules, type ScheduleWithCompany } from "../../storage/repos/schedules.js";
import { CliError, openRuntime } from "../runtime.js";

export function schedulesCommand(): Command {
  const schedules = new Command("schedules").description("Inspect sync schedules");
  schedules
    .command("list")
    .description("List schedules: company, job type, frequency, enabled, last run and next run (local time of each schedule)")
    .option("--company <id-or-code>", "only this company (id or NUIS)")
    .option("--json", "print JSON lines")
    .action(async (options: { company?: string; json?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const db = runtime.db.db;
        const companyIds = options.company === undefined ? undefined : [await resolveCompanyId(db, options.company)];
        const now = new Date();
        const rows: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await listSchedules(db, { limit: 500, cursor, companyIds });
          for (const s of page.items) {
            if (options.json) process.stdout.write(`${JSON.stringify(scheduleJson(s, now))}\n`);
            else rows.push(scheduleRow(s));
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (!options.json) {
          if (rows.length === 0) process.stdout.write("(no schedules)\n");
          else printTable(["ID", "COMPANY", "JOB", "FREQUENCY", "TIME ZONE", "ENABLED", "LAST RUN", "LAST STATUS", "NEXT RUN"], rows);
        }
      } finally {
        await runtime.close();
      }
    });
  return schedules;
}

function scheduleRow(s: ScheduleWithCompany): string[] {
  const tz = s.effectiveTimezone;
  const enabled = !s.enabled ? "no" : s.pausedReason ? `paused: ${s.pausedReason}` : "yes";
  const next = !s.enabled || s.pausedReason ? "-" : formatLocalShort(s.nextRunAt, tz);
  return [String(s.id), s.companyName, s.jobType, describeFrequency(s), tz, enabled, formatLocalShort(s.lastRunAt, tz), s.lastStatus ?? "-", next];
}

function scheduleJson(s: ScheduleWithCompany, now: Date) {
  return {
    id: s.id,
    companyId: s.companyId,
    companyName: s.companyName,
    companyCode: s.companyCode,
    jobType: s.jobType,
    frequency: s.frequency,
    description: describeFrequency(s),
    timezone: s.effectiveTimezone,
    enabled: s.enabled,
    pausedReason: s.pausedReason,
    dateRangeDays: s.dateRangeDays,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    lastStatus: s.lastStatus,
    nextRunAt: s.nextRunAt?.toISOString() ?? null,
    nextRunLocal: s.nextRunAt ? formatLocalShort(s.nextRunAt, s.effectiveTimezone) : null,
    nextRunText: nextRunText(s.nextRunAt, now, s.effectiveTimezone, { enabled: s.enabled, pausedReason: s.pausedReason }),
  };
}

/** A company named by id or NUIS on the command line. */
export async function resolveCompanyId(db: Db, value: string): Promise<number> {
  const company = /^\d+$/.test(value) ? await getCompany(db, Number(value)) : await getCompanyByCode(db, value);
  if (!company) throw new CliError(`no company ${value}`, 1);
  return company.id;
}

/** Prints left-aligned columns sized to their widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}
