import { afterEach, expect, it } from "vitest";
import { pino } from "pino";
import { pruneExpiredLogins, startLoginHousekeeping } from "../../../src/ops/login-housekeeping.js";
import { createOAuthState } from "../../../src/storage/repos/oauth-states.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { anonymous, ApiHarness, T0 } from "./harness.js";

/**
 * Login limits that slow guessing without locking anyone out, the password rules, changing
 * one's own password, and the pruning of expired sessions and OAuth states. Time is the
 * harness's injected clock: no test sleeps.
 */
describeEachDatabase("login limits and passwords", (current) => {
  let api: ApiHarness;
  afterEach(async () => api?.close());

  const login = (email: string, password: string, from = "127.0.0.1", headers: Record<string, string> = {}) =>
    api.app.inject({ method: "POST", url: "/api/auth/login", remoteAddress: from, headers, payload: { email, password } });

  it("never counts successful logins", async () => {
    api = await ApiHarness.create(current());
    await api.setupAdmin();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await login("admin@firm.al", "admin-password-1")).statusCode);
    expect(statuses).toEqual(Array(25).fill(200));
  });

  it("delays failed logins of one account with a growing wait instead of locking it", async () => {
    api = await ApiHarness.create(current());
    await api.setupAdmin();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await login("admin@firm.al", `guess-${i}`, `10.0.${i}.1`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // From any address, the account now waits 1 s, then 2 s, 4 s…: the guesses are slowed.
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const refused = await login("admin@firm.al", "admin-password-1", `10.1.${i}.1`);
      expect(refused.statusCode, refused.body).toBe(429);
      expect(refused.json().error).toMatchObject({ code: "rate_limited", message: expect.stringContaining("this account") });
      waits.push(Number(refused.headers["retry-after"]));
      api.advance(waits.at(-1)! * 1000);
      expect((await login("admin@firm.al", `guess-again-${i}`, `10.1.${i}.1`)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    // The owner is never locked out: after the wait, the right password works, and resets the count.
    api.advance(16_000);
    expect((await login("admin@firm.al", "admin-password-1", "10.9.9.9")).statusCode).toBe(200);
    expect((await login("admin@firm.al", "wrong-once", "10.9.9.9")).statusCode).toBe(401);
    expect((await login("admin@firm.al", "admin-password-1", "10.9.9.9")).statusCode).toBe(200);
    // The longest wait for one account is a minute.
    for (let i = 0; i < 30; i += 1) {
      const res = await login("admin@firm.al", `more-${i}`, `10.2.${i}.1`);
      if (res.statusCode === 429) {
        expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(60);
        api.advance(Number(res.headers["retry-after"]) * 1000);
      }
    }
    api.advance(60_000);
    expect((await login("admin@firm.al", "admin-password-1", "10.9.9.9")).statusCode).toBe(200);
  });

  it("slows one address trying many accounts; X-Forwarded-For is ignored unless TRUST_PROXY is set", async () => {
    api = await ApiHarness.create(current());
    await api.setupAdmin();
    for (let i = 0; i < 20; i += 1) {
      // A forged X-Forwarded-For does not give the attacker a fresh address.
      const res = await login(`user${i}@firm.al`, "guess-guess", "198.51.100.7", { "x-forwarded-for": `203.0.113.${i}` });
      expect(res.statusCode, res.body).toBe(401);
    }
    const slowed = await login("admin@firm.al", "admin-password-1", "198.51.100.7", { "x-forwarded-for": "203.0.113.99" });
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json().error.message).toContain("your network address");
    // Someone else is not affected.
    expect((await login("admin@firm.al", "admin-password-1", "198.51.100.8")).statusCode).toBe(200);
  });

  it("with TRUST_PROXY, takes the client address the proxy saw (limits and audit log)", async () => {
    api = await ApiHarness.create(current(), { trustProxy: 1 });
    const admin = await api.setupAdmin();
    // The proxy on 127.0.0.1 appends the client's address; anything before it came from the client.
    for (let i = 0; i < 20; i += 1) {
      expect((await login(`user${i}@firm.al`, "guess-guess", "127.0.0.1", { "x-forwarded-for": `6.6.6.${i}, 203.0.113.50` })).statusCode).toBe(401);
    }
    expect((await login("admin@firm.al", "admin-password-1", "127.0.0.1", { "x-forwarded-for": "203.0.113.50" })).statusCode).toBe(429);
    expect((await login("admin@firm.al", "admin-password-1", "127.0.0.1", { "x-forwarded-for": "203.0.113.51" })).statusCode).toBe(200);
    const audit = await api.call(admin, "GET", "/api/audit?action=auth.login_failed&limit=1");
    expect(audit.json.items[0].ip).toBe("203.0.113.50");
  });

  it("refuses common passwords and the account's own email, naming the field", async () => {
    api = await ApiHarness.create(current());
    for (const password of ["password123", "qwertyuiop", "1234567890", "Iloveyou123"]) {
      const res = await api.call(anonymous, "POST", "/api/auth/setup", { body: { email: "anna@firm.al", name: "Anna", password } });
      expect(res.status, `${password}: ${res.body}`).toBe(400);
      expect(res.json.error.fields.password).toContain("common passwords");
    }
    for (const password of ["anna.hoxha@firm.al", "ANNA.HOXHA@FIRM.AL", "anna.hoxha"]) {
      const res = await api.call(anonymous, "POST", "/api/auth/setup", { body: { email: "anna.hoxha@firm.al", name: "Anna", password } });
      expect(res.status, `${password}: ${res.body}`).toBe(400);
      expect(res.json.error.fields).toEqual({ password: "password must not be the account's email address" });
    }
    const admin = await api.setupAdmin();
    const create = await api.call(admin, "POST", "/api/users", { body: { email: "blerta.kola@firm.al", name: "Blerta", password: "blerta.kola@firm.al" } });
    expect(create.status, create.body).toBe(400);
    expect(create.json.error.fields.password).toContain("email");
    const member = await api.call(admin, "POST", "/api/users", { body: { email: "blerta.kola@firm.al", name: "Blerta", password: "a good long passphrase" } });
    expect(member.status).toBe(201);
    const patch = await api.call(admin, "PATCH", `/api/users/${member.json.id}`, { body: { password: "blerta.kola@firm.al" } });
    expect(patch.status, patch.body).toBe(400);
    expect(patch.json.error.fields.password).toContain("email");
  });

  it("lets a member change their own password with the current one; other sessions end", async () => {
    api = await ApiHarness.create(current());
    const admin = await api.setupAdmin();
    const company = await api.createCompany(admin, "K12345678A", "Alfa");
    const member = await api.createMember(admin, "drita@firm.al", [{ companyId: company.id }]);
    const password = [...api.secrets].find((s) => s.startsWith("pw-drita@firm.al-"))!;
    const elsewhere = await api.login("drita@firm.al", password);
    const key = await api.createKey(admin, "robot", [{ company_id: company.id }]);

    const wrong = await api.call(member, "POST", "/api/auth/password", { body: { current_password: "not-it-at-all", new_password: "a brand new passphrase" } });
    expect(wrong.status, wrong.body).toBe(400);
    expect(wrong.json.error.fields).toEqual({ current_password: "current_password is not right" });
    const common = await api.call(member, "POST", "/api/auth/password", { body: { current_password: password, new_password: "password123" } });
    expect(common.status).toBe(400);
    expect(Object.keys(common.json.error.fields)).toEqual(["new_password"]);
    const own = await api.call(member, "POST", "/api/auth/password", { body: { current_password: password, new_password: "drita@firm.al" } });
    expect(own.status).toBe(400);
    expect((await api.call(key, "POST", "/api/auth/password", { body: { current_password: "x", new_password: "a brand new passphrase" } })).status).toBe(403);
    expect((await api.call({ ...member, headers: { cookie: member.headers.cookie! } }, "POST", "/api/auth/password", { body: { current_password: password, new_password: "a brand new passphrase" } })).status).toBe(403);

    api.secrets.add("a brand new passphrase");
    const ok = await api.call(member, "POST", "/api/auth/password", { body: { current_password: password, new_password: "a brand new passphrase" } });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json).toEqual({ ok: true, other_sessions_ended: 1 });
    expect((await api.call(member, "GET", "/api/auth/me")).status).toBe(200);
    expect((await api.call(elsewhere, "GET", "/api/auth/me")).status).toBe(401);
    expect((await login("drita@firm.al", password)).statusCode).toBe(401);
    expect((await login("drita@firm.al", "a brand new passphrase")).statusCode).toBe(200);
    const audit = await api.call(admin, "GET", "/api/audit?action=auth.password_change");
    expect(audit.json.items).toHaveLength(1);
  });

  it("prunes expired sessions and OAuth states, keeping live ones", async () => {
    api = await ApiHarness.create(current());
    const admin = await api.setupAdmin();
    const company = await api.createCompany(admin, "K12345678A", "Alfa");
    const db = api.database.db;
    await createOAuthState(db, { stateHash: "a".repeat(64), companyId: company.id, userId: null, expiresAt: new Date(T0.getTime() + 600_000), now: T0 });
    await createOAuthState(db, { stateHash: "b".repeat(64), companyId: company.id, userId: null, expiresAt: new Date(T0.getTime() + 7_200_000), now: T0 });
    api.advance(3_600_000);
    const live = await api.login("admin@firm.al", "admin-password-1");
    expect(await db.selectFrom("sessions").select("id").execute()).toHaveLength(2);

    // The setup session (idle 12 h) expired; the login an hour later has not.
    const result = await pruneExpiredLogins(db, new Date(T0.getTime() + 12 * 3_600_000 + 1000));
    expect(result).toEqual({ sessions: 1, oauthStates: 2 });
    expect(await db.selectFrom("sessions").select("id").execute()).toHaveLength(1);
    api.setNow(new Date(T0.getTime() + 12 * 3_600_000 + 1000));
    expect((await api.call(live, "GET", "/api/auth/me")).status).toBe(200);

    // The task `serve` starts prunes at once (the live session expires 12 h after its last use).
    api.advance(13 * 3_600_000);
    const task = startLoginHousekeeping({ db, clock: { now: () => api.now() }, logger: pino({ level: "silent" }) });
    await task.stop();
    expect(await db.selectFrom("sessions").select("id").execute()).toHaveLength(0);
    expect(await task.runNow()).toEqual({ sessions: 0, oauthStates: 0 });
  });

  it("sends Content-Security-Policy everywhere and Cache-Control: no-store on every API answer", async () => {
    api = await ApiHarness.create(current());
    const admin = await api.setupAdmin();
    for (const [client, method, url] of [[admin, "GET", "/api/auth/me"], [anonymous, "GET", "/api/companies"], [admin, "GET", "/api/nope"], [admin, "GET", "/api/companies?limit=x"], [anonymous, "GET", "/api/openapi.json"]] as const) {
      const res = await api.call(client, method, url, { skipOpenApi: true });
      expect(res.headers["cache-control"], `${method} ${url} (${res.status})`).toBe("no-store");
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
    }
  });
});
