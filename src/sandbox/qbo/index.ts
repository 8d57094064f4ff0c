import type { FastifyPluginAsync } from "fastify";
import { registerAdminRoutes } from "./admin.js";
import { registerApiRoutes } from "./api/routes.js";
import { createChaos } from "./api/chaos.js";
import { createLimiter } from "./api/limiter.js";
import { realmStats, type QboRealmStats } from "./api/stats.js";
import { registerBodyParsers } from "./body-parsers.js";
import type { SimulatorContext } from "./context.js";
import { registerAuthorizeRoutes } from "./oauth/authorize-routes.js";
import { registerTokenRoutes } from "./oauth/token-routes.js";
import { applyConfigPatch, DEFAULT_CLIENT, defaultConfig, type QboConfigPatch, type QboSimulatorOptions } from "./options.js";
import { seedRealm, type CreateRealmOptions } from "./realm-seed.js";
import { createRandomSource } from "./rng.js";
import { createInitialState, parseState, type QboState } from "./state.js";

export type { QboSimulatorOptions, QboConfigPatch } from "./options.js";
export type { QboRealmStats } from "./api/stats.js";
export type { CreateRealmOptions } from "./realm-seed.js";

export interface QboCreatedDocument {
  type: "Invoice" | "Bill";
  Id: string;
  DocNumber?: string;
  TotalAmt: number;
  CurrencyRef?: { value: string };
  PrivateNote?: string;
  TxnDate?: string;
}

export interface QboSimulator {
  /** Register under prefix "/qbo" (or any prefix); not wrapped in fastify-plugin, so it stays encapsulated. */
  plugin: FastifyPluginAsync;
  /** JSON-serialisable full state (for --state FILE). */
  snapshot(): unknown;
  restore(state: unknown): void;
  stats(realmId: string): QboRealmStats;
  /** Every Invoice/Bill ever created in the realm, in creation order, with its current (or last) values. */
  createdDocuments(realmId: string): QboCreatedDocument[];
  configure(patch: QboConfigPatch): void;
  createRealm(opts?: CreateRealmOptions): string;
}

/**
 * A QuickBooks Online look-alike: OAuth (appcenter + oauth.platform), API v3 and sandbox admin
 * routes on one Fastify plugin. All state is one JSON object; time is the injected SandboxClock.
 */
export function createQboSimulator(options: QboSimulatorOptions): QboSimulator {
  const initialConfig = applyConfigPatch(defaultConfig(), options);
  const initialClients = options.clients ?? [DEFAULT_CLIENT];
  const seed = options.seed ?? 1;
  let state: QboState = createInitialState(seed, initialConfig, initialClients);
  // The random source reads/writes rngState through this holder, so restore() swaps it too.
  const holder = { get rngState() { return state.rngState; }, set rngState(v: number) { state.rngState = v; } };
  const random = createRandomSource(holder);
  const limiter = createLimiter(() => state.config);
  const chaos = createChaos(() => state.config, random);

  const createRealm = (opts?: CreateRealmOptions) => {
    const realm = seedRealm(random, options.clock.now(), opts);
    state.realms[realm.realmId] = realm;
    return realm;
  };
  const context: SimulatorContext = {
    get state() { return state; },
    clock: options.clock,
    random,
    createRealm,
    reset() {
      state = createInitialState(seed, initialConfig, initialClients);
      limiter.reset();
    },
  };

  const requireRealm = (realmId: string) => {
    const realm = state.realms[realmId];
    if (!realm) throw new RangeError(`unknown realm ${realmId}`);
    return realm;
  };

  const simulator: QboSimulator = {
    plugin: async (app) => {
      registerBodyParsers(app);
      app.addHook("preClose", async () => chaos.releaseAll());
      registerAuthorizeRoutes(app, context);
      registerTokenRoutes(app, context);
      registerAdminRoutes(app, context, simulator);
      await app.register(async (api) => registerApiRoutes(api, context, limiter, chaos));
    },
    snapshot: () => structuredClone(state),
    restore(input) {
      state = parseState(input);
      limiter.reset();
    },
    stats: (realmId) => realmStats(requireRealm(realmId)),
    createdDocuments(realmId) {
      const realm = requireRealm(realmId);
      return realm.created.map(({ type, Id }) => {
        const doc = realm.entities[type][Id] ?? realm.deleted[`${type}:${Id}`];
        const out: QboCreatedDocument = { type, Id, TotalAmt: Number(doc?.TotalAmt ?? 0) };
        if (typeof doc?.DocNumber === "string") out.DocNumber = doc.DocNumber;
        const currency = (doc?.CurrencyRef as { value?: string } | undefined)?.value;
        if (currency) out.CurrencyRef = { value: currency };
        if (typeof doc?.PrivateNote === "string") out.PrivateNote = doc.PrivateNote;
        if (typeof doc?.TxnDate === "string") out.TxnDate = doc.TxnDate;
        return out;
      });
    },
    configure(patch) {
      state.config = applyConfigPatch(state.config, patch);
    },
    createRealm: (opts) => createRealm(opts).realmId,
  };
  return simulator;
}
