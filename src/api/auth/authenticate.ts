import type { FastifyInstance, FastifyRequest } from "fastify";
import { findActiveApiKey, touchApiKey } from "../../storage/repos/api-keys.js";
import { deleteSession, findActiveSession, touchSession } from "../../storage/repos/sessions.js";
import type { DbHandle } from "../../storage/db.js";
import type { Clock } from "../../clock.js";
import { HttpError } from "../http-error.js";
import type { Caller, RouteAccess } from "./caller.js";
import { CSRF_HEADER, SESSION_COOKIE } from "./session-cookie.js";
import { API_KEY_PREFIX, csrfTokenFor, sameHash, sha256Hex } from "./tokens.js";

/** Activity is written back at most this often, so reads do not all turn into writes. */
const TOUCH_EVERY_MS = 60_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AuthenticateOptions {
  db: DbHandle;
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
}

/**
 * One hook for the whole app: works out the caller (Bearer API key, else session cookie),
 * enforces the route's access level, and requires the CSRF header on cookie-authenticated
 * writes. Runs before the body is parsed, so anonymous callers learn nothing from validation.
 */
export function registerAuthentication(app: FastifyInstance, options: AuthenticateOptions): void {
  app.decorateRequest("caller", null);
  app.addHook("onRequest", async (request) => {
    const access = routeAccess(request);
    request.caller = await resolveCaller(request, options, access !== "public");
    if (access === "public") return;
    const caller = request.caller;
    if (!caller) throw new HttpError(401, "unauthenticated", "Log in or send an API key (Authorization: Bearer dsk_…).");
    if (access === "admin" && !(caller.kind === "user" && caller.user.role === "admin")) {
      throw new HttpError(403, "forbidden", "Only administrators may do this.");
    }
    if (caller.kind === "user" && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !sameHash(sha256Hex(sent), caller.session.csrfHash)) {
        throw new HttpError(403, "csrf_failed", `Send the CSRF token from login or /api/auth/me in the ${CSRF_HEADER} header.`);
      }
    }
  });
}

function routeAccess(request: FastifyRequest): RouteAccess {
  const configured = request.routeOptions.config?.access;
  if (configured) return configured;
  const url = request.routeOptions.url ?? request.url;
  // Everything under /api/ needs a caller unless a route says otherwise; docs and probes do not.
  return url.startsWith("/api/") && !url.startsWith("/api/docs") && url !== "/api/openapi.json" ? "authenticated" : "public";
}

async function resolveCaller(request: FastifyRequest, options: AuthenticateOptions, strict: boolean): Promise<Caller | null> {
  const { db, clock } = options;
  const now = clock.now();
  const authorization = request.headers.authorization;
  if (typeof authorization === "string" && authorization.length > 0) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const token = match?.[1];
    const key = token && token.startsWith(API_KEY_PREFIX) && token.length <= 200 ? await findActiveApiKey(db.db, sha256Hex(token), now) : undefined;
    if (!key) {
      if (strict) throw new HttpError(401, "unauthenticated", "That API key is unknown, revoked or expired.");
      return null;
    }
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= TOUCH_EVERY_MS) await touchApiKey(db.db, key.id, now);
    return { kind: "api_key", apiKey: key };
  }

  const token = request.cookies?.[SESSION_COOKIE];
  if (typeof token !== "string" || token.length === 0 || token.length > 200) return null;
  const tokenHash = sha256Hex(token);
  const found = await findActiveSession(db.db, tokenHash, now);
  if (!found) return null;
  const { session, user } = found;
  const hardEnd = session.createdAt.getTime() + options.absoluteMs;
  if (hardEnd <= now.getTime()) {
    await deleteSession(db.db, tokenHash);
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await touchSession(db.db, session.id, now, new Date(Math.min(now.getTime() + options.idleMs, hardEnd)));
  }
  return { kind: "user", user, session: { id: session.id, tokenHash, csrfHash: session.csrfHash, csrfToken: csrfTokenFor(token) } };
}
