import { describe, expect, it } from "vitest";
import { jitteredDelayMs } from "../../../src/notify/backoff.js";
import { failedCountOf } from "../../../src/notify/run-result.js";
import { createWebhookSender, describeWebhookUrl, type WebhookFetch } from "../../../src/notify/webhook-sender.js";
import { signWebhookBody, verifyWebhookSignature } from "../../../src/notify/webhook-signature.js";
import { subscriptionsFor } from "../../../src/notify/alert-message.js";

function scriptedFetch(script: (number | Error)[]) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetch: WebhookFetch = async (url, init) => {
    calls.push({ url, headers: init.headers, body: init.body });
    const next = script.shift() ?? 200;
    if (next instanceof Error) throw next;
    return { status: next, headers: { get: () => null }, text: async () => "" };
  };
  return { fetch, calls };
}

describe("webhook signature", () => {
  it("is sha256=<hex HMAC of the raw body> and verifies only with the same secret and bytes", () => {
    const body = '{"event":"run.failed"}';
    // Known answer: HMAC-SHA256("key", body) computed independently of the code under test.
    expect(signWebhookBody("key", "The quick brown fox jumps over the lazy dog")).toBe("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    const header = signWebhookBody("s3cret", body);
    expect(verifyWebhookSignature("s3cret", body, header)).toBe(true);
    expect(verifyWebhookSignature("s3cret", body + " ", header)).toBe(false);
    expect(verifyWebhookSignature("other", body, header)).toBe(false);
    expect(verifyWebhookSignature("s3cret", body, undefined)).toBe(false);
    expect(verifyWebhookSignature("s3cret", body, "sha256=00")).toBe(false);
  });
});

describe("webhook sender", () => {
  const delivery = { url: "https://hooks.example.com/x?token=abc", secret: "s3cret", event: "run.failed", deliveryId: "d-1", body: '{"a":1}' };

  it("retries 5xx, 429 and network errors with growing jittered delays, then succeeds", async () => {
    const { fetch, calls } = scriptedFetch([500, 429, new TypeError("fetch failed"), 204]);
    const sleeps: number[] = [];
    const sender = createWebhookSender({ fetch, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, attempts: 5, backoff: { baseMs: 100, maxMs: 1000 } });
    const result = await sender.send(delivery);
    expect(result).toEqual({ ok: true, status: 204, attempts: 4 });
    expect(sleeps).toEqual([75, 150, 300]);
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call.headers["x-devsync-signature"]).toBe(signWebhookBody("s3cret", '{"a":1}'));
      expect(call.headers["x-devsync-timestamp"]).toMatch(/^\d{10}$/);
      expect(call.headers["x-devsync-delivery"]).toBe("d-1");
    }
  });

  it("stops at a 4xx other than 408/425/429, and after the last attempt", async () => {
    const denied = scriptedFetch([403]);
    expect(await createWebhookSender({ fetch: denied.fetch, sleep: async () => {} }).send(delivery)).toMatchObject({ ok: false, status: 403, attempts: 1 });
    const down = scriptedFetch([503, 503, 503]);
    const result = await createWebhookSender({ fetch: down.fetch, sleep: async () => {}, attempts: 3 }).send(delivery);
    expect(result).toMatchObject({ ok: false, status: 503, attempts: 3 });
    expect(down.calls).toHaveLength(3);
  });

  it("sends unsigned when the channel has no secret, and never reveals the query string", async () => {
    const { fetch, calls } = scriptedFetch([200]);
    await createWebhookSender({ fetch }).send({ ...delivery, secret: null });
    expect(calls[0]!.headers["x-devsync-signature"]).toBeUndefined();
    expect(describeWebhookUrl(delivery.url)).toBe("https://hooks.example.com/x");
  });

  it("times out a receiver that never answers", async () => {
    const hanging: WebhookFetch = (_url, init) =>
      new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "TimeoutError" }))));
    const result = await createWebhookSender({ fetch: hanging, timeoutMs: 20, attempts: 2, sleep: async () => {} }).send(delivery);
    expect(result).toMatchObject({ ok: false, status: null, attempts: 2 });
    expect(!result.ok && result.error).toContain("no answer within 20 ms");
  });
});

describe("backoff and helpers", () => {
  it("keeps each delay between half and all of the capped exponential", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const cap = Math.min(30_000, 1000 * 2 ** attempt);
      expect(jitteredDelayMs(attempt, {}, () => 0)).toBe(cap / 2);
      expect(jitteredDelayMs(attempt, {}, () => 0.999999)).toBeLessThanOrEqual(cap);
    }
  });

  it("counts failed documents from the sync summary", () => {
    expect(failedCountOf({ sales: { failed: 2 }, bills: { failed: 3 } })).toBe(5);
    expect(failedCountOf({ sales: { failed: 0 } })).toBe(0);
    expect(failedCountOf({})).toBeUndefined();
    expect(failedCountOf(null)).toBeUndefined();
  });

  it("sends recovery notices to channels subscribed to the problem they heal", () => {
    expect(subscriptionsFor("run.recovered")).toEqual(["run.recovered", "run.failed", "run.partial", "*"]);
    expect(subscriptionsFor("run.failed")).toEqual(["run.failed", "*"]);
  });
});
