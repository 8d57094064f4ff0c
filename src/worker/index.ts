/** The worker role: claims queued runs and executes them through a RunExecutor. */
export { createWorker, type Worker, type WorkerOptions } from "./worker.js";
export { executeClaimedRun, type RunResult, type RunResultStatus } from "./execute-run.js";
export type { RunContext, RunExecutor, RunOutcome } from "./run-executor.js";
export {
  classifyRunError,
  GRANT_REVOKED_CODE,
  LeaseLostError,
  PermanentRunError,
  RetryableRunError,
  RunCancelledError,
  WorkerShutdownError,
  type RunErrorClass,
} from "./run-errors.js";
export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
export { createFakeExecutor, noopExecutor, type FakeExecutorOptions, type FakeFailure } from "./fake-executor.js";
export { startBackgroundRoles, type BackgroundRoles, type BackgroundRolesOptions } from "./background-roles.js";
export { createDefaultExecutor, QBO_NOT_CONFIGURED_CODE, type DefaultExecutorOptions, type ExecutorRuntime } from "./executor-registry.js";
