import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../clock.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { claimNextRun, reclaimExpiredLeases, releaseRun, type SyncRun } from "../storage/repos/sync-runs.js";
import { executeClaimedRun, type RunResult } from "./execute-run.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import type { RunExecutor } from "./run-executor.js";

export interface WorkerOptions {
  db: Db;
  logger: Logger;
  executor: RunExecutor;
  /** Default: the system clock. Leases, backoff and availability are read on it. */
  clock?: Clock;
  /** Runs executed at once by this worker; default 1. */
  concurrency?: number;
  /** Lease length, in clock time; default 2 min. A run whose lease expires is reclaimed. */
  leaseMs?: number;
  /** Heartbeat timer (real time); default a third of the lease. */
  heartbeatMs?: number;
  /** Idle poll for new runs (real time); default 1 s. */
  pollMs?: number;
  /** How often expired leases are reclaimed (real time); default half the heartbeat lease, at most 30 s. */
  reclaimIntervalMs?: number;
  /** Identifies this worker in leases; default `host:pid:random`. */
  ownerId?: string;
  /** Backoff after transient failures; default 1, 5, 25 minutes. */
  retry?: RetryPolicy;
  /** Called with each finished claim (tests, metrics, run-due's summary). */
  onRunFinished?: (result: RunResult) => void;
  /** Extra work when a run hit a revoked QuickBooks grant (schedules are already paused). */
  onGrantRevoked?: (companyId: number, run: SyncRun) => Promise<void>;
}

export interface Worker {
  readonly ownerId: string;
  /** Starts claiming in the background; a no-op when started. */
  start(): void;
  /**
   * Stops claiming, waits up to `graceMs` (default 30 s) for in-flight runs to finish, then
   * aborts them and hands them back to the queue without counting the attempt.
   */
  stop(graceMs?: number): Promise<void>;
  /** Claims and executes one run now; undefined when none is runnable. */
  runOnce(): Promise<RunResult | undefined>;
  /**
   * Executes runnable runs (`concurrency` at a time) until none is left runnable now; returns
   * what each claim ended as. Runs requeued with backoff are not waited for.
   */
  drain(): Promise<RunResult[]>;
}

/**
 * The worker role: claims queued runs (oldest first, at most one running per company), holds
 * each with a lease and heartbeat while the executor works, records the outcome, and
 * periodically reclaims runs whose worker died. Loops never die from one failure: errors are
 * logged and the lane backs off.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { db, executor } = options;
  const clock = options.clock ?? systemClock;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const leaseMs = options.leaseMs ?? 120_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(leaseMs / 3));
  const pollMs = options.pollMs ?? 1_000;
  const reclaimIntervalMs = options.reclaimIntervalMs ?? Math.min(30_000, Math.max(100, Math.floor(leaseMs / 2)));
  const ownerId = options.ownerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const logger = options.logger.child({ role: "worker", owner: ownerId });
  const shutdown = new AbortController();
  const inFlight = new Map<number, Promise<RunResult>>();

  let stopping: AbortController | undefined;
  let lanes: Promise<void>[] = [];
  let reclaimTimer: NodeJS.Timeout | undefined;

  const deps = {
    db,
    clock,
    logger,
    executor,
    owner: ownerId,
    leaseMs,
    heartbeatMs,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    shutdownSignal: shutdown.signal,
    onGrantRevoked: options.onGrantRevoked,
  };

  const claim = () => claimNextRun(db, { owner: ownerId, now: clock.now(), leaseMs });

  const execute = async (run: SyncRun): Promise<RunResult> => {
    const pending = executeClaimedRun(deps, run);
    inFlight.set(run.id, pending);
    try {
      const result = await pending;
      logResult(logger, result);
      options.onRunFinished?.(result);
      return result;
    } finally {
      inFlight.delete(run.id);
    }
  };

  const runOnce = async (): Promise<RunResult | undefined> => {
    const run = await claim();
    return run ? execute(run) : undefined;
  };

  const reclaim = async () => {
    try {
      const reclaimed = await reclaimExpiredLeases(db, clock.now());
      if (reclaimed.length > 0) logger.warn({ runs: reclaimed.map((r) => r.id) }, "reclaimed runs whose worker stopped heartbeating");
    } catch (error) {
      logger.error({ err: error }, "could not reclaim expired leases");
    }
  };

  const lane = async (signal: AbortSignal) => {
    let failures = 0;
    while (!signal.aborted) {
      let run: SyncRun | undefined;
      try {
        run = await claim();
        failures = 0;
      } catch (error) {
        failures += 1;
        logger.error({ err: error, failures }, "claim failed; backing off");
      }
      if (signal.aborted && run) {
        // Claimed just as the worker was told to stop: hand it straight back.
        await releaseRun(db, run.id, ownerId, clock.now()).catch(() => {});
        break;
      }
      if (run) {
        await execute(run);
        continue;
      }
      const wait = failures === 0 ? pollMs : Math.min(30_000, pollMs * 2 ** Math.min(failures, 10));
      await delay(wait, undefined, { signal }).catch(() => {});
    }
  };

  return {
    ownerId,
    start() {
      if (stopping) return;
      stopping = new AbortController();
      const signal = stopping.signal;
      logger.info({ concurrency, leaseMs, pollMs }, "worker started");
      void reclaim();
      reclaimTimer = setInterval(() => void reclaim(), reclaimIntervalMs);
      lanes = Array.from({ length: concurrency }, () => lane(signal));
    },
    async stop(graceMs = 30_000) {
      if (!stopping) return;
      if (reclaimTimer) clearInterval(reclaimTimer);
      reclaimTimer = undefined;
      stopping.abort();
      const all = Promise.all(lanes);
      const finished = await settledWithin(all, graceMs);
      if (!finished) {
        logger.warn({ runs: [...inFlight.keys()] }, "grace period over: handing in-flight runs back to the queue");
        shutdown.abort();
        // Executors stop between batches once aborted; the writes in flight get a short moment to
        // answer. One that ignores the abort is left behind and its run handed back regardless:
        // the process exits right after (src/cli/shutdown.ts), so it writes nothing more.
        const settled = await settledWithin(all, Math.min(ABANDON_AFTER_MS, Math.max(100, graceMs)));
        if (!settled) {
          for (const runId of inFlight.keys()) await releaseRun(db, runId, ownerId, clock.now()).catch(() => {});
        }
      }
      lanes = [];
      logger.info("worker stopped");
    },
    runOnce,
    async drain() {
      await reclaim();
      const results: RunResult[] = [];
      const drainLane = async () => {
        for (;;) {
          const result = await runOnce();
          if (!result) return;
          results.push(result);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, drainLane));
      return results;
    },
  };
}

/** After the grace, how long aborted runs get to hand themselves back before the worker does it. */
const ABANDON_AFTER_MS = 3_000;

/**
 * True when `work` settles within `ms`, false otherwise. The timer is cancelled either way: a
 * pending timer keeps Node alive, which is what held an idle `serve` for the whole grace.
 */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([work.then(() => true), delay(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

function logResult(logger: Logger, result: RunResult): void {
  const fields = { runId: result.run.id, companyId: result.run.companyId, status: result.status, durationMs: result.durationMs, errorCode: result.errorCode };
  if (result.status === "failed" || result.status === "lease_lost") logger.warn({ ...fields, errorMessage: result.errorMessage }, "run finished");
  else logger.debug(fields, "run finished");
}
