import { describe, expect, it } from "vitest";
import { createScheduler } from "../../../src/scheduler/scheduler.js";
import { resumeSchedulesAfterReconnect } from "../../../src/scheduler/resume-schedules.js";
import { tick } from "../../../src/scheduler/tick.js";
import { listRunEventsAfter } from "../../../src/storage/repos/run-log.js";
import { getSchedule } from "../../../src/storage/repos/schedules.js";
import { enqueueRun, getRun, requestCancel, type SyncRun } from "../../../src/storage/repos/sync-runs.js";
import { createFakeExecutor, noopExecutor, type FakeFailure } from "../../../src/worker/fake-executor.js";
import { LeaseLostError } from "../../../src/worker/run-errors.js";
import type { RunExecutor } from "../../../src/worker/run-executor.js";
import { createWorker } from "../../../src/worker/worker.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { at, makeCompany, makeSchedule, manualClock, minutes, T0, testLogger } from "../scheduler/fixtures.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

async function queueRun(db: Db, companyId: number, extra: { scheduleId?: number; now?: Date } = {}): Promise<SyncRun> {
  return enqueueRun(db, { companyId, scheduleId: extra.scheduleId ?? null, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: extra.now ?? T0 });
}

describeEachDatabase("worker", (current) => {
  it("claims a queued run, completes it and records the schedule's last status", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const schedule = await makeSchedule(db, company);
    const clock = manualClock(new Date(T0.getTime() + 1000));
    await tick({ db, clock });
    const worker = createWorker({ db, clock, logger: testLogger, executor: noopExecutor });
    const result = await worker.runOnce();
    expect(result?.status).toBe("succeeded");
    const run = (await getRun(db, result!.run.id))!;
    expect(run).toMatchObject({ status: "succeeded", attempt: 1, leaseOwner: null, summary: { noop: true } });
    expect((await db.selectFrom("sync_runs").select("running_company_id").where("id", "=", run.id).executeTakeFirstOrThrow()).running_company_id).toBeNull();
    expect((await getSchedule(db, schedule.id))!.lastStatus).toBe("succeeded");
    expect(await worker.runOnce()).toBeUndefined();
  });

  it("requeues transient failures with 1 and 5 minute backoff and fails after the third attempt", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const queued = await queueRun(db, company.id);
    const clock = manualClock(T0);
    const worker = createWorker({ db, clock, logger: testLogger, executor: createFakeExecutor({ failure: () => "retryable" }) });

    const first = await worker.runOnce();
    expect(first).toMatchObject({ status: "requeued", errorCode: "fake_transient", retryAt: new Date(T0.getTime() + minutes(1)) });
    expect(await getRun(db, queued.id)).toMatchObject({ status: "queued", attempt: 1, availableAt: new Date(T0.getTime() + minutes(1)) });
    expect(await worker.runOnce()).toBeUndefined(); // not yet available
    clock.advance(minutes(1));
    expect(await worker.runOnce()).toMatchObject({ status: "requeued", retryAt: new Date(T0.getTime() + minutes(6)) });
    clock.advance(minutes(5));
    const last = await worker.runOnce();
    expect(last).toMatchObject({ status: "failed", errorCode: "fake_transient" });
    const run = (await getRun(db, queued.id))!;
    expect(run).toMatchObject({ status: "failed", attempt: 3, errorCode: "fake_transient" });
    expect(run.errorMessage).toMatch(/gave up after 3 attempts/);
    const events = await listRunEventsAfter(db, queued.id);
    expect(events.map((e) => e.level)).toEqual(["warn", "warn", "error"]);
  });

  it("fails permanent errors at once with code and message; a retryable failed outcome is retried", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const clock = manualClock(T0);
    const modes: Record<number, FakeFailure> = {};
    const worker = createWorker({ db, clock, logger: testLogger, executor: createFakeExecutor({ failure: (run) => modes[run.id] }) });
    const permanent = await queueRun(db, company.id);
    modes[permanent.id] = "permanent";
    expect(await worker.runOnce()).toMatchObject({ status: "failed", errorCode: "fake_permanent" });
    expect(await getRun(db, permanent.id)).toMatchObject({ status: "failed", attempt: 1, errorCode: "fake_permanent", errorMessage: "fake permanent failure" });

    const outcome = await queueRun(db, company.id);
    modes[outcome.id] = "failed_outcome";
    expect(await worker.runOnce()).toMatchObject({ status: "failed", errorCode: "fake_failed" });

    const retryable = await queueRun(db, company.id);
    const retryingWorker = createWorker({
      db,
      clock,
      logger: testLogger,
      executor: { execute: async () => ({ status: "failed", retryable: true, errorCode: "devpos_500", errorMessage: "DevPos answered 500" }) },
    });
    expect(await retryingWorker.runOnce()).toMatchObject({ status: "requeued", errorCode: "devpos_500" });
    expect(await getRun(db, retryable.id)).toMatchObject({ status: "queued", attempt: 1 });
  });

  it("pauses the company's schedules when QuickBooks revoked the grant, and they resume after reconnecting", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const bystander = await makeCompany(db);
    const schedule = await makeSchedule(db, company);
    const second = await makeSchedule(db, company, { frequency: "hourly", minute: 30 });
    const untouched = await makeSchedule(db, bystander);
    const clock = manualClock(new Date(T0.getTime() + 1000));
    await tick({ db, clock });
    const hooked: number[] = [];
    const worker = createWorker({
      db,
      clock,
      logger: testLogger,
      executor: createFakeExecutor({ failure: (run) => (run.companyId === company.id ? "grant_revoked" : null) }),
      concurrency: 2,
      onGrantRevoked: async (companyId) => {
        hooked.push(companyId);
      },
    });
    const results = await worker.drain();
    expect(results.map((r) => r.status).sort()).toEqual(["failed", "succeeded"]);
    expect(results.find((r) => r.run.companyId === company.id)).toMatchObject({ errorCode: "qbo_reauth_required" });
    expect(hooked).toEqual([company.id]);
    for (const s of [schedule, second]) expect((await getSchedule(db, s.id))!.pausedReason).toBe("reconnect QuickBooks");
    expect((await getSchedule(db, untouched.id))!.pausedReason).toBeNull();

    clock.set(at("2026-11-30T10:10:00.000Z"));
    expect((await tick({ db, clock })).slots.map((s) => s.companyId)).toEqual([bystander.id]);
    expect(await resumeSchedulesAfterReconnect(db, company.id, clock.now())).toBe(2);
    expect((await getSchedule(db, schedule.id))!.nextRunAt).toEqual(at("2026-12-01T08:00:00.000Z"));
    expect((await getSchedule(db, second.id))!.nextRunAt).toEqual(at("2026-11-30T10:30:00.000Z"));
  });

  it("runs at most one sync per company at a time, oldest first", async () => {
    const { db } = current();
    const companies = [await makeCompany(db), await makeCompany(db)];
    const queued: SyncRun[] = [];
    for (let i = 0; i < 6; i += 1) queued.push(await queueRun(db, companies[i % 2]!.id, { now: new Date(T0.getTime() + i) }));
    const clock = manualClock(new Date(T0.getTime() + 1000));
    const intervals: { company: number; run: number; start: number; end: number }[] = [];
    const open = new Map<number, { start: number }>();
    const executor = createFakeExecutor({
      durationMs: 30,
      onStart: (run) => open.set(run.id, { start: performance.now() }),
      onFinish: (run) => intervals.push({ company: run.companyId, run: run.id, start: open.get(run.id)!.start, end: performance.now() }),
    });
    const worker = createWorker({ db, clock, logger: testLogger, executor, concurrency: 4, pollMs: 5 });
    worker.start();
    await waitFor(async () => intervals.length === 6);
    await worker.stop(1000);
    for (const company of companies) {
      const mine = intervals.filter((i) => i.company === company.id).sort((a, b) => a.start - b.start);
      expect(mine.map((i) => i.run)).toEqual(queued.filter((r) => r.companyId === company.id).map((r) => r.id));
      for (let i = 1; i < mine.length; i += 1) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    }
    // The two companies did run in parallel.
    expect(intervals.some((a) => intervals.some((b) => a.company !== b.company && a.start < b.end && b.start < a.end))).toBe(true);
  });

  it("reclaims a run whose worker stopped heartbeating; the old worker's late result is dropped", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const queued = await queueRun(db, company.id);
    const clock = manualClock(T0);
    let abortedWith: unknown;
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const slowExecutor: RunExecutor = {
      async execute(_run, ctx) {
        ctx.signal.addEventListener("abort", () => (abortedWith = ctx.signal.reason));
        await stuck;
        return { status: "succeeded", summary: { from: "A" } };
      },
    };
    // Worker A: its heartbeat timer is effectively off, so its lease (1 min of clock time) lapses.
    const a = createWorker({ db, clock, logger: testLogger, executor: slowExecutor, leaseMs: minutes(1), heartbeatMs: 60_000, ownerId: "A" });
    const pendingA = a.runOnce();
    await waitFor(async () => (await getRun(db, queued.id))?.status === "running");
    clock.advance(minutes(2));
    const b = createWorker({ db, clock, logger: testLogger, executor: noopExecutor, ownerId: "B" });
    const results = await b.drain(); // reclaims, then runs it
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "succeeded" });
    expect(results[0]!.run.attempt).toBe(2);
    // A's late heartbeat finds the lease gone and aborts its execution; its result is dropped.
    release();
    const resultA = await pendingA;
    expect(resultA?.status).toBe("lease_lost");
    const run = (await getRun(db, queued.id))!;
    expect(run).toMatchObject({ status: "succeeded", summary: { noop: true } });
    const events = await listRunEventsAfter(db, queued.id);
    expect(events.some((e) => /lease of worker A expired/.test(e.message))).toBe(true);
    void abortedWith;
  });

  it("aborts an execution through its signal as soon as a heartbeat finds the lease lost", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const queued = await queueRun(db, company.id);
    const clock = manualClock(T0);
    let reason: unknown;
    const worker = createWorker({
      db,
      clock,
      logger: testLogger,
      leaseMs: minutes(1),
      heartbeatMs: 20,
      executor: {
        async execute(_run, ctx) {
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          reason = ctx.signal.reason;
          throw reason;
        },
      },
    });
    const pending = worker.runOnce();
    await waitFor(async () => (await getRun(db, queued.id))?.status === "running");
    // Someone else took the run over (as reclaim would after expiry).
    await db.updateTable("sync_runs").set({ lease_owner: "someone-else" }).where("id", "=", queued.id).execute();
    expect((await pending)?.status).toBe("lease_lost");
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((await getRun(db, queued.id))!.status).toBe("running");
  });

  it("cancels a running run when asked", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const queued = await queueRun(db, company.id);
    const clock = manualClock(T0);
    const worker = createWorker({ db, clock, logger: testLogger, heartbeatMs: 20, executor: createFakeExecutor({ durationMs: 10_000 }) });
    const pending = worker.runOnce();
    await waitFor(async () => (await getRun(db, queued.id))?.status === "running");
    await requestCancel(db, queued.id, clock.now());
    expect((await pending)?.status).toBe("cancelled");
    expect(await getRun(db, queued.id)).toMatchObject({ status: "cancelled", errorCode: "cancelled" });
  });

  it("on stop, lets in-flight runs finish within the grace period and hands back the rest without counting the attempt", async () => {
    const { db } = current();
    const quick = await queueRun(db, (await makeCompany(db)).id);
    const slow = await queueRun(db, (await makeCompany(db)).id);
    const hang = await queueRun(db, (await makeCompany(db)).id);
    const clock = manualClock(new Date(T0.getTime() + 1000));
    const durations: Record<number, number> = { [quick.id]: 50, [slow.id]: 5_000, [hang.id]: 5_000 };
    const executor = createFakeExecutor({ durationMs: (run) => durations[run.id]!, failure: (run) => (run.id === hang.id ? "hang" : null) });
    const worker = createWorker({ db, clock, logger: testLogger, executor, concurrency: 3, pollMs: 5 });
    worker.start();
    // All three claimed: the 50 ms one may already have finished when the third is claimed on a
    // loaded machine, so wait for "none queued" rather than "three running".
    await waitFor(async () => {
      const rows = await db.selectFrom("sync_runs").select("id").where("status", "=", "queued").execute();
      return rows.length === 0;
    });
    const started = Date.now();
    await worker.stop(300);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await getRun(db, quick.id)).toMatchObject({ status: "succeeded", attempt: 1 });
    expect(await getRun(db, slow.id)).toMatchObject({ status: "queued", attempt: 0, leaseOwner: null });
    expect(await getRun(db, hang.id)).toMatchObject({ status: "queued", attempt: 0, leaseOwner: null });
    // Nothing claims after stop.
    await sleep(50);
    expect((await getRun(db, slow.id))!.status).toBe("queued");
  });

  it("serve-style: a scheduler and a worker together run every due slot", async () => {
    const { db } = current();
    const companies = await Promise.all(Array.from({ length: 5 }, () => makeCompany(db)));
    for (const c of companies) await makeSchedule(db, c, { frequency: "hourly", minute: 0 });
    const clock = manualClock(at("2026-11-28T08:00:30.000Z"));
    const scheduler = createScheduler({ db, clock, logger: testLogger, intervalMs: 10 });
    const worker = createWorker({ db, clock, logger: testLogger, executor: noopExecutor, concurrency: 2, pollMs: 5 });
    scheduler.start();
    worker.start();
    await waitFor(async () => (await db.selectFrom("sync_runs").select("id").where("status", "=", "succeeded").execute()).length === 5);
    clock.advance(minutes(60));
    await waitFor(async () => (await db.selectFrom("sync_runs").select("id").where("status", "=", "succeeded").execute()).length === 10);
    await scheduler.stop();
    await worker.stop(1000);
  });
});

describe("worker fake executor", () => {
  it("noop succeeds", async () => {
    const outcome = await noopExecutor.execute({} as SyncRun, {} as never);
    expect(outcome.status).toBe("succeeded");
  });
});
