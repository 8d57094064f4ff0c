import { Command } from "commander";
import { createWorker } from "../../worker/worker.js";
import { createProcessServices } from "../process-services.js";
import { describeDatabase, openRuntime } from "../runtime.js";
import { onShutdownSignal, shutdownDeadlineMs } from "../shutdown.js";
import { positiveInteger, positiveNumber } from "./scheduler.js";

export function workerCommand(): Command {
  return new Command("worker")
    .description("Run only the worker role: claim queued runs and execute them (any number may run)")
    .option("--concurrency <n>", "runs executed at once", positiveInteger("--concurrency", 256), 2)
    .option("--lease <seconds>", "lease length; a run whose worker stops heartbeating is reclaimed after it", positiveNumber("--lease"), 120)
    .option("--poll <seconds>", "idle wait between looks for new runs", positiveNumber("--poll"), 1)
    .option("--grace <seconds>", "on SIGTERM, how long in-flight runs may finish before they are handed back", positiveNumber("--grace"), 30)
    .action(async (options: { concurrency: number; lease: number; poll: number; grace: number }) => {
      const runtime = await openRuntime();
      const services = createProcessServices(runtime);
      const worker = createWorker({
        db: runtime.db.db,
        logger: runtime.logger,
        executor: services.executor,
        onRunFinished: services.alerter.onRunResult,
        concurrency: options.concurrency,
        leaseMs: Math.round(options.lease * 1000),
        pollMs: Math.round(options.poll * 1000),
      });
      worker.start();
      runtime.logger.info({ database: describeDatabase(runtime.config), owner: worker.ownerId }, "worker running");
      await onShutdownSignal(runtime.logger, async () => {
        await worker.stop(Math.round(options.grace * 1000));
        await services.close();
        await runtime.close();
      }, { exit: true, deadlineMs: shutdownDeadlineMs(options.grace) });
    });
}
