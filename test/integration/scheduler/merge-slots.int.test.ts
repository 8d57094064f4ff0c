import { expect, it } from "vitest";
import { EXAMPLE_SCHEDULES } from "../../../src/demo/example-schedules.js";
import type { JobType } from "../../../src/domain/schedule-rule.js";
import { takeDueSlot } from "../../../src/scheduler/take-slot.js";
import { tick } from "../../../src/scheduler/tick.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { listDueSlots } from "../../../src/storage/repos/scheduler-slots.js";
import type { ScheduleFields } from "../../../src/storage/repos/schedules.js";
import { getSchedule } from "../../../src/storage/repos/schedules.js";
import { claimNextRun, enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { at, makeCompany, makeSchedule, manualClock, runsOf, testLogger } from "./fixtures.js";

// Coinciding slots of one company (docs/operations.md "Cron style", README "What it does"): a
// slot that finds the company's run still queued joins it; only a slot that finds a run
// executing is skipped. Each case runs through the tick (on PostgreSQL: the take-slots
// procedure, migration 0005) and through the per-slot path (take-slot.ts), which must agree.

/** Monday 2026-11-30 08:00 in Tirana. */
const MONDAY_8 = at("2026-11-30T07:00:00.000Z");
const NOW = new Date(MONDAY_8.getTime() + 30_000);
const LEASE = { owner: "test-worker", leaseMs: 60_000 };

type Path = "tick" | "per-slot";
const PATHS: Path[] = ["tick", "per-slot"];

/** Takes every slot due at `now` by `path`; returns the outcomes in the order taken. */
async function takeDue(db: Db, now: Date, path: Path): Promise<string[]> {
  if (path === "tick") return (await tick({ db, clock: manualClock(now), logger: testLogger })).slots.map((s) => s.outcome);
  const outcomes: string[] = [];
  for (const due of await listDueSlots(db, now, 100)) outcomes.push((await takeDueSlot(db, due, now)).outcome);
  return outcomes;
}

/** The demo's example schedule whose label starts with `label`, as repository fields. */
function example(label: string): Partial<ScheduleFields> {
  const found = EXAMPLE_SCHEDULES.find((e) => e.label.startsWith(label));
  if (!found) throw new Error(`no example schedule "${label}"`);
  const body = found.body as { job_type: JobType; frequency: ScheduleFields["frequency"]; hour_of_day: number; day_of_week?: number; date_range_days: number };
  return { jobType: body.job_type, frequency: body.frequency, hourOfDay: body.hour_of_day, minute: 0, dayOfWeek: body.day_of_week ?? null, dateRangeDays: body.date_range_days };
}

const runById = async (db: Db, id: number) => (await db.selectFrom("sync_runs").selectAll().where("id", "=", id).executeTakeFirstOrThrow());

describeEachDatabase("coinciding slots of one company", (current, dialect) => {
  for (const path of PATHS) {
    it(`merges the demo's weekly bills slot into the hourly sales run on a Monday: one full run over 7 days (${path})`, async () => {
      const { db } = current();
      const company = await makeCompany(db);
      const after = new Date(MONDAY_8.getTime() - 60_000);
      const hourly = await makeSchedule(db, company, example("hourly sales"), { after });
      const weekly = await makeSchedule(db, company, example("weekly bills"), { after });
      expect([hourly.nextRunAt, weekly.nextRunAt]).toEqual([MONDAY_8, MONDAY_8]);

      expect((await takeDue(db, NOW, path)).sort()).toEqual(["merged", "queued"]);

      const runs = await runsOf(db);
      expect(runs).toHaveLength(2);
      const queued = runs.filter((r) => r.status === "queued");
      expect(queued).toHaveLength(1);
      const run = queued[0]!;
      expect(run).toMatchObject({ job_type: "full", window_from: "2026-11-23", window_to: "2026-11-30" });
      const slot = runs.find((r) => r.id !== run.id)!;
      expect(slot).toMatchObject({ status: "skipped", error_code: "merged", error_message: `merged into run ${run.id}`, scheduled_for: MONDAY_8.toISOString() });
      expect(slot.finished_at).not.toBeNull();
      // Each slot still has exactly its own row.
      expect([(await runsOf(db, hourly.id)).length, (await runsOf(db, weekly.id)).length]).toEqual([1, 1]);

      // The worker takes one run that covers both: full, 2026-11-23 … 2026-11-30.
      const claimed = await claimNextRun(db, { ...LEASE, now: new Date(NOW.getTime() + 1000) });
      expect(claimed).toMatchObject({ id: Number(run.id), jobType: "full", windowFrom: "2026-11-23", windowTo: "2026-11-30" });
      expect(await claimNextRun(db, { ...LEASE, now: new Date(NOW.getTime() + 2000) })).toBeUndefined();
    });

    it(`unites job types and widens both ends of the queued run's window; same type and window merge too (${path})`, async () => {
      const { db } = current();
      const company = await makeCompany(db);
      // A queued manual full run over 2026-11-20 … 2026-11-29 (a later `to` than the slot's).
      const manual = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "full", windowFrom: "2026-11-20", windowTo: "2026-11-29", now: NOW });
      await makeSchedule(db, company, { jobType: "sales", frequency: "hourly", dateRangeDays: 30 }, { nextRunAt: MONDAY_8 });
      expect(await takeDue(db, NOW, path)).toEqual(["merged"]);
      expect(await runById(db, manual.id)).toMatchObject({ status: "queued", job_type: "full", window_from: "2026-10-31", window_to: "2026-11-30" });

      // A slot that adds nothing (same type, window inside) still merges: on MariaDB the update
      // matches the row without changing it.
      const other = await makeCompany(db);
      const wide = await enqueueRun(db, { companyId: other.id, trigger: "manual", jobType: "bills", windowFrom: "2026-11-01", windowTo: "2026-11-30", now: NOW });
      const bills = await makeSchedule(db, other, { jobType: "bills", frequency: "hourly", dateRangeDays: 1 }, { nextRunAt: MONDAY_8 });
      expect(await takeDue(db, NOW, path)).toEqual(["merged"]);
      expect(await runById(db, wide.id)).toMatchObject({ status: "queued", job_type: "bills", window_from: "2026-11-01", window_to: "2026-11-30" });
      expect((await runsOf(db, bills.id))[0]).toMatchObject({ error_code: "merged", error_message: `merged into run ${wide.id}` });
    });

    it(`skips a slot that finds a run executing, changes nothing, and the next run of its job type covers the skipped dates (${path})`, async () => {
      const { db } = current();
      const company = await makeCompany(db);
      // Last Monday's bills run succeeded up to 2026-11-23.
      const lastWeek = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "bills", windowFrom: "2026-11-16", windowTo: "2026-11-23", now: NOW });
      await db.updateTable("sync_runs").set({ status: "succeeded" }).where("id", "=", lastWeek.id).execute();
      const sales = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-29", windowTo: "2026-11-30", now: NOW });
      expect(await claimNextRun(db, { ...LEASE, now: NOW })).toMatchObject({ id: sales.id, status: "running" });
      const weekly = await makeSchedule(db, company, example("weekly bills"), { after: new Date(MONDAY_8.getTime() - 60_000) });

      expect(await takeDue(db, NOW, path)).toEqual(["skipped"]);
      const [skipped] = await runsOf(db, weekly.id);
      expect(skipped).toMatchObject({ status: "skipped", error_code: "skipped", error_message: `company busy: run ${sales.id} is running`, window_from: "2026-11-23", window_to: "2026-11-30" });
      expect(await runById(db, sales.id)).toMatchObject({ status: "running", job_type: "sales", window_from: "2026-11-29", window_to: "2026-11-30" });
      expect((await getSchedule(db, weekly.id))!.lastStatus).toBe("skipped");

      // The sales run ends; next Monday's bills slot starts where bills last succeeded.
      await db.updateTable("sync_runs").set({ status: "succeeded", running_company_id: null }).where("id", "=", sales.id).execute();
      const nextMonday = new Date(NOW.getTime() + 7 * 86_400_000);
      expect(await takeDue(db, nextMonday, path)).toEqual(["queued"]);
      const next = (await runsOf(db, weekly.id))[1]!;
      expect(next).toMatchObject({ status: "queued", job_type: "bills", window_to: "2026-12-07" });
      expect(next.window_from <= skipped!.window_from && next.window_to >= skipped!.window_to).toBe(true);
    });

    it(`keeps a taken slot taken: a slot whose row exists already merges nothing (${path})`, async () => {
      const { db } = current();
      const company = await makeCompany(db);
      const schedule = await makeSchedule(db, company, { jobType: "bills", frequency: "hourly", dateRangeDays: 7 }, { nextRunAt: MONDAY_8 });
      expect(await takeDue(db, NOW, path)).toEqual(["queued"]);
      const [own] = await runsOf(db, schedule.id);
      await db.updateTable("sync_runs").set({ status: "succeeded" }).where("id", "=", own!.id).execute();
      const manual = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-29", windowTo: "2026-11-30", now: NOW });
      // Put the schedule back on the slot it already took (a restore from an older backup, say).
      await db.updateTable("schedules").set({ next_run_at: MONDAY_8.toISOString() }).where("id", "=", schedule.id).execute();
      expect(await takeDue(db, NOW, path)).toEqual(["duplicate"]);
      expect(await runById(db, manual.id)).toMatchObject({ status: "queued", job_type: "sales", window_from: "2026-11-29" });
      expect(await runsOf(db, schedule.id)).toHaveLength(1);
    });

    // SQLite has one writer: a claim and a slot cannot interleave there.
    if (dialect !== "sqlite") {
      it(`never changes a run a worker claims while the slot decides: a claim that wins makes the slot skip (${path})`, async () => {
        const { db, target } = current();
        const company = await makeCompany(db);
        const queued = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-29", windowTo: "2026-11-30", now: NOW });
        const weekly = await makeSchedule(db, company, example("weekly bills"), { after: new Date(MONDAY_8.getTime() - 60_000) });
        const claimer = openTarget(target, 2);
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        let outcomes: string[];
        try {
          // A worker mid-claim (READ COMMITTED, as claimMysql): it holds the run's row lock, then
          // marks it running and commits. On MariaDB that update also waits for the company row
          // the slot holds (a deadlock one side retries, as the real claim and tick do).
          const claimRun = claimer.db.transaction().setIsolationLevel("read committed").execute(async (trx) => {
            await trx.selectFrom("sync_runs").select("id").where("id", "=", queued.id).forUpdate().execute();
            locked();
            await released;
            await trx.updateTable("sync_runs").set({ status: "running", running_company_id: company.id, lease_owner: "other" }).where("id", "=", queued.id).execute();
          });
          const holder = claimRun.catch(async (error: { errno?: number }) => {
            if (error.errno !== 1213) throw error;
            expect(await claimNextRun(claimer.db, { ...LEASE, now: NOW })).toMatchObject({ id: queued.id });
          });
          await isLocked;
          let settled = false;
          const taking = takeDue(db, NOW, path).finally(() => (settled = true));
          await new Promise((r) => setTimeout(r, 1000));
          // The slot read the run as queued and now waits for its row lock.
          expect(settled).toBe(false);
          release();
          await holder;
          outcomes = await taking;
        } finally {
          release();
          await claimer.destroy();
        }
        const run = await runById(db, queued.id);
        const [slot] = await runsOf(db, weekly.id);
        // PostgreSQL: the claim commits first, the guarded update then finds the run running.
        if (dialect === "postgres") expect(outcomes).toEqual(["skipped"]);
        if (outcomes[0] === "skipped") {
          expect(run).toMatchObject({ status: "running", job_type: "sales", window_from: "2026-11-29", window_to: "2026-11-30" });
          expect(slot).toMatchObject({ status: "skipped", error_code: "skipped", error_message: `company busy: run ${queued.id} is running`, window_from: "2026-11-23" });
        } else {
          // The slot won the deadlock: it merged first and the retried claim took the merged run.
          expect(outcomes).toEqual(["merged"]);
          expect(run).toMatchObject({ status: "running", job_type: "full", window_from: "2026-11-23", window_to: "2026-11-30" });
          expect(slot).toMatchObject({ status: "skipped", error_code: "merged", error_message: `merged into run ${queued.id}` });
        }
      });
    }
  }
});
