import { Command, InvalidArgumentError } from "commander";
import { describeBooks } from "../../demo/books-check.js";
import { describeRun, startDemo } from "../../demo/run-demo.js";
import { createLogger } from "../../logger.js";
import { CliError } from "../runtime.js";
import { onShutdownSignal } from "../shutdown.js";

interface DemoCliOptions {
  dataDir: string;
  port: number;
  sandboxPort: number;
  seed: number;
  documents: number;
}

/** `devsync demo` (also `npm run demo`): the whole product on sandboxes, one command, Ctrl-C stops it. */
export function demoCommand(): Command {
  return new Command("demo")
    .description("Try devsync without any account: sandboxes, 3 demo companies, the real OAuth flow, schedules and a first sync")
    .option("--data-dir <dir>", "where the demo keeps its SQLite database (wiped on every demo start)", "./data/demo")
    .option("--port <port>", "devsync's port (0: any free port)", port, 8080)
    .option("--sandbox-port <port>", "the DevPos and QuickBooks sandboxes' port (0: any free port)", port, 4010)
    .option("--seed <n>", "seed of the generated companies and documents", integer, 42)
    .option("--documents <n>", "documents over all companies, over the last 90 days", integer, 2000)
    .action(async (options: DemoCliOptions) => {
      const started = Date.now();
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out("Starting the devsync demo (nothing here touches a real DevPos or QuickBooks account)…");
      let demo;
      try {
        demo = await startDemo({ dataDir: options.dataDir, port: options.port, sandboxPort: options.sandboxPort, seed: options.seed, documents: options.documents, progress: (line) => out(`  ${line}`) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(/EADDRINUSE/.test(message) ? `${message} (choose other ports with --port / --sandbox-port)` : `demo failed: ${message}`, 1);
      }
      // A first sync that did not succeed, or books that do not balance, is a failed demo.
      const failed = demo.companies.filter((c) => !c.firstRun || c.firstRun.status !== "succeeded" || !c.books?.balanced);
      out("");
      out(`Ready in ${Math.round((Date.now() - started) / 1000)} s.`);
      out("");
      out(`  Dashboard:  ${demo.dashboardUrl}`);
      out(`  Log in as:  ${demo.admin.email}`);
      out(`  Password:   ${demo.admin.password}    (random, shown only now)`);
      out("");
      for (const company of demo.companies) {
        out(`  ${company.code}  ${company.name}: ${company.documents} DevPos documents, QuickBooks realm ${company.realmId}`);
        out(`      first sync: ${company.firstRun ? describeRun(company.firstRun) : "not run"}`);
        if (company.books) out(`      ${describeBooks(company.books)}`);
        for (const schedule of company.schedules) out(`      schedule ${schedule.id}: ${schedule.label}${schedule.nextRun ? ` (${schedule.nextRun.replace(/^Next sync: /, "next: ")})` : ""}`);
      }
      out("");
      if (failed.length > 0) {
        out(`  ${failed.length} compan${failed.length === 1 ? "y's" : "ies'"} first sync did not succeed or its books do not balance; the reasons above are the runs' own, also on the dashboard's Runs page.`);
        process.exitCode = 1;
      }
      out(`  Sandboxes:  ${demo.sandboxUrl}    devsync log: ${demo.logFile}`);
      out("  Press Ctrl-C to stop everything.");
      await onShutdownSignal(createLogger({ level: "silent" }), async () => {
        out("\nStopping devsync and the sandboxes…");
        await demo.stop();
        out("Stopped.");
      });
      // Everything the demo started is stopped; idle keep-alive sockets of fetch would otherwise
      // hold the terminal for several more seconds.
      process.exit(process.exitCode ?? 0);
    });
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError("must be a port number (0 to 65535)");
  return Number(value);
}

function integer(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a positive integer");
  return Number(value);
}
