/**
 * The sandbox's own notion of "now". Tests advance it through the admin endpoint so tokens
 * expire without waiting; the offset is part of the saved state.
 */
export interface SandboxClock {
  now(): number;
  advance(ms: number): void;
  offsetMs(): number;
  setOffset(ms: number): void;
}

export function createSandboxClock(base: () => number = Date.now, initialOffsetMs = 0): SandboxClock {
  let offset = initialOffsetMs;
  return {
    now: () => base() + offset,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError("clock can only move forward");
      offset += ms;
    },
    offsetMs: () => offset,
    setOffset: (ms) => {
      offset = ms;
    },
  };
}
