import { Counter, Histogram, Registry } from "prom-client";

/**
 * Counters only a running process knows: what it sent to QuickBooks and DevPos, its token
 * refreshes, the documents it wrote and how long its runs took. Incremented where those things
 * happen; served with the database-backed gauges at /metrics (src/api/metrics.ts).
 */
export const processRegistry = new Registry();

export const processMetrics = {
  qboRequests: new Counter({
    name: "devsync_qbo_requests_total",
    help: "HTTP requests sent to QuickBooks Online, by operation and HTTP status.",
    labelNames: ["operation", "status"] as const,
    registers: [processRegistry],
  }),
  qboThrottled: new Counter({
    name: "devsync_qbo_throttled_total",
    help: "QuickBooks answers with HTTP 429 (rate limited).",
    registers: [processRegistry],
  }),
  tokenRefreshes: new Counter({
    name: "devsync_qbo_token_refreshes_total",
    help: "QuickBooks token refreshes by outcome (ok, invalid_grant, error).",
    labelNames: ["outcome"] as const,
    registers: [processRegistry],
  }),
  devposRequests: new Counter({
    name: "devsync_devpos_requests_total",
    help: "HTTP requests sent to DevPos, by HTTP status.",
    labelNames: ["status"] as const,
    registers: [processRegistry],
  }),
  documentsWritten: new Counter({
    name: "devsync_documents_written_total",
    help: "Documents this process wrote to QuickBooks, by kind and action.",
    labelNames: ["kind", "action"] as const,
    registers: [processRegistry],
  }),
  runDuration: new Histogram({
    name: "devsync_run_duration_seconds",
    help: "Duration of finished sync runs in this process.",
    labelNames: ["job_type", "status"] as const,
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [processRegistry],
  }),
};

