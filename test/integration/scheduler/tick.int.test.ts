import { describe, expect, it } from "vitest";
import { nextRunAt } from "../../../src/domain/next-run-at.js";
import { createScheduler } from "../../../src/scheduler/scheduler.js";
import { RECONNECT_QUICKBOOKS } from "../../../src/domain/pause-reasons.js";
import { resumeSchedulesAfterReconnect, pauseSchedulesForReconnect } from "../../../src/scheduler/resume-schedules.js";
import { tick } from "../../../src/scheduler/tick.js";
import { getSchedule, setScheduleEnabled } from "../../../src/storage/repos/schedules.js";
import { claimNextRun, enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { at, makeCompany, makeSchedule, manualClock, minutes, runsOf, T0, testLogger } from "./fixtures.js";

describeEachDatabase("scheduler tick", (current, dialect) => {
  it("queues one run for a due slot and advances next_run_at to the following slot", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const schedule = await makeSchedule(db, company); // daily 09:00 Tirana = 08:00Z, due at T0
    expect(schedule.nextRunAt).toEqual(T0);
    const clock = manualClock(new Date(T0.getTime() + minutes(2)));

    const result = await tick({ db, clock, logger: testLogger });
    expect(result).toMatchObject({ due: 1, queued: 1, skipped: 0, catchup: 0, lost: 0, errors: 0 });

    const runs = await runsOf(db, schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "queued", trigger: "schedule", job_type: "full", scheduled_for: T0.toISOString(), window_from: "2026-10-29", window_to: "2026-11-28", attempt: 0, max_attempts: 3 });
    const after = (await getSchedule(db, schedule.id))!;
    expect(after.nextRunAt).toEqual(at("2026-11-29T08:00:00.000Z"));
    expect(after.lastStatus).toBe("queued");
    expect(after.lastRunAt).toEqual(clock.now());

    // Nothing more is due: a second tick does nothing.
    expect((await tick({ db, clock })).due).toBe(0);
  });

  it("collapses several missed slots into one catch-up run and moves to the first slot after now", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const schedule = await makeSchedule(db, company, { frequency: "hourly", minute: 15, jobType: "sales", dateRangeDays: 1 });
    expect(schedule.nextRunAt).toEqual(at("2026-11-28T08:15:00.000Z"));
    const clock = manualClock(at("2026-11-28T13:40:00.000Z")); // 6 slots missed (08:15 … 13:15)

    const result = await tick({ db, clock });
    expect(result).toMatchObject({ queued: 1, catchup: 1 });
    const runs = await runsOf(db, schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "catchup", scheduled_for: "2026-11-28T08:15:00.000Z", status: "queued" });
    expect((await getSchedule(db, schedule.id))!.nextRunAt).toEqual(at("2026-11-28T14:15:00.000Z"));
  });

  it("records a slot that finds a run of the company executing as a skipped run, and queues nothing else", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const manual = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    const running = await claimNextRun(db, { owner: "test-worker", now: T0, leaseMs: 60_000 });
    expect(running).toMatchObject({ id: manual.id, status: "running" });
    const schedule = await makeSchedule(db, company);
    const result = await tick({ db, clock: manualClock(new Date(T0.getTime() + 1000)) });
    expect(result).toMatchObject({ queued: 0, merged: 0, skipped: 1 });
    const runs = await runsOf(db, schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "skipped", error_code: "skipped", scheduled_for: T0.toISOString() });
    expect(runs[0]!.error_message).toBe(`company busy: run ${manual.id} is running`);
    expect(runs[0]!.finished_at).not.toBeNull();
    const after = (await getSchedule(db, schedule.id))!;
    expect(after.lastStatus).toBe("skipped");
    expect(after.nextRunAt).toEqual(at("2026-11-29T08:00:00.000Z"));
    const active = await db.selectFrom("sync_runs").select("id").where("company_id", "=", company.id).where("status", "in", ["queued", "running"]).execute();
    expect(active).toHaveLength(1);
  });

  it("starts the window at the end of the last successful run when that is earlier (gap-free), capped at 366 days", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const old = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "full", windowFrom: "2026-08-01", windowTo: "2026-09-10", now: T0 });
    await db.updateTable("sync_runs").set({ status: "succeeded" }).where("id", "=", old.id).execute();
    const failedSales = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-09-11", windowTo: "2026-11-20", now: T0 });
    await db.updateTable("sync_runs").set({ status: "failed" }).where("id", "=", failedSales.id).execute();
    const sales = await makeSchedule(db, company, { jobType: "sales", dateRangeDays: 7 });
    await tick({ db, clock: manualClock(new Date(T0.getTime() + 1000)) });
    expect((await runsOf(db, sales.id))[0]).toMatchObject({ window_from: "2026-09-10", window_to: "2026-11-28" });

    // A bills-only success does not cover a full schedule's sales side.
    const other = await makeCompany(db);
    const bills = await enqueueRun(db, { companyId: other.id, trigger: "manual", jobType: "bills", windowFrom: "2020-01-01", windowTo: "2020-02-01", now: T0 });
    await db.updateTable("sync_runs").set({ status: "succeeded" }).where("id", "=", bills.id).execute();
    const billsSchedule = await makeSchedule(db, other, { jobType: "bills", dateRangeDays: 7 });
    await tick({ db, clock: manualClock(new Date(T0.getTime() + 2000)) });
    expect((await runsOf(db, billsSchedule.id))[0]).toMatchObject({ window_from: "2025-11-27", window_to: "2026-11-28" });
  });

  it("takes each slot exactly once when several schedulers tick at the same time", async () => {
    const { db, target } = current();
    const companies = await Promise.all(Array.from({ length: 20 }, () => makeCompany(db)));
    for (const company of companies) {
      for (let m = 0; m < 3; m += 1) await makeSchedule(db, company, { frequency: "hourly", minute: m * 20, jobType: "sales", dateRangeDays: 1 });
    }
    // Schedules at :00, :20 and :40 per company, ticked every 5 minutes by 3 schedulers at once.
    const others = dialect === "sqlite" ? [] : [openTarget(target), openTarget(target)];
    try {
      const handles = [db, ...others.map((o) => o.db), db];
      const clock = manualClock(at("2026-11-28T08:05:00.000Z"));
      for (let step = 0; step < 14; step += 1) {
        await Promise.all(handles.map((h) => tick({ db: h, clock, batchSize: 7, concurrency: 4 })));
        const due = await db.selectFrom("schedules").select("id").where("next_run_at", "<=", clock.now().toISOString()).execute();
        expect(due).toHaveLength(0);
        clock.advance(minutes(5));
      }
      const runs = await runsOf(db);
      const keys = runs.map((r) => `${r.schedule_id}@${r.scheduled_for}`);
      expect(new Set(keys).size).toBe(keys.length);
      // Every slot from 08:00 to the end has exactly one row (no catch-up: ticks every 5 minutes).
      const expected = await expectedSlots(db, at("2026-11-28T07:59:00.000Z"), clock.now());
      expect(keys.sort()).toEqual(expected.sort());
      // Per company: at most one queued run (the others joined it).
      const queued = runs.filter((r) => r.status === "queued");
      expect(new Set(queued.map((r) => r.company_id)).size).toBe(queued.length);
    } finally {
      for (const o of others) await o.destroy();
    }
  });

  it("does not take paused or disabled schedules; resuming after reconnect moves the next run after now", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const paused = await makeSchedule(db, company, { frequency: "hourly", minute: 0 });
    const disabledCompany = await makeCompany(db);
    const disabled = await makeSchedule(db, disabledCompany);
    await setScheduleEnabled(db, disabled.id, false, disabled.nextRunAt, T0);
    expect(await pauseSchedulesForReconnect(db, company.id, T0)).toBe(1);

    const clock = manualClock(at("2026-11-28T11:30:00.000Z"));
    expect((await tick({ db, clock })).due).toBe(0);
    expect(await runsOf(db)).toHaveLength(0);

    expect(await resumeSchedulesAfterReconnect(db, company.id, clock.now())).toBe(1);
    const resumed = (await getSchedule(db, paused.id))!;
    expect(resumed.pausedReason).toBeNull();
    expect(resumed.nextRunAt).toEqual(at("2026-11-28T12:00:00.000Z"));
    expect((await tick({ db, clock })).due).toBe(0);
    clock.set(at("2026-11-28T12:00:00.000Z"));
    expect(await tick({ db, clock })).toMatchObject({ queued: 1, catchup: 0 });
    expect(RECONNECT_QUICKBOOKS).toBe("reconnect QuickBooks");
  });

  it("pauses a schedule whose rule cannot be evaluated instead of failing every tick", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const good = await makeSchedule(db, company);
    const broken = await makeSchedule(db, await makeCompany(db), { frequency: "cron", cronExpression: "not a cron" }, { nextRunAt: T0 });
    const result = await tick({ db, clock: manualClock(new Date(T0.getTime() + 1000)) });
    expect(result).toMatchObject({ queued: 1, broken: 1, errors: 0 });
    expect((await getSchedule(db, broken.id))!.pausedReason).toMatch(/^invalid schedule: /);
    expect(await runsOf(db, good.id)).toHaveLength(1);
  });

  it("keeps ticking after failures (logs, backs off, continues)", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    await makeSchedule(db, company);
    let failuresLeft = 2;
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "selectFrom" && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error("database unavailable");
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const ticks: number[] = [];
    const scheduler = createScheduler({ db: flaky, clock: manualClock(new Date(T0.getTime() + 1000)), logger: testLogger, intervalMs: 10, onTick: (r) => ticks.push(r.queued) });
    scheduler.start();
    const deadline = Date.now() + 5000;
    while (ticks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    expect(failuresLeft).toBe(0);
    expect(ticks[0]).toBe(1);
  });
});

async function expectedSlots(db: Parameters<typeof runsOf>[0], from: Date, to: Date): Promise<string[]> {
  const schedules = await db.selectFrom("schedules").selectAll().execute();
  const keys: string[] = [];
  for (const s of schedules) {
    const rule = { frequency: s.frequency as "hourly", hourOfDay: s.hour_of_day, minute: s.minute, dayOfWeek: null, dayOfMonth: null, cronExpression: null, timezone: "Europe/Tirane" };
    for (let slot = nextRunAt(rule, from); slot <= to; slot = nextRunAt(rule, slot)) keys.push(`${s.id}@${slot.toISOString()}`);
  }
  return keys;
}

describe("scheduler tick fixtures", () => {
  it("T0 is 09:00 in Tirana", () => {
    expect(T0.toISOString()).toBe("2026-11-28T08:00:00.000Z");
  });
});
