import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { generateKeyBase64 } from "../../../src/secrets/keyring.js";
import { listDocumentLinks } from "../../../src/storage/repos/document-links.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createSyncWorld, eicOf, realmDocuments, seedDocuments, startSandbox } from "./harness.js";

/**
 * Exactly once under SIGKILL (issue 5): a 1,000-document sync in a child process running the
 * built code is killed at 10 random moments; after the runs complete, the sandbox holds exactly
 * one document per (non-rejected, non-zero) DevPos row, with the right totals.
 */
const root = fileURLToPath(new URL("../../../", import.meta.url));
const child = fileURLToPath(new URL("./fixtures/sync-child.mjs", import.meta.url));
let sandbox: SandboxServer;

beforeAll(async () => {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  // Some latency, so kills land mid-batch as well as between batches.
  // Limits raised: eleven processes in a row would spend the realm's 40 batches a minute, and
  // this test is about crashes, not throttling (each process has its own limiter).
  sandbox = await startSandbox({ seed: 21, qbo: { latency: { baseMs: 20, perBatchItemMs: 10 }, limits: { perMinute: 100_000, batchPerMinute: 100_000 } } });
}, 240_000);
afterAll(async () => {
  await sandbox?.close();
});

/**
 * Runs the sync child; `killWhen` is polled every few milliseconds and SIGKILLs the child the
 * moment it returns true, so kills are tied to the run's progress, not to wall time (a fast
 * machine would otherwise finish before a timed kill).
 */
function runChild(args: object, killWhen?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(args)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    const timer = killWhen === undefined ? undefined : setInterval(() => {
      if (killWhen()) proc.kill("SIGKILL");
    }, 2);
    proc.on("exit", (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describeEachDatabase("sync survives SIGKILL", (current) => {
  it("10 random kills during a 1,000-document run: every document exactly once, right totals", async () => {
    const keyBase64 = generateKeyBase64();
    const world = await createSyncWorld(sandbox, current().db, { keyBase64 });
    const docs = seedDocuments(world, { count: 1000, parties: 60, seed: 31 });
    const expected = docs.filter((d) => d.row.invoiceStatus !== "Refuzuar" && Number(d.row.amount) !== 0);
    const args = { target: current().target, keyBase64, companyId: world.company.id, sandboxUrl: sandbox.url, window: { from: "2025-03-01", to: "2025-03-31" } };

    // Kill moments spread over the run's life: each kill waits for a random number of further
    // documents to land in QuickBooks (0 = during start-up or party resolution), so every kill
    // hits a run in progress, with batches in flight.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const createdCount = () => sandbox.qbo.createdDocuments(world.realmId).length;
    let killed = 0;
    for (let i = 0; i < 10; i++) {
      const remaining = expected.length - createdCount();
      const target = createdCount() + (i % 3 === 0 ? 0 : Math.floor(random() * Math.min(remaining, 120)));
      const result = await runChild(args, () => createdCount() >= target);
      if (result.signal === "SIGKILL") killed++;
      else expect(result.code, result.stderr).toBe(0);
    }
    expect(killed).toBe(10);

    const final = await runChild(args);
    expect(final.code, final.stderr).toBe(0);
    const summary = JSON.parse(final.stdout.trim().split("\n").at(-1)!);
    expect(summary.status, JSON.stringify(summary)).toBe("succeeded");

    const created = realmDocuments(sandbox, world.realmId);
    const everCreated = sandbox.qbo.createdDocuments(world.realmId);
    expect(everCreated).toHaveLength(expected.length);
    expect(created).toHaveLength(expected.length);
    const byEic = new Map<string, (typeof created)[number]>();
    for (const c of created) {
      const eic = eicOf(c.PrivateNote)!;
      expect(byEic.has(eic), `duplicate ${eic}`).toBe(false);
      byEic.set(eic, c);
    }
    for (const d of expected) {
      const qbo = byEic.get(d.row.eic);
      expect(qbo, d.row.eic).toBeDefined();
      expect(Math.round(qbo!.TotalAmt * 100)).toBe(Math.round(d.trueAmount * 100));
    }
    const links = await listDocumentLinks(current().db, { companyId: world.company.id, limit: 1000 });
    expect(links.items.filter((l) => l.state !== "synced")).toEqual([]);
  }, 600_000);
});
