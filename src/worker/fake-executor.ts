import type { SyncRun } from "../storage/repos/sync-runs.js";
import { PermanentRunError, RetryableRunError } from "./run-errors.js";
import type { RunContext, RunExecutor, RunOutcome } from "./run-executor.js";

/** Succeeds at once without doing anything (benchmarks, tests of the queue itself). */
export const noopExecutor: RunExecutor = Object.freeze({
  execute: async (): Promise<RunOutcome> => ({ status: "succeeded", summary: { noop: true } }),
});

export type FakeFailure = "retryable" | "permanent" | "grant_revoked" | "failed_outcome" | "hang";

export interface FakeExecutorOptions {
  /** Real milliseconds each run takes (a number or per run); default 0. */
  durationMs?: number | ((run: SyncRun) => number);
  /** How a given attempt fails, or null/undefined to succeed. `run.attempt` is 1 on the first try. */
  failure?: (run: SyncRun) => FakeFailure | null | undefined;
  /** Called when a run starts and when it stops (however it stops), e.g. to record intervals. */
  onStart?: (run: SyncRun) => void;
  onFinish?: (run: SyncRun, result: "succeeded" | "failed" | "aborted") => void;
}

/**
 * A configurable stand-in for the sync engine: waits `durationMs` (stopping at once when the
 * worker aborts the run), then succeeds or fails as `failure` says. `hang` ignores the abort
 * signal, to test what the worker does with an executor that will not stop.
 */
export function createFakeExecutor(options: FakeExecutorOptions = {}): RunExecutor {
  return {
    async execute(run: SyncRun, ctx: RunContext): Promise<RunOutcome> {
      options.onStart?.(run);
      let result: "succeeded" | "failed" | "aborted" = "failed";
      try {
        const failure = options.failure?.(run) ?? null;
        const duration = typeof options.durationMs === "function" ? options.durationMs(run) : (options.durationMs ?? 0);
        if (failure === "hang") {
          await new Promise((resolve) => setTimeout(resolve, duration));
        } else if (duration > 0) {
          await abortableSleep(duration, ctx.signal);
        }
        if (ctx.signal.aborted && failure !== "hang") {
          result = "aborted";
          throw ctx.signal.reason;
        }
        switch (failure) {
          case "retryable":
            throw new RetryableRunError("fake_transient", `fake transient failure on attempt ${run.attempt}`);
          case "permanent":
            throw new PermanentRunError("fake_permanent", "fake permanent failure");
          case "grant_revoked":
            throw Object.assign(new Error("QuickBooks refused the refresh token (invalid_grant)"), { name: "QboGrantRevokedError" });
          case "failed_outcome":
            return { status: "failed", errorCode: "fake_failed", errorMessage: "fake failed outcome" };
          default:
            result = "succeeded";
            return { status: "succeeded", summary: { fake: true, attempt: run.attempt } };
        }
      } finally {
        options.onFinish?.(run, result);
      }
    },
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
