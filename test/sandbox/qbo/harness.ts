import Fastify, { type FastifyInstance } from "fastify";
import { createSandboxClock, type SandboxClock } from "../../../src/sandbox/clock.js";
import { createQboSimulator, type QboSimulator, type QboSimulatorOptions } from "../../../src/sandbox/qbo/index.js";

/** A real HTTP server on 127.0.0.1 with the simulator mounted at /qbo, as the combined server does. */
export interface Harness {
  app: FastifyInstance;
  sim: QboSimulator;
  clock: SandboxClock;
  base: string; // http://127.0.0.1:PORT/qbo
  close(): Promise<void>;
}

export const CLIENT_ID = "sandbox-client";
export const CLIENT_SECRET = "sandbox-secret";
export const REDIRECT_URI = "http://127.0.0.1:1/callback";
export const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;

export async function startHarness(options: Partial<QboSimulatorOptions> = {}): Promise<Harness> {
  const clock = options.clock ?? createSandboxClock(() => Date.UTC(2026, 0, 15, 10, 0, 0));
  const sim = createQboSimulator({ ...options, clock });
  const app = Fastify({ logger: false });
  await app.register(sim.plugin, { prefix: "/qbo" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { app, sim, clock, base: `http://127.0.0.1:${port}/qbo`, close: () => app.close() };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
  token_type: string;
}

/** Runs the authorize redirect and returns code/state/realmId from the callback URL. */
export async function authorize(h: Harness, extra: Record<string, string> = { sandbox_auto_approve: "1" }): Promise<URL> {
  const url = new URL(`${h.base}/connect/oauth2`);
  const params = { client_id: CLIENT_ID, response_type: "code", scope: "com.intuit.quickbooks.accounting", redirect_uri: REDIRECT_URI, state: "st-1", ...extra };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`authorize: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location")!);
}

export async function tokenRequest(h: Harness, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.base}/oauth2/v1/tokens/bearer`, {
    method: "POST",
    headers: { authorization: BASIC, "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Full connect: authorize + code exchange. */
export async function connect(h: Harness, extra?: Record<string, string>): Promise<{ realmId: string; tokens: Tokens }> {
  const callback = await authorize(h, extra);
  const { body } = await tokenRequest(h, { grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI });
  return { realmId: callback.searchParams.get("realmId")!, tokens: body as unknown as Tokens };
}

/** A tiny API client: JSON in, {status, body} out. */
export function apiClient(h: Harness, realmId: string, accessToken: string) {
  const call = async (method: string, path: string, body?: unknown, init: { headers?: Record<string, string> } = {}) => {
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(`${h.base}/v3/company/${realmId}${path}${sep}minorversion=75`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* XML or empty */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    call,
    get: (path: string) => call("GET", path),
    post: (path: string, body: unknown) => call("POST", path, body),
    query: (q: string) => call("GET", `/query?query=${encodeURIComponent(q)}`),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export async function connectedClient(h: Harness, realmOpts?: Parameters<QboSimulator["createRealm"]>[0]) {
  const realmId = h.sim.createRealm(realmOpts);
  const { tokens } = await connect(h, { sandbox_realm: realmId });
  return { realmId, tokens, api: apiClient(h, realmId, tokens.access_token) };
}
