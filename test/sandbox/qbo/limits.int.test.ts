import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import faultsFixture from "./fixtures/qbo-faults.json" with { type: "json" };
import { connectedClient, startHarness, type ApiClient, type Harness } from "./harness.js";

let h: Harness;
let api: ApiClient;
let realmId: string;
const DEFAULTS = { limits: { perMinute: 500, concurrent: 10, batchPerMinute: 40, maxBatchItems: 30 }, latency: { baseMs: 0, perBatchItemMs: 0, jitterMs: 0 }, faults: { errorRate: 0, hangRate: 0, batchErrorRate: 0, lostAnswerRate: 0, errorAfterCommitRate: 0, missingBatchItemRate: 0, replayItemFaultRate: 0 } };

beforeAll(async () => {
  h = await startHarness({ seed: 7 });
  ({ api, realmId } = await connectedClient(h));
});
afterEach(() => {
  h.sim.configure(DEFAULTS);
  h.clock.advance(61_000); // empty the rate windows between tests
});
afterAll(async () => h.close());

describe("throttling", () => {
  it("answers 429 with Intuit's XML fault after the per-minute limit, and recovers a minute later", async () => {
    h.sim.configure({ limits: { perMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await api.get("/preferences")).status).toBe(200);
    const throttled = await api.get("/preferences");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("content-type")).toContain("application/xml");
    const withoutTime = (xml: string) => xml.replace(/time="[^"]*"/, 'time=""');
    expect(withoutTime(throttled.body)).toBe(withoutTime(faultsFixture.throttled_429_xml));
    h.clock.advance(60_000);
    expect((await api.get("/preferences")).status).toBe(200);
    expect(h.sim.stats(realmId).requests.throttled429).toBeGreaterThanOrEqual(1);
  });

  it("limits batches per minute separately", async () => {
    h.sim.configure({ limits: { batchPerMinute: 1 } });
    const batch = { BatchItemRequest: [{ bId: "1", Query: "SELECT * FROM Item" }] };
    expect((await api.post("/batch", batch)).status).toBe(200);
    expect((await api.post("/batch", batch)).status).toBe(429);
    expect((await api.get("/preferences")).status).toBe(200);
  });

  it("limits concurrent requests", async () => {
    h.sim.configure({ limits: { concurrent: 2 }, latency: { baseMs: 150 } });
    const statuses = (await Promise.all([1, 2, 3].map(() => api.get("/preferences")))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    h.sim.configure({ latency: { baseMs: 0 } });
    // Finished requests give their slot back.
    for (let i = 0; i < 5; i++) expect((await api.get("/preferences")).status).toBe(200);
  });
});

describe("latency and fault injection", () => {
  it("adds base + per-item latency", async () => {
    h.sim.configure({ latency: { baseMs: 60, perBatchItemMs: 40 } });
    const started = Date.now();
    await api.post("/batch", { BatchItemRequest: [{ bId: "1", Query: "SELECT * FROM Item" }, { bId: "2", Query: "SELECT * FROM Account" }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(135);
  });

  it("injects 500/503 JSON faults without touching state", async () => {
    h.sim.configure({ faults: { errorRate: 1 } });
    const before = h.sim.createdDocuments(realmId).length;
    const statuses = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const res = await api.post("/customer", { DisplayName: `Chaos ${i}` });
      statuses.add(res.status);
      expect(res.body.Fault.type).toBe("SystemFault");
      expect(typeof res.body.time).toBe("string");
    }
    expect([...statuses].sort()).toEqual([500, 503]);
    expect(h.sim.stats(realmId).requests.errors5xx).toBeGreaterThanOrEqual(8);
    expect(h.sim.createdDocuments(realmId).length).toBe(before);
    h.sim.configure({ faults: { errorRate: 0 } });
    expect((await api.query("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE 'Chaos%'")).body.QueryResponse.totalCount).toBe(0);
  });

  it("hangs requests until the server closes", async () => {
    const own = await startHarness();
    const { api: hangApi } = await connectedClient(own);
    own.sim.configure({ faults: { hangRate: 1 } });
    const pending = hangApi.get("/preferences").then(() => "answered", () => "socket closed");
    const winner = await Promise.race([pending, new Promise((r) => setTimeout(() => r("still hanging"), 300))]);
    expect(winner).toBe("still hanging");
    await own.close();
    expect(await pending).toBe("socket closed");
  });
});

describe("stats", () => {
  it("counts by endpoint, reads vs writes", async () => {
    const { api: fresh, realmId: freshRealm } = await connectedClient(h);
    await fresh.query("SELECT * FROM Customer");
    await fresh.get("/item/1");
    await fresh.post("/customer", { DisplayName: "Counted" });
    await fresh.post("/customer", { DisplayName: "Counted" }); // 6240 still counts
    await fresh.post("/batch", { BatchItemRequest: [{ bId: "1", Query: "SELECT * FROM Item" }] });
    const stats = h.sim.stats(freshRealm);
    expect(stats.requests).toMatchObject({ total: 5, reads: 3, writes: 2, throttled429: 0, errors5xx: 0 });
    expect(stats.requests.byEndpoint).toEqual({ "GET /query": 1, "GET /item/:id": 1, "POST /customer": 2, "POST /batch": 1 });
    const http = (await (await fetch(`${h.base}/_admin/realms/${freshRealm}/stats`)).json()) as any;
    expect(http).toEqual(stats);
  });
});
