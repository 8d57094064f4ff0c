import { resolve } from "node:path";
import { Command, Option } from "commander";
import { createApp, type AppDeps } from "../../api/create-app.js";
import { devposTesterFrom, qboCatalogFrom, qboConnectServiceFrom, qboRealmCheckFrom } from "../../api/connector-adapters.js";
import { registerDashboard } from "../../api/routes/dashboard.js";
import { startLoginHousekeeping } from "../../ops/login-housekeeping.js";
import { startRetention } from "../../ops/retention.js";
import { countUsers } from "../../storage/repos/users.js";
import { startBackgroundRoles } from "../../worker/background-roles.js";
import { createProcessServices, type ProcessServices } from "../process-services.js";
import { describeDatabase, openRuntime, type Runtime } from "../runtime.js";
import { onShutdownSignal, shutdownDeadlineMs } from "../shutdown.js";
import { positiveNumber } from "./scheduler.js";

/** The built dashboard, relative to this file in dist/cli/commands. */
const DASHBOARD_DIST = resolve(import.meta.dirname, "../../../ui/dist");

export function serveCommand(): Command {
  return new Command("serve")
    .description("Run devsync in one process: API and dashboard, scheduler, worker, token keep-alive, alerts and log retention")
    .addOption(new Option("--port <port>", "override PORT").argParser(parsePort))
    .option("--grace <seconds>", "on SIGTERM, how long in-flight runs may finish before they are handed back", positiveNumber("--grace"), 30)
    .action(async (options: { port?: number; grace: number }) => {
      const runtime = await openRuntime();
      const { config, logger } = runtime;
      const services = createProcessServices(runtime);
      const app = await createApp(apiDepsFor(runtime, services));
      await registerDashboard(app, { distDir: DASHBOARD_DIST });
      if ((await countUsers(runtime.db.db)) === 0) {
        logger.warn("no users yet: create the first admin with `devsync users add --admin`");
        process.stderr.write(
          "\nNo users exist yet. Create the first administrator in the dashboard, or here (you will be asked for a password):\n" +
            "  npx devsync users add --admin --email you@example.com --name \"Your Name\"\n" +
            "devsync never creates a default password.\n\n",
        );
      }
      const port = options.port ?? config.port;
      const address = await app.listen({ port, host: config.host });
      logger.info({ address, database: describeDatabase(config) }, "devsync is listening");

      const roles = startBackgroundRoles({
        db: runtime.db.db,
        logger,
        clock: services.clock,
        executor: services.executor,
        worker: { onRunFinished: services.alerter.onRunResult },
      });
      const keepAlive = services.qbo?.startKeepAlive();
      const retention = startRetention({ db: runtime.db.db, clock: services.clock, logger, retentionDays: config.retentionDays });
      const housekeeping = startLoginHousekeeping({ db: runtime.db.db, clock: services.clock, logger });

      await onShutdownSignal(logger, async () => {
        await roles.stop(Math.round(options.grace * 1000));
        await keepAlive?.stop();
        await retention.stop();
        await housekeeping.stop();
        await app.close();
        await services.close();
        await runtime.close();
      }, { exit: true, deadlineMs: shutdownDeadlineMs(options.grace) });
    });
}

function apiDepsFor(runtime: Runtime, services: ProcessServices): AppDeps {
  return {
    db: runtime.db,
    logger: runtime.logger,
    secrets: runtime.secrets.box,
    clock: services.clock,
    publicUrl: runtime.config.publicUrl,
    trustProxy: runtime.config.trustProxy,
    devposTester: devposTesterFrom(services.devpos),
    ...(services.qbo ? { qboConnect: qboConnectServiceFrom(services.qbo), qboCatalog: qboCatalogFrom(services.qbo), qboRealmCheck: qboRealmCheckFrom(services.qbo) } : {}),
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}
