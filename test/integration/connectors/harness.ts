import { createLogger } from "../../../src/logger.js";
import { systemClock, type Clock } from "../../../src/clock.js";
import type { FetchLike } from "../../../src/connectors/http.js";
import type { ConnectionEvent } from "../../../src/connectors/qbo/connection-events.js";
import { createQboConnector, type QboConnector, type QboConnectorOptions } from "../../../src/connectors/qbo/qbo-connector.js";
import { createSandboxServer, sandboxUrls, type SandboxServer, type SandboxServerOptions } from "../../../src/sandbox/server.js";
import { createKeyring, generateKeyBase64, keyFromBase64 } from "../../../src/secrets/keyring.js";
import { createSecretBox, type SecretBox } from "../../../src/secrets/secret-box.js";
import { createCompany } from "../../../src/storage/repos/companies.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";

export const SANDBOX_CLIENT_ID = "sandbox-client";
export const SANDBOX_CLIENT_SECRET = "sandbox-secret";
export const REDIRECT_URI = "http://127.0.0.1:1/api/qbo/callback";
export const silentLogger = createLogger({ level: "silent" });

export function newSecretBox(keyBase64 = generateKeyBase64()): SecretBox {
  const keyring = createKeyring(keyFromBase64(keyBase64));
  return createSecretBox(() => keyring);
}

export async function startSandbox(options: SandboxServerOptions = {}): Promise<SandboxServer> {
  return createSandboxServer({ port: 0, ...options, qbo: { autoApprove: true, ...options.qbo } });
}

/** Counts what goes over the wire, per kind, so tests can prove "exactly one refresh". */
export interface CountingFetch {
  fetch: FetchLike;
  calls: { method: string; url: string; status: number }[];
  count(predicate: (call: { method: string; url: string; status: number }) => boolean): number;
  tokenCalls(): number;
}

export function countingFetch(inner: FetchLike = globalThis.fetch): CountingFetch {
  const calls: { method: string; url: string; status: number }[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const response = await inner(input, init);
    calls.push({ method: init?.method ?? "GET", url: String(input), status: response.status });
    return response;
  };
  return {
    fetch: fetchFn,
    calls,
    count: (predicate) => calls.filter(predicate).length,
    tokenCalls: () => calls.filter((c) => c.url.includes("/oauth2/v1/tokens/bearer")).length,
  };
}

export function qboOptionsFor(sandbox: SandboxServer, overrides: Partial<QboConnectorOptions> = {}): QboConnectorOptions {
  const urls = sandboxUrls(sandbox.url);
  return {
    oauth: {
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      authorizeUrl: urls.qboAuthorizeUrl,
      tokenUrl: urls.qboTokenUrl,
      revokeUrl: urls.qboRevokeUrl,
      redirectUri: REDIRECT_URI,
      timeoutMs: 5000,
    },
    environment: "sandbox",
    client: { apiBase: urls.qboApiBase, timeoutMs: 5000, backoff: { baseMs: 5, maxMs: 20 }, throttleWaitMs: 20 },
    tokens: { pollInitialMs: 10, pollMaxMs: 50 },
    ...overrides,
  };
}

export interface QboWorld {
  sandbox: SandboxServer;
  db: Db;
  box: SecretBox;
  clock: Clock;
  wire: CountingFetch;
  events: ConnectionEvent[];
  connector: QboConnector;
}

export function createQboWorld(sandbox: SandboxServer, db: Db, options: { box?: SecretBox; clock?: Clock; overrides?: Partial<QboConnectorOptions>; fetch?: FetchLike } = {}): QboWorld {
  const box = options.box ?? newSecretBox();
  const clock = options.clock ?? systemClock;
  const wire = countingFetch(options.fetch);
  const connector = createQboConnector({ db, box, clock, fetch: wire.fetch, logger: silentLogger }, qboOptionsFor(sandbox, options.overrides));
  const events: ConnectionEvent[] = [];
  connector.events.on((event) => events.push(event));
  return { sandbox, db, box, clock, wire, events, connector };
}

let companySeq = 0;
export async function newCompany(db: Db, now: Date = new Date()): Promise<number> {
  companySeq += 1;
  const digits = String((process.pid * 1000 + companySeq) % 100_000_000).padStart(8, "0");
  const company = await createCompany(db, { code: `K${digits}A`, name: `Test company ${companySeq}` }, now);
  return company.id;
}

/**
 * The whole browser dance without a browser: start, follow the authorize redirect (the sandbox
 * auto-approves, or picks `realmId`), and complete with what the callback URL carries.
 */
export async function connectCompany(world: QboWorld, companyId: number, options: { realmId?: string; userId?: number | null } = {}) {
  const { authorizeUrl } = await world.connector.startConnect({ companyId, userId: options.userId ?? null });
  const callback = await followAuthorize(authorizeUrl, options.realmId);
  return world.connector.completeConnect({
    code: callback.searchParams.get("code"),
    state: callback.searchParams.get("state"),
    realmId: callback.searchParams.get("realmId"),
    userId: options.userId ?? null,
  });
}

export async function followAuthorize(authorizeUrl: string, realmId?: string): Promise<URL> {
  const url = new URL(authorizeUrl);
  if (realmId) url.searchParams.set("sandbox_realm", realmId);
  const response = await fetch(url, { redirect: "manual" });
  if (response.status !== 302) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  return new URL(response.headers.get("location")!);
}

/**
 * Successful refreshes the sandbox performed for a realm, read from its own state: every
 * refresh under strict rotation issues exactly one new refresh token.
 */
export function sandboxRefreshCount(sandbox: SandboxServer, realmId: string): number {
  const state = sandbox.qbo.snapshot() as {
    grants: Record<string, { realmId: string }>;
    refreshTokens: Record<string, { grantId: string }>;
  };
  const grants = new Set(Object.entries(state.grants).filter(([, g]) => g.realmId === realmId).map(([id]) => id));
  const issued = Object.values(state.refreshTokens).filter((t) => grants.has(t.grantId)).length;
  return issued - grants.size;
}

export async function advanceSandboxClock(sandbox: SandboxServer, ms: number): Promise<void> {
  const response = await fetch(`${sandbox.url}/_admin/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ms }),
  });
  if (response.status !== 200) throw new Error(`clock advance failed: ${response.status}`);
}
