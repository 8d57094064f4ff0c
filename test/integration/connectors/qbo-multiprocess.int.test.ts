import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyBase64 } from "../../../src/secrets/keyring.js";
import { getQboConnection } from "../../../src/storage/repos/qbo-connections.js";
import type { SandboxServer } from "../../../src/sandbox/server.js";
import { createTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";
import { setAccessExpiry } from "./db-helpers.js";
import { connectCompany, createQboWorld, newCompany, newSecretBox, qboOptionsFor, sandboxRefreshCount, startSandbox } from "./harness.js";

const CHILD = resolve(import.meta.dirname, "fixtures/refresh-child.mjs");
const BUILT = resolve(import.meta.dirname, "../../../dist/connectors/qbo/qbo-connector.js");
const PROCESSES = 8;

interface ChildResult {
  pid: number;
  accessToken?: string;
  refreshed?: boolean;
  error?: string;
  tokenCalls: number;
  invalidGrant: number;
  events: string[];
}

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox(); // strict rotation: a refresh token dies when used
});
afterAll(async () => {
  await sandbox.close();
});

/** Spawns a child and resolves once it printed {ready:true}; `result` resolves with its answer. */
function startChild(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; result: Promise<ChildResult> }> {
  return new Promise((resolveReady, rejectReady) => {
    const child = spawn(process.execPath, [CHILD], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let buffer = "";
    let settleResult!: (r: ChildResult) => void;
    let failResult!: (e: Error) => void;
    const result = new Promise<ChildResult>((res, rej) => {
      settleResult = res;
      failResult = rej;
    });
    child.stderr!.on("data", (d) => (stderr += d));
    child.stdout!.on("data", (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (line.ready) resolveReady({ child, result });
        else settleResult(line as ChildResult);
      }
    });
    child.on("exit", (code) => {
      const error = new Error(`child exited with ${code}: ${stderr}`);
      rejectReady(error);
      failResult(error);
    });
  });
}

const multiProcessDialects = enabledDialects().filter((d) => d !== "sqlite");

describe.runIf(multiProcessDialects.length > 0)("ensureFreshToken across OS processes", () => {
  for (const dialect of multiProcessDialects) {
    it(`[${dialect}] ${PROCESSES} processes, one token with < 10 min left: exactly one refresh, zero invalid_grant, one token for all`, async () => {
      expect(existsSync(BUILT), "run `npm run build` first (npm test does)").toBe(true);
      const database: TestDatabase = await createTestDatabase(dialect);
      const children: ChildProcess[] = [];
      try {
        const secretKey = generateKeyBase64();
        const world = createQboWorld(sandbox, database.db, { box: newSecretBox(secretKey) });
        const companyId = await newCompany(database.db);
        const { realmId } = await connectCompany(world, companyId);
        await setAccessExpiry(database.db, companyId, new Date(Date.now() + 5 * 60_000));

        const env = {
          PATH: process.env.PATH,
          REFRESH_CHILD_CONFIG: JSON.stringify({ target: database.target, secretKey, companyId, options: qboOptionsFor(sandbox) }),
        };
        const started = await Promise.all(Array.from({ length: PROCESSES }, () => startChild(env)));
        children.push(...started.map((s) => s.child));
        const goAt = performance.now();
        for (const { child } of started) child.stdin!.write("go\n");
        const results = await Promise.all(started.map((s) => s.result));
        const raceMs = Math.round(performance.now() - goAt);

        const tokenCalls = results.reduce((sum, r) => sum + r.tokenCalls, 0);
        const invalidGrants = results.reduce((sum, r) => sum + r.invalidGrant, 0);
        console.log(
          `[${dialect}] ${PROCESSES} OS processes (pids ${results.map((r) => r.pid).join(",")}): ` +
            `token calls=${tokenCalls}, sandbox refreshes=${sandboxRefreshCount(sandbox, realmId)}, invalid_grant=${invalidGrants}, ` +
            `refreshed by ${results.filter((r) => r.refreshed).length} process, distinct tokens=${new Set(results.map((r) => r.accessToken)).size}, all answered ${raceMs} ms after "go"`,
        );
        expect(results.map((r) => r.error).filter(Boolean)).toEqual([]);
        expect(tokenCalls).toBe(1);
        expect(invalidGrants).toBe(0);
        expect(sandboxRefreshCount(sandbox, realmId)).toBe(1);
        expect(results.filter((r) => r.refreshed)).toHaveLength(1);
        expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
        expect(results.flatMap((r) => r.events)).toEqual([]);
        expect((await getQboConnection(database.db, companyId))!).toMatchObject({ status: "connected", refreshLockOwner: null });
      } finally {
        for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
        await database.drop();
      }
    }, 60_000);
  }
});
