import { randomBytes } from "node:crypto";
import type { SandboxClock } from "../clock.js";
import type { DevposState, IssuedToken } from "./devpos-state.js";

/** DevPos tokens live 8 hours by the sandbox clock and cannot be refreshed. */
export const DEVPOS_TOKEN_LIFETIME_S = 28_800;

/**
 * Issues a JWT-shaped bearer token. The signature is random and the simulator looks tokens up
 * by value, so clients that peek at `exp` see the truth while forging stays impossible.
 */
export function issueDevposToken(state: DevposState, clock: SandboxClock, tenant: string, username: string): string {
  const now = clock.now();
  pruneExpired(state, now);
  const expiresAt = now + DEVPOS_TOKEN_LIFETIME_S * 1000;
  const header = base64url({ alg: "RS256", typ: "at+jwt" });
  const payload = base64url({
    nbf: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    iss: "devpos-sandbox",
    client_id: "fiskalizimi_spa",
    sub: username,
    tenant,
    jti: randomBytes(8).toString("hex"),
  });
  const token = `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
  state.tokens.set(token, { tenant, username, expiresAt });
  return token;
}

export type TokenCheck = { ok: true; token: IssuedToken } | { ok: false; expiredAt?: number };

/** A token only opens its own tenant: another tenant's token is as good as none. */
export function checkDevposToken(state: DevposState, clock: SandboxClock, token: string | undefined, tenant: string | undefined): TokenCheck {
  if (!token || !tenant) return { ok: false };
  const issued = state.tokens.get(token);
  if (!issued || issued.tenant !== tenant) return { ok: false };
  if (clock.now() >= issued.expiresAt) return { ok: false, expiredAt: issued.expiresAt };
  return { ok: true, token: issued };
}

function pruneExpired(state: DevposState, now: number): void {
  for (const [token, issued] of state.tokens) if (issued.expiresAt <= now) state.tokens.delete(token);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
