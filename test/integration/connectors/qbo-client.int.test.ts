import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TimeoutError, type FetchLike } from "../../../src/connectors/http.js";
import { isQboNotFound, QboFault, QboThrottledError } from "../../../src/connectors/qbo/faults.js";
import { createQboClient, type QboClient, type QboEntity } from "../../../src/connectors/qbo/qbo-client.js";
import { quoteQboString } from "../../../src/connectors/qbo/query.js";
import { createRateLimiter, type QboRateLimits } from "../../../src/connectors/qbo/rate-limiter.js";
import { processRegistry } from "../../../src/process-metrics.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db.js";
import { advanceSandboxClock, connectCompany, countingFetch, createQboWorld, newCompany, sandboxRefreshCount, startSandbox, type QboWorld } from "./harness.js";

/**
 * The QuickBooks client over real HTTP against the sandbox. Token storage is exercised on every
 * database by qbo-tokens.int.test.ts; here one SQLite database holds the connection.
 */
async function qboMetricTotals(): Promise<{ requests: number; throttled: number }> {
  const sum = async (name: string) => (await processRegistry.getSingleMetric(name)!.get()).values.reduce((n, v) => n + v.value, 0);
  return { requests: await sum("devsync_qbo_requests_total"), throttled: await sum("devsync_qbo_throttled_total") };
}

let sandbox: SandboxServer;
let database: TestDatabase;
beforeAll(async () => {
  sandbox = await startSandbox();
  database = await createTestDatabase("sqlite");
});
afterAll(async () => {
  await database.drop();
  await sandbox.close();
});
afterEach(() => {
  sandbox.qbo.configure({ limits: { perMinute: 500, concurrent: 10, batchPerMinute: 40 }, faults: { errorRate: 0, hangRate: 0 }, latency: { baseMs: 0 } });
});

interface Connected {
  world: QboWorld;
  companyId: number;
  realmId: string;
  client: QboClient;
  /** A client with its own options/limiter/fetch on the same connection. */
  clientWith(options: { limits?: QboRateLimits; limiterNow?: () => number; fetch?: FetchLike; sleep?: (ms: number) => Promise<void>; maxAttempts?: number; timeoutMs?: number; maxThrottleRetries?: number; throttleWaitMs?: number }): QboClient;
}

async function connected(): Promise<Connected> {
  const world = createQboWorld(sandbox, database.db);
  const companyId = await newCompany(world.db);
  const { realmId } = await connectCompany(world, companyId, { realmId: sandbox.qbo.createRealm({ tax: false }) });
  // Connecting reads the realm's settings (realm-check.ts); the tests below count their own API calls.
  const tokenCalls = world.wire.calls.filter((call) => !call.url.includes("/v3/company/"));
  world.wire.calls.splice(0, world.wire.calls.length, ...tokenCalls);
  return {
    world,
    companyId,
    realmId,
    client: world.connector.clientFor(companyId),
    clientWith: (o) =>
      createQboClient(
        {
          companyId,
          tokens: world.connector.tokens,
          limiter: createRateLimiter(o.limits, o.limiterNow),
          clock: world.clock,
          fetch: o.fetch ?? world.wire.fetch,
          ...(o.sleep ? { sleep: o.sleep } : {}),
        },
        {
          apiBase: `${sandbox.url}/qbo`,
          backoff: { baseMs: 5, maxMs: 20 },
          throttleWaitMs: o.throttleWaitMs ?? 20,
          ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
          ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
          ...(o.maxThrottleRetries !== undefined ? { maxThrottleRetries: o.maxThrottleRetries } : {}),
        },
      ),
  };
}

const apiCalls = (world: QboWorld) => world.wire.calls.filter((c) => c.url.includes("/v3/company/"));

async function invoiceParts(client: QboClient) {
  const customer = await client.create<QboEntity>("Customer", { DisplayName: `Invoice customer ${Math.random()}` });
  const [item] = await client.queryAll<QboEntity>("Item", `Name = ${quoteQboString("Services")}`);
  return { customerId: customer.Id, itemId: item!.Id };
}

const invoiceBody = (parts: { customerId: string; itemId: string }, docNumber: string, amount = 120) => ({
  CustomerRef: { value: parts.customerId },
  DocNumber: docNumber,
  TxnDate: "2025-10-26",
  Line: [{ Amount: amount, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: { value: parts.itemId } } }],
});

describe("QBO client: calls and shapes", () => {
  let c: Connected;
  beforeEach(async () => {
    c = await connected();
  });

  it("sends minorversion=75 on every call and a requestid on every write", async () => {
    const customer = await c.client.create<QboEntity>("Customer", { DisplayName: "Minor Version sh.p.k." });
    await c.client.read("Customer", customer.Id);
    await c.client.update("Customer", { Id: customer.Id, SyncToken: customer.SyncToken, CompanyName: "MV" });
    await c.client.query("SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 10");
    await c.client.batch([{ operation: "create", entity: "Customer", body: { DisplayName: "Batch MV" } }]);
    const calls = apiCalls(c.world);
    expect(calls.length).toBe(5);
    for (const call of calls) expect(new URL(call.url).searchParams.get("minorversion")).toBe("75");
    const writes = calls.filter((call) => call.method === "POST");
    expect(writes).toHaveLength(3);
    for (const call of writes) expect(new URL(call.url).searchParams.get("requestid")).toMatch(/^[0-9a-f-]{36}$/);
    for (const call of calls.filter((x) => x.method === "GET")) expect(new URL(call.url).searchParams.has("requestid")).toBe(false);
  });

  it("a repeated requestid returns the original entity instead of a second one", async () => {
    const first = await c.client.create<QboEntity>("Customer", { DisplayName: "Idempotent shpk" }, { requestId: "sync-42-customer-1" });
    const again = await c.client.create<QboEntity>("Customer", { DisplayName: "Idempotent shpk" }, { requestId: "sync-42-customer-1" });
    expect(again.Id).toBe(first.Id);
    expect(await c.client.queryAll("Customer", `DisplayName = ${quoteQboString("Idempotent shpk")}`)).toHaveLength(1);
    await expect(c.client.create("Customer", { DisplayName: "x" }, { requestId: "x".repeat(51) })).rejects.toThrow(RangeError);
  });

  it("escapes quotes in queries and pages with STARTPOSITION/MAXRESULTS", async () => {
    const tricky = "O'Brien & Sons \\ 'Tirana'";
    await c.client.create("Customer", { DisplayName: tricky });
    const found = await c.client.queryAll<QboEntity>("Customer", `DisplayName = ${quoteQboString(tricky)}`);
    expect(found.map((x) => x.DisplayName)).toEqual([tricky]);

    for (let i = 1; i <= 5; i++) await c.client.create("Customer", { DisplayName: `Paged ${i}` });
    const before = apiCalls(c.world).length;
    const paged = await c.client.queryAll<QboEntity>("Customer", `DisplayName LIKE ${quoteQboString("Paged%")}`, { pageSize: 2 });
    const queries = apiCalls(c.world).slice(before);
    expect(paged.map((x) => x.DisplayName).sort()).toEqual(["Paged 1", "Paged 2", "Paged 3", "Paged 4", "Paged 5"]);
    expect(queries.map((q) => new URL(q.url).searchParams.get("query")!.replace(/.*(STARTPOSITION \d+ MAXRESULTS \d+)$/, "$1"))).toEqual([
      "STARTPOSITION 1 MAXRESULTS 2",
      "STARTPOSITION 3 MAXRESULTS 2",
      "STARTPOSITION 5 MAXRESULTS 2",
    ]);
  });

  it("sparse-updates, voids and deletes; stale SyncToken and not-found come back as typed faults", async () => {
    const customer = await c.client.create<QboEntity>("Customer", { DisplayName: "Sparse Customer", CompanyName: "Old" });
    const updated = await c.client.update<QboEntity>("Customer", { Id: customer.Id, SyncToken: customer.SyncToken, CompanyName: "New" });
    expect(updated).toMatchObject({ DisplayName: "Sparse Customer", CompanyName: "New", SyncToken: "1" });
    const stale = await c.client.update("Customer", { Id: customer.Id, SyncToken: "0", CompanyName: "Stale" }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(QboFault);
    expect((stale as QboFault).code).toBe("5010");

    const parts = await invoiceParts(c.client);
    const invoice = await c.client.create<QboEntity>("Invoice", invoiceBody(parts, "9/2025"));
    expect(invoice.TotalAmt).toBe(120);
    const voided = await c.client.void<QboEntity>("Invoice", { Id: invoice.Id, SyncToken: invoice.SyncToken });
    expect(voided.TotalAmt).toBe(0);
    const second = await c.client.create<QboEntity>("Invoice", invoiceBody(parts, "10/2025"));
    await c.client.delete("Invoice", { Id: second.Id, SyncToken: second.SyncToken });
    const gone = await c.client.read("Invoice", second.Id).catch((e: unknown) => e);
    expect(isQboNotFound(gone)).toBe(true);
  });

  it("parses validation faults with code, type and element", async () => {
    await c.client.create("Customer", { DisplayName: "Dup Name" });
    const duplicate = await c.client.create("Customer", { DisplayName: "Dup Name" }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(QboFault);
    expect(duplicate).toMatchObject({ httpStatus: 400, type: "ValidationFault", code: "6240" });
    const parts = await invoiceParts(c.client);
    const tooLong = await c.client.create("Invoice", invoiceBody(parts, "X".repeat(24))).catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ code: "2050", element: "DocNumber", httpStatus: 400 });
  });

  it("batches any number of items in chunks of 30, with per-item faults as values and stable request ids", async () => {
    await c.client.create("Customer", { DisplayName: "Batch Clash" });
    const items = Array.from({ length: 35 }, (_, i) => ({
      bId: `b${i}`,
      operation: "create" as const,
      entity: "Customer",
      body: { DisplayName: i === 33 ? "Batch Clash" : `Batch Customer ${i}` },
    }));
    const results = await c.client.batch(items, { requestId: "run-7-batch-1" });
    expect(results).toHaveLength(35);
    expect(results.map((r) => r.bId)).toEqual(items.map((i) => i.bId));
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ bId: "b33", ok: false });
    expect(!failed[0]!.ok && failed[0]!.fault.code).toBe("6240");
    expect(sandbox.qbo.stats(c.realmId).requests.byEndpoint["POST /batch"]).toBe(2);
    const batchIds = apiCalls(c.world).filter((x) => x.url.includes("/batch")).map((x) => new URL(x.url).searchParams.get("requestid")!);
    expect(batchIds.every((id) => id.length <= 36)).toBe(true);

    // The same call again (a retried run) replays both chunks: no new customers.
    const again = await c.client.batch(items, { requestId: "run-7-batch-1" });
    expect(again.filter((r) => r.ok).map((r) => (r.ok ? (r.value as QboEntity).Id : ""))).toEqual(results.filter((r) => r.ok).map((r) => (r.ok ? (r.value as QboEntity).Id : "")));
    expect((await c.client.queryAll("Customer", `DisplayName LIKE ${quoteQboString("Batch Customer%")}`)).length).toBe(34);
  });

  it("uploads an attachment (multipart) onto an invoice", async () => {
    const parts = await invoiceParts(c.client);
    const invoice = await c.client.create<QboEntity>("Invoice", invoiceBody(parts, "UP-1"));
    const attachable = await c.client.upload({ fileName: "einvoice.xml", contentType: "application/xml", content: "<Invoice/>", attachTo: { type: "Invoice", id: invoice.Id } });
    expect(attachable).toMatchObject({ FileName: "einvoice.xml", ContentType: "application/xml", Size: 10 });
    expect(attachable.AttachableRef).toEqual([{ EntityRef: { type: "Invoice", value: invoice.Id } }]);
    const bad = await c.client.upload({ fileName: "a.txt", contentType: "text/plain", content: "x", attachTo: { type: "Invoice", id: "999999" } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(QboFault);
  });
});

describe("QBO client: self-healing", () => {
  it("401 → one refresh and one retry; later calls use the fresh token", async () => {
    const c = await connected();
    await c.client.companyInfo();
    await advanceSandboxClock(sandbox, 2 * 3_600_000); // Intuit's clock says the token expired; ours does not know
    await expect(c.client.companyInfo()).resolves.toMatchObject({ Id: expect.any(String) });
    for (let i = 0; i < 3; i++) await c.client.query("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 1");
    const statuses = apiCalls(c.world).map((x) => x.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(c.world.wire.tokenCalls()).toBe(2); // the code exchange and one refresh
    expect(sandboxRefreshCount(sandbox, c.realmId)).toBe(1);
  });

  it("a run carries on when the sandbox clock passes the access-token expiry mid-run", async () => {
    const c = await connected();
    const created: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10 || i === 20) await advanceSandboxClock(sandbox, 61 * 60_000);
      const customer = await c.client.create<QboEntity>("Customer", { DisplayName: `Midrun ${i}` }, { requestId: `midrun-${c.realmId}-${i}` });
      created.push(customer.Id);
    }
    expect(new Set(created).size).toBe(30);
    expect(apiCalls(c.world).filter((x) => x.status === 401)).toHaveLength(2);
    expect(sandboxRefreshCount(sandbox, c.realmId)).toBe(2);
    expect((await c.client.queryAll("Customer", `DisplayName LIKE ${quoteQboString("Midrun%")}`)).length).toBe(30);
  });

  it("429 (XML) → waits throttleWaitMs, or Retry-After when sent, then succeeds", async () => {
    const c = await connected();
    sandbox.qbo.configure({ limits: { perMinute: 3 } });
    // When the sandbox throttles, let its minute pass (what the real wait would do).
    const passMinuteOn429: FetchLike = async (input, init) => {
      const response = await c.world.wire.fetch(input, init);
      if (response.status === 429) await advanceSandboxClock(sandbox, 61_000);
      return response;
    };
    const waits: number[] = [];
    const client = c.clientWith({ fetch: passMinuteOn429, throttleWaitMs: 25 });
    const metricsBefore = await qboMetricTotals();
    const started = performance.now();
    for (let i = 0; i < 5; i++) await client.query("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 1");
    waits.push(performance.now() - started);
    const throttled = apiCalls(c.world).filter((x) => x.status === 429).length;
    expect(throttled).toBeGreaterThanOrEqual(1);
    // /metrics counts what was sent: every request, and the 429s among them.
    const metricsAfter = await qboMetricTotals();
    expect(metricsAfter.requests - metricsBefore.requests).toBe(5 + throttled);
    expect(metricsAfter.throttled - metricsBefore.throttled).toBe(throttled);
    expect(waits[0]).toBeGreaterThanOrEqual(25 * throttled - 5);

    // Retry-After wins over the default, and the XML body becomes a typed fault.
    let served = 0;
    const fake: FetchLike = async (input, init) => {
      if (String(input).includes("/query") && served++ === 0) {
        return new Response('<?xml version="1.0"?><IntuitResponse><Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>', {
          status: 429,
          headers: { "content-type": "application/xml", "retry-after": "0.2" },
        });
      }
      return fetch(input, init);
    };
    const t0 = performance.now();
    await c.clientWith({ fetch: fake, throttleWaitMs: 60_000 }).query("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 1");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(performance.now() - t0).toBeLessThan(5000);

    served = 0;
    const giveUp = await c.clientWith({ fetch: fake, maxThrottleRetries: 0 }).query("SELECT * FROM Item").catch((e: unknown) => e);
    expect(giveUp).toBeInstanceOf(QboThrottledError);
    expect(giveUp).toMatchObject({ code: "3001", type: "SERVICE", httpStatus: 429, retryAfterMs: 200 });
  });

  it("5xx → jittered exponential backoff, bounded; succeeds when the fault passes", async () => {
    const c = await connected();
    sandbox.qbo.configure({ faults: { errorRate: 1 } });
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    const before = sandbox.qbo.stats(c.realmId).requests.errors5xx;
    const error = await c.clientWith({ sleep, maxAttempts: 4 }).companyInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboFault);
    expect((error as QboFault).httpStatus).toBeGreaterThanOrEqual(500);
    expect(sandbox.qbo.stats(c.realmId).requests.errors5xx - before).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps.every((ms, i) => ms >= (5 * 2 ** i) / 2 && ms <= Math.min(20, 5 * 2 ** i))).toBe(true);

    sandbox.qbo.configure({ faults: { errorRate: 0.4 } });
    const client = c.clientWith({ sleep, maxAttempts: 12 });
    for (let i = 0; i < 15; i++) await client.create("Customer", { DisplayName: `Flaky ${i}` });
    sandbox.qbo.configure({ faults: { errorRate: 0 } });
    expect(sandbox.qbo.stats(c.realmId).requests.errors5xx - before).toBeGreaterThan(4);
    // A write retried after a 5xx carries the same requestid, so nothing is created twice.
    expect((await c.client.queryAll("Customer", `DisplayName LIKE ${quoteQboString("Flaky%")}`)).length).toBe(15);
  });

  it("a call that never answers times out, is retried, and ends in TimeoutError", async () => {
    const c = await connected();
    sandbox.qbo.configure({ faults: { hangRate: 1 } });
    const error = await c.clientWith({ timeoutMs: 150, maxAttempts: 2 }).companyInfo().catch((e: unknown) => e);
    sandbox.qbo.configure({ faults: { hangRate: 0 } });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(apiCalls(c.world).filter((x) => x.url.includes("companyinfo"))).toHaveLength(0); // no answer ever arrived
  });
});

describe("QBO client: per-realm limiter", () => {
  it("keeps a burst of 150 calls and 40 batches at zero 429s under Intuit's default limits", async () => {
    const c = await connected();
    sandbox.qbo.configure({ latency: { baseMs: 40 } });
    const calls = [
      ...Array.from({ length: 150 }, (_, i) => () => c.client.query(`SELECT * FROM Item STARTPOSITION ${(i % 2) + 1} MAXRESULTS 1`)),
      ...Array.from({ length: 40 }, (_, i) => () => c.client.batch([{ operation: "create", entity: "Customer", body: { DisplayName: `Burst ${i}` } }])),
    ];
    let peak = 0;
    const probe = setInterval(() => {
      peak = Math.max(peak, c.world.connector.limiter.usage(c.realmId).inFlight);
    }, 5);
    await Promise.all(calls.map((call) => call()));
    clearInterval(probe);
    const stats = sandbox.qbo.stats(c.realmId).requests;
    console.log(`limiter burst: ${stats.total} requests, 429s=${stats.throttled429}, peak in flight=${peak}`);
    expect(stats.throttled429).toBe(0);
    expect(peak).toBeLessThanOrEqual(10);

    // Control: the same burst without our limits does get throttled.
    const unlimited = c.clientWith({ limits: { concurrent: 1000, perMinute: 100_000, batchPerMinute: 1000 }, maxThrottleRetries: 0 });
    await Promise.allSettled(Array.from({ length: 60 }, () => unlimited.query("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 1")));
    expect(sandbox.qbo.stats(c.realmId).requests.throttled429).toBeGreaterThan(0);
  });

  it("holds requests beyond the per-minute budget until the window moves on (sliding window as Intuit counts it)", async () => {
    const c = await connected();
    // The reads made on connect leave the sandbox's one-minute window first.
    await advanceSandboxClock(sandbox, 61_000);
    const base = sandbox.qbo.stats(c.realmId).requests.total;
    sandbox.qbo.configure({ limits: { perMinute: 20 } });
    const client = c.clientWith({ limits: { perMinute: 20, marginMs: 0 }, limiterNow: () => sandbox.clock.now() });
    const all = Promise.all(Array.from({ length: 30 }, () => client.query("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 1")));
    const deadline = Date.now() + 5000;
    while (sandbox.qbo.stats(c.realmId).requests.total - base < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(sandbox.qbo.stats(c.realmId).requests.total - base).toBe(20); // the other 10 wait in our limiter
    await advanceSandboxClock(sandbox, 61_000);
    await all;
    const stats = sandbox.qbo.stats(c.realmId).requests;
    expect(stats.total - base).toBe(30);
    expect(stats.throttled429).toBe(0);
  });
});
