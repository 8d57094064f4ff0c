/**
 * Per-realm throttle in front of QuickBooks, matching Intuit's limits per realm+app (docs/domain.md
 * §2): requests per sliding minute (a batch counts as one), batches per sliding minute, and
 * requests in flight. A steady run therefore never sees a 429.
 *
 * Sliding logs rather than token buckets: a bucket of 500 refilled at 500/min can let ~1,000
 * requests into one 60-second window, which Intuit's sliding window answers with 429s. A
 * request occupies its slot from when it is sent; its timestamp is the moment its answer
 * arrived (never earlier than when Intuit counted it), so our window never frees a slot
 * before Intuit's does.
 *
 * The limits are per PROCESS. Intuit counts per realm+app across all of them: with N worker
 * processes that may sync the same company at once, give each 1/N of the limits
 * (`perMinute: 500 / N`, `concurrent: 10 / N`, `batchPerMinute: 40 / N`). devsync's worker
 * runs one sync per company at a time, so one process per realm is the normal case.
 */
export interface QboRateLimits {
  /** Requests per minute per realm (default 500). */
  perMinute?: number;
  /** Requests in flight per realm (default 10). */
  concurrent?: number;
  /** Batch requests per minute per realm (default 40). */
  batchPerMinute?: number;
  /** Length of the sliding window (default 60,000 ms; shorter only in tests). */
  windowMs?: number;
  /** Extra wait after a slot leaves the window, for clock granularity (default 250 ms). */
  marginMs?: number;
}

export interface RatePermit {
  /** Call once the whole answer has been read. Idempotent. */
  release(): void;
}

export interface QboRateLimiter {
  acquire(realmId: string, isBatch: boolean): Promise<RatePermit>;
  /** Nobody starts a request for the realm for `ms` (after a 429 with Retry-After). */
  pause(realmId: string, ms: number): void;
  /** Requests in flight and in the current window, for tests and metrics. */
  usage(realmId: string): { inFlight: number; inWindow: number; batchesInWindow: number; waiting: number };
}

interface Waiter {
  isBatch: boolean;
  grant: (permit: RatePermit) => void;
}

interface RealmState {
  inFlight: number;
  /** Timestamps of requests in the window; Infinity while a request is still in flight. */
  requests: number[];
  batches: number[];
  pausedUntil: number;
  queue: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

export function createRateLimiter(limits: QboRateLimits = {}, now: () => number = () => performance.now()): QboRateLimiter {
  const perMinute = limits.perMinute ?? 500;
  const concurrent = limits.concurrent ?? 10;
  const batchPerMinute = limits.batchPerMinute ?? 40;
  const windowMs = limits.windowMs ?? 60_000;
  const marginMs = limits.marginMs ?? 250;
  const maxTimerMs = 1000;
  const realms = new Map<string, RealmState>();

  const realm = (realmId: string): RealmState => {
    let state = realms.get(realmId);
    if (!state) {
      state = { inFlight: 0, requests: [], batches: [], pausedUntil: 0, queue: [], timer: undefined };
      realms.set(realmId, state);
    }
    return state;
  };

  const prune = (times: number[], at: number) => {
    const cutoff = at - windowMs - marginMs;
    for (let i = times.length - 1; i >= 0; i--) if (times[i]! <= cutoff) times.splice(i, 1);
  };

  /** When the oldest finished entry leaves the window (Infinity: wait for a release instead). */
  const nextExpiry = (times: number[]): number => {
    let oldest = Infinity;
    for (const t of times) if (t < oldest) oldest = t;
    return oldest === Infinity ? Infinity : oldest + windowMs + marginMs;
  };

  const permitFor = (state: RealmState, isBatch: boolean): RatePermit => {
    state.inFlight++;
    state.requests.push(Infinity);
    if (isBatch) state.batches.push(Infinity);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const at = now();
        state.inFlight--;
        replaceOne(state.requests, Infinity, at);
        if (isBatch) replaceOne(state.batches, Infinity, at);
        pump(state);
      },
    };
  };

  const pump = (state: RealmState) => {
    const at = now();
    prune(state.requests, at);
    prune(state.batches, at);
    let wakeAt = Infinity;
    // FIFO, except that a batch held by the batch budget does not hold up ordinary requests.
    for (let i = 0; i < state.queue.length; ) {
      if (at < state.pausedUntil) {
        wakeAt = state.pausedUntil;
        break;
      }
      if (state.inFlight >= concurrent) break; // a release will pump
      if (state.requests.length >= perMinute) {
        wakeAt = nextExpiry(state.requests);
        break;
      }
      const waiter = state.queue[i]!;
      if (waiter.isBatch && state.batches.length >= batchPerMinute) {
        wakeAt = Math.min(wakeAt, nextExpiry(state.batches));
        i++;
        continue;
      }
      state.queue.splice(i, 1);
      waiter.grant(permitFor(state, waiter.isBatch));
    }
    schedule(state, wakeAt);
  };

  const schedule = (state: RealmState, wakeAt: number) => {
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    if (wakeAt === Infinity || state.queue.length === 0) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      pump(state);
      // Capped, so a clock that jumps (suspend, NTP, a test clock) is noticed within a second.
    }, Math.min(maxTimerMs, Math.max(1, Math.ceil(wakeAt - now()))));
  };

  return {
    acquire(realmId, isBatch) {
      const state = realm(realmId);
      return new Promise<RatePermit>((resolve) => {
        state.queue.push({ isBatch, grant: resolve });
        pump(state);
      });
    },
    pause(realmId, ms) {
      const state = realm(realmId);
      state.pausedUntil = Math.max(state.pausedUntil, now() + ms);
      pump(state);
    },
    usage(realmId) {
      const state = realm(realmId);
      const at = now();
      prune(state.requests, at);
      prune(state.batches, at);
      return { inFlight: state.inFlight, inWindow: state.requests.length, batchesInWindow: state.batches.length, waiting: state.queue.length };
    },
  };
}

function replaceOne(times: number[], from: number, to: number): void {
  const index = times.indexOf(from);
  if (index >= 0) times[index] = to;
}
