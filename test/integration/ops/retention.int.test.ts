import { afterEach, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.js";
import { createLogger } from "../../../src/logger.js";
import { pruneRunLogOlderThan, startRetention, type RetentionTask } from "../../../src/ops/retention.js";
import { getDocumentLink, insertPendingLink } from "../../../src/storage/repos/document-links.js";
import { appendRunEvents, appendRunItems, countRunItemsByAction, listRunEventsAfter } from "../../../src/storage/repos/run-log.js";
import { enqueueRun, getRun } from "../../../src/storage/repos/sync-runs.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { makeCompany, T0 } from "../storage/repo-fixtures.js";

const DAY = 86_400_000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY);

describeEachDatabase("run log retention", (current) => {
  const tasks: RetentionTask[] = [];
  afterEach(async () => {
    for (const task of tasks.splice(0)) await task.stop();
  });

  async function seed(now: Date) {
    const db = current().db;
    const company = await makeCompany(db);
    const run = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-01-01", windowTo: "2026-01-31", now: daysBefore(now, 400) });
    const ages = [400, 181, 180.5, 179, 10, 0];
    await appendRunEvents(db, ages.map((age) => ({ runId: run.id, companyId: company.id, at: daysBefore(now, age), level: "info" as const, message: `${age} days old` })));
    await appendRunItems(
      db,
      ages.map((age, i) => ({ runId: run.id, companyId: company.id, kind: "sale", sourceKey: `EIC-${i}`, action: "created", createdAt: daysBefore(now, age) })),
    );
    const link = await insertPendingLink(db, { companyId: company.id, kind: "sale", sourceKey: "EIC-0", qboType: "Invoice", contentHash: "h", requestId: "r-1", runId: run.id, now: daysBefore(now, 400) });
    return { db, company, run, link };
  }

  it("deletes run events and items older than the retention, keeps newer ones, the run and every document link", async () => {
    const now = new Date("2027-06-01T03:00:00Z");
    const { db, company, run, link } = await seed(now);
    const result = await pruneRunLogOlderThan(db, now, 180, 2);
    expect(result).toEqual({ before: daysBefore(now, 180), events: 3, items: 3 });
    expect((await listRunEventsAfter(db, run.id)).map((e) => e.message)).toEqual(["179 days old", "10 days old", "0 days old"]);
    expect(await countRunItemsByAction(db, run.id)).toEqual({ created: 3 });
    expect(await getRun(db, run.id)).toBeDefined();
    expect((await getDocumentLink(db, company.id, "sale", "EIC-0"))?.id).toBe(link.id);
  });

  it("keeps everything with retention 0", async () => {
    const now = new Date("2027-06-01T03:00:00Z");
    const { db, run } = await seed(now);
    expect(await pruneRunLogOlderThan(db, now, 0)).toBeUndefined();
    expect(await listRunEventsAfter(db, run.id)).toHaveLength(6);
  });

  it("prunes on a schedule as the injected clock moves on", async () => {
    const clock = createManualClock(new Date("2027-06-01T03:00:00Z"));
    const { db, run } = await seed(clock.now());
    const task = startRetention({ db, clock, logger: createLogger({ level: "silent" }), retentionDays: 180, intervalMs: 3_600_000, runAtStart: false });
    tasks.push(task);
    expect(await listRunEventsAfter(db, run.id)).toHaveLength(6);

    expect(await task.runNow()).toMatchObject({ events: 3, items: 3 });
    // Nothing new crossed the line yet.
    expect(await task.runNow()).toMatchObject({ events: 0, items: 0 });
    // 170 days later the 10-day-old and 0-day-old rows are still within 180 days; the 179-day-old one is not.
    clock.advance(170 * DAY);
    expect(await task.runNow()).toMatchObject({ events: 1, items: 1 });
    clock.advance(11 * DAY);
    expect(await task.runNow()).toMatchObject({ events: 2, items: 2 });
    expect(await listRunEventsAfter(db, run.id)).toHaveLength(0);
    expect(await getRun(db, run.id)).toBeDefined();
  });

  it("survives a failing pass and stops cleanly", async () => {
    const clock = createManualClock(T0);
    const broken = { selectFrom: () => { throw new Error("database down"); } } as unknown as Parameters<typeof startRetention>[0]["db"];
    const task = startRetention({ db: broken, clock, logger: createLogger({ level: "silent" }), retentionDays: 30, runAtStart: true });
    expect(await task.runNow()).toBeUndefined();
    await task.stop();
  });
});
