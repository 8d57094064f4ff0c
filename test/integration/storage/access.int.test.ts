import { expect, it } from "vitest";
import { ForeignKeyViolationError, NotFoundError, UniqueViolationError } from "../../../src/storage/errors.js";
import {
  apiKeyPermissionsFor,
  createApiKey,
  deleteApiKey,
  findActiveApiKey,
  getApiKey,
  listApiKeys,
  removeApiKeyCompanyAccess,
  revokeApiKey,
  setApiKeyCompanyAccess,
  touchApiKey,
} from "../../../src/storage/repos/api-keys.js";
import { createFirstAdmin, SetupAlreadyDoneError } from "../../../src/storage/repos/api-access.js";
import { listCompanies } from "../../../src/storage/repos/companies.js";
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findActiveSession,
  getSessionByTokenHash,
  touchSession,
} from "../../../src/storage/repos/sessions.js";
import {
  countUsers,
  createUser,
  deleteUser,
  getUser,
  getUserByEmail,
  getUserLogin,
  grantCompanyAccess,
  listCompaniesVisibleToUser,
  listCompanyAccessOfUser,
  listUsers,
  permissionsFor,
  recordUserLogin,
  revokeCompanyAccess,
  updateUser,
} from "../../../src/storage/repos/users.js";
import { ALL_PERMISSIONS, NO_PERMISSIONS } from "../../../src/storage/repos/types.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

describeEachDatabase("users repository", (current) => {
  it("creates users with lower-case unique emails, counts them, updates and deletes", async () => {
    const { db } = current();
    expect(await countUsers(db)).toBe(0);
    const admin = await createUser(db, { email: " Admin@Example.COM ", name: "Ada", passwordHash: "scrypt$1", role: "admin" }, T0);
    expect(admin).toMatchObject({ email: "admin@example.com", name: "Ada", role: "admin", active: true, lastLoginAt: null, createdAt: T0 });
    expect(JSON.stringify(admin)).not.toContain("scrypt");
    await expect(createUser(db, { email: "ADMIN@example.com", name: "Other", passwordHash: "x" }, T0)).rejects.toBeInstanceOf(UniqueViolationError);
    const member = await createUser(db, { email: "member@example.com", name: "Mo", passwordHash: "scrypt$2" }, T0);
    expect(member.role).toBe("member");
    expect(await countUsers(db)).toBe(2);
    expect(await countUsers(db, { role: "admin" })).toBe(1);

    expect(await getUserByEmail(db, "MEMBER@example.com")).toEqual(member);
    expect(await getUserLogin(db, "member@example.com")).toEqual({ user: member, passwordHash: "scrypt$2" });
    await recordUserLogin(db, member.id, minutesAfter(1));
    expect((await getUser(db, member.id))?.lastLoginAt).toEqual(minutesAfter(1));

    const updated = await updateUser(db, member.id, { name: "Mona", active: false, passwordHash: "scrypt$3", email: "Mona@Example.com" }, minutesAfter(2));
    expect(updated).toMatchObject({ name: "Mona", active: false, email: "mona@example.com", updatedAt: minutesAfter(2) });
    expect(await countUsers(db, { active: true })).toBe(1);
    await expect(updateUser(db, member.id, { email: "admin@example.com" }, T0)).rejects.toBeInstanceOf(UniqueViolationError);
    await expect(updateUser(db, 98_765, { name: "x" }, T0)).rejects.toBeInstanceOf(NotFoundError);

    expect(await deleteUser(db, member.id)).toBe(true);
    expect(await getUser(db, member.id)).toBeUndefined();
    expect(await deleteUser(db, member.id)).toBe(false);
  });

  it("creates exactly one first admin however many setups race, round after round", async () => {
    const { db } = current();
    for (let round = 0; round < 40; round += 1) {
      await db.deleteFrom("users").execute();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => createFirstAdmin(db, { email: `admin${round}-${i}@firm.al`, name: `Admin ${i}`, passwordHash: "scrypt$x" }, T0)),
      );
      const created = outcomes.filter((o) => o.status === "fulfilled");
      expect(created, `round ${round}`).toHaveLength(1);
      for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(SetupAlreadyDoneError);
      expect(await countUsers(db)).toBe(1);
      expect((created[0] as PromiseFulfilledResult<{ role: string }>).value.role).toBe("admin");
    }
    await expect(createFirstAdmin(db, { email: "late@firm.al", name: "Late", passwordHash: "x" }, T0)).rejects.toBeInstanceOf(SetupAlreadyDoneError);
  });

  it("pages users and searches them", async () => {
    const { db } = current();
    for (let i = 0; i < 11; i += 1) await createUser(db, { email: `user${i}@example.com`, name: `User ${i}`, passwordHash: "h" }, T0);
    const { items, pages } = await collectPages((cursor) => listUsers(db, { limit: 4, cursor }));
    expect(pages).toBe(3);
    expect(items.map((u) => u.email)).toEqual(Array.from({ length: 11 }, (_, i) => `user${i}@example.com`));
    expect((await listUsers(db, { search: "USER1" })).items.map((u) => u.email)).toEqual(["user1@example.com", "user10@example.com"]);
  });

  it("per-company permissions: grants, replaces, revokes; admins see everything; inactive users nothing", async () => {
    const { db } = current();
    const a = await makeCompany(db, { name: "A company" });
    const b = await makeCompany(db, { name: "B company" });
    const c = await makeCompany(db, { name: "C company" });
    const admin = await createUser(db, { email: "root@example.com", name: "Root", passwordHash: "h", role: "admin" }, T0);
    const member = await createUser(db, { email: "m@example.com", name: "M", passwordHash: "h" }, T0);

    expect(await permissionsFor(db, member.id, a.id)).toEqual(NO_PERMISSIONS);
    await grantCompanyAccess(db, member.id, a.id, { run: true });
    expect(await permissionsFor(db, member.id, a.id)).toEqual({ view: true, run: true, manageSchedules: false, editConnections: false });
    await grantCompanyAccess(db, member.id, a.id, { view: true, manageSchedules: true, editConnections: true });
    expect(await permissionsFor(db, member.id, a.id)).toEqual({ view: true, run: false, manageSchedules: true, editConnections: true });
    await grantCompanyAccess(db, member.id, c.id, {});
    await grantCompanyAccess(db, member.id, b.id, { view: false });
    expect(await db.selectFrom("user_company_access").selectAll().execute()).toHaveLength(3);

    expect((await listCompanyAccessOfUser(db, member.id)).map((x) => [x.companyName, x.permissions.view])).toEqual([
      ["A company", true],
      ["B company", false],
      ["C company", true],
    ]);
    expect((await listCompaniesVisibleToUser(db, member.id)).items.map((x) => x.id)).toEqual([a.id, c.id]);
    expect((await listCompaniesVisibleToUser(db, admin.id)).items.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect(await permissionsFor(db, admin.id, b.id)).toEqual(ALL_PERMISSIONS);
    expect(await permissionsFor(db, admin.id, 55_555)).toEqual(NO_PERMISSIONS);

    expect(await revokeCompanyAccess(db, member.id, a.id)).toBe(true);
    expect(await revokeCompanyAccess(db, member.id, a.id)).toBe(false);
    expect(await permissionsFor(db, member.id, a.id)).toEqual(NO_PERMISSIONS);

    await updateUser(db, member.id, { active: false }, T0);
    expect(await permissionsFor(db, member.id, c.id)).toEqual(NO_PERMISSIONS);
    expect((await listCompaniesVisibleToUser(db, member.id)).items).toEqual([]);

    await expect(grantCompanyAccess(db, member.id, 66_666, { view: true })).rejects.toBeInstanceOf(ForeignKeyViolationError);
    await expect(grantCompanyAccess(db, 66_666, a.id, { view: true })).rejects.toBeInstanceOf(ForeignKeyViolationError);
  });
});

describeEachDatabase("sessions repository", (current) => {
  it("finds active sessions by token hash, slides, expires, and refuses a duplicate hash", async () => {
    const { db } = current();
    const user = await createUser(db, { email: "s@example.com", name: "S", passwordHash: "h" }, T0);
    const session = await createSession(db, { tokenHash: "a".repeat(64), csrfHash: "c".repeat(64), userId: user.id, expiresAt: minutesAfter(60), ip: "127.0.0.1", userAgent: "vitest", now: T0 });
    expect(session).toMatchObject({ userId: user.id, expiresAt: minutesAfter(60), lastSeenAt: T0, ip: "127.0.0.1", userAgent: "vitest" });
    expect(JSON.stringify(session)).not.toContain("aaaa");
    await expect(createSession(db, { tokenHash: "a".repeat(64), csrfHash: "d", userId: user.id, expiresAt: minutesAfter(60), now: T0 })).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    await expect(createSession(db, { tokenHash: "b".repeat(64), csrfHash: "d", userId: 31_337, expiresAt: minutesAfter(60), now: T0 })).rejects.toBeInstanceOf(
      ForeignKeyViolationError,
    );

    expect(await findActiveSession(db, "a".repeat(64), minutesAfter(30))).toMatchObject({ session: { id: session.id }, user: { id: user.id } });
    expect(await findActiveSession(db, "a".repeat(64), minutesAfter(60))).toBeUndefined();
    expect(await touchSession(db, session.id, minutesAfter(59), minutesAfter(120))).toBe(true);
    expect(await findActiveSession(db, "a".repeat(64), minutesAfter(60))).toMatchObject({ session: { lastSeenAt: minutesAfter(59), expiresAt: minutesAfter(120) } });
    await updateUser(db, user.id, { active: false }, T0);
    expect(await findActiveSession(db, "a".repeat(64), minutesAfter(61))).toBeUndefined();

    await createSession(db, { tokenHash: "e".repeat(64), csrfHash: "c", userId: user.id, expiresAt: minutesAfter(10), now: T0 });
    await createSession(db, { tokenHash: "f".repeat(64), csrfHash: "c", userId: user.id, expiresAt: minutesAfter(500), now: T0 });
    expect(await deleteExpiredSessions(db, minutesAfter(130))).toBe(2);
    expect(await getSessionByTokenHash(db, "f".repeat(64))).toBeDefined();
    expect(await deleteSession(db, "f".repeat(64))).toBe(true);
    await createSession(db, { tokenHash: "g".repeat(64), csrfHash: "c", userId: user.id, expiresAt: minutesAfter(500), now: T0 });
    expect(await deleteSessionsOfUser(db, user.id)).toBe(1);
  });
});

describeEachDatabase("API keys repository", (current) => {
  it("creates keys with company scopes, finds active ones by hash, revokes, pages", async () => {
    const { db } = current();
    const user = await createUser(db, { email: "k@example.com", name: "K", passwordHash: "h", role: "admin" }, T0);
    const a = await makeCompany(db);
    const b = await makeCompany(db);
    const key = await createApiKey(db, {
      name: "CI",
      tokenHash: "1".repeat(64),
      prefix: "dsk_ab12",
      createdByUserId: user.id,
      companies: [
        { companyId: a.id, permissions: { view: true, run: true } },
        { companyId: b.id, permissions: {} },
      ],
      now: T0,
    });
    expect(key).toMatchObject({ name: "CI", prefix: "dsk_ab12", createdByUserId: user.id, revokedAt: null, expiresAt: null, lastUsedAt: null });
    expect(key.companies).toEqual([
      { companyId: a.id, permissions: { view: true, run: true, manageSchedules: false, editConnections: false } },
      { companyId: b.id, permissions: { view: true, run: false, manageSchedules: false, editConnections: false } },
    ]);
    expect(JSON.stringify(key)).not.toContain("1111");
    await expect(createApiKey(db, { name: "dup", tokenHash: "1".repeat(64), prefix: "x", createdByUserId: null, companies: [], now: T0 })).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    // The failed key left nothing behind (one transaction), nor does one with a bad company.
    await expect(
      createApiKey(db, { name: "bad", tokenHash: "2".repeat(64), prefix: "x", createdByUserId: null, companies: [{ companyId: 444_444, permissions: {} }], now: T0 }),
    ).rejects.toBeInstanceOf(ForeignKeyViolationError);
    expect(await db.selectFrom("api_keys").selectAll().execute()).toHaveLength(1);

    expect((await findActiveApiKey(db, "1".repeat(64), T0))?.id).toBe(key.id);
    expect(await apiKeyPermissionsFor(db, key.id, a.id)).toEqual({ view: true, run: true, manageSchedules: false, editConnections: false });
    await setApiKeyCompanyAccess(db, key.id, a.id, { view: true, manageSchedules: true });
    expect(await apiKeyPermissionsFor(db, key.id, a.id)).toEqual({ view: true, run: false, manageSchedules: true, editConnections: false });
    expect(await removeApiKeyCompanyAccess(db, key.id, b.id)).toBe(true);
    expect(await apiKeyPermissionsFor(db, key.id, b.id)).toEqual(NO_PERMISSIONS);
    expect((await listCompanies(db, { visibleToApiKeyId: key.id })).items.map((c) => c.id)).toEqual([a.id]);

    await touchApiKey(db, key.id, minutesAfter(3));
    expect((await getApiKey(db, key.id))?.lastUsedAt).toEqual(minutesAfter(3));

    const expiring = await createApiKey(db, { name: "short", tokenHash: "3".repeat(64), prefix: "x", createdByUserId: null, expiresAt: minutesAfter(10), companies: [], now: T0 });
    expect(await findActiveApiKey(db, "3".repeat(64), minutesAfter(9))).toBeDefined();
    expect(await findActiveApiKey(db, "3".repeat(64), minutesAfter(10))).toBeUndefined();

    expect(await revokeApiKey(db, key.id, minutesAfter(5))).toBe(true);
    expect(await revokeApiKey(db, key.id, minutesAfter(6))).toBe(false);
    expect(await findActiveApiKey(db, "1".repeat(64), minutesAfter(7))).toBeUndefined();

    for (let i = 0; i < 5; i += 1) await createApiKey(db, { name: `k${i}`, tokenHash: `h${i}`.padEnd(64, "0"), prefix: "x", createdByUserId: user.id, companies: [{ companyId: a.id, permissions: {} }], now: T0 });
    const active = await collectPages((cursor) => listApiKeys(db, { limit: 2, cursor }));
    expect(active.items.map((k) => k.name)).toEqual(["k4", "k3", "k2", "k1", "k0", "short"]);
    expect(active.items[0]!.companies).toHaveLength(1);
    const all = await collectPages((cursor) => listApiKeys(db, { limit: 3, cursor, includeRevoked: true }));
    expect(all.items.map((k) => k.id)).toEqual([...all.items.map((k) => k.id)].sort((x, y) => y - x));
    expect(all.items).toHaveLength(7);
    expect((await listApiKeys(db, { createdByUserId: user.id })).items).toHaveLength(5);

    expect(await deleteApiKey(db, expiring.id)).toBe(true);
    // Deleting the creator keeps the key (created_by set null).
    await deleteUser(db, user.id);
    expect((await getApiKey(db, key.id))?.createdByUserId).toBeNull();
  });
});
