import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { systemClock } from "../../clock.js";
import { syncWindow } from "../../domain/sync-window.js";
import { UniqueViolationError } from "../../storage/errors.js";
import { getCompanyByCode } from "../../storage/repos/companies.js";
import { appendRunEvents } from "../../storage/repos/run-log.js";
import { startForegroundRun } from "../../storage/repos/sync-manual-runs.js";
import { isRunCancelRequested } from "../../storage/repos/scheduler-runs.js";
import { completeRun, findActiveRun, heartbeat, reclaimExpiredLeases, type SyncRun } from "../../storage/repos/sync-runs.js";
import type { Company } from "../../storage/repos/companies.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { classifyRunError } from "../../worker/run-errors.js";
import { createSyncConnectors, syncConnectorsOptionsFromConfig } from "../../sync/connectors.js";
import { runSync, type SyncResult } from "../../sync/execute.js";
import type { JobType } from "../../sync/plan.js";
import type { KindSummary } from "../../sync/summary.js";
import { CliError, openRuntime } from "../runtime.js";

interface SyncOptions {
  company: string;
  type: JobType;
  from?: string;
  to?: string;
  days?: number;
  json?: boolean;
  progress?: boolean;
}

const LEASE_MS = 120_000;

/** `devsync sync`: one sync of one company in the foreground, with a progress bar. */
export function syncCommand(): Command {
  return new Command("sync")
    .description("Sync one company's DevPos documents into QuickBooks now")
    .requiredOption("--company <code>", "company code (NUIS)")
    .option("--type <type>", "sales | bills | full", parseType, "full")
    .option("--from <date>", "first local date (YYYY-MM-DD), with --to")
    .option("--to <date>", "last local date (YYYY-MM-DD), with --from")
    .option("--days <n>", "the last N days up to today in the company's time zone (default 30)", parsePositive)
    .option("--json", "print the summary as JSON")
    .option("--no-progress", "no progress bar")
    .action(async (options: SyncOptions) => {
      if ((options.from === undefined) !== (options.to === undefined)) throw new CliError("--from and --to go together", 2);
      if (options.from !== undefined && options.days !== undefined) throw new CliError("use either --from/--to or --days", 2);
      for (const date of [options.from, options.to]) if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new CliError(`not a date: ${date}`, 2);
      if (options.from && options.to && options.from > options.to) throw new CliError("--from is after --to", 2);

      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const { db } = runtime.db;
        const company = await getCompanyByCode(db, options.company);
        if (!company) throw new CliError(`no company with code ${options.company}`, 1);
        const window =
          options.from && options.to
            ? { from: options.from, to: options.to }
            : syncWindow({ now: systemClock.now(), timezone: company.timezone, dateRangeDays: options.days ?? 30 });
        let connectors;
        try {
          connectors = createSyncConnectors(
            { db, box: runtime.secrets.box, clock: systemClock, logger: runtime.logger },
            syncConnectorsOptionsFromConfig(runtime.config),
          );
        } catch (error) {
          throw new CliError(error instanceof Error ? error.message : String(error), 2);
        }
        const owner = `cli:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
        const run = await startSyncRun(db, {
          company,
          input: { companyId: company.id, jobType: options.type, windowFrom: window.from, windowTo: window.to, owner, leaseMs: LEASE_MS },
        });

        let interrupted = false;
        // `devsync runs cancel` (or the dashboard) stops this run too; looked up at most once a second.
        let lastLook = 0;
        let cancelled = false;
        const cancelRequested = async () => {
          if (cancelled || performance.now() - lastLook < 1000) return cancelled;
          lastLook = performance.now();
          cancelled = await isRunCancelRequested(db, run.id).catch(() => false);
          return cancelled;
        };
        const onSigint = () => {
          interrupted = true;
          process.stderr.write("\ncancelling after the batches in flight…\n");
        };
        process.once("SIGINT", onSigint);
        const showBar = options.progress !== false && !options.json && process.stderr.isTTY === true;
        const bar = showBar
          ? new cliProgress.SingleBar({ format: "{bar} {value}/{total} documents | {eta_formatted} left", hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
          : undefined;
        let barStarted = false;

        // The engine beats only while it writes; reading a long DevPos window can take longer
        // than the lease, and an expired lease is now taken over by the next `devsync sync`.
        const beat = setInterval(() => void heartbeat(db, run.id, owner, systemClock.now(), LEASE_MS).catch(() => {}), LEASE_MS / 4);
        let result: SyncResult | undefined;
        let thrown: unknown;
        try {
          const qbo = await connectors.qboFor(company.id);
          result = await runSync(
            { db, now: () => systemClock.now(), qbo, devpos: connectors.devposFor(company.id) },
            { companyId: company.id, runId: run.id, jobType: options.type, window },
            {
              log: (level, message, data) => appendRunEvents(db, [{ runId: run.id, companyId: company.id, at: systemClock.now(), level, message, data }]),
              shouldStop: async () => interrupted || (await cancelRequested()),
              heartbeat: () => heartbeat(db, run.id, owner, systemClock.now(), LEASE_MS),
              onProgress: ({ done, total }) => {
                if (!bar) return;
                if (!barStarted) {
                  bar.start(total, done);
                  barStarted = true;
                } else bar.update(done);
              },
            },
          );
        } catch (error) {
          thrown = error;
        } finally {
          clearInterval(beat);
          bar?.stop();
          process.removeListener("SIGINT", onSigint);
        }

        const finishedAt = systemClock.now();
        if (thrown !== undefined) {
          const c = classifyRunError(thrown);
          await completeRun(db, run.id, owner, { status: "failed", errorCode: c.code, errorMessage: c.message, finishedAt });
          throw new CliError(`sync failed: ${c.message}`, 1);
        }
        const r = result!;
        await completeRun(db, run.id, owner, { status: r.status, summary: r.summary as unknown as Record<string, unknown>, errorCode: r.errorCode ?? null, errorMessage: r.errorMessage ?? null, finishedAt });
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ runId: run.id, status: r.status, ...r.summary, ...(r.errorCode ? { errorCode: r.errorCode, errorMessage: r.errorMessage } : {}) })}\n`);
        } else {
          process.stdout.write(
            `run ${run.id} ${r.status} (${window.from}..${window.to}, ${options.type})\n` +
              `  sales (invoices): ${line(r.summary.sales)}\n` +
              `  bills:            ${line(r.summary.bills)}\n` +
              (r.errorMessage ? `  error: ${r.errorMessage}\n` : ""),
          );
        }
        if (r.status !== "succeeded") process.exitCode = r.status === "partial" ? 3 : 1;
      } finally {
        await runtime.close();
      }
    });
}

/**
 * Starts the foreground run. A company whose run is still marked running when its lease has
 * expired (a `devsync sync` or worker that was killed) is taken over as a worker would: the
 * expired run is reclaimed (failed as `lease_expired`, or requeued if it has attempts left) and
 * this sync starts. Only a run whose holder is still heartbeating refuses, naming that run.
 */
async function startSyncRun(db: Db, options: { company: Company; input: Omit<Parameters<typeof startForegroundRun>[1], "now"> }): Promise<SyncRun> {
  const { company, input } = options;
  const start = () => startForegroundRun(db, { ...input, now: systemClock.now() });
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof UniqueViolationError)) throw error;
  }
  const reclaimed = (await reclaimExpiredLeases(db, systemClock.now())).filter((r) => r.companyId === company.id);
  for (const run of reclaimed) {
    process.stderr.write(`run ${run.id} of ${company.code} had stopped heartbeating (its process was killed?): ${run.status === "failed" ? "marked failed (lease_expired)" : "queued again"}\n`);
  }
  if (reclaimed.length > 0) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error;
    }
  }
  throw new CliError(busyMessage(company, await findActiveRun(db, company.id)), 1);
}

function busyMessage(company: Company, active: SyncRun | undefined): string {
  if (!active) return `company ${company.code} has a sync running already`;
  const holder = active.leaseOwner?.startsWith("cli:") ? "a `devsync sync`" : "a worker";
  const since = active.startedAt ? ` since ${active.startedAt.toISOString()}` : "";
  const lease = active.leaseExpiresAt ? ` (its lease runs until ${active.leaseExpiresAt.toISOString()}; if that process died, run this again after that)` : "";
  return (
    `company ${company.code} has run ${active.id} ${active.status} in ${holder}${since}${lease}.\n` +
    `  see it:    devsync logs --run ${active.id} --follow\n` +
    `  cancel it: devsync runs cancel ${active.id}`
  );
}

function line(s: KindSummary): string {
  return `${s.total} total, ${s.created} created, ${s.updated} updated, ${s.skipped} skipped, ${s.failed} failed`;
}

function parseType(value: string): JobType {
  if (value !== "sales" && value !== "bills" && value !== "full") throw new InvalidArgumentError("must be sales, bills or full");
  return value;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new InvalidArgumentError("must be a whole number of days from 1 to 366");
  return n;
}
