import type { RealmState } from "../state.js";

/** Per-realm counters for tests and benchmarks (exactly-once checks, metered reads). */
export interface RequestRecord {
  endpoint: string;
  isRead: boolean;
  status: number;
}

export function recordRequest(realm: RealmState, record: RequestRecord): void {
  const stats = realm.stats;
  stats.total++;
  stats.byEndpoint[record.endpoint] = (stats.byEndpoint[record.endpoint] ?? 0) + 1;
  if (record.isRead) stats.reads++;
  else stats.writes++;
  if (record.status === 429) stats.throttled429++;
  if (record.status >= 500) stats.errors5xx++;
}

export interface QboRealmStats {
  requests: RealmState["stats"];
  documents: { Invoice: number; Bill: number };
}

export function realmStats(realm: RealmState): QboRealmStats {
  const documents = { Invoice: 0, Bill: 0 };
  for (const doc of realm.created) documents[doc.type]++;
  return { requests: structuredClone(realm.stats), documents };
}
