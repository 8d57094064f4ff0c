import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.js";
import { QboConnectError } from "../../../src/connectors/qbo/connect.js";
import { getQboConnection, readQboTokens } from "../../../src/storage/repos/qbo-connections.js";
import { listCompanySchedules } from "../../../src/storage/repos/schedules.js";
import { createUser } from "../../../src/storage/repos/users.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { addDailySchedule, rawConnectionRow } from "./db-helpers.js";
import { connectCompany, createQboWorld, followAuthorize, newCompany, startSandbox, type QboWorld } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const callbackParams = (url: URL) => ({ code: url.searchParams.get("code"), state: url.searchParams.get("state"), realmId: url.searchParams.get("realmId") });

async function expectConnectError(promise: Promise<unknown>, code: string): Promise<QboConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QboConnectError);
  expect((error as QboConnectError).code).toBe(code);
  expect((error as QboConnectError).userMessage.length).toBeGreaterThan(20);
  return error as QboConnectError;
}

describeEachDatabase("QuickBooks connect flow", (current) => {
  let world: QboWorld;
  const setup = () => {
    world = createQboWorld(sandbox, current().db);
    return world;
  };

  it("builds the authorize URL with a one-time state stored only as its hash", async () => {
    const { connector, db } = setup();
    const companyId = await newCompany(db);
    const { authorizeUrl, expiresAt } = await connector.startConnect({ companyId, userId: null });
    const url = new URL(authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${sandbox.url}/qbo/connect/oauth2`);
    expect(url.searchParams.get("client_id")).toBe("sandbox-client");
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("scope")).toBe("com.intuit.quickbooks.accounting");
    const state = url.searchParams.get("state")!;
    expect(Buffer.from(state, "base64url")).toHaveLength(32);
    const rows = await db.selectFrom("oauth_states").selectAll().execute();
    expect(rows.some((r) => r.state_hash === state)).toBe(false);
    expect(rows.some((r) => /^[0-9a-f]{64}$/.test(r.state_hash) && Number(r.company_id) === companyId)).toBe(true);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });

  it("exchanges the code once and stores sealed tokens with all three expiries", async () => {
    const { db, box, wire } = setup();
    const companyId = await newCompany(db);
    const result = await connectCompany(world, companyId);
    expect(result).toMatchObject({ companyId, reconnected: false });
    expect(wire.tokenCalls()).toBe(1);
    const connection = (await getQboConnection(db, companyId))!;
    expect(connection).toMatchObject({ status: "connected", realmId: result.realmId, environment: "sandbox", hasTokens: true });
    const hour = 3_600_000;
    expect(connection.accessExpiresAt!.getTime() - Date.now()).toBeGreaterThan(0.9 * hour);
    expect(connection.refreshExpiresAt!.getTime() - Date.now()).toBeGreaterThan(99 * 24 * hour);
    expect(connection.refreshHardExpiresAt!.getTime() - Date.now()).toBeGreaterThan(4.9 * 365 * 24 * hour);
    const raw = await rawConnectionRow(db, companyId);
    const tokens = (await readQboTokens(db, box, companyId))!.tokens!;
    expect(raw.access_token_enc).not.toContain(tokens.accessToken.slice(0, 20));
    expect(raw.refresh_token_enc).not.toContain(tokens.refreshToken);
    expect(world.events).toEqual([{ type: "connected", companyId, realmId: result.realmId, reconnected: false, resumedSchedules: 0 }]);
  });

  it("refuses a reused state without calling Intuit again", async () => {
    const { connector, db, wire } = setup();
    const companyId = await newCompany(db);
    const { authorizeUrl } = await connector.startConnect({ companyId, userId: null });
    const params = callbackParams(await followAuthorize(authorizeUrl));
    await connector.completeConnect(params);
    const replay = connector.completeConnect(params);
    await expectConnectError(replay, "state_used");
    expect(wire.tokenCalls()).toBe(1);
  });

  it("lets exactly one of two concurrent callbacks with the same state through", async () => {
    const { connector, db, wire } = setup();
    const companyId = await newCompany(db);
    const { authorizeUrl } = await connector.startConnect({ companyId, userId: null });
    const params = callbackParams(await followAuthorize(authorizeUrl));
    const outcomes = await Promise.allSettled([connector.completeConnect(params), connector.completeConnect(params)]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(wire.tokenCalls()).toBe(1);
  });

  it("refuses unknown and expired states, another user's state and a cancelled consent", async () => {
    const { db } = setup();
    const clock = createManualClock(new Date());
    const timed = createQboWorld(sandbox, db, { clock });
    const companyId = await newCompany(db);
    await expectConnectError(timed.connector.completeConnect({ code: "x", state: "not-a-state", realmId: "1" }), "state_unknown");

    const { authorizeUrl } = await timed.connector.startConnect({ companyId, userId: null });
    const params = callbackParams(await followAuthorize(authorizeUrl));
    clock.advance(10 * 60_000 + 1);
    await expectConnectError(timed.connector.completeConnect(params), "state_expired");

    const starter = await createUser(db, { email: `starter-${companyId}@example.com`, name: "Starter", passwordHash: "x" }, new Date());
    const second = await timed.connector.startConnect({ companyId, userId: starter.id });
    const state = new URL(second.authorizeUrl).searchParams.get("state");
    await expectConnectError(timed.connector.completeConnect({ code: "c", state, realmId: "r", userId: starter.id + 1000 }), "state_user_mismatch");

    const third = await timed.connector.startConnect({ companyId, userId: null });
    const denied = { state: new URL(third.authorizeUrl).searchParams.get("state"), error: "access_denied" };
    await expectConnectError(timed.connector.completeConnect(denied), "authorization_denied");
    expect(timed.wire.tokenCalls()).toBe(0);
    expect((await getQboConnection(db, companyId))?.status ?? "none").not.toBe("connected");
  });

  it("refuses a realm connected to another company, without spending the code", async () => {
    const { db, wire } = setup();
    const first = await newCompany(db);
    const second = await newCompany(db);
    const { realmId } = await connectCompany(world, first);
    const error = await expectConnectError(connectCompany(world, second, { realmId }), "realm_in_use");
    expect(error.httpStatus).toBe(409);
    expect(wire.tokenCalls()).toBe(1);
    expect((await getQboConnection(db, first))!.realmId).toBe(realmId);
  });

  it("reconnect replaces the tokens and resumes schedules paused for it", async () => {
    const { db, box, connector } = setup();
    const companyId = await newCompany(db);
    const { realmId } = await connectCompany(world, companyId);
    const before = (await readQboTokens(db, box, companyId))!.tokens!;
    await addDailySchedule(db, companyId);
    await connector.disconnect(companyId);
    expect((await listCompanySchedules(db, companyId))[0]!.pausedReason).toBe("reconnect QuickBooks");

    const again = await connectCompany(world, companyId, { realmId });
    expect(again).toMatchObject({ reconnected: true, resumedSchedules: 1 });
    const after = (await readQboTokens(db, box, companyId))!;
    expect(after.connection.status).toBe("connected");
    expect(after.tokens!.refreshToken).not.toBe(before.refreshToken);
    expect((await listCompanySchedules(db, companyId))[0]!.pausedReason).toBeNull();
    const client = connector.clientFor(companyId);
    expect((await client.companyInfo()).Id).toBeDefined();
  });

  it("disconnect revokes at Intuit, then clears locally and frees the realm", async () => {
    const { db, box, connector } = setup();
    const companyId = await newCompany(db);
    const { realmId } = await connectCompany(world, companyId);
    const tokens = (await readQboTokens(db, box, companyId))!.tokens!;
    const result = await connector.disconnect(companyId);
    expect(result.revocation).toBe("revoked");
    const probe = await fetch(`${sandbox.url}/qbo/v3/company/${realmId}/companyinfo/${realmId}`, { headers: { authorization: `Bearer ${tokens.accessToken}`, accept: "application/json" } });
    expect(probe.status).toBe(401);
    const connection = (await getQboConnection(db, companyId))!;
    expect(connection).toMatchObject({ status: "disconnected", realmId: null, hasTokens: false });
    expect(world.events.at(-1)).toEqual({ type: "disconnected", companyId, realmId });
    const other = await newCompany(db);
    await expect(connectCompany(world, other, { realmId })).resolves.toMatchObject({ companyId: other, realmId });
  });

  it("disconnect still clears locally when Intuit says the token is invalid; keeps the connection when Intuit is down unless forced", async () => {
    const { db } = setup();
    let revokeStatus = 400;
    const flaky = createQboWorld(sandbox, db, {
      fetch: async (input, init) => (String(input).includes("/tokens/revoke") ? new Response("{}", { status: revokeStatus }) : fetch(input, init)),
    });
    const companyId = await newCompany(db);
    await connectCompany(flaky, companyId);
    await expect(flaky.connector.disconnect(companyId)).resolves.toMatchObject({ revocation: "invalid_token" });
    expect((await getQboConnection(db, companyId))!.status).toBe("disconnected");

    revokeStatus = 503;
    await connectCompany(flaky, companyId);
    await expectConnectError(flaky.connector.disconnect(companyId), "revoke_failed");
    expect((await getQboConnection(db, companyId))!.status).toBe("connected");
    await expect(flaky.connector.disconnect(companyId, { force: true })).resolves.toMatchObject({ revocation: "failed_forced" });
    expect((await getQboConnection(db, companyId))!.status).toBe("disconnected");
  });
});

describe("connect errors", () => {
  it("carry a user-facing message and an HTTP status", () => {
    const error = new QboConnectError("state_expired");
    expect(error.userMessage).toMatch(/expired/);
    expect(error.httpStatus).toBe(400);
  });
});
