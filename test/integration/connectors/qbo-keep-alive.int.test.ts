import { afterAll, beforeAll, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.js";
import { startKeepAlive } from "../../../src/connectors/qbo/keep-alive.js";
import { getQboConnection, readQboTokens } from "../../../src/storage/repos/qbo-connections.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { setHardExpiry, setLastRefreshedAt } from "./db-helpers.js";
import { connectCompany, createQboWorld, newCompany, sandboxRefreshCount, startSandbox } from "./harness.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachDatabase("QuickBooks keep-alive", (current) => {
  it("refreshes connections idle for 24 h, leaves recent ones alone, and flags grants near their hard expiry", async () => {
    const world = createQboWorld(sandbox, current().db);
    const idle = await newCompany(world.db);
    const recent = await newCompany(world.db);
    const ending = await newCompany(world.db);
    const revoked = await newCompany(world.db);
    const idleRealm = (await connectCompany(world, idle)).realmId;
    const recentRealm = (await connectCompany(world, recent)).realmId;
    await connectCompany(world, ending);
    await connectCompany(world, revoked);
    const now = new Date();
    await setLastRefreshedAt(world.db, idle, new Date(now.getTime() - 25 * HOUR));
    await setLastRefreshedAt(world.db, recent, new Date(now.getTime() - 23 * HOUR));
    await setLastRefreshedAt(world.db, ending, new Date(now.getTime() - 2 * HOUR));
    await setLastRefreshedAt(world.db, revoked, new Date(now.getTime() - 48 * HOUR));
    await setHardExpiry(world.db, ending, new Date(now.getTime() + 12 * DAY + HOUR));
    await world.connector.oauth.revoke((await readQboTokens(world.db, world.box, revoked))!.tokens!.refreshToken);
    const before = (await getQboConnection(world.db, idle))!;

    const result = await world.connector.runKeepAlive(now);
    expect(result.refreshed).toEqual([idle]);
    expect(result.reauthRequired).toEqual([revoked]);
    expect(result.failed).toEqual([]);
    expect(result.nearHardExpiry).toEqual([{ companyId: ending, realmId: expect.any(String), hardExpiresAt: expect.any(Date), daysLeft: 12 }]);
    expect(sandboxRefreshCount(sandbox, idleRealm)).toBe(1);
    expect(sandboxRefreshCount(sandbox, recentRealm)).toBe(0);
    const after = (await getQboConnection(world.db, idle))!;
    expect(after.lastRefreshedAt!.getTime()).toBeGreaterThan(before.lastRefreshedAt!.getTime());
    expect(after.refreshExpiresAt!.getTime()).toBeGreaterThan(before.refreshExpiresAt!.getTime());
    expect(world.events.map((e) => e.type).sort()).toEqual(["connected", "connected", "connected", "connected", "hard_expiry_near", "reauth_required"]);

    // A second pass right after finds nothing to refresh.
    const again = await world.connector.runKeepAlive(now);
    expect(again.refreshed).toEqual([]);
    expect(sandboxRefreshCount(sandbox, idleRealm)).toBe(1);
  });

  it("the interval task tells each company about its hard expiry at most once a day and stops cleanly", async () => {
    const clock = createManualClock(new Date());
    const world = createQboWorld(sandbox, current().db, { clock });
    const companyId = await newCompany(world.db);
    await connectCompany(world, companyId);
    await setHardExpiry(world.db, companyId, new Date(clock.now().getTime() + 5 * DAY));
    // Not due for a refresh during the test (a refresh would store Intuit's real hard expiry).
    await setLastRefreshedAt(world.db, companyId, new Date(clock.now().getTime() + 3 * DAY));
    const task = startKeepAlive({ db: world.db, tokens: world.connector.tokens, events: world.connector.events, clock }, { intervalMs: 60_000 });
    await task.runNow();
    await task.runNow();
    clock.advance(DAY + 1);
    await task.runNow();
    await task.stop();
    expect(world.events.filter((e) => e.type === "hard_expiry_near")).toHaveLength(2);
  });
});
