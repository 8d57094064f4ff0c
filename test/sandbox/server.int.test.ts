import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxServer, type SandboxServer } from "../../src/sandbox/server.js";
import { adminJson, listInvoices, login } from "./devpos/devpos-client.js";

let dir: string;
let stateFile: string;
const servers: SandboxServer[] = [];

async function start(seed?: number): Promise<SandboxServer> {
  const server = await createSandboxServer({ port: 0, seed, stateFile, saveDebounceMs: 10 });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "devsync-sandbox-server-"));
  stateFile = join(dir, "state.json");
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe("combined sandbox server", () => {
  let first: SandboxServer;
  let realmId: string;
  let eic: string;
  let token: string;

  it("serves an index of the URLs devsync should use, as JSON and HTML", async () => {
    first = await start(3);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = (await (await fetch(`${first.url}/`)).json()) as { urls: Record<string, string>; demoTenants: unknown[] };
    expect(index.urls).toEqual({
      qboAuthorizeUrl: `${first.url}/qbo/connect/oauth2`,
      qboTokenUrl: `${first.url}/qbo/oauth2/v1/tokens/bearer`,
      qboRevokeUrl: `${first.url}/qbo/v2/oauth2/tokens/revoke`,
      qboApiBase: `${first.url}/qbo`,
      devposBase: `${first.url}/devpos`,
    });
    expect(index.demoTenants).toHaveLength(2);
    expect(JSON.stringify(index)).not.toContain("sandbox-");
    const html = await fetch(`${first.url}/`, { headers: { accept: "text/html" } });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    expect(await html.text()).toContain(`${first.url}/devpos`);
  });

  it("serves both simulators, each with its own form parsing", async () => {
    const demo = first.demoTenants[0]!;
    token = await login(`${first.url}/devpos`, demo.tenant, demo.username, demo.password);
    const docs = await adminJson(`${first.url}/devpos`, "GET", `/_admin/tenants/${demo.tenant}/documents`);
    expect(docs.json.documents.length).toBe(demo.documents);
    eic = docs.json.documents[0].row.eic;
    expect((await adminJson(`${first.url}/devpos`, "PATCH", `/_admin/tenants/${demo.tenant}/documents/${eic}`, { amount: 4321.09 })).status).toBe(200);

    const realm = await adminJson(`${first.url}/qbo`, "POST", "/_admin/realms", { companyName: "Sandbox Co" });
    expect(realm.status).toBe(201);
    realmId = realm.json.realmId;
    const qboToken = await fetch(`${first.url}/qbo/oauth2/v1/tokens/bearer`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("sandbox-client:sandbox-secret").toString("base64")}` },
      body: "grant_type=refresh_token&refresh_token=unknown",
    });
    expect(qboToken.status).toBe(400);
    expect(((await qboToken.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("advances the shared clock for both simulators", async () => {
    const before = (await adminJson(first.url, "GET", "/_admin/clock")).json;
    const after = await adminJson(first.url, "POST", "/_admin/clock/advance", { ms: 3_600_000 });
    expect(after.json.offsetMs - before.offsetMs).toBe(3_600_000);
    expect(first.clock.offsetMs()).toBe(after.json.offsetMs);
    expect((await adminJson(first.url, "POST", "/_admin/clock/advance", { ms: -5 })).status).toBe(400);
  });

  it("keeps state, clock and tokens across a restart with the same state file", async () => {
    const offset = first.clock.offsetMs();
    await first.close();
    const saved = JSON.parse(await readFile(stateFile, "utf8")) as { version: number; clockOffsetMs: number };
    expect(saved).toMatchObject({ version: 1, clockOffsetMs: offset });

    const second = await start();
    expect(second.clock.offsetMs()).toBe(offset);
    expect(second.demoTenants).toEqual(first.demoTenants);
    const demo = second.demoTenants[0]!;
    const docs = await adminJson(`${second.url}/devpos`, "GET", `/_admin/tenants/${demo.tenant}/documents`);
    expect(docs.json.documents.find((d: { row: { eic: string } }) => d.row.eic === eic).trueAmount).toBe(4321.09);
    expect(second.qbo.stats(realmId)).toBeDefined();
    const res = await listInvoices(`${second.url}/devpos`, "GetSalesInvoice", { token, tenant: demo.tenant, fromDate: "2000-01-01", toDate: "2100-01-01" });
    expect(res.status).toBe(200);

    // Changes after the restart are saved without waiting for close (debounced).
    await adminJson(second.url, "POST", "/_admin/clock/advance", { ms: 1000 });
    await adminJson(`${second.url}/devpos`, "POST", "/_admin/tenants", { tenant: "M00000001Z", username: "late", password: "pw" });
    await new Promise((r) => setTimeout(r, 100));
    const resaved = JSON.parse(await readFile(stateFile, "utf8")) as { clockOffsetMs: number; devpos: { tenants: { tenant: string }[] } };
    expect(resaved.clockOffsetMs).toBe(offset + 1000);
    expect(resaved.devpos.tenants.map((t) => t.tenant)).toContain("M00000001Z");
    await second.close();
    await second.close();
  });

  it("starts empty in memory without a seed or state file", async () => {
    const server = await createSandboxServer({ port: 0 });
    servers.push(server);
    expect(server.demoTenants).toEqual([]);
    expect((await adminJson(`${server.url}/devpos`, "GET", "/_admin/tenants")).json).toEqual({ tenants: [] });
    await server.close();
  });
});
