import type { Selectable, Updateable } from "kysely";
import { NotFoundError, UniqueViolationError, withDbErrors } from "../errors.js";
import type { UsersTable } from "../schema.js";
import { listCompanies, type Company, type ListCompaniesOptions } from "./companies.js";
import {
  affected,
  decodeIdCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  fromFlag,
  insertReturningId,
  keysetPage,
  matchesAny,
  pageLimit,
  permissionsFromRow,
  permissionsToRow,
  toDbInstant,
  toFlag,
  type Db,
} from "./repo-helpers.js";
import { ALL_PERMISSIONS, NO_PERMISSIONS, type CompanyPermissions, type Page, type PageOptions } from "./types.js";

export type UserRole = "admin" | "member";

export interface User {
  id: number;
  /** Lower-case. */
  email: string;
  name: string;
  role: UserRole;
  active: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: UserRole;
  active?: boolean;
}

export type UserPatch = Partial<Omit<NewUser, never>>;

export interface CompanyAccess {
  companyId: number;
  companyName: string;
  companyCode: string;
  permissions: CompanyPermissions;
}

/** Emails are unique regardless of case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function userFromRow(row: Selectable<UsersTable>): User {
  return {
    id: Number(row.id),
    email: row.email,
    name: row.name,
    role: row.role as UserRole,
    active: fromFlag(row.active),
    lastLoginAt: fromDbInstantOrNull(row.last_login_at),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

/** Throws UniqueViolationError when the (normalised) email exists. */
export async function createUser(db: Db, input: NewUser, now: Date): Promise<User> {
  const at = toDbInstant(now);
  const id = await withDbErrors(() =>
    insertReturningId(db, "users", {
      email: normaliseEmail(input.email),
      name: input.name,
      password_hash: input.passwordHash,
      role: input.role ?? "member",
      active: toFlag(input.active ?? true),
      created_at: at,
      updated_at: at,
    }),
  );
  return (await getUser(db, id))!;
}

export async function getUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? userFromRow(row) : undefined;
}

export async function getUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const row = await db.selectFrom("users").selectAll().where("email", "=", normaliseEmail(email)).executeTakeFirst();
  return row ? userFromRow(row) : undefined;
}

/** For login only: the user and the stored password hash. */
export async function getUserLogin(db: Db, email: string): Promise<{ user: User; passwordHash: string } | undefined> {
  const row = await db.selectFrom("users").selectAll().where("email", "=", normaliseEmail(email)).executeTakeFirst();
  return row ? { user: userFromRow(row), passwordHash: row.password_hash } : undefined;
}

export interface ListUsersOptions extends PageOptions {
  search?: string;
  role?: UserRole;
}

/** Ordered by id (keyset paging). */
export async function listUsers(db: Db, options: ListUsersOptions = {}): Promise<Page<User>> {
  const after = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      let query = db.selectFrom("users").selectAll();
      if (options.search) query = query.where(matchesAny(["email", "name"], options.search));
      if (options.role) query = query.where("role", "=", options.role);
      if (after !== undefined) query = query.where("id", ">", after);
      return query.orderBy("id").limit(n).execute();
    },
    userFromRow,
    (row) => [Number(row.id)],
  );
}

/** Throws NotFoundError, or UniqueViolationError when the new email is taken. */
export async function updateUser(db: Db, id: number, patch: UserPatch, now: Date): Promise<User> {
  const set: Updateable<UsersTable> = { updated_at: toDbInstant(now) };
  if (patch.email !== undefined) set.email = normaliseEmail(patch.email);
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.active !== undefined) set.active = toFlag(patch.active);
  const result = await withDbErrors(() => db.updateTable("users").set(set).where("id", "=", id).executeTakeFirst());
  if (affected(result) === 0) throw new NotFoundError("user", id);
  return (await getUser(db, id))!;
}

export async function recordUserLogin(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable("users").set({ last_login_at: toDbInstant(now) }).where("id", "=", id).execute();
}

/** Deletes the user with their sessions and grants (cascade). */
export async function deleteUser(db: Db, id: number): Promise<boolean> {
  return affected(await withDbErrors(() => db.deleteFrom("users").where("id", "=", id).executeTakeFirst())) > 0;
}

/** Number of users (optionally of one role / only active ones): 0 means "create the first admin". */
export async function countUsers(db: Db, filter: { role?: UserRole; active?: boolean } = {}): Promise<number> {
  let query = db.selectFrom("users").select((eb) => eb.fn.countAll<number | string>().as("n"));
  if (filter.role) query = query.where("role", "=", filter.role);
  if (filter.active !== undefined) query = query.where("active", "=", toFlag(filter.active));
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Grants (or replaces) a user's permissions on one company. Unspecified permissions default to
 * view only. ForeignKeyViolationError for an unknown user or company.
 */
export async function grantCompanyAccess(db: Db, userId: number, companyId: number, permissions: Partial<CompanyPermissions>): Promise<void> {
  const values = permissionsToRow(permissions);
  const update = () =>
    db.updateTable("user_company_access").set(values).where("user_id", "=", userId).where("company_id", "=", companyId).executeTakeFirst();
  if (affected(await update()) > 0) return;
  try {
    await withDbErrors(() => insertReturningId(db, "user_company_access", { user_id: userId, company_id: companyId, ...values }));
  } catch (error) {
    if (!(error instanceof UniqueViolationError)) throw error;
    await update();
  }
}

export async function revokeCompanyAccess(db: Db, userId: number, companyId: number): Promise<boolean> {
  const result = await db.deleteFrom("user_company_access").where("user_id", "=", userId).where("company_id", "=", companyId).executeTakeFirst();
  return affected(result) > 0;
}

/**
 * What the user may do in the company: everything for an active admin, the granted
 * permissions for an active member, nothing for an inactive or unknown user.
 */
export async function permissionsFor(db: Db, userId: number, companyId: number): Promise<CompanyPermissions> {
  const user = await db.selectFrom("users").select(["role", "active"]).where("id", "=", userId).executeTakeFirst();
  if (!user || !fromFlag(user.active)) return { ...NO_PERMISSIONS };
  if (user.role === "admin") {
    const company = await db.selectFrom("companies").select("id").where("id", "=", companyId).executeTakeFirst();
    return company ? { ...ALL_PERMISSIONS } : { ...NO_PERMISSIONS };
  }
  const row = await db
    .selectFrom("user_company_access")
    .select(["can_view", "can_run", "can_manage_schedules", "can_edit_connections"])
    .where("user_id", "=", userId)
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  return row ? permissionsFromRow(row) : { ...NO_PERMISSIONS };
}

/** The user's explicit grants, by company name. */
export async function listCompanyAccessOfUser(db: Db, userId: number): Promise<CompanyAccess[]> {
  const rows = await db
    .selectFrom("user_company_access as a")
    .innerJoin("companies as c", "c.id", "a.company_id")
    .select(["a.company_id", "c.name", "c.code", "a.can_view", "a.can_run", "a.can_manage_schedules", "a.can_edit_connections"])
    .where("a.user_id", "=", userId)
    .orderBy("c.name")
    .orderBy("c.id")
    .execute();
  return rows.map((r) => ({ companyId: Number(r.company_id), companyName: r.name, companyCode: r.code, permissions: permissionsFromRow(r) }));
}

/** Companies the user may see: all for an active admin, granted ones for a member. */
export async function listCompaniesVisibleToUser(
  db: Db,
  userId: number,
  options: Omit<ListCompaniesOptions, "visibleToUserId" | "visibleToApiKeyId"> = {},
): Promise<Page<Company>> {
  const user = await getUser(db, userId);
  if (!user || !user.active) return { items: [], nextCursor: null };
  return listCompanies(db, user.role === "admin" ? options : { ...options, visibleToUserId: userId });
}
