import { Command } from "commander";
import { systemClock } from "../../clock.js";
import { formatReport } from "../../ops/doctor/doctor-report.js";
import { runDoctor } from "../../ops/doctor/run-doctor.js";
import { createDb } from "../../storage/db.js";
import { describeDatabase, loadConfig } from "../runtime.js";

/** `devsync doctor`: a readable health report; exit 1 when something is wrong. */
export function doctorCommand(): Command {
  return new Command("doctor")
    .description("Check the database, secret key, QuickBooks app settings, every company's DevPos login and QuickBooks authorization, clocks and alerts")
    .option("--json", "print the report as JSON")
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const handle = createDb(config.database, { poolSize: 4 });
      try {
        const label = describeDatabase(config);
        const report = await runDoctor({ config, db: handle, databaseLabel: label, clock: systemClock });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, `devsync doctor: ${label}`));
        if (!report.ok) process.exitCode = 1;
      } finally {
        await handle.destroy().catch(() => {});
      }
    });
}
