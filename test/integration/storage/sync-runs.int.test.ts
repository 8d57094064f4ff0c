import { expect, it } from "vitest";
import { ForeignKeyViolationError, UniqueViolationError } from "../../../src/storage/errors.js";
import { listRunEventsAfter } from "../../../src/storage/repos/run-log.js";
import { createSchedule, type ScheduleFields } from "../../../src/storage/repos/schedules.js";
import {
  claimNextRun,
  completeRun,
  countRunsByStatus,
  enqueueRun,
  findActiveRun,
  getRun,
  hasActiveRun,
  heartbeat,
  insertScheduledRun,
  listRuns,
  reclaimExpiredLeases,
  recordSkippedRun,
  releaseRun,
  requestCancel,
  requeueRun,
  type NewRun,
  type SyncRun,
} from "../../../src/storage/repos/sync-runs.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { endCovering, listSuccessfulEnds } from "../../../src/storage/repos/scheduler-slots.js";
import type { JobType } from "../../../src/domain/schedule-rule.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

const LEASE = 60_000;

const daily: ScheduleFields = {
  jobType: "sales",
  frequency: "daily",
  hourOfDay: 9,
  minute: 0,
  dayOfWeek: null,
  dayOfMonth: null,
  cronExpression: null,
  timezone: null,
  dateRangeDays: 30,
  enabled: true,
};

function manual(companyId: number, overrides: Partial<NewRun> = {}): NewRun {
  return { companyId, trigger: "manual", jobType: "sales", windowFrom: "2026-10-29", windowTo: "2026-11-28", now: T0, ...overrides };
}

describeEachDatabase("sync runs repository", (current, dialect) => {
  it("enqueues runs and reads them back; unknown company is a foreign key error", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const run = await enqueueRun(db, manual(company.id, { trigger: "api", jobType: "full", maxAttempts: 5 }));
    expect(run).toMatchObject({
      companyId: company.id,
      scheduleId: null,
      trigger: "api",
      jobType: "full",
      windowFrom: "2026-10-29",
      windowTo: "2026-11-28",
      status: "queued",
      attempt: 0,
      maxAttempts: 5,
      availableAt: T0,
      leaseOwner: null,
      cancelRequested: false,
      summary: null,
      createdAt: T0,
    });
    expect(await getRun(db, run.id)).toEqual(run);
    expect(await hasActiveRun(db, company.id)).toBe(true);
    expect((await findActiveRun(db, company.id))?.id).toBe(run.id);
    await expect(enqueueRun(db, manual(999_999))).rejects.toBeInstanceOf(ForeignKeyViolationError);
  });

  it("a schedule slot yields one run row: insertScheduledRun reports the existing one, a raw second insert is a UniqueViolationError", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const schedule = await createSchedule(db, { ...daily, companyId: company.id, nextRunAt: T0, now: T0 });
    const slot = { ...manual(company.id, { trigger: "schedule" }), scheduleId: schedule.id, scheduledFor: T0 };
    const first = await insertScheduledRun(db, slot);
    expect(first.inserted).toBe(true);
    expect(first.run).toMatchObject({ scheduleId: schedule.id, scheduledFor: T0, status: "queued" });
    // Inside a transaction the duplicate must not poison it (PostgreSQL aborts on errors).
    const second = await db.transaction().execute(async (trx) => {
      const again = await insertScheduledRun(trx, slot);
      const skipped = await insertScheduledRun(trx, { ...slot, skippedReason: "busy" });
      const next = await insertScheduledRun(trx, { ...slot, scheduledFor: minutesAfter(1440) });
      return { again, skipped, next };
    });
    expect(second.again).toEqual({ inserted: false, run: first.run });
    expect(second.skipped).toEqual({ inserted: false, run: first.run });
    expect(second.next.inserted).toBe(true);
    await expect(enqueueRun(db, slot)).rejects.toBeInstanceOf(UniqueViolationError);
    expect(await db.selectFrom("sync_runs").selectAll().execute()).toHaveLength(2);

    const skipped = await recordSkippedRun(db, { ...slot, scheduledFor: minutesAfter(2880), reason: "a sync of this company is already queued" });
    expect(skipped.inserted).toBe(true);
    expect(skipped.run).toMatchObject({ status: "skipped", errorMessage: "a sync of this company is already queued", finishedAt: T0 });
    const unscheduled = await recordSkippedRun(db, { ...manual(company.id), reason: "busy" });
    expect(unscheduled.run.status).toBe("skipped");
  });

  it("claims oldest first, one running run per company, and only available runs", async () => {
    const { db } = current();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const a1 = await enqueueRun(db, manual(a.id, { availableAt: minutesAfter(-10) }));
    const a2 = await enqueueRun(db, manual(a.id, { availableAt: minutesAfter(-9) }));
    const later = await enqueueRun(db, manual(b.id, { availableAt: minutesAfter(5) }));
    const b1 = await enqueueRun(db, manual(b.id, { availableAt: minutesAfter(-1) }));

    const first = await claimNextRun(db, { owner: "w1", now: T0, leaseMs: LEASE });
    expect(first).toMatchObject({ id: a1.id, status: "running", attempt: 1, leaseOwner: "w1", leaseExpiresAt: minutesAfter(1), heartbeatAt: T0, startedAt: T0 });
    const second = await claimNextRun(db, { owner: "w2", now: T0, leaseMs: LEASE });
    expect(second?.id).toBe(b1.id); // a2 waits: company a is busy
    expect(await claimNextRun(db, { owner: "w3", now: T0, leaseMs: LEASE })).toBeUndefined();

    expect(await completeRun(db, a1.id, "w1", { status: "succeeded", summary: { created: 3 }, finishedAt: minutesAfter(0.5) })).toBe(true);
    const done = await getRun(db, a1.id);
    expect(done).toMatchObject({ status: "succeeded", summary: { created: 3 }, finishedAt: minutesAfter(0.5), leaseOwner: null, leaseExpiresAt: null });
    expect((await claimNextRun(db, { owner: "w3", now: minutesAfter(1), leaseMs: LEASE }))?.id).toBe(a2.id);
    await completeRun(db, b1.id, "w2", { status: "failed", errorCode: "devpos_down", errorMessage: "500", finishedAt: minutesAfter(2) });
    expect(await claimNextRun(db, { owner: "w3", now: minutesAfter(4), leaseMs: LEASE })).toBeUndefined();
    expect((await claimNextRun(db, { owner: "w3", now: minutesAfter(5), leaseMs: LEASE }))?.id).toBe(later.id);
    expect(await db.selectFrom("sync_runs").select("running_company_id").where("status", "=", "running").execute()).toHaveLength(2);
  });

  if (dialect !== "sqlite") {
    it("never passes a company's older run that another claimer holds mid-claim", async () => {
      const { db, target } = current();
      const a = await makeCompany(db);
      const b = await makeCompany(db);
      const a1 = await enqueueRun(db, manual(a.id, { availableAt: minutesAfter(-10) }));
      await enqueueRun(db, manual(a.id, { availableAt: minutesAfter(-9) }));
      const b1 = await enqueueRun(db, manual(b.id, { availableAt: minutesAfter(-5) }));
      const other = openTarget(target, 2);
      try {
        await db.transaction().execute(async (trx) => {
          // Another worker's claim holds a1's row between its SELECT … FOR UPDATE and its COMMIT:
          // SKIP LOCKED passes over a1, and a2 must not be taken in its place.
          await trx.selectFrom("sync_runs").select("id").where("id", "=", a1.id).forUpdate().execute();
          expect((await claimNextRun(other.db, { owner: "w2", now: T0, leaseMs: LEASE }))?.id).toBe(b1.id);
          expect(await claimNextRun(other.db, { owner: "w2", now: T0, leaseMs: LEASE })).toBeUndefined();
        });
      } finally {
        await other.destroy();
      }
      expect((await claimNextRun(db, { owner: "w1", now: T0, leaseMs: LEASE }))?.id).toBe(a1.id);
    });
  }

  it("heartbeats, completion and requeue are compare-and-swaps on the owner", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const run = await enqueueRun(db, manual(company.id));
    await claimNextRun(db, { owner: "w1", now: T0, leaseMs: LEASE });
    expect(await heartbeat(db, run.id, "intruder", minutesAfter(0.5), LEASE)).toBe(false);
    expect(await heartbeat(db, run.id, "w1", minutesAfter(0.5), LEASE)).toBe(true);
    // The same instant twice still counts as held (matched rows, not changed rows).
    expect(await heartbeat(db, run.id, "w1", minutesAfter(0.5), LEASE)).toBe(true);
    expect((await getRun(db, run.id))?.leaseExpiresAt).toEqual(minutesAfter(1.5));
    expect(await completeRun(db, run.id, "intruder", { status: "succeeded", finishedAt: minutesAfter(1) })).toBe(false);
    expect(await requeueRun(db, run.id, "intruder", { availableAt: minutesAfter(5), now: minutesAfter(1) })).toBe(false);

    expect(await requeueRun(db, run.id, "w1", { availableAt: minutesAfter(6), now: minutesAfter(1), errorCode: "qbo_5xx", errorMessage: "503" })).toBe(true);
    expect(await getRun(db, run.id)).toMatchObject({ status: "queued", attempt: 1, availableAt: minutesAfter(6), errorCode: "qbo_5xx", leaseOwner: null });
    expect(await heartbeat(db, run.id, "w1", minutesAfter(2), LEASE)).toBe(false);
    expect(await claimNextRun(db, { owner: "w2", now: minutesAfter(5), leaseMs: LEASE })).toBeUndefined();
    expect((await claimNextRun(db, { owner: "w2", now: minutesAfter(6), leaseMs: LEASE }))?.attempt).toBe(2);

    // Shutting down: the run goes back untouched, its attempt not counted.
    expect(await releaseRun(db, run.id, "w2", minutesAfter(7))).toBe(true);
    expect(await getRun(db, run.id)).toMatchObject({ status: "queued", attempt: 1, availableAt: minutesAfter(7) });
    expect(await completeRun(db, run.id, "w2", { status: "succeeded", finishedAt: minutesAfter(8) })).toBe(false);
  });

  it("reclaims expired leases (requeued with an event), fails runs out of attempts", async () => {
    const { db } = current();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const c = await makeCompany(db);
    const ra = await enqueueRun(db, manual(a.id));
    const rb = await enqueueRun(db, manual(b.id, { maxAttempts: 1 }));
    const rc = await enqueueRun(db, manual(c.id));
    await claimNextRun(db, { owner: "dead", now: T0, leaseMs: LEASE });
    await claimNextRun(db, { owner: "dead", now: T0, leaseMs: LEASE });
    await claimNextRun(db, { owner: "alive", now: T0, leaseMs: LEASE });
    expect(await heartbeat(db, rc.id, "alive", minutesAfter(0.9), LEASE)).toBe(true);

    expect(await reclaimExpiredLeases(db, minutesAfter(0.99))).toEqual([]);
    const reclaimed = await reclaimExpiredLeases(db, minutesAfter(1));
    expect(reclaimed.map((r) => [r.id, r.status]).sort()).toEqual(
      [
        [ra.id, "queued"],
        [rb.id, "failed"],
      ].sort(),
    );
    expect(await getRun(db, ra.id)).toMatchObject({ status: "queued", leaseOwner: null, availableAt: minutesAfter(1), attempt: 1 });
    expect(await getRun(db, rb.id)).toMatchObject({ status: "failed", errorCode: "lease_expired", finishedAt: minutesAfter(1) });
    expect((await getRun(db, rc.id))?.status).toBe("running");
    const events = await listRunEventsAfter(db, ra.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: "warn", at: minutesAfter(1), data: { previousOwner: "dead" } });
    // The dead worker's late heartbeat and completion lose.
    expect(await heartbeat(db, ra.id, "dead", minutesAfter(1.1), LEASE)).toBe(false);
    expect(await completeRun(db, ra.id, "dead", { status: "succeeded", finishedAt: minutesAfter(1.1) })).toBe(false);
    expect((await claimNextRun(db, { owner: "new", now: minutesAfter(1.2), leaseMs: LEASE }))?.id).toBe(ra.id);
  });

  it("cancels queued runs at once and flags running ones", async () => {
    const { db } = current();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const queued = await enqueueRun(db, manual(a.id, { availableAt: minutesAfter(10) }));
    const running = await enqueueRun(db, manual(b.id));
    await claimNextRun(db, { owner: "w", now: T0, leaseMs: LEASE });
    expect(await requestCancel(db, queued.id, minutesAfter(1))).toMatchObject({ status: "cancelled", finishedAt: minutesAfter(1) });
    expect(await requestCancel(db, running.id, minutesAfter(1))).toMatchObject({ status: "running", cancelRequested: true });
    expect(await requestCancel(db, 424_242, T0)).toBeUndefined();
    expect(await completeRun(db, running.id, "w", { status: "cancelled", finishedAt: minutesAfter(2) })).toBe(true);
    expect(await hasActiveRun(db, a.id)).toBe(false);
    expect(await hasActiveRun(db, b.id)).toBe(false);
  });

  it("lists runs with filters and keyset paging; counts by status", async () => {
    const { db } = current();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const schedule = await createSchedule(db, { ...daily, companyId: a.id, nextRunAt: T0, now: T0 });
    const ids: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const companyId = i % 2 === 0 ? a.id : b.id;
      const run =
        i % 5 === 0
          ? (await insertScheduledRun(db, { ...manual(companyId, { trigger: "schedule", now: minutesAfter(i) }), companyId: a.id, scheduleId: schedule.id, scheduledFor: minutesAfter(i) })).run
          : await enqueueRun(db, manual(companyId, { now: minutesAfter(i), trigger: i % 3 === 0 ? "api" : "manual" }));
      ids.push(run.id);
    }
    const all = await collectPages((cursor) => listRuns(db, { limit: 7, cursor }));
    expect(all.pages).toBe(4);
    expect(all.items.map((r) => r.id)).toEqual([...ids].reverse());
    const ofB = await collectPages((cursor) => listRuns(db, { companyId: b.id, limit: 3, cursor }));
    expect(ofB.items.every((r) => r.companyId === b.id)).toBe(true);
    expect(ofB.items).toHaveLength((await listRuns(db, { companyIds: [b.id], limit: 100 })).items.length);
    expect((await listRuns(db, { scheduleId: schedule.id })).items).toHaveLength(5);
    expect((await listRuns(db, { trigger: "api" })).items.every((r) => r.trigger === "api")).toBe(true);
    expect((await listRuns(db, { from: minutesAfter(10), to: minutesAfter(15) })).items.map((r) => r.createdAt)).toEqual(
      [14, 13, 12, 11, 10].map((m) => minutesAfter(m)),
    );
    await claimNextRun(db, { owner: "w", now: minutesAfter(30), leaseMs: LEASE });
    expect((await listRuns(db, { status: ["running"] })).items).toHaveLength(1);
    expect(await countRunsByStatus(db, a.id)).toEqual({ queued: 14, running: 1 });
    expect((await listRuns(db, { companyIds: [] })).items).toEqual([]);
  });

  it("last successful end: a full run covers sales and bills", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const finish = async (run: SyncRun, status: "succeeded" | "failed" | "partial") => {
      const claimed = await claimNextRun(db, { owner: "w", now: T0, leaseMs: LEASE });
      expect(claimed?.id).toBe(run.id);
      await completeRun(db, run.id, "w", { status, finishedAt: T0 });
    };
    const lastSuccessfulRunEnd = async (db: Db, companyId: number, jobType: JobType) =>
      endCovering(jobType, (await listSuccessfulEnds(db, [companyId, other.id])).get(companyId) ?? { sales: null, bills: null });
    const other = await makeCompany(db);
    await finish(await enqueueRun(db, manual(other.id, { jobType: "full", windowTo: "2026-11-27" })), "succeeded");
    expect(await lastSuccessfulRunEnd(db, company.id, "sales")).toBeNull();
    await finish(await enqueueRun(db, manual(company.id, { jobType: "sales", windowTo: "2026-11-10" })), "succeeded");
    await finish(await enqueueRun(db, manual(company.id, { jobType: "sales", windowTo: "2026-11-20" })), "failed");
    await finish(await enqueueRun(db, manual(company.id, { jobType: "bills", windowTo: "2026-11-05" })), "partial");
    expect(await lastSuccessfulRunEnd(db, company.id, "sales")).toBe("2026-11-10");
    expect(await lastSuccessfulRunEnd(db, company.id, "bills")).toBeNull();
    expect(await lastSuccessfulRunEnd(db, company.id, "full")).toBeNull();
    await finish(await enqueueRun(db, manual(company.id, { jobType: "full", windowTo: "2026-11-08" })), "succeeded");
    expect(await lastSuccessfulRunEnd(db, company.id, "sales")).toBe("2026-11-10");
    expect(await lastSuccessfulRunEnd(db, company.id, "bills")).toBe("2026-11-08");
    expect(await lastSuccessfulRunEnd(db, company.id, "full")).toBe("2026-11-08");
    expect(await listSuccessfulEnds(db, [other.id, company.id, company.id])).toEqual(
      new Map([
        [company.id, { sales: "2026-11-10", bills: "2026-11-08" }],
        [other.id, { sales: "2026-11-27", bills: "2026-11-27" }],
      ]),
    );
    expect(await listSuccessfulEnds(db, [])).toEqual(new Map());
  });

  it(`racing claimers never run two syncs of one company and claim each run once (${dialect === "sqlite" ? "one shared handle" : "4 extra handles"})`, async () => {
    const { db, target } = current();
    const companies = [];
    for (let i = 0; i < 10; i += 1) companies.push(await makeCompany(db));
    for (let i = 0; i < 40; i += 1) {
      await enqueueRun(db, manual(companies[i % 10]!.id, { availableAt: minutesAfter(-40 + i) }));
    }
    const handles = dialect === "sqlite" ? [] : [0, 1, 2, 3].map(() => openTarget(target, 4));
    const claimers: Db[] = dialect === "sqlite" ? [db, db, db, db] : handles.map((h) => h.db);
    const claimedBy = new Map<number, string>();
    const running = new Set<number>();
    const violations: string[] = [];
    const claimOrder: SyncRun[] = [];
    try {
      await Promise.all(
        claimers.map(async (claimerDb, index) => {
          const owner = `worker-${index}`;
          let idle = 0;
          while (idle < 3) {
            const run = await claimNextRun(claimerDb, { owner, now: T0, leaseMs: LEASE });
            if (!run) {
              idle += 1;
              await new Promise((resolve) => setImmediate(resolve));
              continue;
            }
            idle = 0;
            if (claimedBy.has(run.id)) violations.push(`run ${run.id} claimed by ${claimedBy.get(run.id)} and ${owner}`);
            claimedBy.set(run.id, owner);
            claimOrder.push(run);
            if (running.has(run.companyId)) violations.push(`company ${run.companyId} has two running runs`);
            running.add(run.companyId);
            const others = await claimerDb.selectFrom("sync_runs").select("id").where("company_id", "=", run.companyId).where("status", "=", "running").execute();
            if (others.length !== 1) violations.push(`company ${run.companyId}: ${others.length} running rows`);
            running.delete(run.companyId);
            expect(await completeRun(claimerDb, run.id, owner, { status: "succeeded", finishedAt: T0 })).toBe(true);
          }
        }),
      );
    } finally {
      await Promise.all(handles.map((h) => h.destroy()));
    }
    expect(violations).toEqual([]);
    expect(claimedBy.size).toBe(40);
    for (const company of companies) {
      // A company's runs are claimed in the order they became available, whoever claims them.
      const claimed = claimOrder.filter((r) => r.companyId === company.id);
      expect(claimed.map((r) => r.id)).toEqual([...claimed].sort((x, y) => x.availableAt.getTime() - y.availableAt.getTime()).map((r) => r.id));
    }
    const rows = await db.selectFrom("sync_runs").select(["status", "attempt"]).execute();
    expect(rows.every((r) => r.status === "succeeded" && Number(r.attempt) === 1)).toBe(true);
    if (dialect !== "sqlite") expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
  });
});
