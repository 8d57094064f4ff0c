// npm run bench:sync — the sync engine against the sandbox at Intuit's default limits (issue 5):
// (a) first sync of 5,000 documents / 300 parties with 150 ms latency, (b) the same window again,
// (c) 20,000 documents for peak RSS. Prints one JSON object. BENCH_SYNC_SCENARIOS=a,b,c picks.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSandboxServer } from "../dist/sandbox/server.js";
import { generateDocuments } from "../dist/sandbox/generator/index.js";
import { createDb } from "../dist/storage/db.js";
import { migrateToLatest } from "../dist/storage/migrate.js";
import { createKeyring, generateKeyBase64, keyFromBase64 } from "../dist/secrets/keyring.js";
import { createSecretBox } from "../dist/secrets/secret-box.js";
import { createCompany, updateCompany } from "../dist/storage/repos/companies.js";
import { checkBooks, describeBooks } from "../dist/demo/books-check.js";
import { upsertDevposCredentials } from "../dist/storage/repos/devpos-credentials.js";
import { createQboConnector } from "../dist/connectors/qbo/qbo-connector.js";
import { systemClock } from "../dist/clock.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const scenarios = new Set((process.env.BENCH_SYNC_SCENARIOS ?? "a,b,c").split(","));
const window = { from: "2025-01-01", to: "2025-03-31" };

async function world(sandbox, { count, parties, seed }) {
  const dir = mkdtempSync(join(tmpdir(), "devsync-bench-sync-"));
  const dbFile = join(dir, "bench.db");
  const handle = createDb({ dialect: "sqlite", file: dbFile });
  await migrateToLatest(handle);
  const keyBase64 = generateKeyBase64();
  const keyring = createKeyring(keyFromBase64(keyBase64));
  const box = createSecretBox(() => keyring);
  const nuis = `K${String(10_000_000 + seed).slice(-8)}A`;
  const company = await createCompany(handle.db, { code: nuis, name: `Bench ${seed}` }, new Date());
  sandbox.devpos.addTenant({ tenant: nuis, username: "bench", password: "bench" });
  await upsertDevposCredentials(handle.db, box, company.id, { tenant: nuis, username: "bench", password: "bench" }, new Date());
  const docs = generateDocuments({ seed, tenantNuis: nuis, count, parties, from: window.from, to: window.to, edgeCases: { rejectedRate: 0, zeroAmountRate: 0 } });
  sandbox.devpos.addDocuments(nuis, docs.map((d) => ({ row: d.row, trueAmount: d.trueAmount })));
  // VAT on, as every Albanian QuickBooks company has it: inclusive lines with the realm's codes.
  const realmId = sandbox.qbo.createRealm({ multicurrency: true, tax: true });
  const codes = Object.values(sandbox.qbo.snapshot().realms[realmId].entities.TaxCode);
  const byRate = Object.fromEntries(codes.map((c) => [/(\d+)%/.exec(c.Name)?.[1], c.Id]).filter(([rate]) => rate !== undefined));
  await updateCompany(handle.db, company.id, { taxMode: "inclusive", vatTaxCodeId: byRate["20"], vatRateCodes: byRate }, new Date());
  const url = sandbox.url;
  const connector = createQboConnector(
    { db: handle.db, box, clock: systemClock },
    {
      oauth: { clientId: "sandbox-client", clientSecret: "sandbox-secret", authorizeUrl: `${url}/qbo/connect/oauth2`, tokenUrl: `${url}/qbo/oauth2/v1/tokens/bearer`, revokeUrl: `${url}/qbo/v2/oauth2/tokens/revoke`, redirectUri: "http://127.0.0.1:1/api/qbo/callback" },
      environment: "sandbox",
      client: { apiBase: `${url}/qbo` },
    },
  );
  const { authorizeUrl } = await connector.startConnect({ companyId: company.id, userId: null });
  const auth = new URL(authorizeUrl);
  auth.searchParams.set("sandbox_realm", realmId);
  const redirect = await fetch(auth, { redirect: "manual" });
  const callback = new URL(redirect.headers.get("location"));
  await connector.completeConnect({ code: callback.searchParams.get("code"), state: callback.searchParams.get("state"), realmId: callback.searchParams.get("realmId") });
  await handle.destroy();
  return { dir, dbFile, keyBase64, companyId: company.id, realmId, nuis, documents: docs.length };
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...(process.env.BENCH_SYNC_NODE_FLAGS ?? "").split(" ").filter(Boolean), join(here, "sync-child.mjs"), JSON.stringify(args)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`sync child exited ${code}`))));
  });
}

const delta = (after, before) => ({
  total: after.total - before.total,
  reads: after.reads - before.reads,
  writes: after.writes - before.writes,
  throttled429: after.throttled429 - before.throttled429,
  byEndpoint: Object.fromEntries(Object.entries(after.byEndpoint).map(([k, v]) => [k, v - (before.byEndpoint[k] ?? 0)]).filter(([, v]) => v > 0)),
});

const results = { node: process.version, limits: "Intuit defaults: 500 req/min, 10 concurrent, 40 batch/min per realm" };
const sandbox = await createSandboxServer({ port: 0, seed: 5, qbo: { autoApprove: true, latency: { baseMs: 150 } } });
try {
  if (scenarios.has("a") || scenarios.has("b")) {
    const w = await world(sandbox, { count: 5000, parties: 300, seed: 501 });
    const args = { dbFile: w.dbFile, keyBase64: w.keyBase64, companyId: w.companyId, sandboxUrl: sandbox.url, window };
    const s0 = sandbox.qbo.stats(w.realmId).requests;
    const first = await runChild(args);
    const s1 = sandbox.qbo.stats(w.realmId).requests;
    const created = sandbox.qbo.stats(w.realmId).documents;
    results.a_firstSync = {
      documents: w.documents,
      parties: 300,
      status: first.status,
      created: created.Invoice + created.Bill,
      seconds: Math.round(first.ms / 100) / 10,
      documentsPerMinute: Math.round((w.documents / first.ms) * 60_000),
      qboRequests: delta(s1, s0),
      peakRssMb: first.peakRssMb,
      books: describeBooks(checkBooks(sandbox, w.nuis, w.realmId)),
      target: ">= 1,200 documents/min, zero 429s, status succeeded and the books balance",
    };
    results.a_firstSync.meetsTarget =
      first.status === "succeeded" && checkBooks(sandbox, w.nuis, w.realmId).balanced && results.a_firstSync.documentsPerMinute >= 1200 && results.a_firstSync.qboRequests.throttled429 === 0;
    if (scenarios.has("b")) {
      const second = await runChild(args);
      const s2 = sandbox.qbo.stats(w.realmId).requests;
      const d = delta(s2, s1);
      results.b_rerun = {
        documents: w.documents,
        status: second.status,
        seconds: Math.round(second.ms / 100) / 10,
        writes: d.writes,
        reads: d.reads,
        writesPerDocument: d.writes / w.documents,
        readsPerDocument: d.reads / w.documents,
        target: "0 writes and <= 0.01 reads per document",
      };
    }
    rmSync(w.dir, { recursive: true, force: true });
  }
  if (scenarios.has("c")) {
    // Memory only: at Intuit's limits 20,000 documents take ~13 minutes, so this scenario raises
    // the sandbox's and the client's limits and drops the latency; the engine's data volume is the same.
    sandbox.qbo.configure({ latency: { baseMs: 0 }, limits: { perMinute: 1_000_000, batchPerMinute: 1_000_000, concurrent: 10 } });
    const w = await world(sandbox, { count: 20_000, parties: 600, seed: 2001 });
    const run = await runChild({ dbFile: w.dbFile, keyBase64: w.keyBase64, companyId: w.companyId, sandboxUrl: sandbox.url, window, limits: { perMinute: 1_000_000, batchPerMinute: 1_000_000, concurrent: 10 } });
    const created = sandbox.qbo.stats(w.realmId).documents;
    results.c_large = { documents: w.documents, status: run.status, created: created.Invoice + created.Bill, seconds: Math.round(run.ms / 100) / 10, peakRssMb: run.peakRssMb, books: describeBooks(checkBooks(sandbox, w.nuis, w.realmId)), target: "<= 250 MB peak RSS" };
    rmSync(w.dir, { recursive: true, force: true });
  }
} finally {
  await sandbox.close();
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
