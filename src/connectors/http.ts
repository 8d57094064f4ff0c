/**
 * The little HTTP surface both connectors share: a `fetch`-shaped dependency (tests and the
 * sandbox plug in without mocking a library), a deadline covering the whole exchange (headers
 * and body), and two error types for "no HTTP answer at all".
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Waits `ms` (injected so backoff can be shortened or observed in tests). */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** The request never got an HTTP answer: refused, reset, DNS, TLS. Always worth a retry. */
export class NetworkError extends Error {
  override readonly name: string = "NetworkError";
  constructor(readonly url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No complete answer within the deadline. The server may still have acted on it. */
export class TimeoutError extends NetworkError {
  override readonly name = "TimeoutError";
  constructor(url: string, readonly timeoutMs: number) {
    super(url, `no answer from ${redactUrl(url)} within ${timeoutMs} ms`);
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Sends one request and reads its whole body before `timeoutMs` elapses. Any failure to get
 * an HTTP answer becomes NetworkError/TimeoutError; every HTTP status is returned as is.
 */
export async function fetchText(fetchFn: FetchLike, url: string, init: RequestInit, timeoutMs: number): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchFn(url, { ...init, signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (signal.aborted) throw new TimeoutError(url, timeoutMs);
    throw new NetworkError(url, `request to ${redactUrl(url)} failed: ${describeCause(error)}`, { cause: error });
  }
}

/** Parses JSON, or returns undefined for an empty or non-JSON body. */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/** Query strings can carry queries with customer names; logs get the path only. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === "object" && "code" in cause ? ` (${String((cause as { code: unknown }).code)})` : "";
  return `${error.message}${code}`;
}
