import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { anonymous, ApiHarness } from "./harness.js";
import { buildScenario, type Scenario } from "./scenario.js";

describeEachDatabase("API security", (current) => {
  let api: ApiHarness;

  afterEach(async () => api?.close());

  describe("with a scenario", () => {
    let s: Scenario;
    beforeEach(async () => {
      api = await ApiHarness.create(current());
      s = await buildScenario(api);
    });

    it("stores secrets only as ciphertext or hashes: no secret the tests created appears in any table", async () => {
      const db = api.database.db;
      const dump: string[] = [];
      for (const table of ["users", "sessions", "api_keys", "devpos_credentials", "qbo_connections", "oauth_states", "audit_log"] as const) {
        const rows = await (db as any).selectFrom(table).selectAll().execute();
        dump.push(JSON.stringify(rows));
      }
      const text = dump.join("\n");
      expect(api.secrets.size).toBeGreaterThan(8);
      for (const secret of api.secrets) expect(text.includes(secret), `a created secret is stored in plain text: ${secret.slice(0, 4)}…`).toBe(false);
      const creds = await db.selectFrom("devpos_credentials").select("password_enc").execute();
      expect(creds.every((c) => c.password_enc.startsWith("v1."))).toBe(true);
      const tokens = await db.selectFrom("qbo_connections").select(["access_token_enc", "refresh_token_enc"]).execute();
      expect(tokens.every((t) => t.access_token_enc!.startsWith("v1.") && t.refresh_token_enc!.startsWith("v1."))).toBe(true);
      const users = await db.selectFrom("users").select("password_hash").execute();
      expect(users.every((u) => u.password_hash.startsWith("scrypt$"))).toBe(true);
      expect((await db.selectFrom("sessions").select("token_hash").execute()).every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
      expect((await db.selectFrom("api_keys").select("token_hash").execute()).every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
      expect(s.keyA.key.startsWith("dsk_")).toBe(true);
    });

    it("answers client mistakes with the envelope and the right 4xx", async () => {
      const url = `/api/schedules/${s.a.scheduleId}/toggle`;
      const cases: [string, Parameters<ApiHarness["call"]>[3], number, string][] = [
        ["malformed JSON", { rawBody: "{\"enabled\": tru", contentType: "application/json" }, 400, "malformed_json"],
        ["empty JSON body", { rawBody: "", contentType: "application/json" }, 400, "malformed_json"],
        ["wrong content type", { rawBody: "enabled=true", contentType: "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
        ["unknown field", { body: { enabled: true, force: 1 } }, 400, "validation_failed"],
        ["string for a boolean", { body: { enabled: "true" } }, 400, "validation_failed"],
        ["array body", { body: [true] }, 400, "validation_failed"],
        ["oversized body", { rawBody: JSON.stringify({ enabled: true, pad: "x".repeat(1_100_000) }), contentType: "application/json" }, 413, "body_too_large"],
      ];
      for (const [label, options, status, code] of cases) {
        const res = await api.call(s.keyA, "PATCH", url, options);
        expect(res.status, `${label}: ${res.body.slice(0, 200)}`).toBe(status);
        expect(res.json.error.code, label).toBe(code);
      }
      const unknown = await api.call(s.keyA, "PATCH", url, { body: { enabled: true, force: 1 } });
      expect(unknown.json.error.fields).toEqual({ force: "force is not a known field" });
      expect((await api.call(s.keyA, "GET", "/api/runs/abc")).status).toBe(400);
      expect((await api.call(s.keyA, "GET", "/api/runs/99999999999")).status).toBe(400);
      expect((await api.call(s.keyA, "GET", "/api/runs?cursor=bm90LWEtY3Vyc29y")).json.error.fields).toEqual({ cursor: "cursor is invalid" });
      expect((await api.call(anonymous, "GET", "/api/companies")).status).toBe(401);
      expect((await api.call(s.keyA, "GET", "/api/nope")).json.error.code).toBe("not_found");
    });
  });

  it("sets the session cookie HttpOnly, SameSite=Lax, and Secure when devsync is served over HTTPS", async () => {
    api = await ApiHarness.create(current(), { publicUrl: "https://devsync.example.al" });
    const res = await api.call(anonymous, "POST", "/api/auth/setup", { body: { email: "boss@firm.al", name: "Boss", password: "boss-password-1" } });
    api.secrets.add("boss-password-1");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/^devsync_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Secure/);
  });

  it("first-admin setup is race-safe: of concurrent setups exactly one succeeds", async () => {
    api = await ApiHarness.create(current());
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.call(anonymous, "POST", "/api/auth/setup", { body: { email: `admin${i}@firm.al`, name: `Admin ${i}`, password: `password-number-${i}` } })),
    );
    for (let i = 0; i < 6; i += 1) api.secrets.add(`password-number-${i}`);
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const count = await sql<{ n: number | string }>`select count(*) as n from users`.execute(api.database.db);
    expect(Number(count.rows[0]!.n)).toBe(1);
    expect((await api.call(anonymous, "GET", "/api/auth/setup")).json).toEqual({ setup_needed: false });
  });
});

