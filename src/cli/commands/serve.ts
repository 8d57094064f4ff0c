import { Command, Option } from "commander";
import { createApp } from "../../api/create-app.js";
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
      const app = await createApp({ db: runtime.db, logger });
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

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}
