import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createFirstAdmin, SetupAlreadyDoneError } from "../../storage/repos/api-access.js";
import { listCompanyAccessOfUser, countUsers, getUserLogin, normaliseEmail, recordUserLogin, updateUser, type User } from "../../storage/repos/users.js";
import { inTransaction } from "../../storage/repos/repo-helpers.js";
import { createSession, deleteOtherSessionsOfUser, deleteSession } from "../../storage/repos/sessions.js";
import { audit } from "../audit.js";
import { createLoginThrottle } from "../auth/login-throttle.js";
import { hashPassword, verifyPassword } from "../auth/password-hash.js";
import { newPasswordField, passwordProblem } from "../auth/password-policy.js";
import { clearSessionCookie, setSessionCookie } from "../auth/session-cookie.js";
import { csrfTokenFor, randomToken, sha256Hex } from "../auth/tokens.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { errorResponses, line, OBJECT_BODY, permissionsOut, permissionsSchema, instant } from "../schemas/common.js";
import { emailField, loginPassword, rejectOwnEmail, userOut, userSchema } from "../schemas/users.js";

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

// A real hash of a random password: unknown emails cost the same time as wrong passwords.
let dummyHash: Promise<string> | undefined;

/** Login, logout, who am I, and the one-time first-admin setup. */
export function registerAuthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;
  const throttle = createLoginThrottle(clock, ctx.deps.loginThrottle);

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
      config: { access: "public" },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const account = normaliseEmail(email);
      const decision = throttle.attempt(account, request.ip);
      if (!decision.allowed) throw tooManyFailures(decision, reply);
      const login = await getUserLogin(db.db, email);
      const valid = login ? await verifyPassword(password, login.passwordHash) : await verifyPassword(password, await (dummyHash ??= hashPassword(randomToken())));
      if (!login || !valid || !login.user.active) {
        throttle.failed(account, request.ip);
        await audit(db.db, clock, request, {
          action: "auth.login_failed",
          actorLabel: account,
          actorUserId: null,
          targetType: login ? "user" : null,
          targetId: login?.user.id ?? null,
          details: { reason: !login ? "unknown_email" : !valid ? "wrong_password" : "inactive" },
        });
        throw new HttpError(401, "invalid_credentials", "That email and password do not match an active account.");
      }
      throttle.succeeded(account);
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

  r.post(
    "/api/auth/password",
    {
      schema: {
        tags: ["auth"],
        summary: "Change your own password (needs the current one); your other sessions are logged out",
        body: z.strictObject({ current_password: loginPassword, new_password: newPasswordField("new_password") }, OBJECT_BODY),
        response: { 200: z.object({ ok: z.literal(true), other_sessions_ended: z.number().int() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = request.caller;
      if (caller?.kind !== "user") throw new HttpError(403, "forbidden", "Only a logged-in person can change a password; API keys have none.");
      const { current_password: current, new_password: next } = request.body;
      const account = caller.user.email;
      // A stolen session must not become a way around the login limits to guess the password.
      const decision = throttle.attempt(account, request.ip);
      if (!decision.allowed) throw tooManyFailures(decision, reply);
      const login = await getUserLogin(db.db, account);
      if (!login || !(await verifyPassword(current, login.passwordHash))) {
        throttle.failed(account, request.ip);
        throw new HttpError(400, "validation_failed", "The current password is not right.", { current_password: "current_password is not right" });
      }
      const problem = passwordProblem(next, { email: account });
      if (problem) throw new HttpError(400, "validation_failed", `The request body has a problem: new_password ${problem}`, { new_password: `new_password ${problem}` });
      throttle.succeeded(account);
      const ended = await inTransaction(db.db, async (trx) => {
        await updateUser(trx, caller.user.id, { passwordHash: await hashPassword(next) }, clock.now());
        const count = await deleteOtherSessionsOfUser(trx, caller.user.id, caller.session.id);
        await audit(trx, clock, request, { action: "auth.password_change", targetType: "user", targetId: caller.user.id, details: { other_sessions_ended: count } });
        return count;
      });
      return { ok: true as const, other_sessions_ended: ended };
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
        body: z.strictObject({ email: emailField(), name: line("name", 200), password: newPasswordField() }, OBJECT_BODY).superRefine(rejectOwnEmail),
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

/** The 429 of a throttled attempt, with Retry-After in seconds. */
function tooManyFailures(decision: { retryAfterMs: number; reason: "account" | "address" }, reply: FastifyReply): HttpError {
  const seconds = Math.ceil(decision.retryAfterMs / 1000);
  void reply.header("retry-after", String(seconds));
  const who = decision.reason === "account" ? "this account" : "your network address";
  return new HttpError(429, "rate_limited", `Too many failed password attempts for ${who}. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
}

function setupDone(): HttpError {
  return new HttpError(409, "setup_done", "devsync is already set up. Log in, or ask an administrator for an account.");
}
