import { expect, it } from "vitest";
import { ForeignKeyViolationError } from "../../../src/storage/errors.js";
import {
  appendRunEvents,
  appendRunItems,
  countRunItemsByAction,
  listEventsAfter,
  listRunEventsAfter,
  listRunItems,
  pruneRunLog,
  type NewRunItem,
} from "../../../src/storage/repos/run-log.js";
import { enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

describeEachDatabase("run log repository", (current) => {
  async function setup() {
    const { db } = current();
    const company = await makeCompany(db);
    const run = await enqueueRun(db, { companyId: company.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now: T0 });
    return { db, company, run };
  }

  it("appends events and follows them by id", async () => {
    const { db, company, run } = await setup();
    await appendRunEvents(db, [
      { runId: run.id, companyId: company.id, at: T0, level: "info", message: "run started" },
      { runId: run.id, companyId: company.id, at: minutesAfter(1), level: "warn", message: "DevPos 500 on 2026-11-03: treated as empty", data: { day: "2026-11-03" } },
    ]);
    const first = await listRunEventsAfter(db, run.id);
    expect(first.map((e) => e.message)).toEqual(["run started", "DevPos 500 on 2026-11-03: treated as empty"]);
    expect(first[1]).toMatchObject({ level: "warn", at: minutesAfter(1), data: { day: "2026-11-03" } });
    expect(first[0]!.data).toBeNull();
    await appendRunEvents(db, [{ runId: run.id, companyId: company.id, at: minutesAfter(2), level: "info", message: "done" }]);
    const next = await listRunEventsAfter(db, run.id, first.at(-1)!.id);
    expect(next.map((e) => e.message)).toEqual(["done"]);
    expect((await listEventsAfter(db, { companyId: company.id, afterId: 0, limit: 2 })).map((e) => e.message)).toEqual(["run started", "DevPos 500 on 2026-11-03: treated as empty"]);
    await expect(appendRunEvents(db, [{ runId: 987_654, companyId: company.id, at: T0, level: "info", message: "x" }])).rejects.toBeInstanceOf(ForeignKeyViolationError);
    await appendRunEvents(db, []);
  });

  it("appends 5,000 items in chunks, pages them without gaps, counts and prunes", async () => {
    const { db, company, run } = await setup();
    const items: NewRunItem[] = Array.from({ length: 5000 }, (_, i) => ({
      runId: run.id,
      companyId: company.id,
      kind: i % 2 ? "sale" : "purchase",
      sourceKey: `eic-${String(i).padStart(5, "0")}-0000-1111-2222-333333333333`,
      docNumber: `${i}/2026`,
      action: i % 10 === 0 ? "failed" : "created",
      qboType: "Invoice",
      qboId: String(1000 + i),
      amountMinor: 9_007_199_254_000 + i, // beyond 32 bits: BIGINT on every database
      currency: "ALL",
      message: i % 10 === 0 ? "6000: business validation error" : null,
      createdAt: i < 2500 ? T0 : minutesAfter(60),
    }));
    await appendRunItems(db, items);
    const { items: listed, pages } = await collectPages((cursor) => listRunItems(db, run.id, { limit: 1000, cursor }));
    expect(pages).toBe(5);
    expect(listed).toHaveLength(5000);
    expect(listed.map((i) => i.sourceKey)).toEqual(items.map((i) => i.sourceKey));
    expect(listed[4999]).toMatchObject({ amountMinor: 9_007_199_254_000 + 4999, qboId: "5999", kind: "sale", docNumber: "4999/2026" });
    expect(typeof listed[0]!.amountMinor).toBe("number");
    expect((await listRunItems(db, run.id, { action: "failed", limit: 1000 })).items).toHaveLength(500);
    expect(await countRunItemsByAction(db, run.id)).toEqual({ created: 4500, failed: 500 });

    await appendRunEvents(db, [
      { runId: run.id, companyId: company.id, at: T0, level: "info", message: "old" },
      { runId: run.id, companyId: company.id, at: minutesAfter(60), level: "info", message: "new" },
    ]);
    expect(await pruneRunLog(db, minutesAfter(30))).toEqual({ events: 1, items: 2500 });
    expect((await listRunEventsAfter(db, run.id)).map((e) => e.message)).toEqual(["new"]);
  });
});
