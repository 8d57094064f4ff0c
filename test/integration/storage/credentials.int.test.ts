import { readFileSync, existsSync } from "node:fs";
import { expect, it } from "vitest";
import { ForeignKeyViolationError } from "../../../src/storage/errors.js";
import {
  clearDevposToken,
  getDevposCredentials,
  readDevposSecret,
  recordDevposError,
  recordDevposOk,
  saveDevposToken,
  upsertDevposCredentials,
} from "../../../src/storage/repos/devpos-credentials.js";
import {
  getQboConnection,
  getQboConnectionByRealm,
  listConnectionsDueForKeepAlive,
  listConnectionsNearHardExpiry,
  markDisconnected,
  markReauthRequired,
  readQboTokens,
  RealmInUseError,
  releaseRefreshLock,
  saveConnectedTokens,
  tryAcquireRefreshLock,
  updateTokensIfVersion,
  type QboTokens,
} from "../../../src/storage/repos/qbo-connections.js";
import { consumeOAuthState, createOAuthState, deleteExpiredOAuthStates } from "../../../src/storage/repos/oauth-states.js";
import { UniqueViolationError } from "../../../src/storage/errors.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { createTestBox, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

function tokens(tag: string, from: Date = T0): QboTokens {
  return {
    accessToken: `access-${tag}-eyJhbGciOi`,
    refreshToken: `refresh-${tag}-AB11`,
    accessExpiresAt: minutesAfter(60, from),
    refreshExpiresAt: minutesAfter(100 * 24 * 60, from),
    refreshHardExpiresAt: minutesAfter(5 * 365 * 24 * 60, from),
  };
}

describeEachDatabase("DevPos credentials repository", (current, dialect) => {
  it("stores the password sealed, returns it only through readDevposSecret, caches the token", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const company = await makeCompany(db);
    const saved = await upsertDevposCredentials(db, box, company.id, { tenant: "K12345678L", username: "api@alfa.al", password: "Sekret-Pa55!" }, T0);
    expect(saved).toMatchObject({ companyId: company.id, tenant: "K12345678L", username: "api@alfa.al", hasCachedToken: false });
    expect(JSON.stringify(saved)).not.toContain("Sekret");

    const raw = await db.selectFrom("devpos_credentials").selectAll().executeTakeFirstOrThrow();
    expect(raw.password_enc).not.toContain("Sekret-Pa55!");
    expect(raw.password_enc).toMatch(/^v1\./);

    expect(await readDevposSecret(db, box, company.id)).toEqual({ tenant: "K12345678L", username: "api@alfa.al", password: "Sekret-Pa55!", token: null });

    const expiresAt = minutesAfter(480);
    expect(await saveDevposToken(db, box, company.id, { value: "devpos-token-XYZ", expiresAt }, minutesAfter(1))).toBe(true);
    expect((await readDevposSecret(db, box, company.id))?.token).toEqual({ value: "devpos-token-XYZ", expiresAt });
    const withToken = await getDevposCredentials(db, company.id);
    expect(withToken).toMatchObject({ hasCachedToken: true, tokenExpiresAt: expiresAt, lastOkAt: minutesAfter(1), lastError: null });
    expect((await db.selectFrom("devpos_credentials").select("token_enc").executeTakeFirstOrThrow()).token_enc).not.toContain("devpos-token-XYZ");

    await recordDevposError(db, company.id, "401 from DevPos", minutesAfter(2));
    expect((await getDevposCredentials(db, company.id))?.lastError).toBe("401 from DevPos");
    await recordDevposOk(db, company.id, minutesAfter(3));
    expect(await getDevposCredentials(db, company.id)).toMatchObject({ lastError: null, lastOkAt: minutesAfter(3) });

    expect(await clearDevposToken(db, company.id, minutesAfter(4))).toBe(true);
    expect((await readDevposSecret(db, box, company.id))?.token).toBeNull();

    // Replacing the login keeps one row and drops any cached token.
    await saveDevposToken(db, box, company.id, { value: "t2", expiresAt }, minutesAfter(5));
    await upsertDevposCredentials(db, box, company.id, { tenant: "K12345678L", username: "other@alfa.al", password: "n3w" }, minutesAfter(6));
    expect(await readDevposSecret(db, box, company.id)).toEqual({ tenant: "K12345678L", username: "other@alfa.al", password: "n3w", token: null });
    expect(await db.selectFrom("devpos_credentials").selectAll().execute()).toHaveLength(1);

    if (dialect === "sqlite") {
      // No trace of any plaintext in the database file or its WAL.
      const target = current().target as { file: string };
      const bytes = [target.file, `${target.file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString("latin1")).join("");
      for (const secret of ["Sekret-Pa55!", "devpos-token-XYZ", "n3w\u0000"]) expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes("other@alfa.al")).toBe(true);
    }
  });

  it("refuses credentials of an unknown company", async () => {
    const { db } = current();
    const { box } = createTestBox();
    await expect(upsertDevposCredentials(db, box, 424242, { tenant: "t", username: "u", password: "p" }, T0)).rejects.toBeInstanceOf(ForeignKeyViolationError);
  });

  it("a value copied to another company's row does not open", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    await upsertDevposCredentials(db, box, a.id, { tenant: "t", username: "u", password: "pa" }, T0);
    await upsertDevposCredentials(db, box, b.id, { tenant: "t", username: "u", password: "pb" }, T0);
    const sealedA = (await db.selectFrom("devpos_credentials").select("password_enc").where("company_id", "=", a.id).executeTakeFirstOrThrow()).password_enc;
    await db.updateTable("devpos_credentials").set({ password_enc: sealedA }).where("company_id", "=", b.id).execute();
    await expect(readDevposSecret(db, box, b.id)).rejects.toThrow(/authentication/);
  });
});

describeEachDatabase("QuickBooks connections repository", (current) => {
  it("saves connected tokens sealed, reads them back, replaces them on reconnect", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const company = await makeCompany(db);
    const first = await saveConnectedTokens(db, box, { companyId: company.id, realmId: "9130350", environment: "sandbox", tokens: tokens("a"), now: T0 });
    expect(first).toMatchObject({ companyId: company.id, realmId: "9130350", environment: "sandbox", status: "connected", version: 1, hasTokens: true, connectedAt: T0, lastRefreshedAt: T0 });
    expect(await readQboTokens(db, box, company.id)).toEqual({ connection: first, tokens: tokens("a") });
    const raw = await db.selectFrom("qbo_connections").selectAll().executeTakeFirstOrThrow();
    expect(raw.access_token_enc).not.toContain("access-a");
    expect(raw.refresh_token_enc).not.toContain("refresh-a");
    expect(await getQboConnectionByRealm(db, "9130350")).toEqual(first);

    const again = await saveConnectedTokens(db, box, { companyId: company.id, realmId: "9130350", environment: "sandbox", tokens: tokens("b"), now: minutesAfter(10) });
    expect(again.version).toBe(2);
    expect(again.id).toBe(first.id);
    expect((await readQboTokens(db, box, company.id))?.tokens?.refreshToken).toBe("refresh-b-AB11");
  });

  it("one company per realm: RealmInUseError; the realm is free again after a disconnect", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    await saveConnectedTokens(db, box, { companyId: a.id, realmId: "111", environment: "production", tokens: tokens("a"), now: T0 });
    const error = await saveConnectedTokens(db, box, { companyId: b.id, realmId: "111", environment: "production", tokens: tokens("b"), now: T0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RealmInUseError);
    expect((error as RealmInUseError).companyId).toBe(a.id);
    expect(await getQboConnection(db, b.id)).toBeUndefined();

    // The unique key itself (what a racing writer would hit) surfaces as a typed error too.
    await expect(
      db.insertInto("qbo_connections").values({ company_id: b.id, realm_id: "111", created_at: "x", updated_at: "x" }).execute().catch((e) => {
        throw translate(e);
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    // One connection per company.
    await expect(
      db.insertInto("qbo_connections").values({ company_id: a.id, realm_id: "222", created_at: "x", updated_at: "x" }).execute().catch((e) => {
        throw translate(e);
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError);

    expect(await markDisconnected(db, a.id, minutesAfter(1))).toBe(true);
    const disconnected = await readQboTokens(db, box, a.id);
    expect(disconnected?.tokens).toBeNull();
    expect(disconnected?.connection).toMatchObject({ status: "disconnected", realmId: null, hasTokens: false, version: 2 });
    const moved = await saveConnectedTokens(db, box, { companyId: b.id, realmId: "111", environment: "production", tokens: tokens("b"), now: minutesAfter(2) });
    expect(moved).toMatchObject({ companyId: b.id, realmId: "111", status: "connected" });
  });

  it("compare-and-swap on the version: the second writer with the same version loses", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const company = await makeCompany(db);
    const conn = await saveConnectedTokens(db, box, { companyId: company.id, realmId: "333", environment: "production", tokens: tokens("a"), now: T0 });
    const results = await Promise.all([
      updateTokensIfVersion(db, box, company.id, conn.version, tokens("x", minutesAfter(50)), minutesAfter(50)),
      updateTokensIfVersion(db, box, company.id, conn.version, tokens("y", minutesAfter(50)), minutesAfter(50)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await readQboTokens(db, box, company.id);
    expect(after?.connection.version).toBe(conn.version + 1);
    expect(after?.connection.lastRefreshedAt).toEqual(minutesAfter(50));
    expect([tokens("x", minutesAfter(50)).refreshToken, tokens("y", minutesAfter(50)).refreshToken]).toContain(after?.tokens?.refreshToken);
    expect(await updateTokensIfVersion(db, box, company.id, conn.version, tokens("z"), minutesAfter(51))).toBe(false);
    // A refresh without a hard expiry keeps the stored one.
    const { refreshHardExpiresAt: _omit, ...withoutHard } = tokens("w", minutesAfter(60));
    expect(await updateTokensIfVersion(db, box, company.id, conn.version + 1, withoutHard, minutesAfter(60))).toBe(true);
    expect((await getQboConnection(db, company.id))?.refreshHardExpiresAt).toEqual(tokens("x", minutesAfter(50)).refreshHardExpiresAt);
  });

  it("refresh lock: one holder until release or expiry; re-entrant for its owner", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const company = await makeCompany(db);
    await saveConnectedTokens(db, box, { companyId: company.id, realmId: "444", environment: "production", tokens: tokens("a"), now: T0 });
    const contenders = await Promise.all(["w1", "w2", "w3", "w4"].map((owner) => tryAcquireRefreshLock(db, company.id, owner, T0, 30_000)));
    expect(contenders.filter(Boolean)).toHaveLength(1);
    const holder = ["w1", "w2", "w3", "w4"][contenders.indexOf(true)]!;
    const other = holder === "w1" ? "w2" : "w1";
    expect(await tryAcquireRefreshLock(db, company.id, other, minutesAfter(0.25), 30_000)).toBe(false);
    expect(await tryAcquireRefreshLock(db, company.id, holder, minutesAfter(0.25), 30_000)).toBe(true);
    expect(await releaseRefreshLock(db, company.id, other)).toBe(false);
    expect(await releaseRefreshLock(db, company.id, holder)).toBe(true);
    expect(await tryAcquireRefreshLock(db, company.id, other, minutesAfter(0.3), 30_000)).toBe(true);
    // Expired: anyone may take it over.
    expect(await tryAcquireRefreshLock(db, company.id, holder, minutesAfter(0.3 + 0.5), 30_000)).toBe(true);
    expect((await getQboConnection(db, company.id))?.refreshLockOwner).toBe(holder);
    expect(await tryAcquireRefreshLock(db, 999_999, holder, T0, 30_000)).toBe(false);
  });

  it("reauth required once; keep-alive and hard-expiry lists", async () => {
    const { db } = current();
    const { box } = createTestBox();
    const fresh = await makeCompany(db);
    const stale = await makeCompany(db);
    const expiring = await makeCompany(db);
    await saveConnectedTokens(db, box, { companyId: fresh.id, realmId: "r1", environment: "production", tokens: tokens("1"), now: minutesAfter(24 * 60) });
    await saveConnectedTokens(db, box, { companyId: stale.id, realmId: "r2", environment: "production", tokens: tokens("2"), now: T0 });
    await saveConnectedTokens(db, box, {
      companyId: expiring.id,
      realmId: "r3",
      environment: "production",
      tokens: { ...tokens("3"), refreshHardExpiresAt: minutesAfter(10 * 24 * 60) },
      now: minutesAfter(24 * 60),
    });
    const now = minutesAfter(25 * 60);
    const due = await listConnectionsDueForKeepAlive(db, { refreshedBefore: minutesAfter(-24 * 60, now) });
    expect(due.map((c) => c.companyId)).toEqual([stale.id]);
    const near = await listConnectionsNearHardExpiry(db, { hardExpiresBefore: minutesAfter(30 * 24 * 60, now) });
    expect(near.map((c) => c.companyId)).toEqual([expiring.id]);

    expect(await markReauthRequired(db, stale.id, "invalid_grant", now)).toBe(true);
    expect(await markReauthRequired(db, stale.id, "invalid_grant", now)).toBe(false);
    expect(await getQboConnection(db, stale.id)).toMatchObject({ status: "reauth_required", lastError: "invalid_grant" });
    expect(await listConnectionsDueForKeepAlive(db, { refreshedBefore: now })).not.toContainEqual(expect.objectContaining({ companyId: stale.id }));
  });
});

describeEachDatabase("OAuth states repository", (current) => {
  it("consumes a state once; unknown, expired and used states are told apart", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    await createOAuthState(db, { stateHash: "h-ok", companyId: company.id, userId: null, expiresAt: minutesAfter(10), now: T0 });
    await createOAuthState(db, { stateHash: "h-old", companyId: company.id, userId: null, expiresAt: minutesAfter(10), now: T0 });
    await expect(createOAuthState(db, { stateHash: "h-ok", companyId: company.id, userId: null, expiresAt: minutesAfter(10), now: T0 })).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    await expect(createOAuthState(db, { stateHash: "h-x", companyId: 777_777, userId: null, expiresAt: minutesAfter(10), now: T0 })).rejects.toBeInstanceOf(
      ForeignKeyViolationError,
    );

    const results = await Promise.all([1, 2, 3].map(() => consumeOAuthState(db, "h-ok", minutesAfter(2))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const won = results.find((r) => r.ok);
    expect(won).toMatchObject({ ok: true, state: { companyId: company.id, userId: null, usedAt: minutesAfter(2) } });
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: "used" },
      { ok: false, reason: "used" },
    ]);
    expect(await consumeOAuthState(db, "h-old", minutesAfter(10))).toEqual({ ok: false, reason: "expired" });
    expect(await consumeOAuthState(db, "nope", T0)).toEqual({ ok: false, reason: "unknown" });
    expect(await deleteExpiredOAuthStates(db, minutesAfter(11))).toBe(2);
  });
});

import { translateDbError } from "../../../src/storage/errors.js";
function translate(error: unknown): unknown {
  return translateDbError(error);
}
