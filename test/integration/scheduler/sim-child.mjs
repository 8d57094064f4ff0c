// One "machine" of the multi-process scheduling proof (multi-process.int.test.ts): runs the
// scheduler and the worker from the BUILT dist/ against the shared database, on a compressed
// clock every process derives from the same real instant, with a fake executor that records
// when each run starts and stops (real ms) to a JSON-lines file.
import { appendFileSync } from "node:fs";
import { pino } from "pino";
import { createDb } from "../../../dist/storage/db.js";
import { createScheduler } from "../../../dist/scheduler/scheduler.js";
import { createWorker } from "../../../dist/worker/worker.js";
import { createFakeExecutor } from "../../../dist/worker/fake-executor.js";

const cfg = JSON.parse(process.env.DEVSYNC_SIM ?? "{}");
const simNow = () => cfg.simStartMs + (Date.now() - cfg.realStartMs) * cfg.factor;
// Workers follow simulated time for ever (leases must keep expiring after the end); the
// scheduler stops at the end of the simulated span, so the set of slots is fixed.
const workerClock = { now: () => new Date(simNow()) };
const schedulerClock = { now: () => new Date(Math.min(simNow(), cfg.simEndMs)) };

const logger = pino({ level: process.env.DEVSYNC_TEST_LOG ?? "warn" }, pino.destination(2));
const handle =
  cfg.target.dialect === "postgres"
    ? createDb({ dialect: "postgres", url: cfg.target.url }, { pgSchema: cfg.target.schema, poolSize: 12 })
    : createDb(cfg.target, { poolSize: 12 });

const record = (entry) => appendFileSync(cfg.logFile, `${JSON.stringify(entry)}\n`);
const executor = createFakeExecutor({
  // Every longEvery-th run is long, so the test can kill a process while it surely runs one.
  durationMs: (run) => (run.id % cfg.longEvery === 0 ? cfg.longRunMs : cfg.minRunMs + ((run.id * 37) % cfg.spreadRunMs)),
  // Every failEvery-th run fails transiently on its first attempt and is retried with backoff.
  failure: (run) => (run.attempt === 1 && run.id % cfg.failEvery === 0 ? "retryable" : null),
  onStart: (run) => record({ e: "start", run: run.id, company: run.companyId, attempt: run.attempt, t: Date.now() }),
  onFinish: (run, result) => record({ e: "end", run: run.id, company: run.companyId, attempt: run.attempt, result, t: Date.now() }),
});

const scheduler = createScheduler({ db: handle.db, clock: schedulerClock, logger, intervalMs: cfg.tickMs, concurrency: 4 });
const worker = createWorker({
  db: handle.db,
  clock: workerClock,
  logger,
  executor,
  concurrency: cfg.concurrency,
  leaseMs: cfg.leaseRealMs * cfg.factor,
  heartbeatMs: cfg.heartbeatMs,
  pollMs: cfg.pollMs,
  reclaimIntervalMs: cfg.reclaimMs,
  ownerId: `sim-${cfg.index}-${process.pid}`,
});
scheduler.start();
worker.start();
process.stdout.write(`${JSON.stringify({ ready: true, index: cfg.index, pid: process.pid })}\n`);

let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await scheduler.stop();
    await worker.stop(2_000);
    await handle.destroy();
    process.exit(0);
  })();
});
