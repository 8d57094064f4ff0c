import { afterEach, beforeEach, expect, it } from "vitest";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { ApiHarness, T0, type Client } from "./harness.js";

describeEachDatabase("schedule API", (current) => {
  let api: ApiHarness;
  let admin: Client;
  let companyId: number;

  beforeEach(async () => {
    api = await ApiHarness.create(current());
    admin = await api.setupAdmin();
    companyId = (await api.createCompany(admin, "K12345678A", "Alfa shpk")).id;
  });
  afterEach(async () => api.close());

  const PRODUCT_EXAMPLES = [
    { body: { job_type: "full", frequency: "daily", hour_of_day: 9, day_of_week: null, day_of_month: null, date_range_days: 30, enabled: true }, next: "2026-11-28T08:00:00.000Z", text: "Next sync: Today at 9:00 AM" },
    { body: { job_type: "sales", frequency: "hourly", hour_of_day: null, day_of_week: null, day_of_month: null, date_range_days: 1, enabled: true }, next: "2026-11-28T08:00:00.000Z", text: "Next sync: Today at 9:00 AM" },
    { body: { job_type: "bills", frequency: "weekly", hour_of_day: 8, day_of_week: 1, day_of_month: null, date_range_days: 7, enabled: true }, next: "2026-11-30T07:00:00.000Z", text: "Next sync: Monday at 8:00 AM" },
    { body: { job_type: "full", frequency: "monthly", hour_of_day: 6, day_of_week: null, day_of_month: 1, date_range_days: 60, enabled: true }, next: "2026-12-01T05:00:00.000Z", text: "Next sync: Tuesday at 6:00 AM" },
  ];

  it("accepts the four example schedules of docs/product.md exactly as written and computes the next run", async () => {
    for (const example of PRODUCT_EXAMPLES) {
      const res = await api.call(admin, "POST", `/api/companies/${companyId}/schedules`, { body: example.body });
      expect(res.status, res.body).toBe(201);
      expect(res.json).toMatchObject({ ...example.body, hour_of_day: example.body.hour_of_day ?? 9, next_run_at: example.next, next_run_text: example.text, last_run_at: null, last_status: null, paused_reason: null });
      expect(res.json.next_run_local).toMatch(/^2026-1[12]-\d\dT\d\d:00:00\+01:00$/);
    }
    const list = await api.call(admin, "GET", `/api/companies/${companyId}/schedules`);
    expect(list.status).toBe(200);
    expect(list.json.items.map((s: { job_type: string }) => s.job_type)).toEqual(["full", "sales", "bills", "full"]);
  });

  it("updates a schedule when the body carries its id, toggles it and deletes it", async () => {
    const created = (await api.call(admin, "POST", `/api/companies/${companyId}/schedules`, { body: PRODUCT_EXAMPLES[0]!.body })).json;
    const updated = await api.call(admin, "POST", `/api/companies/${companyId}/schedules`, { body: { ...PRODUCT_EXAMPLES[0]!.body, id: created.id, hour_of_day: 7 } });
    expect(updated.status, updated.body).toBe(200);
    expect(updated.json).toMatchObject({ id: created.id, hour_of_day: 7, next_run_at: "2026-11-29T06:00:00.000Z", next_run_text: "Next sync: Tomorrow at 7:00 AM" });

    const off = await api.call(admin, "PATCH", `/api/schedules/${created.id}/toggle`, { body: { enabled: false } });
    expect(off.json).toMatchObject({ enabled: false, next_run_at: null, next_run_text: "Disabled" });
    api.advance(11 * 3_600_000);
    const on = await api.call(admin, "PATCH", `/api/schedules/${created.id}/toggle`, { body: { enabled: true } });
    expect(on.json).toMatchObject({ enabled: true, next_run_at: "2026-11-29T06:00:00.000Z", next_run_text: "Next sync: Tomorrow at 7:00 AM" });

    const del = await api.call(admin, "DELETE", `/api/schedules/${created.id}`);
    expect(del.json).toEqual({ deleted: true, id: created.id });
    expect((await api.call(admin, "DELETE", `/api/schedules/${created.id}`)).status).toBe(404);
    const audit = await api.call(admin, "GET", "/api/audit?action=schedule.");
    expect(audit.json.items.map((e: { action: string }) => e.action)).toEqual(["schedule.delete", "schedule.enable", "schedule.disable", "schedule.update", "schedule.create"]);
  });

  it("names every bad field, refuses unknown fields and strings for numbers, and saves nothing", async () => {
    const res = await api.call(admin, "POST", `/api/companies/${companyId}/schedules`, {
      body: { job_type: "payroll", frequency: "weekly", hour_of_day: "9", date_range_days: 0, enabled: "yes", colour: "red" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("validation_failed");
    expect(Object.keys(res.json.error.fields).sort()).toEqual(["colour", "date_range_days", "day_of_week", "enabled", "hour_of_day", "job_type"]);
    expect(res.json.error.fields.colour).toBe("colour is not a known field");
    expect(res.json.error.fields.hour_of_day).toMatch(/^hour_of_day must be a whole number/);
    const bad = await api.call(admin, "POST", `/api/companies/${companyId}/schedules`, { body: { ...PRODUCT_EXAMPLES[0]!.body, timezone: "Mars/Olympus" } });
    expect(bad.json.error.fields.timezone).toMatch(/not a known IANA time zone/);
    expect((await api.call(admin, "GET", `/api/companies/${companyId}/schedules`)).json.items).toEqual([]);
  });

  it("lists every visible schedule for monitoring with company names, paged", async () => {
    const other = (await api.createCompany(admin, "L98765432B", "Beta sha")).id;
    for (const id of [companyId, other, companyId]) {
      await api.call(admin, "POST", `/api/companies/${id}/schedules`, { body: PRODUCT_EXAMPLES[0]!.body });
    }
    const first = await api.call(admin, "GET", "/api/schedules?limit=2");
    expect(first.json.items.map((s: { company_name: string }) => s.company_name)).toEqual(["Alfa shpk", "Alfa shpk"]);
    const second = await api.call(admin, "GET", `/api/schedules?limit=2&cursor=${first.json.next_cursor}`);
    expect(second.json.items.map((s: { company_name: string }) => s.company_name)).toEqual(["Beta sha"]);
    expect(second.json.next_cursor).toBeNull();
    expect(T0.toISOString()).toBe("2026-11-28T07:00:00.000Z");
  });
});
