export interface DevposTenantStats {
  requests: { total: number; byEndpoint: Record<string, number>; errors5xx: number };
}

/**
 * Per-tenant request counters, keyed by the `tenant` header as sent (also for unknown tenants,
 * so a test can see a client hammering a typo). Not persisted: counters describe one run.
 */
export interface RequestStats {
  record(tenant: string, endpoint: string, statusCode: number): void;
  get(tenant: string): DevposTenantStats;
}

export function createRequestStats(): RequestStats {
  const byTenant = new Map<string, DevposTenantStats>();
  return {
    record(tenant, endpoint, statusCode) {
      let stats = byTenant.get(tenant);
      if (!stats) {
        stats = { requests: { total: 0, byEndpoint: {}, errors5xx: 0 } };
        byTenant.set(tenant, stats);
      }
      stats.requests.total += 1;
      stats.requests.byEndpoint[endpoint] = (stats.requests.byEndpoint[endpoint] ?? 0) + 1;
      if (statusCode >= 500) stats.requests.errors5xx += 1;
    },
    get(tenant) {
      return structuredClone(byTenant.get(tenant) ?? { requests: { total: 0, byEndpoint: {}, errors5xx: 0 } });
    },
  };
}
