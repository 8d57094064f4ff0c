/**
 * Token and connection failures. Faults of the accounting API itself are in faults.ts.
 */

/**
 * Intuit answered `invalid_grant` for the company's refresh token: the user revoked access,
 * the grant expired, or the token was rotated away. Never transient; only a reconnect helps.
 */
export class QboGrantRevokedError extends Error {
  override readonly name = "QboGrantRevokedError";
  constructor(readonly companyId: number | undefined, readonly reason: string) {
    super(`QuickBooks refused the refresh token${companyId !== undefined ? ` of company ${companyId}` : ""}: ${reason}. Reconnect QuickBooks.`);
  }
}

/** The company has no usable connection (never connected, disconnected, or waiting for a reconnect). */
export class QboNotConnectedError extends Error {
  override readonly name = "QboNotConnectedError";
  constructor(readonly companyId: number, readonly status: "missing" | "disconnected" | "reauth_required", readonly reason?: string | null) {
    super(
      status === "reauth_required"
        ? `QuickBooks must be reconnected for company ${companyId}${reason ? ` (${reason})` : ""}`
        : `company ${companyId} is not connected to QuickBooks`,
    );
  }
}

/**
 * The token endpoint failed in a way that is not about the grant: `invalid_client` (wrong app
 * credentials: permanent until configuration changes) or an unexpected answer.
 */
export class QboOAuthError extends Error {
  override readonly name = "QboOAuthError";
  constructor(readonly httpStatus: number, readonly oauthError: string, message: string) {
    super(message);
  }
  /** 5xx and unknown answers may pass; a rejected client or request will not. */
  get isTransient(): boolean {
    return this.httpStatus >= 500 || this.httpStatus === 429;
  }
}

/** Another process held the refresh lock longer than we were willing to wait. Transient. */
export class QboRefreshBusyError extends Error {
  override readonly name = "QboRefreshBusyError";
  constructor(readonly companyId: number, waitedMs: number) {
    super(`another process is refreshing the QuickBooks token of company ${companyId}; gave up after ${waitedMs} ms`);
  }
}
