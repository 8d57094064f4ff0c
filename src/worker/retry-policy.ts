/** When a transiently failed run is tried again (docs/scheduling.md "Retries"). */
export interface RetryPolicy {
  /** Wait before attempt n+1 after attempt n failed: `delaysMs[n-1]`, the last one repeating. */
  delaysMs: readonly number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ delaysMs: Object.freeze([60_000, 300_000, 1_500_000]) });

/** Delay after attempt `attempt` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const { delaysMs } = policy;
  if (delaysMs.length === 0) return 0;
  return delaysMs[Math.min(Math.max(attempt, 1), delaysMs.length) - 1]!;
}
