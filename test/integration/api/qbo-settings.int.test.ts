import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { qboConnectServiceFrom, qboRealmCheckFrom } from "../../../src/api/connector-adapters.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { readQboTokens } from "../../../src/storage/repos/qbo-connections.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createQboWorld, followAuthorize, newSecretBox, startSandbox, type QboWorld } from "../connectors/harness.js";
import { anonymous, ApiHarness, type Client } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describeEachDatabase("QuickBooks company settings through the API (sandbox over HTTP)", (current) => {
  let api: ApiHarness;
  let world: QboWorld;
  let admin: Client;
  afterEach(async () => api?.close());

  async function setup() {
    const box = newSecretBox();
    world = createQboWorld(sandbox, current().db, { box });
    api = await ApiHarness.create(current(), { secrets: box, qboConnect: qboConnectServiceFrom(world.connector), qboRealmCheck: qboRealmCheckFrom(world.connector) });
    admin = await api.setupAdmin();
  }

  /** The browser's round trip: connect, Intuit's consent (auto-approved), the callback. */
  async function connect(companyId: number, realm: { tax?: boolean; multicurrency?: boolean; homeCurrency?: string }) {
    const realmId = sandbox.qbo.createRealm(realm);
    const start = await api.call(admin, "POST", `/api/companies/${companyId}/qbo/connect`);
    expect(start.status, start.body).toBe(200);
    const back = await followAuthorize(start.json.authorize_url, realmId);
    const callback = await api.call(anonymous, "GET", `/api/qbo/callback${back.search}`);
    expect(callback.status, callback.body).toBe(200);
    const tokens = (await readQboTokens(current().db, world.box, companyId))!.tokens!;
    api.secrets.add(tokens.accessToken);
    api.secrets.add(tokens.refreshToken);
    return realmId;
  }

  it("shows what was detected, and the multicurrency warning, before any sync", async () => {
    await setup();
    const company = await api.createCompany(admin, "K10000001A", "Alfa Shpk");
    const before = await api.call(admin, "GET", `/api/companies/${company.id}`);
    expect(before.json).toMatchObject({ tax_mode: "none", tax_settings_source: "default", qbo_settings: null });

    await connect(company.id, { tax: true, multicurrency: false });
    const after = await api.call(admin, "GET", `/api/companies/${company.id}`);
    expect(after.json).toMatchObject({ tax_mode: "inclusive", tax_settings_source: "detected", health: { last_run: null } });
    const settings = after.json.qbo_settings;
    expect(settings).toMatchObject({ vat: true, multicurrency: false, home_currency: "ALL", country: "AL", detected: { tax_mode: "inclusive" } });
    expect(settings.detected.vat_tax_code_id).toBe(after.json.vat_tax_code_id);
    expect(Object.keys(settings.detected.vat_rate_codes).sort()).toEqual(["0", "10", "20", "6"]);
    expect(settings.reasons.join(" ")).toContain("Standard rate 20 % → code 'VAT 20%'");
    expect(settings.warnings).toEqual([{ code: "multicurrency_off", message: expect.stringContaining("documents in a currency other than ALL will fail until multicurrency is switched on in QuickBooks") }]);
    expect(after.body).not.toMatch(/access_token|refresh_token/);
  });

  it("a re-check keeps a person's tax settings unless asked to apply, and is audited", async () => {
    await setup();
    const company = await api.createCompany(admin, "K10000002A", "Bravo Shpk");
    await connect(company.id, { tax: true });
    const detectedCode = (await api.call(admin, "GET", `/api/companies/${company.id}`)).json.vat_tax_code_id;
    expect(detectedCode).toEqual(expect.any(String));

    // The settings form re-sends every field: unchanged tax settings stay "detected".
    const rename = await api.call(admin, "PATCH", `/api/companies/${company.id}`, { body: { name: "Bravo Sh.p.k.", tax_mode: "inclusive", vat_tax_code_id: detectedCode } });
    expect(rename.json).toMatchObject({ name: "Bravo Sh.p.k.", tax_settings_source: "detected" });
    const chosen = await api.call(admin, "PATCH", `/api/companies/${company.id}`, { body: { tax_mode: "none" } });
    expect(chosen.json).toMatchObject({ tax_mode: "none", tax_settings_source: "user" });

    const kept = await api.call(admin, "POST", `/api/companies/${company.id}/qbo/recheck`, { body: {} });
    expect(kept.status, kept.body).toBe(200);
    expect(kept.json).toMatchObject({ applied: false, qbo_settings: { vat: true, detected: { tax_mode: "inclusive", vat_tax_code_id: detectedCode } }, tax_settings: { tax_mode: "none", source: "user" } });
    expect((await api.call(admin, "GET", `/api/companies/${company.id}`)).json.tax_mode).toBe("none");

    const applied = await api.call(admin, "POST", `/api/companies/${company.id}/qbo/recheck`, { body: { apply: true } });
    expect(applied.json).toMatchObject({ applied: true, tax_settings: { tax_mode: "inclusive", vat_tax_code_id: detectedCode, source: "detected" } });
    expect(Object.keys(applied.json.tax_settings.vat_rate_codes).sort()).toEqual(["0", "10", "20", "6"]);

    const audit = (await api.call(admin, "GET", `/api/audit?company_id=${company.id}&action=qbo.recheck`)).json.items;
    expect(audit.map((e: { details: { apply: boolean; applied: boolean } }) => [e.details.apply, e.details.applied])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it("answers 409 when QuickBooks is not connected and 400 for a bad body", async () => {
    await setup();
    const company = await api.createCompany(admin, "K10000003A", "Charlie Shpk");
    const notConnected = await api.call(admin, "POST", `/api/companies/${company.id}/qbo/recheck`);
    expect(notConnected.status).toBe(409);
    expect(notConnected.json.error).toMatchObject({ code: "not_connected", message: "Connect QuickBooks first." });
    const bad = await api.call(admin, "POST", `/api/companies/${company.id}/qbo/recheck`, { body: { apply: "yes" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("apply must be true or false");
    const viewer = await api.createMember(admin, "viewer@firm.al", [{ companyId: company.id, view: true }]);
    expect((await api.call(viewer, "POST", `/api/companies/${company.id}/qbo/recheck`)).status).toBe(403);
  });
});
