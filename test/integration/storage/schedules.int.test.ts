import { expect, it } from "vitest";
import { ForeignKeyViolationError, NotFoundError } from "../../../src/storage/errors.js";
import { updateCompany } from "../../../src/storage/repos/companies.js";
import {
  advanceScheduleIfNextRunAt,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listCompanySchedules,
  listDueSchedules,
  listSchedules,
  pauseCompanySchedules,
  resumeCompanySchedules,
  setScheduleEnabled,
  setScheduleLastRun,
  updateSchedule,
  type ScheduleFields,
} from "../../../src/storage/repos/schedules.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

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

describeEachDatabase("schedules repository", (current, dialect) => {
  it("creates, reads with the company, lists, replaces, toggles and deletes", async () => {
    const { db } = current();
    const company = await makeCompany(db, { name: "Alfa" });
    await updateCompany(db, company.id, { timezone: "Europe/Rome" }, T0);
    const created = await createSchedule(db, { ...daily, companyId: company.id, nextRunAt: minutesAfter(60), now: T0 });
    expect(created).toMatchObject({
      companyId: company.id,
      jobType: "sales",
      frequency: "daily",
      hourOfDay: 9,
      minute: 0,
      dayOfWeek: null,
      timezone: null,
      enabled: true,
      pausedReason: null,
      lastRunAt: null,
      lastStatus: null,
      nextRunAt: minutesAfter(60),
      companyName: "Alfa",
      companyTimezone: "Europe/Rome",
      effectiveTimezone: "Europe/Rome",
    });
    expect(await getSchedule(db, created.id)).toEqual(created);
    await expect(createSchedule(db, { ...daily, companyId: 123_456, nextRunAt: null, now: T0 })).rejects.toBeInstanceOf(ForeignKeyViolationError);

    const weekly = await updateSchedule(
      db,
      created.id,
      { ...daily, jobType: "full", frequency: "weekly", dayOfWeek: 1, hourOfDay: 8, minute: 30, timezone: "Europe/Tirane", dateRangeDays: 7, nextRunAt: minutesAfter(120) },
      minutesAfter(1),
    );
    expect(weekly).toMatchObject({ jobType: "full", frequency: "weekly", dayOfWeek: 1, hourOfDay: 8, minute: 30, dateRangeDays: 7, effectiveTimezone: "Europe/Tirane", updatedAt: minutesAfter(1) });
    await expect(updateSchedule(db, 999_999, { ...daily, nextRunAt: null }, T0)).rejects.toBeInstanceOf(NotFoundError);

    const cron = await createSchedule(db, { ...daily, frequency: "cron", cronExpression: "*/15 8-18 * * 1-5", companyId: company.id, nextRunAt: minutesAfter(15), now: T0 });
    expect(cron.cronExpression).toBe("*/15 8-18 * * 1-5");
    expect((await listCompanySchedules(db, company.id)).map((s) => s.id)).toEqual([created.id, cron.id]);

    const off = await setScheduleEnabled(db, created.id, false, null, minutesAfter(2));
    expect(off).toMatchObject({ enabled: false, nextRunAt: null });
    expect((await setScheduleEnabled(db, created.id, true, minutesAfter(200), minutesAfter(3))).nextRunAt).toEqual(minutesAfter(200));
    await expect(setScheduleEnabled(db, 999_999, true, null, T0)).rejects.toBeInstanceOf(NotFoundError);

    await setScheduleLastRun(db, created.id, { lastRunAt: minutesAfter(60) });
    await setScheduleLastRun(db, created.id, { lastStatus: "succeeded" });
    expect(await getSchedule(db, created.id)).toMatchObject({ lastRunAt: minutesAfter(60), lastStatus: "succeeded" });

    expect(await deleteSchedule(db, created.id)).toBe(true);
    expect(await getSchedule(db, created.id)).toBeUndefined();
  });

  it("lists due schedules: enabled, unpaused, next run reached, oldest slot first", async () => {
    const { db } = current();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const s1 = await createSchedule(db, { ...daily, companyId: a.id, nextRunAt: minutesAfter(-5), now: T0 });
    const s2 = await createSchedule(db, { ...daily, companyId: b.id, nextRunAt: minutesAfter(-30), now: T0 });
    const s3 = await createSchedule(db, { ...daily, companyId: a.id, nextRunAt: T0, now: T0 });
    await createSchedule(db, { ...daily, companyId: a.id, nextRunAt: minutesAfter(1), now: T0 });
    await createSchedule(db, { ...daily, enabled: false, companyId: a.id, nextRunAt: minutesAfter(-60), now: T0 });
    await createSchedule(db, { ...daily, companyId: a.id, nextRunAt: null, now: T0 });
    const paused = await createSchedule(db, { ...daily, companyId: b.id, nextRunAt: minutesAfter(-40), now: T0 });
    expect(await pauseCompanySchedules(db, b.id, "reconnect QuickBooks", T0)).toBe(2);
    await resumeCompanySchedules(db, b.id, T0);
    // Only s2 and `paused` belong to b; pause `paused` alone through its company-wide reason.
    await pauseCompanySchedules(db, b.id, "reconnect QuickBooks", T0);
    await resumeCompanySchedules(db, b.id, T0, "something else");
    expect((await getSchedule(db, paused.id))?.pausedReason).toBe("reconnect QuickBooks");
    expect((await listDueSchedules(db, T0, 10)).map((s) => s.id)).toEqual([s1.id, s3.id]);
    expect(await resumeCompanySchedules(db, b.id, T0, "reconnect QuickBooks")).toBe(2);
    expect((await listDueSchedules(db, T0, 10)).map((s) => s.id)).toEqual([paused.id, s2.id, s1.id, s3.id]);
    expect((await listDueSchedules(db, T0, 2)).map((s) => s.id)).toEqual([paused.id, s2.id]);
    expect((await listDueSchedules(db, T0, 10))[0]).toMatchObject({ companyName: b.name, effectiveTimezone: "Europe/Tirane" });
  });

  it("advancing a slot is a compare-and-swap: of racing schedulers exactly one wins", async () => {
    const { db, target } = current();
    const company = await makeCompany(db);
    const schedule = await createSchedule(db, { ...daily, companyId: company.id, nextRunAt: T0, now: T0 });
    const next = minutesAfter(24 * 60);
    const handles = dialect === "sqlite" ? [] : [openTarget(target), openTarget(target), openTarget(target)];
    try {
      const dbs = dialect === "sqlite" ? [db, db, db, db] : [db, ...handles.map((h) => h.db)];
      const results = await Promise.all(dbs.map((d) => advanceScheduleIfNextRunAt(d, schedule.id, T0, next)));
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(handles.map((h) => h.destroy()));
    }
    expect((await getSchedule(db, schedule.id))?.nextRunAt).toEqual(next);
    expect(await advanceScheduleIfNextRunAt(db, schedule.id, T0, minutesAfter(5))).toBe(false);
    expect(await advanceScheduleIfNextRunAt(db, schedule.id, next, null)).toBe(true);
    expect((await getSchedule(db, schedule.id))?.nextRunAt).toBeNull();
    // The rule's updated_at is untouched by the scheduler.
    expect((await getSchedule(db, schedule.id))?.updatedAt).toEqual(T0);
  });

  it("monitoring list pages by company name without gaps or duplicates, and filters", async () => {
    const { db } = current();
    const names = ["Zeta", "Alpha", "Mu", "Beta"];
    const companies = [];
    for (const name of names) companies.push(await makeCompany(db, { name }));
    const ids: number[] = [];
    for (const company of companies) {
      for (let i = 0; i < 3; i += 1) ids.push((await createSchedule(db, { ...daily, enabled: i !== 2, companyId: company.id, nextRunAt: T0, now: T0 })).id);
    }
    const { items, pages } = await collectPages((cursor) => listSchedules(db, { limit: 5, cursor }));
    expect(pages).toBe(3);
    expect(items.map((s) => s.id).sort((x, y) => x - y)).toEqual(ids);
    expect(items.map((s) => s.companyName)).toEqual(["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Beta", "Mu", "Mu", "Mu", "Zeta", "Zeta", "Zeta"]);
    const visible = await listSchedules(db, { companyIds: [companies[0]!.id, companies[2]!.id], enabled: true });
    expect(visible.items.map((s) => s.companyName)).toEqual(["Mu", "Mu", "Zeta", "Zeta"]);
    expect((await listSchedules(db, { companyIds: [] })).items).toEqual([]);
  });
});
