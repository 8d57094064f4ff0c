import type { RunEventLevel } from "../storage/repos/run-log.js";
import type { RunSummary, SyncRun } from "../storage/repos/sync-runs.js";

/**
 * What the worker hands a claimed run to. The sync engine implements it; tests and the
 * benchmark use ./fake-executor.ts. The worker owns leases, retries and bookkeeping; the
 * executor only does the work and reports how it went.
 */
export interface RunExecutor {
  execute(run: SyncRun, ctx: RunContext): Promise<RunOutcome>;
}

export interface RunContext {
  /**
   * Aborted when the run must stop: its lease was lost (another worker may own it now), a user
   * asked to cancel it, or the worker is shutting down. `signal.reason` says which
   * (LeaseLostError, RunCancelledError, WorkerShutdownError from ./run-errors.ts).
   */
  signal: AbortSignal;
  /** Extends the lease now (the worker also does so on a timer); false when it was lost. */
  heartbeat(): Promise<boolean>;
  /** Appends to the run log (run_events). */
  log(level: RunEventLevel, message: string, data?: unknown): Promise<void>;
  isCancelRequested(): Promise<boolean>;
  /** The worker's clock. */
  now(): Date;
}

export interface RunOutcome {
  status: "succeeded" | "partial" | "failed" | "cancelled";
  summary?: RunSummary;
  errorCode?: string;
  errorMessage?: string;
  /** For `failed`: true when trying again later may succeed (the worker requeues with backoff). */
  retryable?: boolean;
}
