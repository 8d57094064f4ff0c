import { Command, InvalidArgumentError } from "commander";
import { createScheduler } from "../../scheduler/scheduler.js";
import { describeDatabase, openRuntime } from "../runtime.js";
import { onShutdownSignal, shutdownDeadlineMs } from "../shutdown.js";

export function schedulerCommand(): Command {
  return new Command("scheduler")
    .description("Run only the scheduler role: enqueue one run per due schedule slot (any number may run)")
    .option("--interval <seconds>", "seconds between ticks", positiveNumber("--interval"), 15)
    .action(async (options: { interval: number }) => {
      const runtime = await openRuntime();
      const scheduler = createScheduler({ db: runtime.db.db, logger: runtime.logger, intervalMs: Math.round(options.interval * 1000) });
      scheduler.start();
      runtime.logger.info({ database: describeDatabase(runtime.config) }, "scheduler running");
      await onShutdownSignal(runtime.logger, async () => {
        await scheduler.stop();
        await runtime.close();
      }, { exit: true, deadlineMs: shutdownDeadlineMs(0) });
    });
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number`);
    return n;
  };
}

export function positiveInteger(flag: string, max = 1000) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InvalidArgumentError(`${flag} must be an integer from 1 to ${max}`);
    return n;
  };
}
