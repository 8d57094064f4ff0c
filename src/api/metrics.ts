import { Gauge, Registry } from "prom-client";
import type { DbHandle } from "../storage/db.js";
import { readMetricsSnapshot } from "../storage/repos/api-metrics.js";
import type { Clock } from "../clock.js";

/**
 * Prometheus metrics. Counters that only a running process knows live in src/process-metrics.ts
 * (incremented where the events happen: connectors, worker, sync); figures the database already
 * holds (runs by status, synced documents, scheduler lag) are read at scrape time, so every
 * process reports the same truth.
 */
import { processRegistry } from "../process-metrics.js";

/** The database-backed gauges of one app (one database). */
export function createDatabaseMetrics(db: DbHandle, clock: Clock): Registry {
  const registry = new Registry();
  let snapshot: Promise<Awaited<ReturnType<typeof readMetricsSnapshot>>> | undefined;
  // One query round per scrape, shared by every gauge's collect().
  const read = () => (snapshot ??= readMetricsSnapshot(db.db, clock.now()).finally(() => setTimeout(() => (snapshot = undefined), 0)));

  new Gauge({
    name: "devsync_runs",
    help: "Sync runs in the database, by status and trigger.",
    labelNames: ["status", "trigger"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()).runsByStatus) this.set({ status: r.status, trigger: r.trigger }, r.count);
    },
  });
  new Gauge({
    name: "devsync_documents_synced",
    help: "Documents linked to QuickBooks (state synced), by kind and QuickBooks type.",
    labelNames: ["kind", "qbo_type"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of (await read()).documentsSynced) this.set({ kind: d.kind, qbo_type: d.qboType }, d.count);
    },
  });
  new Gauge({
    name: "devsync_qbo_connections",
    help: "QuickBooks connections by status.",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of (await read()).connectionsByStatus) this.set({ status: c.status }, c.count);
    },
  });
  new Gauge({
    name: "devsync_scheduler_lag_seconds",
    help: "How long the oldest due schedule slot has waited to be taken (0 when none is due).",
    registers: [registry],
    async collect() {
      const due = (await read()).oldestDueSlot;
      this.set(due ? Math.max(0, (clock.now().getTime() - due.getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: "devsync_queue_lag_seconds",
    help: "How long the oldest available queued run has waited for a worker (0 when none waits).",
    registers: [registry],
    async collect() {
      const queued = (await read()).oldestQueuedRun;
      this.set(queued ? Math.max(0, (clock.now().getTime() - queued.getTime()) / 1000) : 0);
    },
  });
  return registry;
}

export async function renderMetrics(databaseRegistry: Registry): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([processRegistry, databaseRegistry]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
