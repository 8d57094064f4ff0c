import { Command, InvalidArgumentError } from "commander";
import { systemClock } from "../../clock.js";
import { requestCancel } from "../../storage/repos/sync-runs.js";
import { CliError, openRuntime } from "../runtime.js";

/**
 * `devsync runs cancel <id>`: a queued run is cancelled at once; a running one (a worker's or a
 * `devsync sync` in another terminal) is asked to stop after the batches in flight.
 */
export function runsCancelCommand(): Command {
  return new Command("cancel")
    .description("Cancel a queued run, or ask a running one to stop after the batches in flight")
    .argument("<id>", "run id", parseRunId)
    .action(async (id: number) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const run = await requestCancel(runtime.db.db, id, systemClock.now());
        if (!run) throw new CliError(`no run with id ${id}`, 1);
        if (run.status === "cancelled") process.stdout.write(`run ${id} cancelled\n`);
        else if (run.status === "running") process.stdout.write(`run ${id} is running: asked to stop after the batches in flight (follow it with \`devsync logs --run ${id} --follow\`)\n`);
        else throw new CliError(`run ${id} already ended (${run.status})`, 1);
      } finally {
        await runtime.close();
      }
    });
}

function parseRunId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) throw new InvalidArgumentError("must be a run id (a positive whole number)");
  return n;
}
