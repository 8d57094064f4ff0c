import type { WriteCapacity } from "./ports.js";

/**
 * Feeds QuickBooks writes at the realm's speed limit (issue 5 "Speed"). Intuit allows 40 batch
 * requests per minute (30 items each: 1,200 documents) and 500 requests per minute in all. The
 * batch lane spends the first budget; when the adapter shows its rate limiter (`capacity`), a
 * single-request lane spends what remains of the second, without ever making the limiter queue
 * (its queue is first-in first-out: a waiting batch would hold singles back).
 *
 * Stops taking new work when `shouldStop` says so (cancellation is honoured between batches);
 * work in flight always finishes.
 */
export interface WriteLanesOptions<T> {
  tasks: T[];
  /** Tasks that may share a /batch request; others always go alone. */
  batchable: (task: T) => boolean;
  runBatch: (tasks: T[]) => Promise<void>;
  runSingle: (task: T) => Promise<void>;
  batchSize?: number;
  /** Requests of this run in flight at once (default 8; the realm allows 10). */
  concurrency?: number;
  capacity?: () => WriteCapacity;
  shouldStop: () => Promise<boolean>;
  /** Between dispatches (heartbeats, progress). */
  onTick?: () => Promise<void>;
  /** Requests per minute left alone for retries and re-reads inside tasks (default 10). */
  reserve?: number;
  windowMs?: number;
}

export interface WriteLanesResult {
  stopped: boolean;
  batches: number;
  singles: number;
  /** Tasks never started because the run stopped. */
  notStarted: number;
}

export async function runWriteLanes<T>(options: WriteLanesOptions<T>): Promise<WriteLanesResult> {
  const batchSize = options.batchSize ?? 30;
  const concurrency = options.concurrency ?? 8;
  const reserve = options.reserve ?? 10;
  const windowMs = (options.windowMs ?? 60_000) + 500;
  const queue = [...options.tasks];
  const inFlight = new Set<Promise<void>>();
  let batchesInFlight = 0;
  const batchDoneAt: number[] = [];
  let batches = 0;
  let singles = 0;
  let stopped = false;
  let firstError: unknown;

  const launch = (kind: "batch" | "single", work: () => Promise<void>) => {
    if (kind === "batch") batchesInFlight++;
    const p: Promise<void> = work()
      .catch((error: unknown) => {
        firstError ??= error;
      })
      .finally(() => {
        inFlight.delete(p);
        if (kind === "batch") {
          batchesInFlight--;
          batchDoneAt.push(performance.now());
        }
      });
    inFlight.add(p);
  };

  const batchesUsed = (cap: WriteCapacity | undefined) => {
    const cutoff = performance.now() - windowMs;
    while (batchDoneAt.length > 0 && batchDoneAt[0]! < cutoff) batchDoneAt.shift();
    const mine = batchesInFlight + batchDoneAt.length;
    return cap ? Math.max(mine, cap.usage.batchesInWindow) : mine;
  };

  const takeBatch = (): T[] => {
    const taken: T[] = [];
    for (let i = 0; i < queue.length && taken.length < batchSize; ) {
      if (options.batchable(queue[i]!)) taken.push(queue.splice(i, 1)[0]!);
      else i++;
    }
    return taken;
  };

  while (queue.length > 0 || inFlight.size > 0) {
    if (firstError !== undefined) stopped = true;
    if (!stopped && queue.length > 0 && (await options.shouldStop())) stopped = true;
    await options.onTick?.();
    let launched = false;
    if (!stopped && queue.length > 0 && inFlight.size < concurrency) {
      const cap = options.capacity?.();
      const unacquired = cap ? Math.max(0, inFlight.size - cap.usage.inFlight) : 0;
      const requestsUsed = cap ? cap.usage.inWindow + unacquired : 0;
      const perMinute = cap?.limits.perMinute ?? Infinity;
      const batchLimit = cap?.limits.batchPerMinute ?? 40;
      const queueFree = !cap || cap.usage.waiting === 0;
      const roomForConcurrency = !cap || cap.usage.inFlight + unacquired < cap.limits.concurrent;
      const usedBatches = batchesUsed(cap);
      const hasBatchable = queue.some(options.batchable);
      if (queueFree && roomForConcurrency && hasBatchable && usedBatches < batchLimit && requestsUsed < perMinute - reserve) {
        const tasks = takeBatch();
        batches++;
        launch("batch", () => options.runBatch(tasks));
        launched = true;
      } else if (queueFree && roomForConcurrency && (cap || !hasBatchable)) {
        // Singles use what the remaining batch budget of this minute will not need.
        const keepForBatches = hasBatchable ? Math.max(0, batchLimit - usedBatches) : 0;
        if (requestsUsed < perMinute - reserve - keepForBatches) {
          const index = queue.findIndex((t) => !options.batchable(t));
          const task = queue.splice(index >= 0 ? index : queue.length - 1, 1)[0]!;
          singles++;
          launch("single", () => options.runSingle(task));
          launched = true;
        }
      }
    }
    if (launched) continue;
    if (stopped && inFlight.size === 0) break;
    await Promise.race([...inFlight, delay(inFlight.size > 0 ? 100 : 200)]);
  }
  if (firstError !== undefined) throw firstError;
  return { stopped, batches, singles, notStarted: queue.length };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
