import { DevposAuthError, DevposCredentialsError, DevposHttpError, DevposNotConfiguredError, DevposResponseError } from "./devpos/errors.js";
import { NetworkError, TimeoutError } from "./http.js";
import { QboGrantRevokedError, QboNotConnectedError, QboOAuthError, QboRefreshBusyError } from "./qbo/errors.js";
import { SecretBoxError } from "../secrets/secret-box.js";
import { QboAuthenticationError, QboFault, QboThrottledError } from "./qbo/faults.js";

/**
 * The ONE table that decides what is worth retrying (docs/style.md "Errors"). Connectors use it for
 * their in-call retries; the worker uses it to choose between requeue-with-backoff and a
 * permanent failure. A new error type is added here or it is treated as permanent (a bug).
 */
export type ErrorClass =
  /** 429: wait Retry-After (or the throttle default), then retry. */
  | "throttled"
  /** 5xx, network, timeouts, a busy refresh lock: jittered exponential backoff. */
  | "transient"
  /** 401 from the API: refresh the token once and retry once. */
  | "auth_expired"
  /** invalid_grant: the company must reconnect QuickBooks; never retried. */
  | "grant_revoked"
  /** Validation faults, bad credentials, missing configuration, bugs. */
  | "permanent";

export interface ErrorClassification {
  class: ErrorClass;
  retryable: boolean;
  /** Stable code for run records and alerts. */
  code: string;
}

const RULES: readonly { match: (error: unknown) => boolean; class: ErrorClass; code: (error: unknown) => string }[] = [
  { match: (e) => e instanceof QboGrantRevokedError, class: "grant_revoked", code: () => "qbo_grant_revoked" },
  // Stored credentials this process cannot decrypt: a wrong DEVSYNC_SECRET_KEY, never transient.
  { match: (e) => e instanceof SecretBoxError, class: "permanent", code: () => "secret_key_mismatch" },
  { match: (e) => e instanceof QboNotConnectedError, class: "permanent", code: (e) => `qbo_${(e as QboNotConnectedError).status === "reauth_required" ? "reauth_required" : "not_connected"}` },
  { match: (e) => e instanceof QboRefreshBusyError, class: "transient", code: () => "qbo_refresh_busy" },
  { match: (e) => e instanceof QboOAuthError && e.isTransient, class: "transient", code: () => "qbo_oauth_unavailable" },
  { match: (e) => e instanceof QboOAuthError, class: "permanent", code: (e) => `qbo_oauth_${(e as QboOAuthError).oauthError || "error"}` },
  { match: (e) => e instanceof QboThrottledError, class: "throttled", code: () => "qbo_throttled" },
  { match: (e) => e instanceof QboAuthenticationError, class: "auth_expired", code: () => "qbo_unauthorized" },
  { match: (e) => e instanceof QboFault && (e.httpStatus >= 500 || e.httpStatus === 408), class: "transient", code: () => "qbo_unavailable" },
  { match: (e) => e instanceof QboFault, class: "permanent", code: (e) => `qbo_fault_${(e as QboFault).code || (e as QboFault).httpStatus}` },
  { match: (e) => e instanceof DevposCredentialsError, class: "permanent", code: () => "devpos_bad_credentials" },
  { match: (e) => e instanceof DevposNotConfiguredError, class: "permanent", code: () => "devpos_not_configured" },
  { match: (e) => e instanceof DevposAuthError, class: "permanent", code: () => "devpos_unauthorized" },
  { match: (e) => e instanceof DevposHttpError && ((e as DevposHttpError).httpStatus >= 500 || (e as DevposHttpError).httpStatus === 429), class: "transient", code: () => "devpos_unavailable" },
  { match: (e) => e instanceof DevposHttpError, class: "permanent", code: (e) => `devpos_http_${(e as DevposHttpError).httpStatus}` },
  { match: (e) => e instanceof DevposResponseError, class: "transient", code: () => "devpos_bad_response" },
  { match: (e) => e instanceof TimeoutError, class: "transient", code: () => "timeout" },
  { match: (e) => e instanceof NetworkError, class: "transient", code: () => "network" },
];

export function classifyError(error: unknown): ErrorClassification {
  for (const rule of RULES) {
    if (rule.match(error)) {
      return { class: rule.class, retryable: rule.class === "throttled" || rule.class === "transient", code: rule.code(error) };
    }
  }
  return { class: "permanent", retryable: false, code: "internal_error" };
}

export interface BackoffOptions {
  /** First delay (ms). */
  baseMs: number;
  /** Upper bound of any delay (ms). */
  maxMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform delay in [base·2^n / 2, base·2^n], capped, so
 * many workers hitting the same outage do not retry in lockstep. `attempt` counts from 0.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
