import { afterAll, beforeAll, expect, it } from "vitest";
import { QboGrantRevokedError, QboNotConnectedError, QboRefreshBusyError } from "../../../src/connectors/qbo/errors.js";
import { createTokenManager } from "../../../src/connectors/qbo/token-manager.js";
import { getQboConnection, readQboTokens, tryAcquireRefreshLock } from "../../../src/storage/repos/qbo-connections.js";
import { listCompanySchedules } from "../../../src/storage/repos/schedules.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { addDailySchedule, setAccessExpiry } from "./db-helpers.js";
import { connectCompany, createQboWorld, newCompany, sandboxRefreshCount, silentLogger, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const MINUTE = 60_000;

describeEachDatabase("ensureFreshToken", (current) => {
  it("uses a token with more than 10 minutes left as is", async () => {
    const world = createQboWorld(sandbox, current().db);
    const companyId = await newCompany(world.db);
    await connectCompany(world, companyId);
    const fresh = createQboWorld(sandbox, world.db, { box: world.box });
    const token = await fresh.connector.tokens.ensureFreshToken(companyId);
    expect(token.refreshed).toBe(false);
    expect(fresh.wire.tokenCalls()).toBe(0);
  });

  it("refreshes once when fewer than 10 minutes remain, and stores the rotated tokens sealed", async () => {
    const world = createQboWorld(sandbox, current().db);
    const companyId = await newCompany(world.db);
    const { realmId } = await connectCompany(world, companyId);
    const before = (await readQboTokens(world.db, world.box, companyId))!;
    await setAccessExpiry(world.db, companyId, new Date(Date.now() + 9 * MINUTE));
    const manager = createQboWorld(sandbox, world.db, { box: world.box });
    const token = await manager.connector.tokens.ensureFreshToken(companyId);
    expect(token.refreshed).toBe(true);
    expect(token.accessToken).not.toBe(before.tokens!.accessToken);
    expect(manager.wire.tokenCalls()).toBe(1);
    expect(sandboxRefreshCount(sandbox, realmId)).toBe(1);
    const after = (await readQboTokens(world.db, world.box, companyId))!;
    expect(after.tokens!.refreshToken).not.toBe(before.tokens!.refreshToken);
    expect(after.connection.version).toBe(before.connection.version + 1);
    expect(after.connection.refreshLockOwner).toBeNull();
    // The second call is served from memory: no database read needed, no Intuit call.
    await manager.connector.tokens.ensureFreshToken(companyId);
    expect(manager.wire.tokenCalls()).toBe(1);
  });

  it("8 concurrent callers with their own managers on one handle cause exactly one refresh (strict rotation)", async () => {
    const world = createQboWorld(sandbox, current().db);
    const companyId = await newCompany(world.db);
    const { realmId } = await connectCompany(world, companyId);
    await setAccessExpiry(world.db, companyId, new Date(Date.now() + 5 * MINUTE));
    const managers = Array.from({ length: 8 }, () => createQboWorld(sandbox, world.db, { box: world.box }));
    const tokens = await Promise.all(managers.map((m) => m.connector.tokens.ensureFreshToken(companyId)));
    const totalTokenCalls = managers.reduce((sum, m) => sum + m.wire.tokenCalls(), 0);
    const invalidGrants = managers.reduce((sum, m) => sum + m.wire.count((c) => c.url.includes("/tokens/bearer") && c.status === 400), 0);
    console.log(`[${current().dialect}] 8 concurrent callers: token calls=${totalTokenCalls}, sandbox refreshes=${sandboxRefreshCount(sandbox, realmId)}, invalid_grant=${invalidGrants}`);
    expect(totalTokenCalls).toBe(1);
    expect(invalidGrants).toBe(0);
    expect(sandboxRefreshCount(sandbox, realmId)).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(tokens.filter((t) => t.refreshed)).toHaveLength(1);
    expect((await getQboConnection(world.db, companyId))!.status).toBe("connected");
  });

  it("a revoked grant → reauth_required with the reason, one event, schedules paused, never retried", async () => {
    const world = createQboWorld(sandbox, current().db);
    const companyId = await newCompany(world.db);
    const { realmId } = await connectCompany(world, companyId);
    await addDailySchedule(world.db, companyId);
    const tokens = (await readQboTokens(world.db, world.box, companyId))!.tokens!;
    await world.connector.oauth.revoke(tokens.refreshToken); // the user disconnects the app in QuickBooks
    await setAccessExpiry(world.db, companyId, new Date(Date.now() + 2 * MINUTE));

    const managers = Array.from({ length: 4 }, () => createQboWorld(sandbox, world.db, { box: world.box }));
    const outcomes = await Promise.allSettled(managers.map((m) => m.connector.tokens.ensureFreshToken(companyId)));
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    const errors = outcomes.map((o) => (o as PromiseRejectedResult).reason);
    expect(errors.filter((e) => e instanceof QboGrantRevokedError)).toHaveLength(1);
    expect(errors.filter((e) => e instanceof QboNotConnectedError && e.status === "reauth_required")).toHaveLength(3);
    const events = managers.flatMap((m) => m.events);
    expect(events).toEqual([{ type: "reauth_required", companyId, reason: "Incorrect or invalid refresh token" }]);

    const connection = (await getQboConnection(world.db, companyId))!;
    expect(connection.status).toBe("reauth_required");
    expect(connection.lastError).toBe("Incorrect or invalid refresh token");
    expect((await listCompanySchedules(world.db, companyId))[0]!.pausedReason).toBe("reconnect QuickBooks");

    // Nothing retries it: more calls, from any process, never reach Intuit again.
    for (const m of managers) await expect(m.connector.tokens.ensureFreshToken(companyId, { force: true })).rejects.toBeInstanceOf(QboNotConnectedError);
    await expect(managers[0]!.connector.clientFor(companyId).companyInfo()).rejects.toBeInstanceOf(QboNotConnectedError);
    expect(managers.reduce((sum, m) => sum + m.wire.tokenCalls(), 0)).toBe(1);
    expect(managers.flatMap((m) => m.events)).toHaveLength(1);
    expect(sandboxRefreshCount(sandbox, realmId)).toBe(0);

    // Reconnecting heals it and lifts the pause.
    await expect(connectCompany(world, companyId, { realmId })).resolves.toMatchObject({ reconnected: true, resumedSchedules: 1 });
    await expect(managers[0]!.connector.clientFor(companyId).companyInfo()).resolves.toMatchObject({ Id: expect.any(String) });
  });

  it("takes over a lock whose holder died, and gives up on one that stays held", async () => {
    const world = createQboWorld(sandbox, current().db);
    const companyId = await newCompany(world.db);
    await connectCompany(world, companyId);
    await setAccessExpiry(world.db, companyId, new Date(Date.now() + MINUTE));
    // A crashed process left its lock behind; it expired a second ago.
    expect(await tryAcquireRefreshLock(world.db, companyId, "dead-process", new Date(Date.now() - 31_000), 30_000)).toBe(true);
    const survivor = createQboWorld(sandbox, world.db, { box: world.box });
    await expect(survivor.connector.tokens.ensureFreshToken(companyId)).resolves.toMatchObject({ refreshed: true });

    await setAccessExpiry(world.db, companyId, new Date(Date.now() + MINUTE));
    expect(await tryAcquireRefreshLock(world.db, companyId, "slow-process", new Date(), 60_000)).toBe(true);
    const callsBefore = survivor.wire.tokenCalls();
    const waiter = createTokenManager(
      { db: world.db, box: world.box, clock: world.clock, oauth: survivor.connector.oauth, events: survivor.connector.events, logger: silentLogger },
      { maxWaitMs: 200, pollInitialMs: 20, pollMaxMs: 40 },
    );
    await expect(waiter.ensureFreshToken(companyId)).rejects.toBeInstanceOf(QboRefreshBusyError);
    expect(survivor.wire.tokenCalls()).toBe(callsBefore);
  });
});
