// npm run bench:scheduler — scheduler and worker throughput, printed as JSON.
//
// PostgreSQL (DEVSYNC_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test, in a
// throwaway schema): 100,000 schedules of which 10,000 are due → slots taken per second by one
// tick; then the 10,000 queued no-op runs claimed + completed by 4 workers → runs per second.
// SQLite (temporary file): the same with 10,000 schedules, all due. MariaDB too when
// DEVSYNC_BENCH_MYSQL_URL is set (throwaway database). Uses the built dist/.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "mysql2/promise";
import { pino } from "pino";
import { createDb } from "../dist/storage/db.js";
import { migrateToLatest } from "../dist/storage/migrate.js";
import { tick } from "../dist/scheduler/tick.js";
import { createWorker } from "../dist/worker/worker.js";
import { noopExecutor } from "../dist/worker/fake-executor.js";
import { systemClock } from "../dist/clock.js";

const logger = pino({ level: process.env.DEVSYNC_BENCH_LOG ?? "silent" });
const WORKERS = 4;
// Work in flight during the tick: on PostgreSQL calls of the take-slots procedure (100 slots
// each, default 4), on MariaDB slot transactions (each commit waits for the log flush, so
// throughput comes from many commits in flight: default 32); SQLite has one writer. Then the
// runs each of the 4 workers executes at once. A pool of 40 connections serves them.
const TICK_CONCURRENCY = process.env.DEVSYNC_BENCH_TICK_CONCURRENCY ? Number(process.env.DEVSYNC_BENCH_TICK_CONCURRENCY) : undefined;
const tickConcurrencyFor = (dialect) => ({ postgres: TICK_CONCURRENCY ?? 4, mysql: TICK_CONCURRENCY ?? 32, sqlite: 1 })[dialect];
const WORKER_CONCURRENCY = Number(process.env.DEVSYNC_BENCH_WORKER_CONCURRENCY ?? 8);
const POOL_SIZE = 40;

async function main() {
  const results = { node: process.version, cpus: cpus().length, targets: { postgres: { slotsPerSecond: 2000, runsPerSecond: 500 } } };
  const only = process.env.DEVSYNC_BENCH_ONLY?.split(",");
  const want = (name) => !only || only.includes(name);
  if (want("postgres")) results.postgres = await benchPostgres(process.env.DEVSYNC_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test");
  if (want("sqlite")) results.sqlite = await benchSqlite();
  if (want("mysql") && process.env.DEVSYNC_BENCH_MYSQL_URL) results.mysql = await benchMysql(process.env.DEVSYNC_BENCH_MYSQL_URL);
  if (results.postgres) {
    results.postgres.meetsTargets =
      results.postgres.slotsPerSecond >= results.targets.postgres.slotsPerSecond && results.postgres.runsPerSecond >= results.targets.postgres.runsPerSecond;
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

async function benchPostgres(url) {
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const handle = createDb({ dialect: "postgres", url }, { pgSchema: schema, poolSize: POOL_SIZE });
    try {
      return await bench(handle, { schedules: 100_000, due: 10_000 });
    } finally {
      await handle.destroy();
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

async function benchMysql(url) {
  const name = `bench_${randomBytes(4).toString("hex")}`;
  const admin = createPool({ uri: url, connectionLimit: 1 });
  await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_bin`);
  try {
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const handle = createDb({ dialect: "mysql", url: dbUrl.toString() }, { poolSize: POOL_SIZE });
    try {
      return await bench(handle, { schedules: 100_000, due: 10_000 });
    } finally {
      await handle.destroy();
    }
  } finally {
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

async function benchSqlite() {
  const dir = mkdtempSync(join(tmpdir(), "devsync-bench-"));
  try {
    const handle = createDb({ dialect: "sqlite", file: join(dir, "bench.db") });
    try {
      return await bench(handle, { schedules: 10_000, due: 10_000 });
    } finally {
      await handle.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(handle, { schedules, due }) {
  const { db } = handle;
  await migrateWithRetry(handle);
  const companies = Math.max(due, Math.ceil(schedules / 4));
  const seedStarted = performance.now();
  await seed(db, { schedules, due, companies });
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // 1. Slots: one tick takes every due slot (one transaction each).
  const tickStarted = performance.now();
  const ticked = await tick({ db, clock: systemClock, logger, batchSize: 1000, maxBatches: 1000, concurrency: tickConcurrencyFor(handle.dialect) });
  const tickSeconds = (performance.now() - tickStarted) / 1000;
  const slotsTaken = ticked.queued + ticked.merged + ticked.skipped;
  if (slotsTaken !== due) throw new Error(`expected ${due} slots taken, got ${JSON.stringify({ ...ticked, slots: undefined })}`);

  // 2. Runs: 4 workers claim and complete the queued no-op runs.
  let finished = 0;
  let done;
  const allDone = new Promise((resolve) => (done = resolve));
  const onRunFinished = (result) => {
    if (result.status !== "succeeded") throw new Error(`run ${result.run.id} ended ${result.status}`);
    finished += 1;
    if (finished === ticked.queued) done();
  };
  const workers = Array.from({ length: WORKERS }, (_, i) =>
    createWorker({ db, clock: systemClock, logger, executor: noopExecutor, concurrency: WORKER_CONCURRENCY, pollMs: 5, ownerId: `bench-${i}`, onRunFinished }),
  );
  const runsStarted = performance.now();
  for (const w of workers) w.start();
  await allDone;
  const runsSeconds = (performance.now() - runsStarted) / 1000;
  await Promise.all(workers.map((w) => w.stop(1000)));

  return {
    dialect: handle.dialect,
    schedules,
    companies,
    due,
    seedSeconds: round(seedSeconds),
    slotsTaken,
    tickSeconds: round(tickSeconds),
    slotsPerSecond: Math.round(slotsTaken / tickSeconds),
    runs: finished,
    workers: WORKERS,
    workerConcurrency: WORKER_CONCURRENCY,
    tickConcurrency: tickConcurrencyFor(handle.dialect),
    runsSeconds: round(runsSeconds),
    runsPerSecond: Math.round(finished / runsSeconds),
  };
}

async function seed(db, { schedules, due, companies }) {
  const now = new Date();
  const at = now.toISOString();
  const dueAt = new Date(now.getTime() - 60_000).toISOString();
  const later = new Date(now.getTime() + 86_400_000).toISOString();
  const companyRows = Array.from({ length: companies }, (_, i) => ({ code: `B${String(i).padStart(9, "0")}`, name: `Bench ${i}`, created_at: at, updated_at: at }));
  for (let i = 0; i < companyRows.length; i += 1000) await db.insertInto("companies").values(companyRows.slice(i, i + 1000)).execute();
  const ids = (await db.selectFrom("companies").select("id").orderBy("id").execute()).map((r) => Number(r.id));
  const rows = [];
  for (let i = 0; i < schedules; i += 1) {
    // The first `due` schedules belong to distinct companies, so no due slot is skipped as busy.
    const company = i < due ? ids[i] : ids[i % ids.length];
    rows.push({
      company_id: company,
      job_type: ["sales", "bills", "full"][i % 3],
      frequency: "daily",
      hour_of_day: i % 24,
      minute: (i * 7) % 60,
      date_range_days: 30,
      enabled: 1,
      next_run_at: i < due ? dueAt : later,
      created_at: at,
      updated_at: at,
    });
  }
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto("schedules").values(rows.slice(i, i + 1000)).execute();
}

// Kysely's Migrator looks for its own tables in every PostgreSQL schema, so a test migrating
// another schema of the same database at this moment can make it skip creating them here;
// trying again once that other migration has finished succeeds.
async function migrateWithRetry(handle) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateToLatest(handle);
    } catch (error) {
      if (attempt >= 30 || error?.code !== "42P01") throw error;
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    }
  }
}

const round = (n) => Math.round(n * 1000) / 1000;

await main();
