import { describe, expect, it } from "vitest";
import { createLoginThrottle } from "../../../src/api/auth/login-throttle.js";

function clockAt(iso: string) {
  let now = new Date(iso).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe("login throttle", () => {
  it("lets the first failures through, then doubles the wait up to the cap: never a lock", () => {
    const clock = clockAt("2026-11-28T07:00:00Z");
    const throttle = createLoginThrottle(clock, { accountFreeFailures: 3, baseDelayMs: 1000, accountMaxDelayMs: 8000 });
    const waits: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const decision = throttle.attempt("anna@firm.al", "10.0.0.1");
      if (!decision.allowed) {
        waits.push(decision.retryAfterMs);
        clock.advance(decision.retryAfterMs);
        expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(true);
      }
      throttle.failed("anna@firm.al", "10.0.0.1");
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it("does not count successes, and a success forgets the account's failures", () => {
    const clock = clockAt("2026-11-28T07:00:00Z");
    const throttle = createLoginThrottle(clock, { accountFreeFailures: 2 });
    for (let i = 0; i < 50; i += 1) {
      expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(true);
      throttle.succeeded("anna@firm.al");
    }
    throttle.failed("anna@firm.al", "10.0.0.1");
    throttle.failed("anna@firm.al", "10.0.0.1");
    expect(throttle.attempt("anna@firm.al", "10.0.0.1")).toMatchObject({ allowed: false, reason: "account" });
    throttle.succeeded("anna@firm.al");
    expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(true);
  });

  it("slows one address trying many accounts, and not other addresses", () => {
    const clock = clockAt("2026-11-28T07:00:00Z");
    const throttle = createLoginThrottle(clock, { accountFreeFailures: 5, addressFreeFailures: 10 });
    for (let i = 0; i < 10; i += 1) {
      expect(throttle.attempt(`user${i}@firm.al`, "10.0.0.66").allowed).toBe(true);
      throttle.failed(`user${i}@firm.al`, "10.0.0.66");
    }
    expect(throttle.attempt("someone-new@firm.al", "10.0.0.66")).toMatchObject({ allowed: false, reason: "address", retryAfterMs: 1000 });
    expect(throttle.attempt("someone-new@firm.al", "10.0.0.7").allowed).toBe(true);
  });

  it("lets one attempt through per delay even when many arrive at once", () => {
    const clock = clockAt("2026-11-28T07:00:00Z");
    const throttle = createLoginThrottle(clock, { accountFreeFailures: 1, baseDelayMs: 1000 });
    throttle.failed("anna@firm.al", "10.0.0.1");
    clock.advance(1000);
    const burst = Array.from({ length: 10 }, () => throttle.attempt("anna@firm.al", `10.0.0.${Math.random()}`).allowed);
    expect(burst.filter(Boolean)).toHaveLength(1);
  });

  it("forgets failures after a quiet hour and bounds its memory", () => {
    const clock = clockAt("2026-11-28T07:00:00Z");
    const throttle = createLoginThrottle(clock, { accountFreeFailures: 1, maxEntries: 100 });
    throttle.failed("anna@firm.al", "10.0.0.1");
    expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(false);
    clock.advance(3_600_000);
    expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(true);
    throttle.failed("anna@firm.al", "10.0.0.1");
    // Random emails push the oldest entries out instead of growing without end.
    for (let i = 0; i < 200; i += 1) throttle.failed(`x${i}@spam.test`, `10.1.${i >> 8}.${i & 255}`);
    expect(throttle.attempt("anna@firm.al", "10.0.0.1").allowed).toBe(true);
  });
});
