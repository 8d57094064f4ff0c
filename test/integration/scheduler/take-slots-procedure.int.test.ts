import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTakeSlotsMergeMigration } from "../../../src/storage/migrations/0005-take-slots-merge.js";
import { getSchedule } from "../../../src/storage/repos/schedules.js";
import { takeSlotsInProcedure, type ProcedureSlot } from "../../../src/storage/repos/scheduler-slots.js";
import { enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { createTestDatabase, enabledDialects, openTarget, type TestDatabase } from "../../helpers/test-db.js";
import { at, makeCompany, makeSchedule, minutes, runsOf, T0 } from "./fixtures.js";

// The PostgreSQL tick takes slots through the devsync_take_slots procedure (migration 0005);
// tick.int.test.ts covers it through the tick, this file covers each outcome and the
// per-slot transactions directly.
const describePostgres = enabledDialects().includes("postgres") ? describe : describe.skip;

describePostgres("devsync_take_slots procedure [postgres]", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await database.drop();
  });

  const NOW = new Date(T0.getTime() + minutes(1));
  const NEXT = at("2026-11-29T08:00:00.000Z");
  const slotOf = (scheduleId: number, overrides: Partial<ProcedureSlot> = {}): ProcedureSlot => ({
    scheduleId,
    expected: T0,
    next: NEXT,
    trigger: "schedule",
    jobType: "full",
    idleFrom: "2026-10-01",
    busyFrom: "2026-10-29",
    to: "2026-11-28",
    ...overrides,
  });

  it("queues, merges into a queued run, skips when running, loses a moved slot, keeps a taken slot taken, and isolates a failing slot", async () => {
    const { db } = database;
    const idle = await makeSchedule(db, await makeCompany(db));
    const busyCompany = await makeCompany(db);
    const active = await enqueueRun(db, { companyId: busyCompany.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    const busy = await makeSchedule(db, busyCompany);
    const runningCompany = await makeCompany(db);
    const executing = await enqueueRun(db, { companyId: runningCompany.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    await db.updateTable("sync_runs").set({ status: "running", running_company_id: runningCompany.id }).where("id", "=", executing.id).execute();
    const skipped = await makeSchedule(db, runningCompany);
    const moved = await makeSchedule(db, await makeCompany(db), {}, { nextRunAt: NEXT });
    const failing = await makeSchedule(db, await makeCompany(db));
    const after = await makeSchedule(db, await makeCompany(db), { jobType: "sales" });

    const outcomes = await takeSlotsInProcedure(
      db,
      [
        slotOf(idle.id),
        slotOf(busy.id),
        slotOf(skipped.id),
        slotOf(moved.id),
        // job_type is varchar(8): the insert fails, so this slot's transaction rolls back whole.
        slotOf(failing.id, { jobType: "much-too-long" as never }),
        slotOf(after.id, { jobType: "sales", trigger: "catchup" }),
      ],
      NOW,
      3,
    );

    expect(outcomes.map((o) => o.outcome)).toEqual(["queued", "merged", "skipped", "lost", "error", "queued"]);
    expect(outcomes[4]).toMatchObject({ outcome: "error", sqlState: "22001" });
    expect(outcomes[1]).toMatchObject({ mergedInto: active.id, reason: `merged into run ${active.id}` });
    expect(outcomes[2]).toMatchObject({ reason: `company busy: run ${executing.id} is running` });

    const [idleRun] = await runsOf(db, idle.id);
    expect(idleRun).toMatchObject({ id: (outcomes[0] as { runId: number }).runId, status: "queued", trigger: "schedule", window_from: "2026-10-01", window_to: "2026-11-28", scheduled_for: T0.toISOString(), max_attempts: 3 });
    // The merged slot's row records what it added (the idle window); the queued run now covers it.
    const [busyRun] = await runsOf(db, busy.id);
    expect(busyRun).toMatchObject({ id: (outcomes[1] as { runId: number }).runId, status: "skipped", error_code: "merged", window_from: "2026-10-01", finished_at: NOW.toISOString() });
    const [joined] = await runsOf(db).then((rows) => rows.filter((r) => r.id === active.id));
    expect(joined).toMatchObject({ status: "queued", job_type: "full", window_from: "2026-10-01", window_to: "2026-11-28" });
    const [skippedRun] = await runsOf(db, skipped.id);
    expect(skippedRun).toMatchObject({ status: "skipped", error_code: "skipped", window_from: "2026-10-29", finished_at: NOW.toISOString() });
    expect(await runsOf(db).then((rows) => rows.find((r) => r.id === executing.id))).toMatchObject({ status: "running", job_type: "sales", window_from: "2026-11-01" });
    expect((await getSchedule(db, idle.id))).toMatchObject({ nextRunAt: NEXT, lastStatus: "queued", lastRunAt: NOW });
    expect((await getSchedule(db, busy.id))).toMatchObject({ nextRunAt: NEXT, lastStatus: "skipped" });
    expect(await runsOf(db, moved.id)).toEqual([]);
    expect((await getSchedule(db, moved.id))!.nextRunAt).toEqual(NEXT);
    // The failed slot left no run and its schedule still due: the next tick takes it.
    expect(await runsOf(db, failing.id)).toEqual([]);
    expect((await getSchedule(db, failing.id))!.nextRunAt).toEqual(T0);
    expect((await runsOf(db, after.id))[0]).toMatchObject({ status: "queued", trigger: "catchup", job_type: "sales" });

    // Taking the same slots again: every slot was moved (or failed and is still due).
    const again = await takeSlotsInProcedure(db, [slotOf(idle.id), slotOf(failing.id)], NOW, 3);
    expect(again.map((o) => o.outcome)).toEqual(["lost", "queued"]);
  });

  it("answers duplicate when the slot's run row exists already, and writes nothing else", async () => {
    const { db } = database;
    const company = await makeCompany(db);
    const schedule = await makeSchedule(db, company);
    const first = await takeSlotsInProcedure(db, [slotOf(schedule.id)], NOW, 3);
    expect(first[0]!.outcome).toBe("queued");
    // Put the schedule back on the slot it already took (a restore from an older backup, say).
    await db.updateTable("schedules").set({ next_run_at: T0.toISOString() }).where("id", "=", schedule.id).execute();
    await db.updateTable("sync_runs").set({ status: "succeeded" }).where("schedule_id", "=", schedule.id).execute();
    const second = await takeSlotsInProcedure(db, [slotOf(schedule.id)], NOW, 3);
    expect(second[0]!.outcome).toBe("duplicate");
    expect(await runsOf(db, schedule.id)).toHaveLength(1);
    expect((await getSchedule(db, schedule.id))!.nextRunAt).toEqual(NEXT);
  });

  it("commits each slot in its own transaction: a slot taken is visible while a later one waits for its company", async () => {
    const { db } = database;
    const a = await makeSchedule(db, await makeCompany(db));
    const lockedCompany = await makeCompany(db);
    const b = await makeSchedule(db, lockedCompany);
    const other = openTarget(database.target, 2);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    try {
      // Another session holds b's company row lock until told to let go.
      const holder = other.db.transaction().execute(async (trx) => {
        await trx.selectFrom("companies").select("id").where("id", "=", lockedCompany.id).forUpdate().execute();
        locked();
        await released;
      });
      await isLocked;
      let settled = false;
      const call = takeSlotsInProcedure(db, [slotOf(a.id), slotOf(99_999), slotOf(b.id)], NOW, 3).finally(() => (settled = true));
      // a's slot is committed (visible to another session) while b's still waits for the lock.
      for (let i = 0; i < 400 && (await other.db.selectFrom("sync_runs").select("id").where("schedule_id", "=", a.id).execute()).length === 0; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await runsOf(other.db, a.id)).toHaveLength(1);
      expect(settled).toBe(false);
      release();
      await holder;
      expect((await call).map((o) => o.outcome)).toEqual(["queued", "lost", "queued"]);
    } finally {
      release();
      await other.destroy();
    }
    expect(await db.selectFrom("sync_runs").select("id").execute()).toHaveLength(2);
    await expect(takeSlotsInProcedure(db, [], NOW, 3)).resolves.toEqual([]);
  });
  it("migration 0005 down puts back 0002's skip-only procedure; up (twice) merges again", async () => {
    const { db } = database;
    const migration = createTakeSlotsMergeMigration("postgres");
    const slotFor = async () => {
      const company = await makeCompany(db);
      const queued = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
      const schedule = await makeSchedule(db, company);
      return { queued, slot: slotOf(schedule.id) };
    };
    await migration.down(db);
    const before = await slotFor();
    expect(await takeSlotsInProcedure(db, [before.slot], NOW, 3)).toEqual([
      { outcome: "skipped", runId: expect.any(Number), reason: `company busy: run ${before.queued.id} is queued` },
    ]);
    await migration.up(db);
    await migration.up(db);
    const after = await slotFor();
    expect(await takeSlotsInProcedure(db, [after.slot], NOW, 3)).toEqual([
      { outcome: "merged", runId: expect.any(Number), mergedInto: after.queued.id, reason: `merged into run ${after.queued.id}` },
    ]);
  });
});
