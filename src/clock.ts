/**
 * The one source of "now" for code whose behaviour depends on time (scheduler, leases, token
 * expiry). Production passes `systemClock`; tests pass a fixed or compressed clock, so no logic
 * calls `Date.now()` directly.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock that stays at `start` until moved (tests). */
export function createManualClock(start: Date): Clock & { set(at: Date): void; advance(ms: number): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
