import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getCompany } from "../../storage/repos/companies.js";
import { inTransaction } from "../../storage/repos/repo-helpers.js";
import { deleteSessionsOfUser } from "../../storage/repos/sessions.js";
import {
  countUsers,
  createUser,
  deleteUser,
  getUser,
  grantCompanyAccess,
  listCompanyAccessOfUser,
  listUsers,
  revokeCompanyAccess,
  updateUser,
  type User,
  type UserPatch,
} from "../../storage/repos/users.js";
import { audit } from "../audit.js";
import { hashPassword } from "../auth/password-hash.js";
import { newPasswordField, passwordProblem } from "../auth/password-policy.js";
import { notFound } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { bool, errorResponses, idParam, idParams, line, OBJECT_BODY, pageOf, pageQuery, permissionsIn, permissionsInput, permissionsOut, permissionsSchema, text } from "../schemas/common.js";
import { emailField, rejectOwnEmail, userOut, userSchema } from "../schemas/users.js";

const password = newPasswordField();
const role = z.enum(["admin", "member"], "role must be admin or member");

const accessSchema = z.object({ company_id: z.number().int(), company_name: z.string(), company_code: z.string(), permissions: permissionsSchema });
const userDetailSchema = userSchema.extend({ companies: z.array(accessSchema) });
const grantParams = z.object({ id: idParam(), companyId: idParam("companyId") });

/** User administration (administrators only): accounts, roles and per-company access. */
export function registerUserRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;
  const admin = { access: "admin" as const };

  async function detail(user: User) {
    const grants = await listCompanyAccessOfUser(db.db, user.id);
    return {
      ...userOut(user),
      companies: grants.map((g) => ({ company_id: g.companyId, company_name: g.companyName, company_code: g.companyCode, permissions: permissionsOut(g.permissions) })),
    };
  }

  async function loadUser(id: number): Promise<User> {
    const user = await getUser(db.db, id);
    if (!user) throw notFound("user");
    return user;
  }

  /** Refuses a change that would leave no active administrator. */
  async function keepAnAdmin(user: User, after: { role?: string; active?: boolean; deleted?: boolean }) {
    const wasActiveAdmin = user.role === "admin" && user.active;
    const staysActiveAdmin = !after.deleted && (after.role ?? user.role) === "admin" && (after.active ?? user.active);
    if (wasActiveAdmin && !staysActiveAdmin && (await countUsers(db.db, { role: "admin", active: true })) <= 1) {
      throw new HttpError(409, "last_admin", "This is the last active administrator; make someone else an administrator first.");
    }
  }

  r.get(
    "/api/users",
    {
      schema: {
        tags: ["users"],
        summary: "Accounts (administrators)",
        querystring: z.strictObject({ ...pageQuery, search: text("search", 100).optional(), role: role.optional() }),
        response: { 200: pageOf(userSchema), ...errorResponses },
      },
      config: admin,
    },
    async (request) => {
      const { limit, cursor, search, role: wanted } = request.query;
      const page = await listUsers(db.db, { limit: limit ?? 50, cursor: cursor ?? null, search, role: wanted });
      return { items: page.items.map(userOut), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/api/users",
    {
      schema: {
        tags: ["users"],
        summary: "Create an account (administrators)",
        body: z.strictObject({ email: emailField(), name: line("name", 200), password, role: role.optional() }, OBJECT_BODY).superRefine(rejectOwnEmail),
        response: { 201: userDetailSchema, ...errorResponses },
      },
      config: admin,
    },
    async (request, reply) => {
      const b = request.body;
      const user = await createUser(db.db, { email: b.email, name: b.name, passwordHash: await hashPassword(b.password), role: b.role ?? "member" }, clock.now());
      await audit(db.db, clock, request, { action: "user.create", targetType: "user", targetId: user.id, details: { email: user.email, role: user.role } });
      return reply.code(201).send(await detail(user));
    },
  );

  r.get(
    "/api/users/:id",
    { schema: { tags: ["users"], summary: "An account with its company access (administrators)", params: idParams, response: { 200: userDetailSchema, ...errorResponses } }, config: admin },
    async (request) => detail(await loadUser(request.params.id)),
  );

  r.patch(
    "/api/users/:id",
    {
      schema: {
        tags: ["users"],
        summary: "Change an account: name, email, password, role, active (administrators)",
        params: idParams,
        body: z.strictObject(
          { email: emailField().optional(), name: line("name", 200).optional(), password: password.optional(), role: role.optional(), active: bool("active").optional() },
          OBJECT_BODY,
        ),
        response: { 200: userDetailSchema, ...errorResponses },
      },
      config: admin,
    },
    async (request) => {
      const user = await loadUser(request.params.id);
      const b = request.body;
      await keepAnAdmin(user, { role: b.role, active: b.active });
      const ownEmail = b.password !== undefined ? passwordProblem(b.password, { email: b.email ?? user.email }) : undefined;
      if (ownEmail) throw new HttpError(400, "validation_failed", `The request body has a problem: password ${ownEmail}`, { password: `password ${ownEmail}` });
      const patch: UserPatch = {};
      if (b.email !== undefined) patch.email = b.email;
      if (b.name !== undefined) patch.name = b.name;
      if (b.role !== undefined) patch.role = b.role;
      if (b.active !== undefined) patch.active = b.active;
      if (b.password !== undefined) patch.passwordHash = await hashPassword(b.password);
      const updated = await inTransaction(db.db, async (trx) => {
        const changed = await updateUser(trx, user.id, patch, clock.now());
        // A new password or a deactivation ends every session of the account.
        if (b.password !== undefined || b.active === false) await deleteSessionsOfUser(trx, user.id);
        await audit(trx, clock, request, { action: "user.update", targetType: "user", targetId: user.id, details: { fields: Object.keys(b), role: b.role, active: b.active } });
        return changed;
      });
      return detail(updated);
    },
  );

  r.delete(
    "/api/users/:id",
    {
      schema: { tags: ["users"], summary: "Delete an account (administrators)", params: idParams, response: { 200: z.object({ deleted: z.literal(true), id: z.number().int() }), ...errorResponses } },
      config: admin,
    },
    async (request) => {
      const user = await loadUser(request.params.id);
      await keepAnAdmin(user, { deleted: true });
      await deleteUser(db.db, user.id);
      await audit(db.db, clock, request, { action: "user.delete", targetType: "user", targetId: user.id, details: { email: user.email } });
      return { deleted: true as const, id: user.id };
    },
  );

  r.put(
    "/api/users/:id/companies/:companyId",
    {
      schema: {
        tags: ["users"],
        summary: "Grant or change an account's permissions in a company (administrators)",
        params: grantParams,
        body: permissionsInput,
        response: { 200: userDetailSchema, ...errorResponses },
      },
      config: admin,
    },
    async (request) => {
      const user = await loadUser(request.params.id);
      const company = await getCompany(db.db, request.params.companyId);
      if (!company) throw notFound("company");
      const permissions = permissionsIn(request.body ?? {});
      await grantCompanyAccess(db.db, user.id, company.id, permissions);
      await audit(db.db, clock, request, { action: "user.grant", companyId: company.id, targetType: "user", targetId: user.id, details: { permissions: permissionsOut(permissions) } });
      return detail(user);
    },
  );

  r.delete(
    "/api/users/:id/companies/:companyId",
    {
      schema: { tags: ["users"], summary: "Remove an account's access to a company (administrators)", params: grantParams, response: { 200: userDetailSchema, ...errorResponses } },
      config: admin,
    },
    async (request) => {
      const user = await loadUser(request.params.id);
      if (await revokeCompanyAccess(db.db, user.id, request.params.companyId)) {
        await audit(db.db, clock, request, { action: "user.revoke", companyId: request.params.companyId, targetType: "user", targetId: user.id });
      }
      return detail(user);
    },
  );
}
