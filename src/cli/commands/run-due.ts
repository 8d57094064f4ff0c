import { Command } from "commander";
import { systemClock } from "../../clock.js";
import { tick } from "../../scheduler/tick.js";
import type { TakenSlot } from "../../scheduler/take-slot.js";
import { getCompaniesByIds, type Company } from "../../storage/repos/companies.js";
import { createProcessServices } from "../process-services.js";
import type { RunResult } from "../../worker/execute-run.js";
import { createWorker } from "../../worker/worker.js";
import { openRuntime } from "../runtime.js";
import { positiveInteger } from "./scheduler.js";

/**
 * The one-shot runner for an hourly cron line: enqueue what is due, execute runnable runs in
 * this process, print one line per run, exit 1 when a run failed. Safe beside `serve` on the
 * same database: slots are taken by compare-and-swap and runs by lease, so each is handled by
 * exactly one of them.
 */
export function runDueCommand(): Command {
  return new Command("run-due")
    .description("Enqueue due schedule slots, run what is runnable now, print a line per run; exit 1 if a run failed")
    .option("--concurrency <n>", "runs executed at once", positiveInteger("--concurrency", 64), 2)
    .option("--json", "print one JSON object per run")
    .action(async (options: { concurrency: number; json?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "error" });
      try {
        const db = runtime.db.db;
        const services = createProcessServices(runtime);
        const ticked = await tick({ db, clock: systemClock, logger: runtime.logger });
        const worker = createWorker({
          db,
          logger: runtime.logger,
          executor: services.executor,
          onRunFinished: services.alerter.onRunResult,
          concurrency: options.concurrency,
          ownerId: `run-due:${process.pid}`,
        });
        const results = await worker.drain();
        await services.close();
        const skipped = ticked.slots.filter((s) => s.outcome === "skipped" || s.outcome === "merged");
        const companyIds = [...new Set([...results.map((r) => r.run.companyId), ...skipped.map((s) => s.companyId)])];
        const companies = new Map((await getCompaniesByIds(db, companyIds)).map((c) => [c.id, c]));
        for (const slot of skipped) write(options.json, skippedLine(slot, companies.get(slot.companyId)), skippedJson(slot));
        for (const result of results) write(options.json, runLine(result, companies.get(result.run.companyId)), runJson(result));
        const bad = results.filter((r) => r.status === "failed" || r.status === "requeued" || r.status === "lease_lost");
        if (!options.json) {
          process.stdout.write(
            `run-due: ${ticked.queued} queued, ${ticked.merged} merged into a queued run, ${ticked.skipped} skipped (company busy), ${results.length} executed, ${bad.length} failed` +
              (ticked.errors > 0 ? `, ${ticked.errors} slots could not be taken (see log)` : "") +
              "\n",
          );
        }
        if (bad.length > 0 || ticked.errors > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}

function write(json: boolean | undefined, line: string, object: unknown): void {
  process.stdout.write(json ? `${JSON.stringify(object)}\n` : `${line}\n`);
}

function who(companyId: number, company: Company | undefined): string {
  return company ? `${company.code} ${company.name}` : `company ${companyId}`;
}

function runLine(r: RunResult, company: Company | undefined): string {
  const head = `run ${r.run.id} ${who(r.run.companyId, company)} ${r.run.jobType} ${r.run.windowFrom}..${r.run.windowTo} (${r.run.trigger}, attempt ${r.run.attempt}/${r.run.maxAttempts})`;
  const took = `${(r.durationMs / 1000).toFixed(1)}s`;
  switch (r.status) {
    case "succeeded":
    case "partial":
    case "cancelled":
      return `${head}: ${r.status} in ${took}${r.summary ? ` ${JSON.stringify(r.summary)}` : ""}`;
    case "requeued":
      return `${head}: FAILED (${r.errorCode}: ${r.errorMessage}); retry at ${r.retryAt?.toISOString()}`;
    case "failed":
      return `${head}: FAILED (${r.errorCode}: ${r.errorMessage})`;
    default:
      return `${head}: ${r.status}${r.errorMessage ? ` (${r.errorMessage})` : ""}`;
  }
}

function runJson(r: RunResult) {
  return {
    runId: r.run.id,
    companyId: r.run.companyId,
    scheduleId: r.run.scheduleId,
    jobType: r.run.jobType,
    trigger: r.run.trigger,
    windowFrom: r.run.windowFrom,
    windowTo: r.run.windowTo,
    attempt: r.run.attempt,
    status: r.status,
    errorCode: r.errorCode ?? null,
    errorMessage: r.errorMessage ?? null,
    retryAt: r.retryAt?.toISOString() ?? null,
    durationMs: r.durationMs,
  };
}

function skippedLine(s: TakenSlot, company: Company | undefined): string {
  return `run ${s.runId} ${who(s.companyId, company)} schedule ${s.scheduleId} slot ${s.slot.toISOString()}: skipped (${s.reason})`;
}

function skippedJson(s: TakenSlot) {
  return { runId: s.runId, companyId: s.companyId, scheduleId: s.scheduleId, slot: s.slot.toISOString(), status: "skipped", reason: s.reason ?? null };
}
