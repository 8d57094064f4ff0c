import fc from "fast-check";
import { afterEach, beforeEach, expect, it } from "vitest";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { anonymous, ApiHarness, type Client } from "./harness.js";
import { buildScenario, type Scenario } from "./scenario.js";
import { snapshotDatabase } from "./snapshot.js";

/**
 * Property-based fuzzing of the whole API: random and malformed requests to every documented
 * route, as every kind of caller. No answer may be a 5xx, and a batch in which every write was
 * rejected must leave every table exactly as it was.
 */
const REQUESTS = Number(process.env.DEVSYNC_FUZZ_REQUESTS ?? 5000);
const BATCH = 25;
const BODY_LIMIT = 16 * 1024;

const FIELD_NAMES = [
  "id", "job_type", "frequency", "hour_of_day", "minute", "day_of_week", "day_of_month", "date_range_days", "enabled", "timezone",
  "cron_expression", "email", "password", "name", "code", "role", "active", "tenant", "username", "days", "from", "to", "view", "run",
  "manage_schedules", "edit_connections", "companies", "company_id", "expires_at", "tax_mode", "vat_tax_code_id", "vat_rate_codes",
  "income_item_id", "expense_account_id", "home_currency", "on_deleted_in_qbo", "__proto__", "constructor", "",
];

const nasty = fc.constantFrom(
  "", " ", "\u0000", "a\u0000b", "'; drop table users; --", "%", "_", "!", "../../etc/passwd", "<script>alert(1)</script>",
  "\ud800", "😀".repeat(50), "x".repeat(300), "9".repeat(40), "-1", "0", "1e309", "NaN", "null", "true", "Europe/Tirane", "Mars/Olympus",
  "2026-02-30", "2026-11-28", "2026-11-28T00:00:00Z", "sales", "bills", "purchases", "full", "daily", "weekly", "monthly", "hourly", "cron",
  "*/5 * * * *", "admin", "member", "K12345678A", "a@b.al",
);

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 400 }) },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.constant(2 ** 53 + 1), fc.constant(-0), fc.constant(1e308), fc.constant(2_147_483_648)) },
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.record({ company_id: fc.integer({ min: -1, max: 50 }) })), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.oneof(fc.integer(), fc.boolean(), nasty), { maxKeys: 3 }) },
);

const objectBody = fc.dictionary(fc.constantFrom(...FIELD_NAMES), jsonValue, { maxKeys: 9 });

/** A plausible body: the right fields with mostly right values, one or two wrong. */
const plausibleSchedule = fc.record(
  {
    job_type: fc.constantFrom("sales", "bills", "full", "purchases", "x"),
    frequency: fc.constantFrom("hourly", "daily", "weekly", "monthly", "cron", "yearly"),
    hour_of_day: fc.oneof(fc.integer({ min: -1, max: 24 }), fc.constant(null), fc.constant("9")),
    day_of_week: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constant(null)),
    day_of_month: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constant(null)),
    date_range_days: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant("30")),
    enabled: fc.oneof(fc.boolean(), fc.constant("true")),
    id: fc.integer({ min: 1, max: 5 }),
    minute: fc.integer({ min: -1, max: 60 }),
    timezone: fc.constantFrom("Europe/Tirane", "UTC", "Nowhere/Land"),
  },
  { requiredKeys: ["job_type", "frequency"] },
);

type BodyKind =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "raw"; raw: string; contentType: string };

const body: fc.Arbitrary<BodyKind> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 6, arbitrary: objectBody.map((value) => ({ kind: "json" as const, value })) },
  { weight: 3, arbitrary: plausibleSchedule.map((value) => ({ kind: "json" as const, value })) },
  { weight: 2, arbitrary: jsonValue.map((value) => ({ kind: "json" as const, value })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(objectBody, fc.integer({ min: 1, max: 30 }))
      .map(([value, cut]) => ({ kind: "raw" as const, raw: JSON.stringify(value).slice(0, cut) + (cut % 2 ? "}" : ""), contentType: "application/json" })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: "raw" as const, raw: "{\"enabled\": tru}", contentType: "application/json" },
      { kind: "raw" as const, raw: "", contentType: "application/json" },
      { kind: "raw" as const, raw: "enabled=true", contentType: "application/x-www-form-urlencoded" },
      { kind: "raw" as const, raw: "<enabled>true</enabled>", contentType: "application/xml" },
      { kind: "raw" as const, raw: "{\"enabled\": true}", contentType: "text/plain" },
      { kind: "raw" as const, raw: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--", contentType: "multipart/form-data; boundary=x" },
      { kind: "raw" as const, raw: "{\"enabled\": true}", contentType: "application/json; charset=latin1" },
      { kind: "raw" as const, raw: "\u0000\u0001\u0002", contentType: "application/octet-stream" },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 }).map((size) => ({
      kind: "raw" as const,
      raw: JSON.stringify({ name: "x".repeat(size) }),
      contentType: "application/json",
    })),
  },
);

const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom("limit", "cursor", "search", "status", "trigger", "job_type", "from", "to", "company_id", "enabled", "paused", "days", "after", "kind", "state", "voided", "action", "role", "include_revoked", "code", "state", "realmId", "error", "x"),
          fc.oneof(nasty, fc.integer({ min: -3, max: 300 }).map(String), fc.string({ maxLength: 12 })),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${encodeQuery(v)}`).join("&")}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(...["[1.5]", "[1e308]", "[2147483648]", '["a\\u0000b",1]', '["x",2147483648]'].map((c) => `?cursor=${b64url(c)}`)) },
  { weight: 1, arbitrary: fc.constantFrom("?limit=1&limit=2", "?cursor=WzFd", "?cursor=eyJ4IjoxfQ", "?search=%00", "?limit=%F0%9F%98%80", "?status=failed,partial", "?from=2026-13-45") },
);

function b64url(json: string): string {
  return Buffer.from(json, "utf8").toString("base64url");
}

/** Lone surrogates cannot be encoded; send the bytes of one (invalid UTF-8) instead. */
function encodeQuery(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80";
  }
}

interface FuzzRequest {
  operation: number;
  ids: string[];
  caller: number;
  body: BodyKind;
  query: string;
  csrf: "keep" | "drop" | "wrong";
  methodOverride: string | null;
}

describeEachDatabase("API fuzz", (current, dialect) => {
  let api: ApiHarness;
  let s: Scenario;

  beforeEach(async () => {
    api = await ApiHarness.create(current(), { bodyLimitBytes: BODY_LIMIT, loginThrottle: { accountFreeFailures: 1_000_000, addressFreeFailures: 1_000_000 } });
    s = await buildScenario(api);
  });
  afterEach(async () => api?.close());

  /** Cursors no list hands out, each a value PostgreSQL or MariaDB would refuse with a 500. */
  const FORGED_CURSORS = [
    ["[1.5]", b64url("[1.5]")],
    ["[1e308]", b64url("[1e308]")],
    ["[2147483648]", b64url("[2147483648]")],
    ["[-1]", b64url("[-1]")],
    ["[\"a\\u0000b\", 1]", b64url('["a\\u0000b",1]')],
    ["[\"\\u0000\"]", b64url('["\\u0000"]')],
    ["[\"x\", 2147483648]", b64url('["x",2147483648]')],
    ["[\"\\ud800\", 1]", b64url('["\\ud800",1]')],
    ["[9007199254740993]", b64url("[9007199254740993]")],
    ["not base64", "%%%"],
    ["{}", b64url("{}")],
  ] as const;

  it("answers forged page cursors on every paged list with a 400 naming the cursor", async () => {
    const doc = await api.openApiDocument();
    const lists = Object.entries<any>(doc.paths).filter(([, item]) => item.get?.parameters?.some((p: { name: string; in: string }) => p.name === "cursor" && p.in === "query"));
    expect(lists.map(([path]) => path).sort()).toEqual(expect.arrayContaining(["/api/api-keys", "/api/audit", "/api/companies", "/api/runs", "/api/schedules", "/api/users"]));
    let checked = 0;
    for (const [template] of lists) {
      const path = template.replace(/\{[^}]+\}/g, String(s.a.id));
      for (const [name, cursor] of FORGED_CURSORS) {
        const res = await api.call(s.admin, "GET", `${path}?cursor=${encodeURIComponent(cursor)}`);
        expect(res.status, `${path} with cursor ${name}: ${res.body.slice(0, 300)}`).toBe(400);
        expect(res.json.error.code).toBe("validation_failed");
        expect(Object.keys(res.json.error.fields ?? {}), `${path} ${name}`).toEqual(["cursor"]);
        checked += 1;
      }
      // A real cursor of another list has the wrong shape for this one: still a 400, never a 500.
      const res = await api.call(s.admin, "GET", `${path}?cursor=${b64url('["Alfa",1]')}`);
      expect([200, 400], `${path}: ${res.body.slice(0, 200)}`).toContain(res.status);
    }
    expect(checked).toBe(lists.length * FORGED_CURSORS.length);
  });

  it("answers ids beyond the database's integer range with a 400, in bodies and addresses", async () => {
    for (const id of [2147483648, 1e308, 1.5, -1, 0]) {
      const key = await api.call(s.admin, "POST", "/api/api-keys", { body: { name: "k", companies: [{ company_id: id, view: true }] } });
      expect(key.status, `company_id ${id}: ${key.body}`).toBe(400);
      expect(Object.keys(key.json.error.fields)).toEqual(["companies.0.company_id"]);
    }
    for (const [method, path] of [["GET", "/api/companies/2147483648"], ["GET", "/api/runs/2147483648"], ["PUT", `/api/users/${s.otherUserId}/companies/2147483648`], ["GET", "/api/runs?company_id=2147483648"], ["GET", "/api/runs/1/events?after=2147483648"]] as const) {
      const res = await api.call(s.admin, method, path, method === "PUT" ? { body: {} } : {});
      expect(res.status, `${method} ${path}: ${res.body}`).toBe(400);
      expect(res.json.error.code).toBe("validation_failed");
    }
  });

  it("answers what Fastify refuses before routing in the error envelope", async () => {
    for (const url of ["/api/%E0%A4%A", "/api/companies/%E0%A4%A", "/api/companies/%", "/%E0%A4%A"]) {
      const res = await api.call(s.admin, "GET", url, { skipOpenApi: true });
      expect(res.status, `${url}: ${res.body}`).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json, url).toEqual({ error: { code: "bad_url", message: expect.stringContaining("percent-encoding") } });
    }
    const long = await api.call(s.admin, "GET", `/api/companies/${"9".repeat(300)}`, { skipOpenApi: true });
    expect(long.status, long.body).toBe(414);
    expect(long.json).toEqual({ error: { code: "uri_too_long", message: expect.stringContaining("too long") } });

    // What Node's HTTP parser refuses never reaches Fastify: a request line over its 16 KiB limit.
    const address = await api.app.listen({ port: 0, host: "127.0.0.1" });
    const huge = await fetch(`${address}/api/companies?search=${"x".repeat(20_000)}`);
    expect(huge.status).toBe(431);
    expect(huge.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await huge.json()).toEqual({ error: { code: "headers_too_large", message: expect.any(String) } });
  });

  it(`survives ${REQUESTS} random and malformed requests: no 5xx, rejected requests change nothing`, { timeout: 900_000 }, async () => {
    const doc = await api.openApiDocument();
    const operations: { method: string; path: string }[] = [];
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(item)) if (["get", "post", "put", "patch", "delete"].includes(method)) operations.push({ method: method.toUpperCase(), path });
    }
    expect(operations.length).toBeGreaterThan(40);

    const idPool = [
      String(s.a.id), String(s.b.id), String(s.a.scheduleId), String(s.b.scheduleId), String(s.a.runId), String(s.b.runId),
      String(s.otherUserId), String(s.memberA.userId), String(s.otherKeyId), "0", "-1", "999999", "2147483648", "99999999999999999999", "abc", "1.5",
      "%00", "%2e%2e", "1e3", " 1", "😀",
    ];
    const bogus: Client[] = [
      { name: "bogus bearer", kind: "key", headers: { authorization: "Bearer dsk_not-a-real-key" } },
      { name: "malformed auth", kind: "key", headers: { authorization: "Basic YWRtaW46YWRtaW4=" } },
      { name: "bogus cookie", kind: "session", headers: { cookie: "devsync_session=forged; other=1" } },
    ];
    const callers: Client[] = [s.admin, s.memberA, s.keyA, s.viewerA, anonymous, ...bogus];

    const requestArb: fc.Arbitrary<FuzzRequest> = fc.record({
      operation: fc.integer({ min: 0, max: operations.length - 1 }),
      ids: fc.array(fc.constantFrom(...idPool), { minLength: 2, maxLength: 2 }),
      caller: fc.constantFrom(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7),
      body,
      query,
      csrf: fc.constantFrom("keep", "keep", "keep", "drop", "wrong"),
      methodOverride: fc.option(fc.constantFrom("PUT", "PATCH", "DELETE", "POST", "GET", "OPTIONS", "HEAD"), { freq: 8 }),
    });
    /**
     * Keeps the cast alive so the whole run exercises authorised callers: the admin may not
     * delete or demote the scenario's own users, keys and company A, and sessions do not log out.
     * (Those paths are covered by their own tests; here they would turn the rest into 401s.)
     */
    const protectCast = (template: string, method: string, caller: Client, ids: string[]): string[] | null => {
      if (template === "/api/auth/logout" && caller.kind === "session") return null;
      if (caller !== s.admin || method === "GET") return ids;
      if (template.startsWith("/api/users/{id}")) return [String(s.otherUserId), ids[1]!];
      if (template.startsWith("/api/api-keys/{id}")) return [String(s.otherKeyId), ids[1]!];
      if (template === "/api/companies/{id}" && method === "DELETE") return ["999999", ids[1]!];
      return ids;
    };
    const seed = Number(process.env.DEVSYNC_FUZZ_SEED ?? 20261128);
    const requests = fc.sample(requestArb, { numRuns: Math.ceil(REQUESTS * 1.1), seed });

    let sent = 0;
    let maxStatus = 0;
    let comparedBatches = 0;
    const statuses = new Map<number, number>();
    for (let start = 0; start < requests.length && sent < REQUESTS; start += BATCH) {
      const before = await snapshotDatabase(api.database.db);
      let writeAccepted = false;
      for (const r of requests.slice(start, start + BATCH)) {
        if (sent >= REQUESTS) break;
        const op = operations[r.operation]!;
        let i = 0;
        const method = r.methodOverride ?? op.method;
        const caller = callers[r.caller]!;
        const ids = protectCast(op.path, method, caller, r.ids);
        if (ids === null) continue;
        const path = op.path.replace(/\{[^}]+\}/g, () => ids[i++ % ids.length]!);
        const headers: Record<string, string> = {};
        if (caller.kind === "session" && r.csrf !== "keep") headers["x-csrf-token"] = r.csrf === "wrong" ? "not-the-token" : "";
        const client: Client = { ...caller, headers: { ...caller.headers, ...headers } };
        if (r.csrf === "drop") delete client.headers["x-csrf-token"];
        const res = await api.call(client, method, path + r.query, {
          ...(r.body.kind === "json" ? { body: r.body.value } : r.body.kind === "raw" ? { rawBody: r.body.raw, contentType: r.body.contentType } : {}),
          // Method overrides hit routes that do not exist; the OpenAPI check covers the rest.
          skipOpenApi: r.methodOverride !== null,
        });
        sent += 1;
        maxStatus = Math.max(maxStatus, res.status);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${method} ${path + r.query} as ${caller.name} with ${JSON.stringify(r.body).slice(0, 300)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.status < 400 && !["GET", "HEAD", "OPTIONS"].includes(method)) writeAccepted = true;
        if (method !== "HEAD" && res.status >= 400 && res.headers["content-type"]?.toString().startsWith("application/json")) {
          expect(res.json?.error?.code, `${method} ${path}: ${res.body.slice(0, 200)}`).toEqual(expect.any(String));
        }
      }
      if (!writeAccepted) {
        expect(await snapshotDatabase(api.database.db), `batch starting at request ${start}`).toEqual(before);
        comparedBatches += 1;
      }
    }
    const summary = { dialect, sent, maxStatus, comparedBatches, batches: Math.ceil(sent / BATCH), statuses: Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])) };
    console.log(`fuzz ${JSON.stringify(summary)}`);
    expect(sent).toBe(REQUESTS);
    expect(maxStatus).toBeLessThan(500);
    expect(comparedBatches).toBeGreaterThan(REQUESTS / BATCH / 2);
  });
});
