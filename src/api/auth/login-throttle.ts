import type { Clock } from "../../clock.js";

/**
 * Slows password guessing without letting anyone lock a person out. Only failed logins count;
 * past a few free failures, each further attempt must wait a delay that doubles with every
 * failure, up to a cap, and a success forgets the account's failures. Two counters:
 * - per account, so guesses at one email from many addresses are slowed (capped low, so its
 *   owner waits at most `accountMaxDelayMs`, never locked out);
 * - per client address, so one address trying many accounts is slowed too (more free
 *   failures, because an office shares one address).
 *
 * The state lives in this process: with several `serve` processes behind a load balancer each
 * keeps its own, which multiplies an attacker's rate by their number but never blocks anyone.
 */
export interface LoginThrottleOptions {
  /** Failures of one account before delays start; default 5. */
  accountFreeFailures?: number;
  /** Longest wait for one account; default 60 s. */
  accountMaxDelayMs?: number;
  /** Failures from one client address (any accounts) before delays start; default 20. */
  addressFreeFailures?: number;
  /** Longest wait for one address; default 15 min. */
  addressMaxDelayMs?: number;
  /** The first delay, doubled at each further failure; default 1 s. */
  baseDelayMs?: number;
  /** Failures are forgotten this long after the last one; default 1 h. */
  forgetAfterMs?: number;
  /** Entries kept at most (oldest dropped first), so random emails cannot exhaust memory; default 50,000. */
  maxEntries?: number;
}

export type LoginAttemptDecision = { allowed: true } | { allowed: false; retryAfterMs: number; reason: "account" | "address" };

export interface LoginThrottle {
  /**
   * Asks before checking a password. An allowed attempt past the free failures starts the next
   * delay at once, so parallel guesses cannot slip through while the first is being checked.
   */
  attempt(account: string, address: string): LoginAttemptDecision;
  failed(account: string, address: string): void;
  succeeded(account: string): void;
}

interface Entry {
  failures: number;
  /** Instant (ms) of the last failure or the last attempt allowed past the free failures. */
  lastAt: number;
}

export function createLoginThrottle(clock: Clock, options: LoginThrottleOptions = {}): LoginThrottle {
  const base = options.baseDelayMs ?? 1_000;
  const forgetAfter = options.forgetAfterMs ?? 3_600_000;
  const maxEntries = options.maxEntries ?? 50_000;
  const rules = {
    account: { free: options.accountFreeFailures ?? 5, max: options.accountMaxDelayMs ?? 60_000 },
    address: { free: options.addressFreeFailures ?? 20, max: options.addressMaxDelayMs ?? 15 * 60_000 },
  };
  const entries = new Map<string, Entry>();

  const current = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && now - entry.lastAt >= forgetAfter) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const store = (key: string, entry: Entry) => {
    // Re-inserting keeps the Map in order of last use, so the first key is the one to drop.
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };
  const delayFor = (entry: Entry | undefined, rule: { free: number; max: number }): number => {
    if (!entry || entry.failures < rule.free) return 0;
    return Math.min(rule.max, base * 2 ** Math.min(entry.failures - rule.free, 30));
  };

  return {
    attempt(account, address) {
      const now = clock.now().getTime();
      const keys = { account: `a:${account}`, address: `i:${address}` } as const;
      let waitMs = 0;
      let reason: "account" | "address" = "account";
      for (const kind of ["account", "address"] as const) {
        const entry = current(keys[kind], now);
        const delay = delayFor(entry, rules[kind]);
        const wait = entry && delay > 0 ? entry.lastAt + delay - now : 0;
        if (wait > waitMs) [waitMs, reason] = [wait, kind];
      }
      if (waitMs > 0) return { allowed: false, retryAfterMs: waitMs, reason };
      for (const kind of ["account", "address"] as const) {
        const entry = current(keys[kind], now);
        if (entry && delayFor(entry, rules[kind]) > 0) store(keys[kind], { ...entry, lastAt: now });
      }
      return { allowed: true };
    },
    failed(account, address) {
      const now = clock.now().getTime();
      for (const key of [`a:${account}`, `i:${address}`]) {
        const entry = current(key, now);
        store(key, { failures: (entry?.failures ?? 0) + 1, lastAt: now });
      }
    },
    succeeded(account) {
      // The address keeps its count: logging in to one's own account must not buy more guesses at others.
      entries.delete(`a:${account}`);
    },
  };
}
