import { jitteredDelayMs, realSleep, type BackoffOptions, type Sleep } from "./backoff.js";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from "./webhook-signature.js";

/** The subset of `fetch` the sender uses (tests and the sandbox pass their own). */
export type WebhookFetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface WebhookSenderOptions {
  fetch?: WebhookFetch;
  sleep?: Sleep;
  random?: () => number;
  /** Deadline of one POST (default 10 s). */
  timeoutMs?: number;
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** Unix time for the timestamp header (default: the system clock). */
  now?: () => Date;
}

export interface WebhookDelivery {
  url: string;
  /** Signs the body when present; a channel without a secret posts unsigned. */
  secret: string | null;
  event: string;
  deliveryId: string;
  /** The exact bytes that are signed and sent. */
  body: string;
}

export type WebhookResult = { ok: true; status: number; attempts: number } | { ok: false; status: number | null; attempts: number; error: string };

export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookResult>;
}

/** Worth trying again: the receiver may be restarting or throttling. Other 4xx are final. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * POSTs signed JSON with retries (jittered exponential backoff, Retry-After honoured up to the
 * backoff cap) and a deadline per try. Never throws; the result says how it went. Never puts
 * the secret or the URL's query string in an error message.
 */
export function createWebhookSender(options: WebhookSenderOptions = {}): WebhookSender {
  const fetchFn = options.fetch ?? (globalThis.fetch as unknown as WebhookFetch);
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = Math.max(1, options.attempts ?? 4);
  const now = options.now ?? (() => new Date());
  const maxDelay = options.backoff?.maxMs ?? 30_000;

  return {
    async send(delivery) {
      let lastStatus: number | null = null;
      let lastError = "";
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "user-agent": "devsync-alerts",
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.deliveryId,
          [TIMESTAMP_HEADER]: String(Math.floor(now().getTime() / 1000)),
        };
        if (delivery.secret) headers[SIGNATURE_HEADER] = signWebhookBody(delivery.secret, delivery.body);
        let retryAfterMs: number | undefined;
        try {
          const response = await fetchFn(delivery.url, { method: "POST", headers, body: delivery.body, signal: AbortSignal.timeout(timeoutMs) });
          await response.text().catch(() => "");
          lastStatus = response.status;
          if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, attempts: attempt };
          lastError = `receiver answered ${response.status}`;
          if (!isRetryableStatus(response.status)) return { ok: false, status: response.status, attempts: attempt, error: lastError };
          const retryAfterHeader = response.headers.get("retry-after");
          const retryAfter = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
          if (Number.isFinite(retryAfter) && retryAfter >= 0) retryAfterMs = Math.min(maxDelay, retryAfter * 1000);
        } catch (error) {
          lastStatus = null;
          lastError = describeFetchError(error, timeoutMs);
        }
        if (attempt < attempts) await sleep(retryAfterMs ?? jitteredDelayMs(attempt - 1, options.backoff, random));
      }
      return { ok: false, status: lastStatus, attempts, error: `${lastError} (gave up after ${attempts} tries)` };
    },
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** The URL without credentials or query string, for logs. */
export function describeWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
