import { Command, Option } from "commander";
import { createApp, type AppDeps } from "../../api/create-app.js";
import { devposTesterFrom, qboCatalogFrom, qboConnectServiceFrom } from "../../api/connector-adapters.js";
import { systemClock } from "../../clock.js";
import { createDevposClient } from "../../connectors/devpos/index.js";
import { createQboConnector, qboConnectorOptionsFromConfig } from "../../connectors/qbo/index.js";
import { countUsers } from "../../storage/repos/users.js";
import { describeDatabase, openRuntime } from "../runtime.js";
import { onShutdownSignal } from "../shutdown.js";
import { startBackgroundRoles } from "../../worker/background-roles.js";
import { createDefaultExecutor } from "../../worker/executor-registry.js";

export function serveCommand(): Command {
  return new Command("serve")
    .description("Run devsync: API and dashboard (and, as they land, scheduler and worker) in one process")
    .addOption(new Option("--port <port>", "override PORT").argParser(parsePort))
    .action(async (options: { port?: number }) => {
      const runtime = await openRuntime();
      const { config, logger } = runtime;
      // --- API dependencies (issue 7): connectors behind the API's interfaces ---
      const app = await createApp(apiDepsFor(runtime));
      // --- end API dependencies ---
      if ((await countUsers(runtime.db.db)) === 0) {
        logger.warn("no users yet: create the first admin with `devsync users add --admin`");
        process.stderr.write(
          "\nNo users exist yet. Create the first administrator (you will be asked for a password):\n" +
            "  npx devsync users add --admin --email you@example.com --name \"Your Name\"\n" +
            "devsync never creates a default password.\n\n",
        );
      }
      const port = options.port ?? config.port;
      const address = await app.listen({ port, host: config.host });
      logger.info({ address, database: describeDatabase(config) }, "devsync is listening");

      // --- scheduler + worker roles (issue 6): started here, stopped first on shutdown ---
      const roles = startBackgroundRoles({ db: runtime.db.db, logger, executor: createDefaultExecutor(runtime) });
      // --- end scheduler + worker roles ---

      await onShutdownSignal(logger, async () => {
        await roles.stop();
        await app.close();
        await runtime.close();
      });
    });
}

// --- API dependencies (issue 7) ---
function apiDepsFor(runtime: Awaited<ReturnType<typeof openRuntime>>): AppDeps {
  const { config, logger } = runtime;
  const base = { db: runtime.db.db, box: runtime.secrets.box, clock: systemClock, logger };
  const devpos = createDevposClient(base, { baseUrl: config.devpos.baseUrl, clientId: config.devpos.clientId, clientSecret: config.devpos.clientSecret });
  let qbo: ReturnType<typeof createQboConnector> | undefined;
  if (config.qbo.clientId && config.qbo.clientSecret) qbo = createQboConnector(base, qboConnectorOptionsFromConfig(config));
  else logger.warn("QBO_CLIENT_ID / QBO_CLIENT_SECRET not set: connecting companies to QuickBooks is disabled");
  return {
    db: runtime.db,
    logger,
    secrets: runtime.secrets.box,
    clock: systemClock,
    publicUrl: config.publicUrl,
    devposTester: devposTesterFrom(devpos),
    ...(qbo ? { qboConnect: qboConnectServiceFrom(qbo), qboCatalog: qboCatalogFrom(qbo) } : {}),
  };
}
// --- end API dependencies ---

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}
