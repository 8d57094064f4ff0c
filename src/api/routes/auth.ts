import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createFirstAdmin, SetupAlreadyDoneError } from "../../storage/repos/api-access.js";
import { listCompanyAccessOfUser, countUsers, getUserLogin, normaliseEmail, recordUserLogin, type User } from "../../storage/repos/users.js";
import { createSession, deleteSession } from "../../storage/repos/sessions.js";
import { audit } from "../audit.js";
import { hashPassword, passwordProblem, verifyPassword } from "../auth/password-hash.js";
import { clearSessionCookie, setSessionCookie } from "../auth/session-cookie.js";
import { csrfTokenFor, randomToken, sha256Hex } from "../auth/tokens.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { errorResponses, line, OBJECT_BODY, permissionsOut, permissionsSchema, instant } from "../schemas/common.js";
import { emailField, loginPassword, userOut, userSchema } from "../schemas/users.js";

const sessionSchema = z.object({
  user: userSchema,
  csrf_token: z.string().describe("Send in the x-csrf-token header with every write made with the session cookie."),
  expires_at: instant,
});

const meSchema = z.object({
  kind: z.enum(["user", "api_key"]),
  user: userSchema.nullable(),
  api_key: z.object({ id: z.number().int(), name: z.string(), prefix: z.string() }).nullable(),
  csrf_token: z.string().nullable(),
  all_companies: z.boolean().describe("True for administrators, who see every company."),
  companies: z.array(z.object({ id: z.number().int(), name: z.string().nullable(), permissions: permissionsSchema })),
});

const newPassword = z.string({ error: () => "password must be text" }).superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `password ${problem}` });
});

// A real hash of a random password: unknown emails cost the same time as wrong passwords.
let dummyHash: Promise<string> | undefined;

/** Login, logout, who am I, and the one-time first-admin setup. */
export function registerAuthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;
  const rate = ctx.deps.loginRateLimit ?? {};

  async function startSession(request: FastifyRequest, reply: FastifyReply, user: User) {
    const now = clock.now();
    const token = randomToken();
    const csrf = csrfTokenFor(token);
    const expiresAt = new Date(now.getTime() + ctx.sessionIdleMs);
    await createSession(db.db, {
      tokenHash: sha256Hex(token),
      csrfHash: sha256Hex(csrf),
      userId: user.id,
      expiresAt,
      ip: request.ip.slice(0, 64),
      userAgent: typeof request.headers["user-agent"] === "string" ? request.headers["user-agent"] : null,
      now,
    });
    await recordUserLogin(db.db, user.id, now);
    setSessionCookie(reply, token, { secure: ctx.secureCookies, expiresAt: new Date(now.getTime() + ctx.sessionAbsoluteMs) });
    return { user: userOut({ ...user, lastLoginAt: now }), csrf_token: csrf, expires_at: expiresAt.toISOString() };
  }

  r.post(
    "/api/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Log in: sets the session cookie and returns the CSRF token",
        security: [],
        body: z.strictObject({ email: emailField(), password: loginPassword }, OBJECT_BODY),
        response: { 200: sessionSchema, ...errorResponses },
      },
      config: {
        access: "public",
        rateLimit: {
          max: rate.max ?? 10,
          timeWindow: rate.windowMs ?? 15 * 60_000,
          keyGenerator: (request: FastifyRequest) => {
            const email = (request.body as { email?: unknown } | undefined)?.email;
            return `${request.ip}|${typeof email === "string" ? normaliseEmail(email) : ""}`;
          },
          errorResponseBuilder: () => new HttpError(429, "rate_limited", "Too many login attempts. Wait a few minutes and try again."),
        },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const login = await getUserLogin(db.db, email);
      const valid = login ? await verifyPassword(password, login.passwordHash) : await verifyPassword(password, await (dummyHash ??= hashPassword(randomToken())));
      if (!login || !valid || !login.user.active) {
        await audit(db.db, clock, request, {
          action: "auth.login_failed",
          actorLabel: normaliseEmail(email),
          actorUserId: null,
          targetType: login ? "user" : null,
          targetId: login?.user.id ?? null,
          details: { reason: !login ? "unknown_email" : !valid ? "wrong_password" : "inactive" },
        });
        throw new HttpError(401, "invalid_credentials", "That email and password do not match an active account.");
      }
      const result = await startSession(request, reply, login.user);
      await audit(db.db, clock, request, { action: "auth.login", actorLabel: login.user.email, actorUserId: login.user.id, targetType: "user", targetId: login.user.id });
      return result;
    },
  );

  r.post(
    "/api/auth/logout",
    { schema: { tags: ["auth"], summary: "Log out: ends the session", response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } } },
    async (request, reply) => {
      const caller = request.caller;
      if (caller?.kind === "user") {
        await deleteSession(db.db, caller.session.tokenHash);
        await audit(db.db, clock, request, { action: "auth.logout", targetType: "user", targetId: caller.user.id });
      }
      clearSessionCookie(reply, { secure: ctx.secureCookies });
      return { ok: true as const };
    },
  );

  r.get(
    "/api/auth/me",
    { schema: { tags: ["auth"], summary: "The caller, its CSRF token and the companies it may see", response: { 200: meSchema, ...errorResponses } } },
    async (request) => {
      const caller = request.caller!;
      if (caller.kind === "user") {
        const admin = caller.user.role === "admin";
        const grants = admin ? [] : await listCompanyAccessOfUser(db.db, caller.user.id);
        return {
          kind: "user" as const,
          user: userOut(caller.user),
          api_key: null,
          csrf_token: caller.session.csrfToken,
          all_companies: admin,
          companies: grants.filter((g) => g.permissions.view).map((g) => ({ id: g.companyId, name: g.companyName, permissions: permissionsOut(g.permissions) })),
        };
      }
      return {
        kind: "api_key" as const,
        user: null,
        api_key: { id: caller.apiKey.id, name: caller.apiKey.name, prefix: caller.apiKey.prefix },
        csrf_token: null,
        all_companies: false,
        companies: caller.apiKey.companies.filter((c) => c.permissions.view).map((c) => ({ id: c.companyId, name: null, permissions: permissionsOut(c.permissions) })),
      };
    },
  );

  r.get(
    "/api/auth/setup",
    {
      schema: { tags: ["auth"], summary: "Whether the first administrator still has to be created", security: [], response: { 200: z.object({ setup_needed: z.boolean() }), ...errorResponses } },
      config: { access: "public" },
    },
    async () => ({ setup_needed: (await countUsers(db.db)) === 0 }),
  );

  r.post(
    "/api/auth/setup",
    {
      schema: {
        tags: ["auth"],
        summary: "Create the first administrator (only while no account exists) and log in",
        security: [],
        body: z.strictObject({ email: emailField(), name: line("name", 200), password: newPassword }, OBJECT_BODY),
        response: { 201: sessionSchema, ...errorResponses },
      },
      config: { access: "public" },
    },
    async (request, reply) => {
      const { email, name, password } = request.body;
      if ((await countUsers(db.db)) > 0) throw setupDone();
      let user: User;
      try {
        user = await createFirstAdmin(db.db, { email, name, passwordHash: await hashPassword(password) }, clock.now());
      } catch (error) {
        if (error instanceof SetupAlreadyDoneError) throw setupDone();
        throw error;
      }
      const result = await startSession(request, reply, user);
      await audit(db.db, clock, request, { action: "user.create", actorLabel: user.email, actorUserId: user.id, targetType: "user", targetId: user.id, details: { role: "admin", via: "setup" } });
      return reply.code(201).send(result);
    },
  );
}

function setupDone(): HttpError {
  return new HttpError(409, "setup_done", "devsync is already set up. Log in, or ask an administrator for an account.");
}
