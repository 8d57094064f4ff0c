import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../src/connectors/qbo/rate-limiter.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("per-realm rate limiter", () => {
  it("never lets more than `concurrent` requests of one realm run; other realms are independent", async () => {
    const limiter = createRateLimiter({ concurrent: 3 });
    const permits = await Promise.all([1, 2, 3].map(() => limiter.acquire("A", false)));
    let fourth = false;
    void limiter.acquire("A", false).then(() => (fourth = true));
    await limiter.acquire("B", false); // another realm is not blocked
    await tick();
    expect(fourth).toBe(false);
    expect(limiter.usage("A")).toMatchObject({ inFlight: 3, waiting: 1 });
    permits[0]!.release();
    permits[0]!.release(); // idempotent
    await tick();
    expect(fourth).toBe(true);
    expect(limiter.usage("A").inFlight).toBe(3);
  });

  it("keeps a sliding window: a slot frees only a window after its request finished", async () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 2, windowMs: 1000, marginMs: 0 }, () => now);
    (await limiter.acquire("A", false)).release(); // finished at t=0
    now = 500;
    (await limiter.acquire("A", false)).release(); // finished at t=500
    let third = false;
    void limiter.acquire("A", false).then(() => (third = true));
    now = 999;
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    now = 1001; // the t=0 request left the window; the timer (capped at 1 s) notices
    await new Promise((r) => setTimeout(r, 1100));
    expect(third).toBe(true);
  });

  it("counts an in-flight request from when it was sent until its answer arrived", async () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 1, windowMs: 100, marginMs: 0 }, () => now);
    const slow = await limiter.acquire("A", false);
    now = 5000; // long call: still occupies its slot
    let next = false;
    void limiter.acquire("A", false).then(() => (next = true));
    await tick();
    expect(next).toBe(false);
    slow.release(); // finished at 5000: counted until 5100
    await tick();
    expect(next).toBe(false);
    now = 5101;
    await new Promise((r) => setTimeout(r, 1100));
    expect(next).toBe(true);
  });

  it("limits batches separately from other requests", async () => {
    const limiter = createRateLimiter({ batchPerMinute: 1, perMinute: 100, windowMs: 300, marginMs: 0 });
    (await limiter.acquire("A", true)).release();
    let batch = false;
    const waiting = limiter.acquire("A", true).then((permit) => {
      batch = true;
      permit.release();
    });
    await limiter.acquire("A", false); // an ordinary request is not held up behind the waiting batch
    await tick();
    expect(batch).toBe(false);
    expect(limiter.usage("A").batchesInWindow).toBe(1);
    await waiting; // the window moves on and the batch goes
    expect(batch).toBe(true);
  });

  it("pause holds every request of the realm (after a 429)", async () => {
    const limiter = createRateLimiter();
    limiter.pause("A", 60);
    const started = performance.now();
    await limiter.acquire("A", false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
