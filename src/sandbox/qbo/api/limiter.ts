import type { QboConfig } from "../options.js";

/**
 * Intuit's per realm+app throttles: a sliding one-minute window of requests (a batch counts as
 * one), a separate window for batches, and a cap on requests in flight. Windows run on the
 * sandbox clock so advancing it also lets throttled clients through. Throttled requests do not
 * count against the window, so a client that backs off recovers.
 */
const WINDOW_MS = 60_000;

interface Bucket {
  requests: number[];
  batches: number[];
  inFlight: number;
}

export interface Limiter {
  /** Returns a release function, or undefined when the request must get a 429. */
  tryAcquire(key: string, isBatch: boolean, now: number): (() => void) | undefined;
  reset(): void;
}

export function createLimiter(config: () => QboConfig): Limiter {
  let buckets = new Map<string, Bucket>();
  const prune = (times: number[], now: number) => {
    while (times.length > 0 && times[0]! <= now - WINDOW_MS) times.shift();
  };
  return {
    tryAcquire(key, isBatch, now) {
      const limits = config().limits;
      const bucket = buckets.get(key) ?? { requests: [], batches: [], inFlight: 0 };
      buckets.set(key, bucket);
      prune(bucket.requests, now);
      prune(bucket.batches, now);
      if (bucket.inFlight >= limits.concurrent) return undefined;
      if (bucket.requests.length >= limits.perMinute) return undefined;
      if (isBatch && bucket.batches.length >= limits.batchPerMinute) return undefined;
      bucket.requests.push(now);
      if (isBatch) bucket.batches.push(now);
      bucket.inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bucket.inFlight--;
      };
    },
    reset() {
      buckets = new Map();
    },
  };
}
