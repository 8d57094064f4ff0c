import { expect } from "vitest";
import { appendRunEvents, appendRunItems } from "../../../src/storage/repos/run-log.js";
import { insertPendingLink, markSynced } from "../../../src/storage/repos/document-links.js";
import { enqueueRun } from "../../../src/storage/repos/sync-runs.js";
import { recordZeroAmountSightings } from "../../../src/storage/repos/zero-amount-documents.js";
import { anonymous, type ApiHarness, type Client } from "./harness.js";

export interface CompanyFixture {
  id: number;
  name: string;
  code: string;
  scheduleId: number;
  runId: number;
  /** An open zero-amount document of the company. */
  zeroDocId: number;
}

export interface Scenario {
  admin: Client & { csrf: string; userId: number };
  a: CompanyFixture;
  b: CompanyFixture;
  /** A member with every permission in A only. */
  memberA: Client & { csrf: string; userId: number };
  /** An API key with every permission in A only. */
  keyA: Client & { id: number; key: string };
  /** A member of A who may only view. */
  viewerA: Client & { csrf: string; userId: number };
  /** Another user (admin-made) and key, to aim user/key routes at. */
  otherUserId: number;
  otherKeyId: number;
}

/**
 * Two companies with a bit of everything (schedule, finished run with items and events,
 * synced document, DevPos login, QuickBooks connection) and callers scoped to the first.
 */
export async function buildScenario(api: ApiHarness): Promise<Scenario> {
  const admin = await api.setupAdmin();
  const a = await company(api, admin, "K11111111A", "Alfa Company", "alfa-devpos-pass-1", "9130354000000001");
  const b = await company(api, admin, "K22222222B", "Bravo Secret Holdings", "bravo-devpos-pass-2", "9130354000000002");
  const all = { view: true, run: true, manage_schedules: true, edit_connections: true };
  const memberA = await api.createMember(admin, "member@alfa.al", [{ companyId: a.id, ...all }]);
  const viewerA = await api.createMember(admin, "viewer@alfa.al", [{ companyId: a.id, view: true }]);
  const keyA = await api.createKey(admin, "alfa integration", [{ company_id: a.id, ...all }]);
  const other = await api.call(admin, "POST", "/api/users", { body: { email: "other@firm.al", name: "Other", password: "other-password-1" } });
  api.secrets.add("other-password-1");
  const otherKey = await api.createKey(admin, "bravo key", [{ company_id: b.id, view: true }]);
  return { admin, a, b, memberA, keyA, viewerA, otherUserId: other.json.id, otherKeyId: otherKey.id };
}

async function company(api: ApiHarness, admin: Client, code: string, name: string, devposPassword: string, realm: string): Promise<CompanyFixture> {
  const created = await api.createCompany(admin, code, name);
  const schedule = await api.call(admin, "POST", `/api/companies/${created.id}/schedules`, {
    body: { job_type: "full", frequency: "daily", hour_of_day: 9, day_of_week: null, day_of_month: null, date_range_days: 30, enabled: true },
  });
  expect(schedule.status, schedule.body).toBe(201);
  api.secrets.add(devposPassword);
  api.fakes.acceptedDevposPasswords.add(devposPassword);
  const creds = await api.call(admin, "PUT", `/api/companies/${created.id}/devpos`, { body: { tenant: code, username: `user@${code}`, password: devposPassword } });
  expect(creds.status, creds.body).toBe(200);
  const connect = await api.call(admin, "POST", `/api/companies/${created.id}/qbo/connect`);
  expect(connect.status, connect.body).toBe(200);
  const callback = await api.call(anonymous, "GET", `/api/qbo/callback?code=auth-code-${code}&state=${api.fakes.lastState()}&realmId=${realm}`);
  expect(callback.status, callback.body).toBe(200);

  // A finished run with a document, as the worker would leave it.
  const db = api.database.db;
  const now = api.now();
  const run = await enqueueRun(db, { companyId: created.id, trigger: "manual", jobType: "sales", windowFrom: "2026-11-01", windowTo: "2026-11-28", now });
  await db.updateTable("sync_runs").set({ status: "succeeded", summary: JSON.stringify({ created: 1 }), finished_at: now.toISOString() }).where("id", "=", run.id).execute();
  await appendRunItems(db, [{ runId: run.id, companyId: created.id, kind: "sale", sourceKey: `EIC-${code}`, action: "created", createdAt: now, docNumber: `${code}/1`, qboType: "Invoice", qboId: "101", amountMinor: 12000, currency: "ALL" }]);
  await appendRunEvents(db, [{ runId: run.id, companyId: created.id, at: now, level: "info", message: `synced ${name}` }]);
  const link = await insertPendingLink(db, { companyId: created.id, kind: "sale", sourceKey: `EIC-${code}`, docNumber: `${code}/1`, qboType: "Invoice", contentHash: "h", requestId: `req-${code}`, txnDate: "2026-11-27", amountMinor: 12000, currency: "ALL", runId: run.id, now });
  await markSynced(db, link.id, { qboId: "101", syncToken: "0", now });
  const [zeroDoc] = await recordZeroAmountSightings(db, created.id, [{ kind: "sale", sourceKey: `ZERO-${code}`, qboType: "Invoice", docNumber: `${code}/0`, txnDate: "2026-10-02", partyName: "Blerës", currency: null }], now);
  return { id: created.id, name, code, scheduleId: schedule.json.id, runId: run.id, zeroDocId: zeroDoc!.id };
}

export interface RouteCase {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  /** Admin-only routes answer 403 to everyone else; company routes answer 404 for other companies. */
  adminOnly?: boolean;
}

/** Every route aimed at company B's things (or at admin-only resources), with valid bodies. */
export function routesAgainst(s: Scenario): RouteCase[] {
  const b = s.b;
  const schedule = { job_type: "sales", frequency: "hourly", hour_of_day: null, day_of_week: null, day_of_month: null, date_range_days: 1, enabled: true };
  return [
    { method: "GET", path: `/api/companies/${b.id}` },
    { method: "PATCH", path: `/api/companies/${b.id}`, body: { name: "Taken over" } },
    { method: "DELETE", path: `/api/companies/${b.id}`, adminOnly: true },
    { method: "POST", path: "/api/companies", body: { code: "K33333333C", name: "New" }, adminOnly: true },
    { method: "GET", path: `/api/companies/${b.id}/devpos` },
    { method: "PUT", path: `/api/companies/${b.id}/devpos`, body: { tenant: "X", username: "x", password: "hijack-password" } },
    { method: "DELETE", path: `/api/companies/${b.id}/devpos` },
    { method: "POST", path: `/api/companies/${b.id}/devpos/test` },
    { method: "GET", path: `/api/companies/${b.id}/qbo` },
    { method: "POST", path: `/api/companies/${b.id}/qbo/connect` },
    { method: "POST", path: `/api/companies/${b.id}/qbo/disconnect` },
    { method: "POST", path: `/api/companies/${b.id}/qbo/recheck`, body: { apply: true } },
    { method: "GET", path: `/api/companies/${b.id}/qbo/income-items` },
    { method: "GET", path: `/api/companies/${b.id}/qbo/expense-accounts` },
    { method: "GET", path: `/api/companies/${b.id}/qbo/tax-codes` },
    { method: "GET", path: `/api/companies/${b.id}/schedules` },
    { method: "POST", path: `/api/companies/${b.id}/schedules`, body: schedule },
    { method: "POST", path: `/api/companies/${s.a.id}/schedules`, body: { ...schedule, id: b.scheduleId } },
    { method: "GET", path: `/api/schedules/${b.scheduleId}` },
    { method: "PATCH", path: `/api/schedules/${b.scheduleId}/toggle`, body: { enabled: false } },
    { method: "DELETE", path: `/api/schedules/${b.scheduleId}` },
    { method: "POST", path: `/api/companies/${b.id}/runs`, body: { job_type: "sales", days: 1 } },
    { method: "GET", path: `/api/companies/${b.id}/runs` },
    { method: "GET", path: `/api/runs/${b.runId}` },
    { method: "GET", path: `/api/runs/${b.runId}/items` },
    { method: "GET", path: `/api/runs/${b.runId}/events` },
    { method: "POST", path: `/api/runs/${b.runId}/cancel` },
    { method: "GET", path: `/api/companies/${b.id}/documents` },
    { method: "GET", path: `/api/companies/${b.id}/stats` },
    { method: "GET", path: `/api/companies/${b.id}/zero-amount-documents` },
    { method: "POST", path: `/api/companies/${b.id}/zero-amount-documents/${b.zeroDocId}/confirm-zero`, body: { note: "taken over" } },
    { method: "POST", path: `/api/companies/${b.id}/zero-amount-documents/${b.zeroDocId}/reopen` },
    { method: "POST", path: `/api/companies/${s.a.id}/zero-amount-documents/${b.zeroDocId}/confirm-zero`, body: { note: "B's document through A" } },
    { method: "GET", path: "/api/users", adminOnly: true },
    { method: "POST", path: "/api/users", body: { email: "sneaky@x.al", name: "S", password: "sneaky-password-1" }, adminOnly: true },
    { method: "GET", path: `/api/users/${s.otherUserId}`, adminOnly: true },
    { method: "PATCH", path: `/api/users/${s.otherUserId}`, body: { role: "admin" }, adminOnly: true },
    { method: "DELETE", path: `/api/users/${s.otherUserId}`, adminOnly: true },
    { method: "PUT", path: `/api/users/${s.memberA.userId}/companies/${b.id}`, body: { view: true }, adminOnly: true },
    { method: "DELETE", path: `/api/users/${s.otherUserId}/companies/${b.id}`, adminOnly: true },
    { method: "GET", path: "/api/api-keys", adminOnly: true },
    { method: "POST", path: "/api/api-keys", body: { name: "k", companies: [{ company_id: b.id }] }, adminOnly: true },
    { method: "DELETE", path: `/api/api-keys/${s.otherKeyId}`, adminOnly: true },
    { method: "GET", path: "/api/audit", adminOnly: true },
  ];
}
