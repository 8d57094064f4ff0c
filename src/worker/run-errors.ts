/**
 * The worker's one table of failure kinds: whether a run that threw is retried (requeued with
 * backoff) or failed for good, and which error code the run records.
 */

/** Throw from an executor when trying again later may succeed (network, 429, 5xx, DevPos 500). */
export class RetryableRunError extends Error {
  override readonly name = "RetryableRunError";
  readonly retryable = true;
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throw from an executor when retrying cannot help (validation, missing setup). */
export class PermanentRunError extends Error {
  override readonly name = "PermanentRunError";
  readonly retryable = false;
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Abort reasons the worker gives `ctx.signal`. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(readonly runId: number) {
    super(`lease of run ${runId} was lost`);
  }
}

export class RunCancelledError extends Error {
  override readonly name = "RunCancelledError";
  constructor(readonly runId: number) {
    super(`run ${runId} was cancelled`);
  }
}

export class WorkerShutdownError extends Error {
  override readonly name = "WorkerShutdownError";
  constructor() {
    super("worker is shutting down");
  }
}

export interface RunErrorClass {
  retryable: boolean;
  /** QuickBooks refused the refresh token: the company must reconnect. */
  grantRevoked: boolean;
  code: string;
  message: string;
}

export const GRANT_REVOKED_CODE = "qbo_reauth_required";

/** This process's secret key cannot open a company's stored secrets (see secrets/secret-box.ts). */
export const SECRET_KEY_MISMATCH_CODE = "secret_key_mismatch";

const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/**
 * Classifies what an executor threw. In order:
 * - a QuickBooks revoked grant (`QboGrantRevokedError` from the connectors, or an error whose
 *   code is `invalid_grant`) → permanent, `grantRevoked`;
 * - an error carrying `retryable: boolean` (RetryableRunError, PermanentRunError, connector
 *   errors) → as it says;
 * - HTTP status 429 or ≥ 500, network error codes, timeouts → retryable;
 * - anything else (a bug, a 4xx) → permanent.
 */
export function classifyRunError(error: unknown): RunErrorClass {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    retryable?: unknown;
    status?: unknown;
    statusCode?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
  const code = typeof e.code === "string" && e.code !== "" ? e.code : undefined;
  if (e.name === "QboGrantRevokedError" || code === "invalid_grant" || code === GRANT_REVOKED_CODE) {
    return { retryable: false, grantRevoked: true, code: GRANT_REVOKED_CODE, message };
  }
  // The grant was refused earlier: the same incident, not a new failure (its one alert is sent).
  if (e.name === "QboNotConnectedError") {
    const status = (e as { status?: unknown }).status;
    if (status === "reauth_required") return { retryable: false, grantRevoked: true, code: GRANT_REVOKED_CODE, message: `QuickBooks needs reconnecting: ${message}` };
    return { retryable: false, grantRevoked: false, code: "qbo_not_connected", message };
  }
  if (e.name === "SecretBoxError") return secretKeyMismatch(message);
  if (typeof e.retryable === "boolean") {
    return { retryable: e.retryable, grantRevoked: false, code: code ?? (e.retryable ? "transient_error" : "run_error"), message };
  }
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : undefined;
  if (status !== undefined && (status === 429 || status >= 500)) return { retryable: true, grantRevoked: false, code: `http_${status}`, message };
  if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) return { retryable: true, grantRevoked: false, code: code.toLowerCase(), message };
  if (e.name === "TimeoutError") return { retryable: true, grantRevoked: false, code: "timeout", message };
  if (e.cause !== undefined && e.cause !== error) {
    const inner = classifyRunError(e.cause);
    if (inner.retryable || inner.grantRevoked || inner.code === SECRET_KEY_MISMATCH_CODE) return { ...inner, message: inner.code === SECRET_KEY_MISMATCH_CODE ? inner.message : message };
  }
  return { retryable: false, grantRevoked: false, code: status !== undefined ? `http_${status}` : (code ?? "internal_error"), message };
}

/**
 * A worker started with the wrong DEVSYNC_SECRET_KEY fails every run it takes; retrying cannot
 * help, and "internal_error" would send the operator hunting for a bug.
 */
export function secretKeyMismatch(detail: string): RunErrorClass {
  return {
    retryable: false,
    grantRevoked: false,
    code: SECRET_KEY_MISMATCH_CODE,
    message:
      `wrong secret key: this process cannot decrypt the company's stored credentials (${detail}). ` +
      "Start it with the DEVSYNC_SECRET_KEY the other devsync processes use (and DEVSYNC_SECRET_KEYS_PREVIOUS during a rotation).",
  };
}
