// One sync in its own process (so its peak RSS is the engine's, not the sandbox's).
// argv[2]: { dbFile, keyBase64, companyId, sandboxUrl, window, limits? }. Prints one JSON line.
import { createDb } from "../dist/storage/db.js";
import { createKeyring, keyFromBase64 } from "../dist/secrets/keyring.js";
import { createSecretBox } from "../dist/secrets/secret-box.js";
import { createSyncConnectors } from "../dist/sync/connectors.js";
import { runSync } from "../dist/sync/execute.js";
import { systemClock } from "../dist/clock.js";

const input = JSON.parse(process.argv[2]);
const handle = createDb({ dialect: "sqlite", file: input.dbFile });
const keyring = createKeyring(keyFromBase64(input.keyBase64));
const box = createSecretBox(() => keyring);
const url = input.sandboxUrl;
const counts = {};
const counting = (inner) => async (request, init) => {
  const u = String(request);
  if (u.includes("/qbo/v3/")) {
    const kind = u.includes("/batch?") ? "batch" : u.includes("/query") ? "query" : init?.method === "POST" ? "write" : "read";
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return inner(request, init);
};
const connectors = createSyncConnectors(
  { db: handle.db, box, clock: systemClock, fetch: counting(globalThis.fetch) },
  {
    qbo: {
      oauth: {
        clientId: "sandbox-client",
        clientSecret: "sandbox-secret",
        authorizeUrl: `${url}/qbo/connect/oauth2`,
        tokenUrl: `${url}/qbo/oauth2/v1/tokens/bearer`,
        revokeUrl: `${url}/qbo/v2/oauth2/tokens/revoke`,
        redirectUri: "http://127.0.0.1:1/api/qbo/callback",
      },
      environment: "sandbox",
      client: { apiBase: `${url}/qbo` },
      ...(input.limits ? { limits: input.limits } : {}),
    },
    devpos: { baseUrl: `${url}/devpos`, listTimeoutMs: 600_000 },
  },
);
const started = performance.now();
const qbo = await connectors.qboFor(input.companyId);
const result = await runSync(
  { db: handle.db, now: () => new Date(), qbo, devpos: connectors.devposFor(input.companyId) },
  { companyId: input.companyId, runId: null, jobType: "full", window: input.window },
  { log: async () => {}, shouldStop: async () => false },
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ status: result.status, ms: Math.round(ms), sales: result.summary.sales, bills: result.summary.bills, clientRequests: counts, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
await handle.destroy();
