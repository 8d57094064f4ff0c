import type { QboClientRegistration, QboConfig } from "./options.js";

/**
 * Everything the simulator knows, as plain JSON so `snapshot()` is a deep copy and `restore()`
 * a parse. Only in-flight things (open requests, hung sockets, rate-limit windows) live outside.
 */
export type EntityName = "Customer" | "Vendor" | "Item" | "Account" | "TaxCode" | "TaxRate" | "Invoice" | "Bill" | "Attachable";
export type QboEntity = Record<string, unknown> & { Id: string; SyncToken: string };

export interface RealmPrefs {
  companyName: string;
  multicurrency: boolean;
  tax: boolean;
  homeCurrency: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface CreatedDocument {
  type: "Invoice" | "Bill";
  Id: string;
}

export interface RealmStats {
  total: number;
  byEndpoint: Record<string, number>;
  reads: number;
  writes: number;
  throttled429: number;
  errors5xx: number;
}

export interface RealmState {
  realmId: string;
  prefs: RealmPrefs;
  createdAt: number;
  nextId: Partial<Record<EntityName, number>>;
  entities: Record<EntityName, Record<string, QboEntity>>;
  /** Deleted entities keep their last body so createdDocuments() can still report them. */
  deleted: Record<string, QboEntity>;
  /** requestid → first response, for idempotent replays. */
  requestIds: Record<string, StoredResponse>;
  created: CreatedDocument[];
  stats: RealmStats;
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  realmId: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
  usedAt?: number;
  /** The grant this code produced, revoked if the code is replayed. */
  grantId?: string;
}

export interface GrantRecord {
  grantId: string;
  clientId: string;
  realmId: string;
  scope: string;
  createdAt: number;
  hardExpiresAt: number;
  revoked: boolean;
  /** The newest refresh token; under sticky24h an older one still maps to this. */
  currentRefreshToken: string;
}

export interface AccessTokenRecord {
  grantId: string;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  grantId: string;
  issuedAt: number;
  /** Rolling 100-day idle expiry. */
  expiresAt: number;
  /** Set when the token was rotated away; strict rotation makes it equal to the rotation time. */
  retiredAt?: number;
  diesAt?: number;
}

export interface QboState {
  version: 1;
  rngState: number;
  config: QboConfig;
  clients: QboClientRegistration[];
  realms: Record<string, RealmState>;
  codes: Record<string, AuthCodeRecord>;
  grants: Record<string, GrantRecord>;
  accessTokens: Record<string, AccessTokenRecord>;
  refreshTokens: Record<string, RefreshTokenRecord>;
}

export function emptyEntities(): Record<EntityName, Record<string, QboEntity>> {
  return { Customer: {}, Vendor: {}, Item: {}, Account: {}, TaxCode: {}, TaxRate: {}, Invoice: {}, Bill: {}, Attachable: {} };
}

export function emptyStats(): RealmStats {
  return { total: 0, byEndpoint: {}, reads: 0, writes: 0, throttled429: 0, errors5xx: 0 };
}

export function createInitialState(seed: number, config: QboConfig, clients: QboClientRegistration[]): QboState {
  return {
    version: 1,
    rngState: seed | 0,
    config: structuredClone(config),
    clients: structuredClone(clients),
    realms: {},
    codes: {},
    grants: {},
    accessTokens: {},
    refreshTokens: {},
  };
}

/** Light structural check: a wrong file should fail loudly at restore, not later mid-request. */
export function parseState(input: unknown): QboState {
  const s = input as Partial<QboState> | null;
  if (!s || typeof s !== "object" || s.version !== 1 || typeof s.rngState !== "number" || !s.realms || !s.config) {
    throw new TypeError("not a QBO simulator snapshot (version 1)");
  }
  const state = structuredClone(s) as QboState;
  for (const realm of Object.values(state.realms)) realm.entities = { ...emptyEntities(), ...realm.entities };
  return state;
}
