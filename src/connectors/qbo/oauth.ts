import type { Clock } from "../../clock.js";
import type { QboTokens } from "../../storage/repos/qbo-connections.js";
import { basicAuth, fetchText, parseJsonOrUndefined, type FetchLike } from "../http.js";
import { QboGrantRevokedError, QboOAuthError } from "./errors.js";

export const QBO_ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

export interface QboOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Intuit's authorize page (appcenter.intuit.com/connect/oauth2, or the sandbox's). */
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** Must match the redirect URI registered in the Intuit app. */
  redirectUri: string;
  /** Deadline of one token or revoke call (default 15 s; keep it under the refresh lock TTL). */
  timeoutMs?: number;
}

export interface QboOAuthClient {
  /** The URL to send the user to; `state` must be the one-time value from startConnect. */
  authorizeUrl(state: string): string;
  /** authorization_code grant. The code is single-use: call this exactly once per callback. */
  exchangeCode(code: string): Promise<QboTokens>;
  /** refresh_token grant. invalid_grant → QboGrantRevokedError (never retry it). */
  refresh(refreshToken: string): Promise<QboTokens>;
  /** Revokes the grant behind the token. "invalid_token" when Intuit no longer knows it. */
  revoke(token: string): Promise<"revoked" | "invalid_token">;
}

/**
 * Intuit's OAuth 2.0 endpoints (docs/domain.md §2). Every token request asks for the hard expiry
 * (`x-include-refresh-token-hard-expires-in`), so the 5-year cap is known and can be flagged.
 */
export function createQboOAuthClient(deps: { fetch?: FetchLike; clock: Clock }, options: QboOAuthOptions): QboOAuthClient {
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const authorization = basicAuth(options.clientId, options.clientSecret);

  const tokenRequest = async (form: Record<string, string>): Promise<QboTokens> => {
    const sentAt = deps.clock.now().getTime();
    const response = await fetchText(
      fetchFn,
      options.tokenUrl,
      {
        method: "POST",
        headers: {
          authorization,
          accept: "application/json",
          "content-type": "application/x-www-form-urlencoded",
          "x-include-refresh-token-hard-expires-in": "true",
        },
        body: new URLSearchParams(form).toString(),
      },
      timeoutMs,
    );
    const json = parseJsonOrUndefined(response.text) as Record<string, unknown> | undefined;
    if (response.status !== 200) {
      const error = typeof json?.error === "string" ? json.error : "";
      const description = typeof json?.error_description === "string" ? json.error_description : error || `HTTP ${response.status}`;
      if (response.status === 400 && error === "invalid_grant") throw new QboGrantRevokedError(undefined, description);
      throw new QboOAuthError(response.status, error, `QuickBooks token endpoint answered ${response.status}${error ? ` ${error}` : ""}: ${description}`);
    }
    const access = json?.access_token;
    const refresh = json?.refresh_token;
    const expiresIn = Number(json?.expires_in);
    const refreshExpiresIn = Number(json?.x_refresh_token_expires_in);
    if (typeof access !== "string" || typeof refresh !== "string" || !(expiresIn > 0) || !(refreshExpiresIn > 0)) {
      throw new QboOAuthError(502, "invalid_response", "QuickBooks token endpoint answered 200 without the expected tokens");
    }
    const hard = Number(json?.x_refresh_token_hard_expires_in);
    // Expiries count from when we asked: a slow answer never makes us trust a token too long.
    return {
      accessToken: access,
      refreshToken: refresh,
      accessExpiresAt: new Date(sentAt + expiresIn * 1000),
      refreshExpiresAt: new Date(sentAt + refreshExpiresIn * 1000),
      ...(hard > 0 ? { refreshHardExpiresAt: new Date(sentAt + hard * 1000) } : {}),
    };
  };

  return {
    authorizeUrl(state) {
      const url = new URL(options.authorizeUrl);
      url.searchParams.set("client_id", options.clientId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("scope", QBO_ACCOUNTING_SCOPE);
      url.searchParams.set("redirect_uri", options.redirectUri);
      url.searchParams.set("state", state);
      return url.toString();
    },
    exchangeCode: (code) => tokenRequest({ grant_type: "authorization_code", code, redirect_uri: options.redirectUri }),
    refresh: (refreshToken) => tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }),
    async revoke(token) {
      const response = await fetchText(
        fetchFn,
        options.revokeUrl,
        { method: "POST", headers: { authorization, accept: "application/json", "content-type": "application/json" }, body: JSON.stringify({ token }) },
        timeoutMs,
      );
      if (response.status === 200) return "revoked";
      if (response.status === 400) return "invalid_token";
      const json = parseJsonOrUndefined(response.text) as Record<string, unknown> | undefined;
      const error = typeof json?.error === "string" ? json.error : "";
      throw new QboOAuthError(response.status, error, `QuickBooks revoke endpoint answered ${response.status}${error ? ` ${error}` : ""}`);
    },
  };
}
