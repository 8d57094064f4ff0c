import { Command } from "commander";
import { migrationStatus } from "../../storage/migrate.js";
import { describeDatabase, openRuntime } from "../runtime.js";

export function migrateCommand(): Command {
  return new Command("migrate")
    .description("Apply pending database migrations (serve does this too) and print the schema status")
    .option("--status", "only print the status, apply nothing")
    .action(async (options: { status?: boolean }) => {
      const runtime = await openRuntime({ migrate: !options.status, logLevel: "warn" });
      try {
        const status = await migrationStatus(runtime.db);
        process.stdout.write(
          `${describeDatabase(runtime.config)}\n` +
            `applied: ${status.applied.length ? status.applied.join(", ") : "none"}\n` +
            `pending: ${status.pending.length ? status.pending.join(", ") : "none"}\n`,
        );
      } finally {
        await runtime.close();
      }
    });
}
