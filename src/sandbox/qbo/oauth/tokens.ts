import type { RandomSource } from "../rng.js";
import type { QboRotation } from "../options.js";
import type { GrantRecord, QboState } from "../state.js";

/**
 * Intuit's token lifecycle. Every expiry is decided against the sandbox clock passed in as
 * `now`, so advancing the clock through the admin endpoint expires tokens.
 */
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
export const ACCESS_TOKEN_TTL = HOUR;
export const REFRESH_IDLE_TTL = 100 * DAY;
export const GRANT_HARD_TTL = 5 * 365 * DAY;
export const AUTH_CODE_TTL = 10 * 60 * SECOND;
const STICKY_WINDOW = DAY;

export interface TokenResponse {
  x_refresh_token_expires_in: number;
  refresh_token: string;
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  x_refresh_token_hard_expires_in?: number;
}

export type TokenOutcome = { ok: true; body: TokenResponse } | { ok: false; error: "invalid_grant_code" | "invalid_grant_refresh" };

export interface TokenContext {
  state: QboState;
  random: RandomSource;
  now: number;
  includeHardExpiry: boolean;
}

const newAccessToken = (random: RandomSource): string =>
  `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${random.token(22)}.${random.token(180)}.${random.token(22)}`;
const newRefreshToken = (random: RandomSource): string => `AB11${random.token(10, "0123456789")}${random.token(36)}`;

function issueRefreshToken(ctx: TokenContext, grant: GrantRecord): string {
  const token = newRefreshToken(ctx.random);
  ctx.state.refreshTokens[token] = {
    grantId: grant.grantId,
    issuedAt: ctx.now,
    expiresAt: Math.min(ctx.now + REFRESH_IDLE_TTL, grant.hardExpiresAt),
  };
  grant.currentRefreshToken = token;
  return token;
}

function respond(ctx: TokenContext, grant: GrantRecord, refreshToken: string): TokenResponse {
  const access = newAccessToken(ctx.random);
  ctx.state.accessTokens[access] = { grantId: grant.grantId, expiresAt: ctx.now + ACCESS_TOKEN_TTL };
  const record = ctx.state.refreshTokens[refreshToken]!;
  const body: TokenResponse = {
    x_refresh_token_expires_in: Math.max(0, Math.floor((record.expiresAt - ctx.now) / SECOND)),
    refresh_token: refreshToken,
    access_token: access,
    token_type: "bearer",
    expires_in: ACCESS_TOKEN_TTL / SECOND,
  };
  if (ctx.includeHardExpiry) body.x_refresh_token_hard_expires_in = Math.floor((grant.hardExpiresAt - ctx.now) / SECOND);
  return body;
}

export function exchangeCode(ctx: TokenContext, clientId: string, code: string, redirectUri: string): TokenOutcome {
  const record = ctx.state.codes[code];
  if (!record || record.clientId !== clientId) return { ok: false, error: "invalid_grant_code" };
  if (record.usedAt !== undefined) {
    // A replayed code means it may have leaked: Intuit (per RFC 6749 §4.1.2) kills what it issued.
    if (record.grantId) revokeGrant(ctx.state, record.grantId);
    return { ok: false, error: "invalid_grant_code" };
  }
  if (ctx.now >= record.expiresAt || record.redirectUri !== redirectUri) return { ok: false, error: "invalid_grant_code" };
  record.usedAt = ctx.now;
  const grant: GrantRecord = {
    grantId: ctx.random.token(24),
    clientId,
    realmId: record.realmId,
    scope: record.scope,
    createdAt: ctx.now,
    hardExpiresAt: ctx.now + GRANT_HARD_TTL,
    revoked: false,
    currentRefreshToken: "",
  };
  ctx.state.grants[grant.grantId] = grant;
  record.grantId = grant.grantId;
  return { ok: true, body: respond(ctx, grant, issueRefreshToken(ctx, grant)) };
}

export function refreshGrant(ctx: TokenContext, clientId: string, refreshToken: string, rotation: QboRotation): TokenOutcome {
  const fail: TokenOutcome = { ok: false, error: "invalid_grant_refresh" };
  const record = ctx.state.refreshTokens[refreshToken];
  const grant = record && ctx.state.grants[record.grantId];
  if (!record || !grant || grant.revoked || grant.clientId !== clientId) return fail;
  if (ctx.now >= record.expiresAt || ctx.now >= grant.hardExpiresAt) return fail;
  if (record.diesAt !== undefined && ctx.now >= record.diesAt) return fail;

  if (rotation === "strict") {
    record.retiredAt = ctx.now;
    record.diesAt = ctx.now;
    return { ok: true, body: respond(ctx, grant, issueRefreshToken(ctx, grant)) };
  }
  // sticky24h: the value only changes once the current one is a day old; until then (and for a
  // day after a change) every caller gets the current value, so racing processes both win.
  const current = ctx.state.refreshTokens[grant.currentRefreshToken];
  if (current && current.diesAt === undefined && ctx.now - current.issuedAt < STICKY_WINDOW && ctx.now < current.expiresAt) {
    return { ok: true, body: respond(ctx, grant, grant.currentRefreshToken) };
  }
  if (current && current.diesAt === undefined) {
    current.retiredAt = ctx.now;
    current.diesAt = ctx.now + STICKY_WINDOW;
  }
  return { ok: true, body: respond(ctx, grant, issueRefreshToken(ctx, grant)) };
}

export function revokeGrant(state: QboState, grantId: string): void {
  const grant = state.grants[grantId];
  if (grant) grant.revoked = true;
}

/** Revokes the grant behind an access or refresh token. Unknown tokens are ignored (RFC 7009). */
export function revokeToken(state: QboState, clientId: string, token: string): void {
  const grantId = state.accessTokens[token]?.grantId ?? state.refreshTokens[token]?.grantId;
  if (grantId && state.grants[grantId]?.clientId === clientId) revokeGrant(state, grantId);
}

export type AccessCheck = { ok: true; grant: GrantRecord } | { ok: false; detail: string };

export function checkAccessToken(state: QboState, token: string | undefined, now: number): AccessCheck {
  if (!token) return { ok: false, detail: "Authorization header is missing or malformed" };
  const shown = `${token.slice(0, 3)}...`;
  const record = state.accessTokens[token];
  const grant = record && state.grants[record.grantId];
  if (!record || !grant) return { ok: false, detail: `Token invalid: ${shown}` };
  if (grant.revoked) return { ok: false, detail: `Token revoked: ${shown}` };
  if (now >= record.expiresAt) return { ok: false, detail: `Token expired: ${shown}` };
  return { ok: true, grant };
}

/** Drops records that can never be used again, so long-running sandboxes keep small snapshots. */
export function pruneTokens(state: QboState, now: number): void {
  for (const [token, rec] of Object.entries(state.accessTokens)) if (now >= rec.expiresAt + DAY) delete state.accessTokens[token];
  for (const [code, rec] of Object.entries(state.codes)) if (now >= rec.expiresAt + DAY) delete state.codes[code];
}
