import { setTimeout as delay } from "node:timers/promises";
import { listRecentRunEvents, listRunEventsFiltered, type RunEventFilter } from "../storage/repos/notify-run-log.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import type { RunEvent } from "../storage/repos/run-log.js";
import { getRun } from "../storage/repos/sync-runs.js";

export interface FollowRunEventsOptions {
  db: Db;
  filter: RunEventFilter;
  /** Events printed before following: the last N (default 50). */
  backlog?: number;
  /** Keep polling for new events (default false: print the backlog and stop). */
  follow?: boolean;
  /** Poll interval in real time (default 1 s). */
  pollMs?: number;
  signal?: AbortSignal;
  onEvent(event: RunEvent): void | Promise<void>;
}

const FINAL = new Set(["succeeded", "partial", "failed", "cancelled", "skipped"]);

/**
 * `tail -f` for the run log: the last events, then, when following, every new event as it is
 * recorded (polling by id, so nothing is missed or printed twice, whatever process wrote it).
 * Following one run ends once that run is finished and its last events are printed.
 * Returns the id of the last event seen.
 */
export async function followRunEvents(options: FollowRunEventsOptions): Promise<number> {
  const { db, filter, signal } = options;
  let lastId = 0;
  for (const event of await listRecentRunEvents(db, { ...filter, limit: options.backlog ?? 50 })) {
    await options.onEvent(event);
    lastId = event.id;
  }
  if (!options.follow) return lastId;
  if (lastId === 0 && filter.runId === undefined) {
    // Nothing matched yet: start from the newest event overall, not from id 0 of a huge table.
    const [newest] = await listRecentRunEvents(db, { limit: 1 });
    lastId = newest?.id ?? 0;
  }
  while (!signal?.aborted) {
    const finishedBefore = filter.runId !== undefined && FINAL.has((await getRun(db, filter.runId))?.status ?? "");
    for (;;) {
      const batch = await listRunEventsFiltered(db, { ...filter, afterId: lastId, limit: 500 });
      for (const event of batch) {
        await options.onEvent(event);
        lastId = event.id;
      }
      if (batch.length < 500) break;
    }
    // The run was already final before this read, so every event it will ever have is printed.
    if (finishedBefore) return lastId;
    await delay(options.pollMs ?? 1_000, undefined, { signal }).catch(() => {});
  }
  return lastId;
}

/** One readable line: `2026-11-28T09:00:01.123Z INFO  [L12345678A run 42] message {data}`. */
export function formatRunEvent(event: RunEvent, companyCode: string): string {
  const data = event.data === null || event.data === undefined ? "" : ` ${JSON.stringify(event.data)}`;
  return `${event.at.toISOString()} ${event.level.toUpperCase().padEnd(5)} [${companyCode} run ${event.runId}] ${event.message}${data}`;
}
