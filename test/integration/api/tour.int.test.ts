import { afterEach, beforeEach, expect, it } from "vitest";
import { processMetrics } from "../../../src/process-metrics.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { anonymous, ApiHarness, openApiCoverage } from "./harness.js";
import { buildScenario, type Scenario } from "./scenario.js";

/**
 * A tour of every documented operation with real data: each response is checked against
 * /api/openapi.json by the harness, and the last test asserts that no operation was missed.
 */
describeEachDatabase("API tour", (current) => {
  let api: ApiHarness;
  let s: Scenario;

  beforeEach(async () => {
    api = await ApiHarness.create(current());
    s = await buildScenario(api);
  });
  afterEach(async () => api?.close());

  it("auth: setup once, login, me, logout, CSRF, sliding expiry, rate limit and audit", async () => {
    expect((await api.call(anonymous, "GET", "/api/auth/setup")).json).toEqual({ setup_needed: false });
    const again = await api.call(anonymous, "POST", "/api/auth/setup", { body: { email: "late@x.al", name: "Late", password: "late-password-1" } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("setup_done");

    const me = await api.call(s.admin, "GET", "/api/auth/me");
    expect(me.json).toMatchObject({ kind: "user", all_companies: true, csrf_token: s.admin.csrf });
    const keyMe = await api.call(s.keyA, "GET", "/api/auth/me");
    expect(keyMe.json).toMatchObject({ kind: "api_key", csrf_token: null, companies: [{ id: s.a.id }] });

    // Writes with the cookie need the CSRF header; API keys do not.
    const noCsrf = await api.call({ ...s.memberA, headers: { cookie: s.memberA.headers.cookie! } }, "PATCH", `/api/schedules/${s.a.scheduleId}/toggle`, { body: { enabled: false } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error.code).toBe("csrf_failed");

    const bad = await api.call(anonymous, "POST", "/api/auth/login", { body: { email: "member@alfa.al", password: "wrong-password" } });
    expect(bad.status).toBe(401);
    const cookie = ([] as string[]).concat((await api.call(anonymous, "POST", "/api/auth/setup", { body: { email: "x@x.al", name: "X", password: "xxxxxxxxxxxx" } })).headers["set-cookie"] as string[] ?? []);
    expect(cookie).toEqual([]);

    const logout = await api.call(s.viewerA, "POST", "/api/auth/logout");
    expect(logout.status).toBe(200);
    expect(String(logout.headers["set-cookie"])).toMatch(/devsync_session=;/);
    expect((await api.call(s.viewerA, "GET", "/api/auth/me")).status).toBe(401);

    // Sliding expiry: activity keeps the session, 12 idle hours end it.
    api.advance(11 * 3_600_000);
    const first = await api.call(s.memberA, "GET", "/api/auth/me");
    expect(first.status, first.body).toBe(200);
    api.advance(11 * 3_600_000);
    const second = await api.call(s.memberA, "GET", "/api/auth/me");
    expect(second.status, second.body).toBe(200);
    api.advance(12 * 3_600_000 + 1);
    expect((await api.call(s.memberA, "GET", "/api/auth/me")).status).toBe(401);


    const admin = await api.login("admin@firm.al", "admin-password-1");
    const audit = await api.call(admin, "GET", "/api/audit?action=auth.");
    const actions = audit.json.items.map((e: { action: string }) => e.action);
    expect(actions).toContain("auth.login_failed");
    expect(actions).toContain("auth.login");
    expect(actions).toContain("auth.logout");
  });

  it("failed logins are slowed per account after five, never a hard lock", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push((await api.call(anonymous, "POST", "/api/auth/login", { body: { email: "nobody@alfa.al", password: `guess-${i}` } })).status);
    }
    expect(statuses, JSON.stringify(statuses)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another email from the same address is not slowed.
    expect((await api.call(anonymous, "POST", "/api/auth/login", { body: { email: "member@alfa.al", password: "nope-nope" } })).status).toBe(401);
    // After the wait, the account may try again.
    api.advance(1000);
    expect((await api.call(anonymous, "POST", "/api/auth/login", { body: { email: "nobody@alfa.al", password: "guess-7" } })).status).toBe(401);
  });

  it("companies, settings and candidate lists", async () => {
    const list = await api.call(s.admin, "GET", "/api/companies?search=alfa");
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0].health).toMatchObject({ devpos: { status: "untested" }, qbo: { status: "connected", reconnect_needed: false }, last_run: { status: "succeeded" }, next_run_at: "2026-11-28T08:00:00.000Z" });
    for (const path of ["income-items", "expense-accounts", "tax-codes"]) {
      const res = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/qbo/${path}`);
      expect(res.status, res.body).toBe(200);
      expect(res.json.items.length).toBeGreaterThan(0);
    }
    const patch = await api.call(s.memberA, "PATCH", `/api/companies/${s.a.id}`, { body: { timezone: "America/New_York", tax_mode: "inclusive", vat_tax_code_id: "3", vat_rate_codes: { "20": "3" }, income_item_id: "1", expense_account_id: "60" } });
    expect(patch.status, patch.body).toBe(200);
    expect(patch.json).toMatchObject({ timezone: "America/New_York", tax_mode: "inclusive", income_item_id: "1" });
    // The company's schedule follows its zone: 09:00 New York.
    expect((await api.call(s.memberA, "GET", `/api/schedules/${s.a.scheduleId}`)).json).toMatchObject({ effective_timezone: "America/New_York", next_run_at: "2026-11-28T14:00:00.000Z" });
    const dup = await api.call(s.admin, "POST", "/api/companies", { body: { code: "k11111111a", name: "Again" } });
    expect(dup.status).toBe(409);
    const created = await api.call(s.admin, "POST", "/api/companies", { body: { code: "M33333333C", name: "Charlie" } });
    expect(created.status).toBe(201);
    expect((await api.call(s.admin, "DELETE", `/api/companies/${created.json.id}`)).json).toEqual({ deleted: true, id: created.json.id });
  });

  it("connections: DevPos credentials (write-only password) and test; QuickBooks status, connect callback, disconnect", async () => {
    const creds = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/devpos`);
    expect(creds.json).toMatchObject({ configured: true, tenant: s.a.code, status: "untested" });
    expect(creds.body).not.toContain("password");
    const test = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/devpos/test`);
    expect(test.json).toMatchObject({ ok: true, credentials: { status: "ok" } });
    api.secrets.add("a-wrong-devpos-pass");
    await api.call(s.memberA, "PUT", `/api/companies/${s.a.id}/devpos`, { body: { tenant: s.a.code, username: "u", password: "a-wrong-devpos-pass" } });
    const failed = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/devpos/test`);
    expect(failed.json).toMatchObject({ ok: false, message: "DevPos refused the username or password.", credentials: { status: "failing" } });
    expect((await api.call(s.memberA, "DELETE", `/api/companies/${s.a.id}/devpos`)).json).toMatchObject({ configured: false });

    const status = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/qbo`);
    expect(status.json).toMatchObject({ status: "connected", reconnect_needed: false, near_hard_expiry: false, realm_id: "9130354000000001" });
    const recheck = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/qbo/recheck`);
    expect(recheck.json).toMatchObject({ applied: true, qbo_settings: { vat: true, detected: { tax_mode: "inclusive", vat_tax_code_id: "3" } }, tax_settings: { tax_mode: "inclusive", source: "detected" } });
    const start = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/qbo/connect`);
    expect(start.json.authorize_url).toContain("state=");
    const replay = await api.call(anonymous, "GET", `/api/qbo/callback?code=c&state=not-a-state&realmId=1`);
    expect(replay.status).toBe(400);
    expect(replay.headers["content-type"]).toMatch(/text\/html/);
    const taken = await api.call(anonymous, "GET", `/api/qbo/callback?code=c&state=${api.fakes.lastState()}&realmId=9130354000000002`);
    expect(taken.status).toBe(409);
    const cancelled = await api.call(anonymous, "GET", "/api/qbo/callback?error=access_denied");
    expect(cancelled.body).toContain("cancelled");
    const off = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/qbo/disconnect`);
    expect(off.json).toMatchObject({ status: "disconnected", realm_id: null });
    const notConnected = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/qbo/tax-codes`);
    expect(notConnected.status).toBe(409);
    const recheckOff = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/qbo/recheck`, { body: { apply: true } });
    expect(recheckOff.status).toBe(409);
    expect(recheckOff.json.error).toMatchObject({ code: "not_connected", message: "Connect QuickBooks first." });
    const audit = (await api.call(s.admin, "GET", `/api/audit?company_id=${s.a.id}`)).json.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["devpos.credentials_set", "devpos.test", "devpos.credentials_delete", "qbo.connect_start", "qbo.connect", "qbo.disconnect", "qbo.recheck"]));
  });

  it("runs: run now (202, 409 while busy), list with filters and paging, detail, items, events, cancel", async () => {
    const run = await api.call(s.memberA, "POST", `/api/companies/${s.a.id}/runs`, { body: { job_type: "purchases", days: 7 } });
    expect(run.status, run.body).toBe(202);
    expect(run.json).toMatchObject({ status: "queued", trigger: "manual", job_type: "bills", window_from: "2026-11-21", window_to: "2026-11-28" });
    const busy = await api.call(s.keyA, "POST", `/api/companies/${s.a.id}/runs`, { body: { job_type: "sales", from: "2026-11-01", to: "2026-11-15" } });
    expect(busy.status).toBe(409);
    expect(busy.json.error).toMatchObject({ code: "run_in_progress", fields: { active_run_id: String(run.json.id) } });
    const range = await api.call(s.keyA, "POST", `/api/companies/${s.b.id === 0 ? 0 : s.a.id}/runs`, { body: { job_type: "sales", from: "2026-11-15", to: "2026-11-01" } });
    expect(range.status).toBe(400);
    expect(range.json.error.fields.from).toBe("from must not be after to");

    const listed = await api.call(s.memberA, "GET", `/api/runs?status=queued,running&limit=1`);
    expect(listed.json.items.map((r: { id: number }) => r.id)).toEqual([run.json.id]);
    const companyRuns = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/runs?limit=1`);
    expect(companyRuns.json.next_cursor).not.toBeNull();
    const page2 = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/runs?limit=1&cursor=${companyRuns.json.next_cursor}`);
    expect(page2.json.items.map((r: { id: number }) => r.id)).toEqual([s.a.runId]);
    const detail = await api.call(s.memberA, "GET", `/api/runs/${s.a.runId}`);
    expect(detail.json).toMatchObject({ status: "succeeded", summary: { created: 1 }, item_counts: { created: 1 } });
    expect((await api.call(s.memberA, "GET", `/api/runs/${s.a.runId}/items?action=created`)).json.items[0]).toMatchObject({ doc_number: `${s.a.code}/1`, qbo_id: "101", amount_minor: 12000 });
    const events = await api.call(s.memberA, "GET", `/api/runs/${s.a.runId}/events?after=0`);
    expect(events.json.items[0].message).toBe("synced Alfa Company");
    expect((await api.call(s.memberA, "GET", `/api/runs/${s.a.runId}/events?after=${events.json.last_id}`)).json.items).toEqual([]);

    const cancel = await api.call(s.memberA, "POST", `/api/runs/${run.json.id}/cancel`);
    expect(cancel.json).toMatchObject({ status: "cancelled" });
    expect((await api.call(s.memberA, "POST", `/api/runs/${run.json.id}/cancel`)).status).toBe(409);
    expect((await api.call(s.admin, "GET", "/api/audit?action=run.")).json.items.map((e: { action: string }) => e.action)).toEqual(["run.cancel", "run.manual"]);
  });

  it("documents and stats", async () => {
    const docs = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/documents?kind=sale&from=2026-11-01&to=2026-11-30&search=${encodeURIComponent(s.a.code)}`);
    expect(docs.json.items).toHaveLength(1);
    expect(docs.json.items[0]).toMatchObject({ state: "synced", qbo_type: "Invoice", qbo_id: "101", amount_minor: 12000 });
    const stats = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}/stats?days=30`);
    expect(stats.json).toMatchObject({ to: "2026-11-28", documents_per_day: [{ date: "2026-11-27", kind: "sale", count: 1, amount_minor: 12000 }], runs_by_status: { succeeded: 1 } });
  });

  it("users and API keys: create, change, grants, last-admin guard, revoke, keys shown once", async () => {
    const users = await api.call(s.admin, "GET", "/api/users?limit=2");
    expect(users.json.items).toHaveLength(2);
    expect(users.body).not.toMatch(/password|scrypt/);
    const one = await api.call(s.admin, "GET", `/api/users/${s.memberA.userId}`);
    expect(one.json.companies).toEqual([{ company_id: s.a.id, company_name: "Alfa Company", company_code: s.a.code, permissions: { view: true, run: true, manage_schedules: true, edit_connections: true } }]);
    const demoteSelf = await api.call(s.admin, "PATCH", `/api/users/${s.admin.userId}`, { body: { role: "member" } });
    expect(demoteSelf.status).toBe(409);
    expect((await api.call(s.admin, "DELETE", `/api/users/${s.admin.userId}`)).status).toBe(409);
    api.secrets.add("a-new-password-1");
    const reset = await api.call(s.admin, "PATCH", `/api/users/${s.viewerA.userId}`, { body: { password: "a-new-password-1", name: "Viewer" } });
    expect(reset.status).toBe(200);
    expect((await api.call(s.viewerA, "GET", "/api/auth/me")).status).toBe(401);
    const grant = await api.call(s.admin, "PUT", `/api/users/${s.otherUserId}/companies/${s.b.id}`, { body: { view: true, run: true } });
    expect(grant.json.companies[0].permissions).toEqual({ view: true, run: true, manage_schedules: false, edit_connections: false });
    expect((await api.call(s.admin, "DELETE", `/api/users/${s.otherUserId}/companies/${s.b.id}`)).json.companies).toEqual([]);
    expect((await api.call(s.admin, "DELETE", `/api/users/${s.otherUserId}`)).json).toEqual({ deleted: true, id: s.otherUserId });

    const keys = await api.call(s.admin, "GET", "/api/api-keys");
    expect(keys.json.items.map((k: { name: string }) => k.name)).toEqual(["bravo key", "alfa integration"]);
    expect(keys.json.items[1].prefix).toBe(s.keyA.key.slice(0, 12));
    const bad = await api.call(s.admin, "POST", "/api/api-keys", { body: { name: "x", companies: [{ company_id: 999999 }] } });
    expect(bad.status).toBe(400);
    const revoked = await api.call(s.admin, "DELETE", `/api/api-keys/${s.otherKeyId}`);
    expect(revoked.json.revoked_at).not.toBeNull();
    expect((await api.call(s.admin, "GET", "/api/api-keys?include_revoked=true")).json.items).toHaveLength(2);
    const audit = (await api.call(s.admin, "GET", "/api/audit?limit=200")).json.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["user.create", "user.update", "user.grant", "user.revoke", "user.delete", "api_key.create", "api_key.revoke", "company.create", "schedule.create"]));
  });

  it("health, readiness, metrics and the interactive docs", async () => {
    expect((await api.call(anonymous, "GET", "/healthz")).json).toEqual({ status: "ok", db: api.database.dialect });
    expect((await api.call(anonymous, "GET", "/readyz")).json).toMatchObject({ status: "ready", checks: { database: true, migrations: "current" } });
    processMetrics.qboThrottled.inc();
    processMetrics.tokenRefreshes.inc({ outcome: "ok" });
    api.advance(90 * 60_000); // the 09:00 slot is now 30 minutes late
    const metrics = await api.call(anonymous, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('devsync_runs{status="succeeded",trigger="manual"} 2');
    expect(metrics.body).toContain('devsync_documents_synced{kind="sale",qbo_type="Invoice"} 2');
    expect(metrics.body).toContain("devsync_scheduler_lag_seconds 1800");
    expect(metrics.body).toMatch(/devsync_qbo_throttled_total \d+/);
    expect(metrics.body).toContain('devsync_qbo_token_refreshes_total{outcome="ok"}');
    const docs = await api.call(anonymous, "GET", "/api/docs/");
    expect(docs.status).toBe(200);
    expect(docs.body).toContain("swagger-ui");
    const spec = await api.openApiDocument();
    expect(spec.openapi).toBe("3.1.0");
  });

  it("zero-amount documents: list, confirm as zero with a note, reopen; both audited", async () => {
    const path = `/api/companies/${s.a.id}/zero-amount-documents`;
    const open = await api.call(s.memberA, "GET", path);
    expect(open.status, open.body).toBe(200);
    expect(open.json).toMatchObject({ items: [{ id: s.a.zeroDocId, source_key: "ZERO-K11111111A", status: "open", checks: 1, txn_date: "2026-10-02" }], next_cursor: null });
    const confirmed = await api.call(s.memberA, "POST", `${path}/${s.a.zeroDocId}/confirm-zero`, { body: { note: "  Credit note, really 0  " } });
    expect(confirmed.status, confirmed.body).toBe(200);
    expect(confirmed.json).toMatchObject({ status: "confirmed_zero", confirmed_by: "member@alfa.al", confirmed_note: "Credit note, really 0" });
    expect((await api.call(s.memberA, "GET", `${path}?status=confirmed_zero`)).json.items.map((d: { id: number }) => d.id)).toEqual([s.a.zeroDocId]);
    const reopened = await api.call(s.keyA, "POST", `${path}/${s.a.zeroDocId}/reopen`);
    expect(reopened.status, reopened.body).toBe(200);
    expect(reopened.json).toMatchObject({ status: "open", confirmed_by: null, confirmed_note: null });
    const audit = (await api.call(s.admin, "GET", `/api/audit?company_id=${s.a.id}&action=zero_amount.`)).json.items;
    expect(audit.map((e: { action: string; actor_label: string }) => [e.action, e.actor_label])).toEqual([
      ["zero_amount.reopen", expect.stringContaining("alfa integration")],
      ["zero_amount.confirm", "member@alfa.al"],
    ]);
  });

  it("documents retry: marks failed documents for a new request id, audited; bad EICs are a 400", async () => {
    const path = `/api/companies/${s.a.id}/documents/retry`;
    const all = await api.call(s.memberA, "POST", path, { body: {} });
    expect(all.status, all.body).toBe(200);
    expect(all.json).toEqual({ marked: 0 });
    const some = await api.call(s.keyA, "POST", path, { body: { eics: ["3F6C1D2A-8B4E-4F1A-9C7D-2E5B6A7C8D90"] } });
    expect(some.status, some.body).toBe(200);
    const bad = await api.call(s.memberA, "POST", path, { body: { eics: ["not-an-eic"] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/UUID/);
    const audit = (await api.call(s.admin, "GET", `/api/audit?company_id=${s.a.id}&action=documents.retry`)).json.items;
    expect(audit).toHaveLength(2);
  });

  it("every documented operation was exercised and matched the document", async () => {
    // Run after the others in this file (vitest runs a file's tests in order).
    const spec = await api.openApiDocument();
    const documented: string[] = [];
    for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
      for (const method of Object.keys(item)) if (["get", "post", "put", "patch", "delete"].includes(method)) documented.push(`${method.toUpperCase()} ${path}`);
    }
    // The isolation-style calls below cover the few routes the tour above did not need.
    await api.call(s.admin, "GET", `/api/companies/${s.a.id}/schedules`);
    await api.call(s.admin, "GET", `/api/companies/${s.a.id}`);
    await api.call(s.admin, "DELETE", `/api/schedules/${s.b.scheduleId}`);
    await api.call(s.admin, "GET", `/api/schedules`);
    await api.call(s.memberA, "POST", "/api/auth/password", { body: { current_password: "not-the-password", new_password: "a new passphrase 1" } });
    const missing = documented.filter((op) => !openApiCoverage.has(op));
    expect(missing).toEqual([]);
  });
});
