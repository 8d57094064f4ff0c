import { afterAll, beforeAll, describe, expect, it } from "vitest";
import faultsFixture from "./fixtures/qbo-faults.json" with { type: "json" };
import { apiClient, authorize, BASIC, CLIENT_ID, connect, REDIRECT_URI, startHarness, tokenRequest, type Harness } from "./harness.js";

const DAY = 86_400_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe("authorize page", () => {
  it("renders an HTML consent form and redirects with code, state and realmId on approve", async () => {
    const realmId = h.sim.createRealm({ companyName: "Consent Co" });
    const url = new URL(`${h.base}/connect/oauth2`);
    for (const [k, v] of Object.entries({ client_id: CLIENT_ID, response_type: "code", scope: "com.intuit.quickbooks.accounting", redirect_uri: REDIRECT_URI, state: "xyz" })) url.searchParams.set(k, v);
    const page = await fetch(url);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("<form");
    expect(html).toContain("Consent Co");

    const post = (fields: Record<string, string>) =>
      fetch(`${h.base}/connect/oauth2`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: "com.intuit.quickbooks.accounting", state: "xyz", ...fields }),
      });
    const approved = new URL((await post({ realm: realmId, decision: "approve" })).headers.get("location")!);
    expect(approved.origin + approved.pathname).toBe(REDIRECT_URI);
    expect(approved.searchParams.get("state")).toBe("xyz");
    expect(approved.searchParams.get("realmId")).toBe(realmId);
    expect(approved.searchParams.get("code")).toMatch(/^AB11/);

    const created = new URL((await post({ realm: "new", company_name: "Brand New sh.p.k.", decision: "approve" })).headers.get("location")!);
    const newRealm = created.searchParams.get("realmId")!;
    expect(newRealm).not.toBe(realmId);
    const list = (await (await fetch(`${h.base}/_admin/realms`)).json()) as { realms: { realmId: string; companyName: string }[] };
    expect(list.realms.find((r) => r.realmId === newRealm)?.companyName).toBe("Brand New sh.p.k.");

    const denied = new URL((await post({ realm: realmId, decision: "deny" })).headers.get("location")!);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("xyz");
  });

  it("rejects unknown clients without redirecting", async () => {
    const res = await fetch(`${h.base}/connect/oauth2?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`, { redirect: "manual" });
    expect(res.status).toBe(400);
  });
});

describe("token endpoint", () => {
  it("exchanges a code once; a replay is invalid_grant and revokes what the code issued", async () => {
    const callback = await authorize(h);
    const code = callback.searchParams.get("code")!;
    const first = await tokenRequest(h, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "bearer", expires_in: 3600, x_refresh_token_expires_in: 8_640_000 });
    expect(first.body.x_refresh_token_hard_expires_in).toBeUndefined();
    const api = apiClient(h, callback.searchParams.get("realmId")!, first.body.access_token as string);
    expect((await api.get(`/preferences`)).status).toBe(200);

    const replay = await tokenRequest(h, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI });
    expect(replay).toEqual({ status: 400, body: { error: "invalid_grant" } });
    expect((await api.get(`/preferences`)).status).toBe(401);
    const refresh = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: first.body.refresh_token as string });
    expect(refresh.body).toEqual(faultsFixture.token_invalid_grant);
  });

  it("rejects a bad client with 401 invalid_client and an expired code with invalid_grant", async () => {
    const bad = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: "x" }, { authorization: `Basic ${Buffer.from("sandbox-client:wrong").toString("base64")}` });
    expect(bad).toEqual({ status: 401, body: { error: "invalid_client" } });
    const callback = await authorize(h);
    h.clock.advance(11 * 60_000);
    const late = await tokenRequest(h, { grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI });
    expect(late).toEqual({ status: 400, body: { error: "invalid_grant" } });
    const wrongRedirect = await authorize(h);
    const mismatch = await tokenRequest(h, { grant_type: "authorization_code", code: wrongRedirect.searchParams.get("code")!, redirect_uri: "http://127.0.0.1:1/other" });
    expect(mismatch.status).toBe(400);
    expect((await tokenRequest(h, { grant_type: "password" })).body).toEqual({ error: "unsupported_grant_type" });
  });

  it("adds the hard expiry only when asked", async () => {
    const callback = await authorize(h);
    const res = await tokenRequest(h, { grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI }, { "x-include-refresh-token-hard-expires-in": "true" });
    expect(res.body.x_refresh_token_hard_expires_in).toBe(5 * 365 * 86_400);
  });

  it("strict rotation: the old refresh token dies at once", async () => {
    const { tokens } = await connect(h);
    h.clock.advance(1000);
    const next = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(tokens.refresh_token);
    const loser = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(loser).toEqual({ status: 400, body: faultsFixture.token_invalid_grant });
    const again = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: next.body.refresh_token as string });
    expect(again.status).toBe(200);
  });

  it("sticky24h: same refresh token for a day, counting down; the old one keeps working after a change", async () => {
    h.sim.configure({ rotation: "sticky24h" });
    try {
      const { tokens } = await connect(h);
      h.clock.advance(3600_000);
      const a = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      expect(a.body.refresh_token).toBe(tokens.refresh_token);
      expect(a.body.x_refresh_token_expires_in).toBe(8_640_000 - 3600);
      const b = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      expect(b.status).toBe(200);
      h.clock.advance(DAY);
      const c = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      expect(c.body.refresh_token).not.toBe(tokens.refresh_token);
      expect(c.body.x_refresh_token_expires_in).toBe(8_640_000);
      const d = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      expect(d.body.refresh_token).toBe(c.body.refresh_token);
    } finally {
      h.sim.configure({ rotation: "strict" });
    }
  });

  it("access tokens expire after an hour (lower-case 401), refresh tokens after 100 idle days", async () => {
    const { realmId, tokens } = await connect(h);
    const api = apiClient(h, realmId, tokens.access_token);
    expect((await api.get(`/companyinfo/${realmId}`)).status).toBe(200);
    h.clock.advance(3600_000);
    const expired = await api.get(`/companyinfo/${realmId}`);
    expect(expired.status).toBe(401);
    expect(Object.keys(expired.body)).toEqual(Object.keys(faultsFixture.unauthorized_401));
    expect(expired.body.fault.error[0]).toMatchObject({ code: "3200", message: faultsFixture.unauthorized_401.fault.error[0]!.message, element: null });
    expect(expired.body.fault.error[0].detail).toMatch(/^Token expired: /);
    expect(expired.body.fault.type).toBe("AUTHENTICATION");

    h.clock.advance(99 * DAY);
    const fine = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(fine.status).toBe(200);
    h.clock.advance(100 * DAY);
    const idle = await tokenRequest(h, { grant_type: "refresh_token", refresh_token: fine.body.refresh_token as string });
    expect(idle).toEqual({ status: 400, body: faultsFixture.token_invalid_grant });
  });

  it("a missing token is a 401 and a token for another realm is refused", async () => {
    const { tokens } = await connect(h);
    const other = h.sim.createRealm();
    const res = await fetch(`${h.base}/v3/company/${other}/preferences`);
    expect(res.status).toBe(401);
    const cross = await apiClient(h, other, tokens.access_token).get("/preferences");
    expect(cross.status).toBe(403);
  });
});

describe("revoke", () => {
  it("revokes the whole grant from either token (JSON or form body)", async () => {
    for (const [which, type] of [["refresh_token", "json"], ["access_token", "form"]] as const) {
      const { realmId, tokens } = await connect(h);
      const res = await fetch(`${h.base}/v2/oauth2/tokens/revoke`, {
        method: "POST",
        headers: { authorization: BASIC, accept: "application/json", "content-type": type === "json" ? "application/json" : "application/x-www-form-urlencoded" },
        body: type === "json" ? JSON.stringify({ token: tokens[which] }) : new URLSearchParams({ token: tokens[which] }).toString(),
      });
      expect(res.status).toBe(200);
      expect((await apiClient(h, realmId, tokens.access_token).get("/preferences")).body.fault.error[0].detail).toMatch(/^Token revoked/);
      expect((await tokenRequest(h, { grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status).toBe(400);
    }
  });
});
