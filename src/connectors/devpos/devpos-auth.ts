import type { Clock } from "../../clock.js";
import { basicAuth, fetchText, parseJsonOrUndefined, type FetchLike } from "../http.js";
import { redactSecrets } from "../redact.js";
import { DevposHttpError, DevposResponseError } from "./errors.js";
import type { DevposRawPayloadSink } from "./raw-payload.js";

export interface DevposLoginRequest {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tenant: string;
  username: string;
  password: string;
  timeoutMs: number;
}

export interface DevposToken {
  value: string;
  expiresAt: Date;
}

/** DevPos said the login is wrong (400 invalid_grant). */
export class DevposLoginRefusedError extends Error {
  override readonly name = "DevposLoginRefusedError";
  constructor(readonly detail: string) {
    super(`DevPos refused the login: ${detail}`);
  }
}

/**
 * Password grant against `{base}/connect/token` with the `tenant` header and the public SPA
 * client in a Basic header (docs/domain.md §1). DevPos issues no refresh token: log in again.
 */
export async function loginDevpos(
  deps: { fetch: FetchLike; clock: Clock; capture?: (endpoint: string, request: Parameters<DevposRawPayloadSink>[0]["request"], status: number, body: unknown) => void },
  request: DevposLoginRequest,
): Promise<DevposToken> {
  const url = `${request.baseUrl}/connect/token`;
  const form = new URLSearchParams({ grant_type: "password", username: request.username, password: request.password });
  const headers = {
    authorization: basicAuth(request.clientId, request.clientSecret),
    tenant: request.tenant,
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const sentAt = deps.clock.now();
  const response = await fetchText(deps.fetch, url, { method: "POST", headers, body: form.toString() }, request.timeoutMs);
  const json = parseJsonOrUndefined(response.text) as Record<string, unknown> | undefined;
  deps.capture?.(
    "token",
    { method: "POST", url, headers: redactSecrets(headers), form: redactSecrets(Object.fromEntries(form)) },
    response.status,
    redactSecrets(json ?? response.text.slice(0, 10_000)),
  );
  if (response.status === 400 && json?.error === "invalid_grant") {
    throw new DevposLoginRefusedError(String(json.error_description ?? "invalid_grant"));
  }
  if (response.status !== 200) throw new DevposHttpError(response.status, "connect/token", snippet(response.text));
  const token = json?.access_token;
  const expiresIn = Number(json?.expires_in);
  if (typeof token !== "string" || token === "" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new DevposResponseError("connect/token", "answer has no access_token/expires_in");
  }
  // Measured from when we asked, so a slow answer cannot make us trust a token too long.
  return { value: token, expiresAt: new Date(sentAt.getTime() + expiresIn * 1000) };
}

export function snippet(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}
