#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { companiesCommand } from "./commands/companies.js";
import { migrateCommand } from "./commands/migrate.js";
import { sandboxCommand } from "./commands/sandbox.js";
import { secretsCommand } from "./commands/secrets.js";
import { serveCommand } from "./commands/serve.js";
import { syncCommand } from "./commands/sync.js";
import { usersCommand } from "./commands/users.js";
import { schedulerCommand } from "./commands/scheduler.js";
import { workerCommand } from "./commands/worker.js";
import { runDueCommand } from "./commands/run-due.js";
import { schedulesCommand } from "./commands/schedules.js";
import { runsCommand } from "./commands/runs.js";
import { logsCommand } from "./commands/logs.js";
import { doctorCommand } from "./commands/doctor.js";
import { demoCommand } from "./commands/demo.js";
import { documentsCommand } from "./commands/documents.js";
import { CliError } from "./runtime.js";

const program = new Command("devsync")
  .description("Keeps QuickBooks Online in step with DevPos, for many companies at once.")
  .showHelpAfterError()
  .exitOverride();

for (const command of [serveCommand(), migrateCommand(), companiesCommand(), usersCommand(), secretsCommand(), sandboxCommand(), schedulerCommand(), workerCommand(), runDueCommand(), schedulesCommand(), runsCommand(), syncCommand(), logsCommand(), doctorCommand(), demoCommand(), documentsCommand()]) {
  program.addCommand(command);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed help or the usage error.
    process.exitCode = error.exitCode;
  } else if (error instanceof CliError) {
    process.stderr.write(`devsync: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`devsync: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
