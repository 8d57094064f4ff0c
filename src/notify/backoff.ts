import { setTimeout as delay } from "node:timers/promises";

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => delay(ms);

export interface BackoffOptions {
  /** First delay (default 1 s); doubles per attempt. */
  baseMs?: number;
  /** Upper bound of one delay (default 30 s). */
  maxMs?: number;
}

/**
 * "Equal jitter": half the exponential delay, plus a random part of the other half, so many
 * devsync processes retrying one receiver do not hit it in lockstep.
 */
export function jitteredDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 1_000;
  const max = options.maxMs ?? 30_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(exp / 2 + random() * (exp / 2));
}
