import { expect, it } from "vitest";
import { ForeignKeyViolationError, NotFoundError } from "../../../src/storage/errors.js";
import { appendAudit, listAudit } from "../../../src/storage/repos/audit-log.js";
import {
  createNotificationChannel,
  deleteNotificationChannel,
  getNotificationChannel,
  getOpenIncident,
  listChannelsForEvent,
  listNotificationChannels,
  listOpenIncidents,
  markIncidentNotified,
  openIncident,
  readChannelSecret,
  resolveIncident,
  updateNotificationChannel,
} from "../../../src/storage/repos/notifications.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { collectPages, createTestBox, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

describeEachDatabase("audit log repository", (current) => {
  it("appends entries and lists them newest first with filters and paging", async () => {
    const { db } = current();
    const actions = ["login", "schedule.create", "schedule.update", "qbo.connect", "schedule.delete", "run.manual", "user.create"];
    const ids: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      ids.push(
        await appendAudit(db, {
          at: minutesAfter(i),
          actorUserId: i % 2 === 0 ? 1 : null,
          actorApiKeyId: i % 2 === 0 ? null : 9,
          actorLabel: i % 2 === 0 ? "admin@example.com" : "key CI",
          action: actions[i % actions.length]!,
          companyId: i % 3 === 0 ? null : 100 + (i % 3),
          targetType: "schedule",
          targetId: String(i),
          details: { i, nested: { ok: true } },
          ip: "10.0.0.1",
        }),
      );
    }
    const all = await collectPages((cursor) => listAudit(db, { limit: 8, cursor }));
    expect(all.pages).toBe(3);
    expect(all.items.map((e) => e.id)).toEqual([...ids].reverse());
    expect(all.items.at(-1)).toMatchObject({ at: T0, actorUserId: 1, actorApiKeyId: null, actorLabel: "admin@example.com", action: "login", companyId: null, details: { i: 0, nested: { ok: true } }, ip: "10.0.0.1" });
    expect((await listAudit(db, { actorApiKeyId: 9, limit: 100 })).items).toHaveLength(10);
    expect((await listAudit(db, { actorUserId: 1, limit: 100 })).items).toHaveLength(11);
    const scheduleActions = (await listAudit(db, { action: "schedule.", limit: 100 })).items.map((e) => e.action);
    expect(scheduleActions).toHaveLength(9);
    expect(scheduleActions.every((a) => a.startsWith("schedule."))).toBe(true);
    expect((await listAudit(db, { action: "login", limit: 100 })).items).toHaveLength(3);
    expect((await listAudit(db, { companyId: 101, limit: 100 })).items.every((e) => e.companyId === 101)).toBe(true);
    expect((await listAudit(db, { from: minutesAfter(5), to: minutesAfter(8) })).items.map((e) => e.at)).toEqual([minutesAfter(7), minutesAfter(6), minutesAfter(5)]);
  });
});

describeEachDatabase("notifications repository", (current, dialect) => {
  it("channels: secrets sealed, never listed, replaced or removed; per-event selection", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const company = await makeCompany(db);
    const other = await makeCompany(db);
    const hook = await createNotificationChannel(db, box, { companyId: company.id, kind: "webhook", target: "https://hooks.example/a", secret: "whsec_123", events: ["run.failed", "qbo.reauth_required"], now: T0 });
    expect(hook).toMatchObject({ companyId: company.id, kind: "webhook", hasSecret: true, events: ["run.failed", "qbo.reauth_required"], enabled: true });
    expect(JSON.stringify(hook)).not.toContain("whsec");
    const raw = await db.selectFrom("notification_channels").select("secret_enc").where("id", "=", hook.id).executeTakeFirstOrThrow();
    expect(raw.secret_enc).not.toContain("whsec_123");
    expect(await readChannelSecret(db, box, hook.id)).toBe("whsec_123");

    const global = await createNotificationChannel(db, box, { companyId: null, kind: "email", target: "ops@example.com", events: ["*"], now: T0 });
    expect(await readChannelSecret(db, box, global.id)).toBeNull();
    await createNotificationChannel(db, box, { companyId: other.id, kind: "email", target: "b@example.com", events: ["run.failed"], now: T0 });
    await expect(createNotificationChannel(db, box, { companyId: 777_777, kind: "email", target: "x", events: [], now: T0 })).rejects.toBeInstanceOf(ForeignKeyViolationError);

    expect((await listNotificationChannels(db, { companyId: company.id })).map((c) => c.id)).toEqual([hook.id]);
    expect((await listNotificationChannels(db, { companyId: company.id, includeGlobal: true })).map((c) => c.id)).toEqual([hook.id, global.id]);
    expect((await listNotificationChannels(db, { companyId: null })).map((c) => c.id)).toEqual([global.id]);
    expect((await listChannelsForEvent(db, company.id, "run.failed")).map((c) => c.id)).toEqual([hook.id, global.id]);
    expect((await listChannelsForEvent(db, company.id, "run.succeeded")).map((c) => c.id)).toEqual([global.id]);

    const updated = await updateNotificationChannel(db, box, hook.id, { secret: "whsec_456", enabled: false }, minutesAfter(1));
    expect(updated).toMatchObject({ enabled: false, hasSecret: true, updatedAt: minutesAfter(1) });
    expect(await readChannelSecret(db, box, hook.id)).toBe("whsec_456");
    expect((await listChannelsForEvent(db, company.id, "run.failed")).map((c) => c.id)).toEqual([global.id]);
    expect((await updateNotificationChannel(db, box, hook.id, { secret: null, events: ["*"] }, minutesAfter(2))).hasSecret).toBe(false);
    await expect(updateNotificationChannel(db, box, 123_456, { enabled: true }, T0)).rejects.toBeInstanceOf(NotFoundError);
    expect(await deleteNotificationChannel(db, hook.id)).toBe(true);
    expect(await getNotificationChannel(db, hook.id)).toBeUndefined();
    expect(dialect).toBeTruthy();
  });

  it("incidents: one open per key however many open it at once; resolve then reopen", async () => {
    const { db, target } = current();
    const company = await makeCompany(db);
    const key = `qbo.reauth_required#${company.id}`;
    const handles = dialect === "sqlite" ? [] : [openTarget(target, 2), openTarget(target, 2), openTarget(target, 2)];
    const dbs = dialect === "sqlite" ? [db, db, db, db] : [db, ...handles.map((h) => h.db)];
    let results;
    try {
      results = await Promise.all(dbs.map((d) => openIncident(d, { key, kind: "qbo.reauth_required", companyId: company.id, details: { reason: "invalid_grant" }, now: T0 })));
    } finally {
      await Promise.all(handles.map((h) => h.destroy()));
    }
    expect(results.filter((r) => r.opened)).toHaveLength(1);
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(results[0]!.incident).toMatchObject({ incidentKey: key, open: true, companyId: company.id, details: { reason: "invalid_grant" }, openedAt: T0, resolvedAt: null });

    // Opening inside a transaction must not break it on PostgreSQL.
    const again = await db.transaction().execute(async (trx) => {
      const r = await openIncident(trx, { key, kind: "qbo.reauth_required", now: minutesAfter(1) });
      await trx.selectFrom("alert_incidents").selectAll().execute();
      return r;
    });
    expect(again.opened).toBe(false);

    await markIncidentNotified(db, again.incident.id, minutesAfter(2));
    expect((await getOpenIncident(db, key))?.lastNotifiedAt).toEqual(minutesAfter(2));
    await openIncident(db, { key: "run.failed#x", kind: "run.failed", now: minutesAfter(3) });
    expect((await listOpenIncidents(db)).map((i) => i.incidentKey)).toEqual([key, "run.failed#x"]);
    expect((await listOpenIncidents(db, { companyId: company.id })).map((i) => i.incidentKey)).toEqual([key]);

    expect(await resolveIncident(db, key, minutesAfter(10))).toBe(true);
    expect(await resolveIncident(db, key, minutesAfter(11))).toBe(false);
    expect(await getOpenIncident(db, key)).toBeUndefined();
    const reopened = await openIncident(db, { key, kind: "qbo.reauth_required", companyId: company.id, now: minutesAfter(20) });
    expect(reopened.opened).toBe(true);
    expect(reopened.incident.id).not.toBe(results[0]!.incident.id);
    expect(await db.selectFrom("alert_incidents").selectAll().where("incident_key", "=", key).execute()).toHaveLength(2);
  });
});
