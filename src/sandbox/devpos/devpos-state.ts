import { z } from "zod";
import { devposRowSchema, type StoredDocument } from "./devpos-row.js";

/** Switches for the production bugs clients must survive; both on by default, as in production. */
export interface DevposQuirks {
  /** HTTP 500 (NullReferenceException) when the requested range holds no documents (default true). */
  emptyRange500: boolean;
  /** HTTP 500 whenever `includePdf=true` is sent (default true). */
  includePdf500: boolean;
}

/** Added before each list response: base + per document + uniform jitter, all 0 by default. */
export interface DevposLatency {
  baseMs: number;
  perDocumentMs: number;
  jitterMs: number;
}

export interface DevposConfig {
  quirks: DevposQuirks;
  latency: DevposLatency;
}

export interface DevposTenant {
  tenant: string;
  companyName: string;
  /** username → password; sandbox-only credentials, kept in clear on purpose. */
  users: Map<string, string>;
  /** By EIC, in insertion order. */
  documents: Map<string, StoredDocument>;
}

export interface IssuedToken {
  tenant: string;
  username: string;
  expiresAt: number;
}

export interface DevposState {
  config: DevposConfig;
  tenants: Map<string, DevposTenant>;
  tokens: Map<string, IssuedToken>;
}

export const DEFAULT_DEVPOS_CONFIG: DevposConfig = {
  quirks: { emptyRange500: true, includePdf500: true },
  latency: { baseMs: 0, perDocumentMs: 0, jitterMs: 0 },
};

const snapshotSchema = z.object({
  version: z.literal(1),
  config: z.object({
    quirks: z.object({ emptyRange500: z.boolean(), includePdf500: z.boolean() }),
    latency: z.object({ baseMs: z.number(), perDocumentMs: z.number(), jitterMs: z.number() }),
  }),
  tenants: z.array(
    z.object({
      tenant: z.string(),
      companyName: z.string(),
      users: z.array(z.object({ username: z.string(), password: z.string() })),
      documents: z.array(z.object({ row: devposRowSchema, trueAmount: z.number() })),
    }),
  ),
  tokens: z.array(z.object({ token: z.string(), tenant: z.string(), username: z.string(), expiresAt: z.number() })),
});

export type DevposSnapshot = z.infer<typeof snapshotSchema>;

/** Plain JSON, so the combined server can write it to the state file as is. */
export function snapshotDevposState(state: DevposState): DevposSnapshot {
  return {
    version: 1,
    config: structuredClone(state.config),
    tenants: [...state.tenants.values()].map((t) => ({
      tenant: t.tenant,
      companyName: t.companyName,
      users: [...t.users].map(([username, password]) => ({ username, password })),
      documents: structuredClone([...t.documents.values()]),
    })),
    tokens: [...state.tokens].map(([token, t]) => ({ token, ...t })),
  };
}

/** Throws (with zod's message) on a snapshot of another shape rather than half-loading it. */
export function restoreDevposState(input: unknown): DevposState {
  const snap = snapshotSchema.parse(input);
  return {
    config: snap.config,
    tenants: new Map(
      snap.tenants.map((t) => [
        t.tenant,
        {
          tenant: t.tenant,
          companyName: t.companyName,
          users: new Map(t.users.map((u) => [u.username, u.password])),
          documents: new Map(t.documents.map((d) => [d.row.eic, d as StoredDocument])),
        },
      ]),
    ),
    tokens: new Map(snap.tokens.map(({ token, ...t }) => [token, t])),
  };
}

export function createDevposState(config: DevposConfig): DevposState {
  return { config: structuredClone(config), tenants: new Map(), tokens: new Map() };
}
