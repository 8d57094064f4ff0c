import type { Logger } from "pino";
import { systemClock, type Clock } from "../clock.js";
import { createScheduler, type Scheduler, type SchedulerOptions } from "../scheduler/scheduler.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import type { RunExecutor } from "./run-executor.js";
import { createWorker, type Worker, type WorkerOptions } from "./worker.js";

export interface BackgroundRolesOptions {
  db: Db;
  logger: Logger;
  executor: RunExecutor;
  clock?: Clock;
  scheduler?: Partial<Omit<SchedulerOptions, "db" | "logger" | "clock">> | false;
  worker?: Partial<Omit<WorkerOptions, "db" | "logger" | "clock" | "executor">> | false;
}

export interface BackgroundRoles {
  scheduler: Scheduler | undefined;
  worker: Worker | undefined;
  /** Stops the scheduler, then the worker (waiting up to `graceMs` for in-flight runs). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the scheduler and worker roles of `devsync serve` (either can be turned off). */
export function startBackgroundRoles(options: BackgroundRolesOptions): BackgroundRoles {
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler === false ? undefined : createScheduler({ db: options.db, logger: options.logger, clock, ...options.scheduler });
  const worker =
    options.worker === false ? undefined : createWorker({ db: options.db, logger: options.logger, clock, executor: options.executor, ...options.worker });
  scheduler?.start();
  worker?.start();
  return {
    scheduler,
    worker,
    async stop(graceMs) {
      await scheduler?.stop();
      await worker?.stop(graceMs);
    },
  };
}
