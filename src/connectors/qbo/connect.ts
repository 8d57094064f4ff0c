import { createHash, randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import { createOAuthState, consumeOAuthState } from "../../storage/repos/oauth-states.js";
import { getQboConnectionByRealm, markDisconnected, readQboTokens, RealmInUseError, saveConnectedTokens, type QboEnvironment } from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { pauseSchedulesForReconnect, resumeSchedulesAfterReconnect } from "../../scheduler/resume-schedules.js";
import type { ConnectionEvents } from "./connection-events.js";
import { QboGrantRevokedError, QboOAuthError } from "./errors.js";
import type { QboOAuthClient } from "./oauth.js";
import type { QboTokenManager } from "./token-manager.js";

export type QboConnectErrorCode =
  | "missing_parameters"
  | "state_unknown"
  | "state_expired"
  | "state_used"
  | "state_user_mismatch"
  | "authorization_denied"
  | "code_rejected"
  | "realm_in_use"
  | "revoke_failed";

const USER_MESSAGES: Record<QboConnectErrorCode, string> = {
  missing_parameters: "QuickBooks sent back an incomplete answer. Please start the connection again from the company's settings.",
  state_unknown: "This QuickBooks connection link is not valid. Please start again from the company's settings.",
  state_expired: "This QuickBooks connection link has expired (links last 10 minutes). Please start again from the company's settings.",
  state_used: "This QuickBooks connection link was already used. If the company is not connected yet, start again from its settings.",
  state_user_mismatch: "This QuickBooks connection was started by another user. Please start it again yourself.",
  authorization_denied: "The connection to QuickBooks was cancelled in QuickBooks. Nothing was changed.",
  code_rejected: "QuickBooks did not accept the authorization (it may have expired). Please connect again.",
  realm_in_use: "This QuickBooks company is already connected to another company in devsync. Disconnect it there first, or choose another QuickBooks company.",
  revoke_failed: "QuickBooks could not be reached to revoke access. Try again later, or disconnect anyway.",
};

/** A connect/disconnect refusal with a message written for the page the user sees. */
export class QboConnectError extends Error {
  override readonly name = "QboConnectError";
  readonly userMessage: string;
  constructor(readonly code: QboConnectErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(`${code}${detail ? `: ${detail}` : ""}`, options);
    this.userMessage = USER_MESSAGES[code];
  }
  /** 400 for a bad or replayed link, 409 for a realm owned elsewhere, 502 when Intuit failed us. */
  get httpStatus(): number {
    if (this.code === "realm_in_use") return 409;
    if (this.code === "revoke_failed") return 502;
    return 400;
  }
}

export interface QboConnectDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  oauth: QboOAuthClient;
  events: ConnectionEvents;
  /** To drop this process's cached token on reconnect/disconnect. */
  tokens?: Pick<QboTokenManager, "forget">;
  /** Which Intuit environment the app talks to (Config.qbo.environment). */
  environment: QboEnvironment;
  logger?: Logger;
  /** Lifetime of a connect link (default 10 min). */
  stateTtlMs?: number;
  /**
   * Reads the new realm's settings and applies the tax defaults they imply (realm-check.ts).
   * Best effort: a failure is logged and the connection stands.
   */
  checkRealm?: (companyId: number) => Promise<{ applied: boolean }>;
}

export function hashOAuthState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

/**
 * Step 1 of "Connect to QuickBooks": a one-time state (32 random bytes) bound to the company
 * and the user, stored only as its SHA-256, and the authorize URL carrying it.
 */
export async function startConnect(
  deps: QboConnectDeps,
  input: { companyId: number; userId: number | null },
): Promise<{ authorizeUrl: string; expiresAt: Date }> {
  const now = deps.clock.now();
  const state = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + (deps.stateTtlMs ?? 10 * 60_000));
  await createOAuthState(deps.db, { stateHash: hashOAuthState(state), companyId: input.companyId, userId: input.userId, expiresAt, now });
  return { authorizeUrl: deps.oauth.authorizeUrl(state), expiresAt };
}

export interface CompleteConnectInput {
  code?: string | null;
  state?: string | null;
  realmId?: string | null;
  /** Intuit's `error` parameter (`access_denied` when the user cancelled). */
  error?: string | null;
  /** The signed-in user handling the callback; must be the one who started, when given. */
  userId?: number | null;
}

export interface CompleteConnectResult {
  companyId: number;
  realmId: string;
  reconnected: boolean;
  resumedSchedules: number;
  /** The realm's settings were read and stored; `applied`: the detected tax settings were written. */
  realmCheck: "applied" | "kept_user_settings" | "failed" | "skipped";
}

/**
 * Step 2, the OAuth callback. The state is consumed first (compare-and-swap), so a replayed or
 * concurrent callback never reaches Intuit: the code is exchanged exactly once. Tokens are
 * stored sealed with their three expiries; a reconnect replaces them and lifts the
 * "reconnect QuickBooks" pause.
 */
export async function completeConnect(deps: QboConnectDeps, input: CompleteConnectInput): Promise<CompleteConnectResult> {
  if (!input.state) throw new QboConnectError("missing_parameters", "no state");
  const consumed = await consumeOAuthState(deps.db, hashOAuthState(input.state), deps.clock.now());
  if (!consumed.ok) throw new QboConnectError(consumed.reason === "unknown" ? "state_unknown" : consumed.reason === "expired" ? "state_expired" : "state_used");
  const { companyId, userId } = consumed.state;
  if (input.userId !== undefined && input.userId !== null && userId !== null && input.userId !== userId) {
    throw new QboConnectError("state_user_mismatch");
  }
  if (input.error) throw new QboConnectError("authorization_denied", input.error);
  if (!input.code || !input.realmId) throw new QboConnectError("missing_parameters", "no code or realmId");
  const realmId = input.realmId;

  // Refuse before spending the code when the realm plainly belongs to another company.
  const owner = await getQboConnectionByRealm(deps.db, realmId);
  if (owner && owner.companyId !== companyId) throw new QboConnectError("realm_in_use", `realm ${realmId} belongs to company ${owner.companyId}`);

  let tokens;
  try {
    tokens = await deps.oauth.exchangeCode(input.code);
  } catch (error) {
    if (error instanceof QboGrantRevokedError) throw new QboConnectError("code_rejected", error.reason, { cause: error });
    if (error instanceof QboOAuthError && !error.isTransient) throw new QboConnectError("code_rejected", error.message, { cause: error });
    throw error;
  }

  const previous = await readQboTokens(deps.db, deps.box, companyId);
  const now = deps.clock.now();
  try {
    await saveConnectedTokens(deps.db, deps.box, { companyId, realmId, environment: deps.environment, tokens, now });
  } catch (error) {
    if (error instanceof RealmInUseError) throw new QboConnectError("realm_in_use", error.message, { cause: error });
    throw error;
  }
  deps.tokens?.forget(companyId);
  // Next runs restart from now (docs/scheduling.md: re-enabled → first slot after now); the window of
  // that run reaches back to the last success, so nothing missed while paused is lost.
  const resumedSchedules = await resumeSchedulesAfterReconnect(deps.db, companyId, now);
  const reconnected = previous !== undefined && previous.connection.connectedAt !== null;
  deps.logger?.info({ companyId, realmId, reconnected, resumedSchedules }, "quickbooks connected");
  deps.events.emit({ type: "connected", companyId, realmId, reconnected, resumedSchedules });
  const realmCheck = await checkNewRealm(deps, companyId, realmId);
  return { companyId, realmId, reconnected, resumedSchedules, realmCheck };
}

/** Connecting never fails because the settings could not be read: the settings page then says "not checked yet". */
async function checkNewRealm(deps: QboConnectDeps, companyId: number, realmId: string): Promise<CompleteConnectResult["realmCheck"]> {
  if (!deps.checkRealm) return "skipped";
  try {
    return (await deps.checkRealm(companyId)).applied ? "applied" : "kept_user_settings";
  } catch (error) {
    deps.logger?.warn({ companyId, realmId, err: (error as Error).message }, "could not read the QuickBooks company's settings after connecting; re-check them in settings");
    return "failed";
  }
}

export interface DisconnectResult {
  /** What Intuit said: revoked, the token was already invalid, or there was nothing to revoke. */
  revocation: "revoked" | "invalid_token" | "no_tokens" | "failed_forced";
  pausedSchedules: number;
}

/**
 * Revokes the grant at Intuit, then forgets the tokens and the realm locally. A token Intuit
 * no longer knows is still cleared locally. When Intuit cannot be reached the connection is
 * kept (so the user can retry) unless `force` is set. Schedules are paused with
 * "reconnect QuickBooks": a later connect resumes them.
 */
export async function disconnect(deps: QboConnectDeps, companyId: number, options: { force?: boolean } = {}): Promise<DisconnectResult> {
  const stored = await readQboTokens(deps.db, deps.box, companyId);
  let revocation: DisconnectResult["revocation"] = "no_tokens";
  if (stored?.tokens) {
    try {
      revocation = await deps.oauth.revoke(stored.tokens.refreshToken);
    } catch (error) {
      if (!options.force) throw new QboConnectError("revoke_failed", (error as Error).message, { cause: error });
      deps.logger?.warn({ companyId, err: (error as Error).message }, "quickbooks revoke failed; disconnecting locally anyway");
      revocation = "failed_forced";
    }
  }
  const now = deps.clock.now();
  await markDisconnected(deps.db, companyId, now);
  deps.tokens?.forget(companyId);
  const pausedSchedules = await pauseSchedulesForReconnect(deps.db, companyId, now);
  deps.events.emit({ type: "disconnected", companyId, realmId: stored?.connection.realmId ?? null });
  return { revocation, pausedSchedules };
}
