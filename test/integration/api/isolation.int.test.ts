import { afterEach, beforeEach, expect, it } from "vitest";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { ApiHarness, type Client } from "./harness.js";
import { buildScenario, routesAgainst, type Scenario } from "./scenario.js";
import { snapshotDatabase } from "./snapshot.js";

describeEachDatabase("company isolation", (current) => {
  let api: ApiHarness;
  let s: Scenario;

  beforeEach(async () => {
    api = await ApiHarness.create(current());
    s = await buildScenario(api);
  });
  afterEach(async () => api?.close());

  it("a member and a key of company A can neither read nor change anything of company B through any route", async () => {
    const callers: [string, Client][] = [
      ["member of A", s.memberA],
      ["key of A", s.keyA],
    ];
    const cases = routesAgainst(s);
    expect(cases.length).toBeGreaterThanOrEqual(39);
    for (const [who, client] of callers) {
      for (const route of cases) {
        const before = await snapshotDatabase(api.database.db);
        const res = await api.call(client, route.method, route.path, route.body === undefined ? {} : { body: route.body });
        const label = `${who}: ${route.method} ${route.path} → ${res.status} ${res.body.slice(0, 200)}`;
        expect(res.status, label).toBe(route.adminOnly ? 403 : 404);
        expect(res.body, label).not.toContain(s.b.name);
        expect(res.body, label).not.toContain(s.b.code);
        expect(await snapshotDatabase(api.database.db), label).toEqual(before);
      }
    }
  });

  it("lists show only the caller's companies, also when asked for B by id", async () => {
    for (const client of [s.memberA, s.keyA]) {
      for (const path of ["/api/companies", "/api/schedules", "/api/runs", `/api/schedules?company_id=${s.b.id}`, `/api/runs?company_id=${s.b.id}`, "/api/auth/me"]) {
        const res = await api.call(client, "GET", path);
        expect(res.status, path).toBe(200);
        expect(res.body, path).not.toContain(s.b.name);
        const ids = (res.json.items ?? res.json.companies ?? []).map((x: { company_id?: number; id: number }) => x.company_id ?? x.id);
        expect(ids.every((id: number) => id === s.a.id || (path.startsWith("/api/runs") || path.startsWith("/api/schedules") ? false : id !== s.b.id)), path).toBe(true);
      }
    }
    const admin = await api.call(s.admin, "GET", "/api/companies");
    expect(admin.json.items.map((c: { name: string }) => c.name)).toEqual(["Alfa Company", "Bravo Secret Holdings"]);
  });

  it("the same routes work for A, so the 404s above are about B and not about the routes", async () => {
    const a = await api.call(s.memberA, "GET", `/api/companies/${s.a.id}`);
    expect(a.status).toBe(200);
    expect(a.json.health).toMatchObject({ devpos: { configured: true }, qbo: { status: "connected" }, schedule_count: 1 });
    expect((await api.call(s.keyA, "GET", `/api/runs/${s.a.runId}/items`)).json.items).toHaveLength(1);
    expect((await api.call(s.keyA, "PATCH", `/api/schedules/${s.a.scheduleId}/toggle`, { body: { enabled: false } })).status).toBe(200);
  });

  it("a viewer of A sees A but gets 403 for what it may not do there", async () => {
    expect((await api.call(s.viewerA, "GET", `/api/companies/${s.a.id}/schedules`)).status).toBe(200);
    for (const [method, path, body] of [
      ["PATCH", `/api/schedules/${s.a.scheduleId}/toggle`, { enabled: false }],
      ["POST", `/api/companies/${s.a.id}/runs`, { job_type: "sales" }],
      ["PUT", `/api/companies/${s.a.id}/devpos`, { tenant: "x", username: "y", password: "z-password" }],
      ["PATCH", `/api/companies/${s.a.id}`, { tax_mode: "inclusive" }],
      ["POST", `/api/runs/${s.a.runId}/cancel`, undefined],
    ] as const) {
      const res = await api.call(s.viewerA, method, path, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}: ${res.body}`).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
    }
  });

  it("a revoked key and a deleted grant lose access at once", async () => {
    expect((await api.call(s.keyA, "GET", `/api/companies/${s.a.id}`)).status).toBe(200);
    expect((await api.call(s.admin, "DELETE", `/api/api-keys/${s.keyA.id}`)).status).toBe(200);
    expect((await api.call(s.keyA, "GET", `/api/companies/${s.a.id}`)).status).toBe(401);
    expect((await api.call(s.admin, "DELETE", `/api/users/${s.memberA.userId}/companies/${s.a.id}`)).status).toBe(200);
    expect((await api.call(s.memberA, "GET", `/api/companies/${s.a.id}`)).status).toBe(404);
  });
});
