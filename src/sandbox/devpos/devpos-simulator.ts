import type { FastifyPluginAsync } from "fastify";
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxClock } from "../clock.js";
import { generateCompany } from "../generator/parties.js";
import { createRng, hashSeed } from "../generator/rng.js";
import { registerAdminRoutes } from "./admin-routes.js";
import type { StoredDocument } from "./devpos-row.js";
import {
  createDevposState,
  DEFAULT_DEVPOS_CONFIG,
  restoreDevposState,
  snapshotDevposState,
  type DevposLatency,
  type DevposQuirks,
  type DevposState,
} from "./devpos-state.js";
import { registerInvoiceRoutes } from "./invoice-routes.js";
import { createRequestStats, type DevposTenantStats } from "./request-stats.js";
import { toStoredDocument, type SeedDocument } from "./seed-document.js";
import { addLocalDays, localDateAt } from "./tirane-time.js";
import { headerValue, registerTokenRoute } from "./token-route.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Label under which a DevPos request is counted in the per-tenant stats. */
    devposEndpoint?: string;
  }
}

export interface DevposSimulatorOptions {
  clock: SandboxClock;
  /** OAuth client accepted by /connect/token, with an empty secret (default "fiskalizimi_spa"). */
  clientId?: string;
  quirks?: Partial<DevposQuirks>;
  latency?: Partial<DevposLatency>;
  /** Seeds latency jitter, generated company names and default generation seeds (default 0). */
  seed?: number;
}

export interface DevposSimulator {
  /** Mounted by the combined server under the prefix "/devpos". */
  plugin: FastifyPluginAsync;
  snapshot(): unknown;
  restore(state: unknown): void;
  /** Creates the tenant, or adds/replaces a user of an existing one. */
  addTenant(t: { tenant: string; username: string; password: string; companyName?: string }): void;
  /** Upserts by EIC; bare rows count their amount as the true total. */
  addDocuments(tenant: string, docs: readonly SeedDocument[]): void;
  stats(tenant: string): DevposTenantStats;
  configure(patch: { quirks?: Partial<DevposQuirks>; latency?: Partial<DevposLatency> }): void;
}

export function createDevposSimulator(options: DevposSimulatorOptions): DevposSimulator {
  const { clock } = options;
  const seed = options.seed ?? 0;
  const jitter = createRng(hashSeed(`${seed}:devpos-latency`));
  const stats = createRequestStats();
  let state: DevposState = createDevposState(DEFAULT_DEVPOS_CONFIG);

  const configure: DevposSimulator["configure"] = (patch) => {
    state.config = {
      quirks: { ...state.config.quirks, ...patch.quirks },
      latency: { ...state.config.latency, ...patch.latency },
    };
  };
  configure({ quirks: options.quirks ?? {}, latency: options.latency ?? {} });

  const delay = async (documentCount: number): Promise<void> => {
    const { baseMs, perDocumentMs, jitterMs } = state.config.latency;
    const ms = baseMs + perDocumentMs * documentCount + jitter.next() * jitterMs;
    if (ms > 0) await sleep(ms);
  };

  const simulator: DevposSimulator = {
    plugin: async (app) => {
      // Encapsulated: only DevPos routes parse forms this way; QBO keeps its own parsers.
      app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
        done(null, new URLSearchParams(body as string));
      });
      app.addHook("onResponse", async (request, reply) => {
        const endpoint = request.routeOptions.config?.devposEndpoint;
        if (endpoint) stats.record(headerValue(request.headers.tenant) ?? "", endpoint, reply.statusCode);
      });
      registerTokenRoute(app, { state: () => state, clock, clientId: options.clientId ?? "fiskalizimi_spa" });
      registerInvoiceRoutes(app, { state: () => state, clock, delay });
      registerAdminRoutes(app, {
        simulator,
        listDocuments: (tenant) => {
          const t = state.tenants.get(tenant);
          return t ? [...t.documents.values()] : undefined;
        },
        replaceDocument: (tenant, doc) => state.tenants.get(tenant)?.documents.set(doc.row.eic, doc),
        tenantInfo: (tenant) => {
          const t = state.tenants.get(tenant);
          return t && { tenant: t.tenant, companyName: t.companyName, usernames: [...t.users.keys()] };
        },
        tenantIds: () => [...state.tenants.keys()],
        config: () => structuredClone(state.config),
        generationDefaults: (tenant) => {
          const to = localDateAt(clock.now());
          const count = state.tenants.get(tenant)?.documents.size ?? 0;
          return { from: addLocalDays(to, -30).slice(0, 10), to, seed: hashSeed(`${seed}:${tenant}:${count}`) };
        },
      });
    },
    snapshot: () => snapshotDevposState(state),
    restore: (input) => {
      state = restoreDevposState(input);
    },
    addTenant: ({ tenant, username, password, companyName }) => {
      let t = state.tenants.get(tenant);
      if (!t) {
        const name = companyName ?? generateCompany(createRng(hashSeed(`${seed}:${tenant}`))).name;
        t = { tenant, companyName: name, users: new Map(), documents: new Map() };
        state.tenants.set(tenant, t);
      } else if (companyName) {
        t.companyName = companyName;
      }
      t.users.set(username, password);
    },
    addDocuments: (tenant, docs) => {
      const t = state.tenants.get(tenant);
      if (!t) throw new Error(`unknown DevPos tenant ${tenant}`);
      for (const doc of docs) {
        const stored: StoredDocument = toStoredDocument(doc);
        t.documents.set(stored.row.eic, stored);
      }
    },
    stats: (tenant) => stats.get(tenant),
    configure,
  };
  return simulator;
}
