import { expect, it } from "vitest";
import { formatRunEvent, followRunEvents } from "../../../src/ops/follow-run-events.js";
import { appendRunEvents, type RunEvent } from "../../../src/storage/repos/run-log.js";
import { completeRun, claimNextRun, enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { databaseUrlOf, runCli, tempDir, cleanEnv } from "../../helpers/cli.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { makeCompany, minutesAfter, T0 } from "../storage/repo-fixtures.js";

describeEachDatabase("run log follow (devsync logs)", (current, dialect) => {
  async function world() {
    const db = current().db;
    const a = await makeCompany(db, { code: "A11111111A" });
    const b = await makeCompany(db, { code: "B22222222B" });
    const runA = await enqueueRun(db, { companyId: a.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    const runB = await enqueueRun(db, { companyId: b.id, trigger: "manual", jobType: "bills", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    const log = (run: typeof runA, message: string, minute: number) =>
      appendRunEvents(db, [{ runId: run.id, companyId: run.companyId, at: minutesAfter(minute), level: "info", message, data: { minute } }]);
    return { db, a, b, runA, runB, log };
  }

  it("prints the backlog per company and per run, oldest first", async () => {
    const { db, a, runA, runB, log } = await world();
    for (let i = 0; i < 5; i++) {
      await log(runA, `a${i}`, i);
      await log(runB, `b${i}`, i);
    }
    const seen: RunEvent[] = [];
    await followRunEvents({ db, filter: { companyId: a.id }, backlog: 3, onEvent: (e) => void seen.push(e) });
    expect(seen.map((e) => e.message)).toEqual(["a2", "a3", "a4"]);
    seen.length = 0;
    await followRunEvents({ db, filter: { runId: runB.id }, backlog: 100, onEvent: (e) => void seen.push(e) });
    expect(seen.map((e) => e.message)).toEqual(["b0", "b1", "b2", "b3", "b4"]);
    expect(formatRunEvent(seen[0]!, "B22222222B")).toBe(`${minutesAfter(0).toISOString()} INFO  [B22222222B run ${runB.id}] b0 {"minute":0}`);
  });

  it("follows new events as other processes write them, without gaps or repeats, and stops when the followed run ends", async () => {
    const { db, runA, runB, log } = await world();
    await log(runA, "before", 0);
    const seen: string[] = [];
    const controller = new AbortController();
    const all = followRunEvents({ db, filter: {}, backlog: 10, follow: true, pollMs: 20, signal: controller.signal, onEvent: (e) => void seen.push(e.message) });
    const one = followRunEvents({ db, filter: { runId: runA.id }, backlog: 0, follow: true, pollMs: 20, onEvent: () => {} });
    for (let i = 0; i < 20; i++) {
      await log(i % 2 ? runA : runB, `e${i}`, i + 1);
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(21);
    expect(seen).toEqual(["before", ...Array.from({ length: 20 }, (_, i) => `e${i}`)]);

    // Finish run A: the run follower prints what is left and returns by itself.
    const claimed = await claimNextRun(db, { owner: "w", now: minutesAfter(30), leaseMs: 60_000 });
    expect(claimed?.id).toBe(runA.id);
    await log(runA, "last words", 31);
    await completeRun(db, runA.id, "w", { status: "succeeded", finishedAt: minutesAfter(32) });
    await expect(one).resolves.toBeGreaterThan(0);
    await expect.poll(() => seen.at(-1), { timeout: 10_000 }).toBe("last words");
    controller.abort();
    await all;
    expect(seen.at(-1)).toBe("last words");
  });

  if (dialect === "sqlite") {
    it("devsync logs --company prints readable lines and refuses an unknown company", async () => {
      const { a, runA, log } = await world();
      await log(runA, "fetched 12 sales e-invoices", 1);
      const env = cleanEnv({ DATABASE_URL: databaseUrlOf(current().target), DATA_DIR: tempDir() });
      const ok = await runCli(["logs", "--company", a.code], { cwd: tempDir(), env });
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`[A11111111A run ${runA.id}] fetched 12 sales e-invoices {"minute":1}`);
      const json = await runCli(["logs", "--run", String(runA.id), "--json"], { cwd: tempDir(), env });
      expect(JSON.parse(json.stdout.trim())).toMatchObject({ company: "A11111111A", run_id: runA.id, message: "fetched 12 sales e-invoices" });
      const bad = await runCli(["logs", "--company", "NOPE"], { cwd: tempDir(), env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("no company with code NOPE");
    });
  }
});
