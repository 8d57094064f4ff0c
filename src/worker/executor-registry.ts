import type { Runtime } from "../cli/runtime.js";
import { PermanentRunError } from "./run-errors.js";
import type { RunExecutor } from "./run-executor.js";

/** What an executor may need from the process: config, logger, database, secret box. */
export type ExecutorRuntime = Pick<Runtime, "config" | "logger" | "db" | "secrets">;

export const SYNC_ENGINE_MISSING_CODE = "sync_engine_missing";

/**
 * The single place the CLI (serve, worker, run-due) gets its RunExecutor from.
 *
 * The sync engine (DevPos → QuickBooks, issue 5) is not part of this build yet, so every run
 * fails at once with a clear permanent error instead of pretending to sync. When the engine
 * lands, this function returns it and nothing else changes.
 */
export function createDefaultExecutor(_runtime: ExecutorRuntime): RunExecutor {
  return {
    async execute() {
      throw new PermanentRunError(SYNC_ENGINE_MISSING_CODE, "sync engine not installed yet: this devsync build cannot execute syncs");
    },
  };
}
