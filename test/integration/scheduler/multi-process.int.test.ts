import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nextRunAt } from "../../../src/domain/next-run-at.js";
import type { ScheduleRule } from "../../../src/domain/schedule-rule.js";
import { createCompany, type Company } from "../../../src/storage/repos/companies.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";
import { createSchedule, type ScheduleFields } from "../../../src/storage/repos/schedules.js";
import { tempDir } from "../../helpers/cli.js";
import { createTestDatabase, enabledDialects, type TestDatabase } from "../../helpers/test-db.js";

/**
 * Proof under concurrency (issue 6, item 5): several OS processes, each running a scheduler
 * and a worker from the built dist/, share one database. 100 companies × 3 schedules
 * (hourly, daily, weekly, monthly, cron; three zones; across the March DST change) over 48
 * simulated hours, compressed into 60 real seconds. Mid-way one process is SIGKILLed while
 * it runs syncs. Afterwards:
 * - every slot of every schedule has exactly one run row (or lies inside a catch-up run's span);
 * - no company ever had two running runs (unique claim column, sampled while running, and the
 *   executor's recorded start/stop intervals never overlap per company);
 * - the killed process's runs were reclaimed after their lease expired and finished.
 */

const CHILD = resolve(import.meta.dirname, "sim-child.mjs");
const SIM_START = Date.parse("2026-03-27T22:00:00.000Z");
const SIM_HOURS = 48;
const SIM_END = SIM_START + SIM_HOURS * 3_600_000;
const REAL_SPAN_MS = 60_000;
const FACTOR = (SIM_END - SIM_START) / REAL_SPAN_MS;

interface Interval {
  run: number;
  company: number;
  start: number;
  end: number;
  proc: number;
}

let database: TestDatabase | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await database?.drop();
  database = undefined;
});

for (const dialect of enabledDialects()) {
  const processes = dialect === "sqlite" ? 1 : 3;
  describe(`multi-process scheduling [${dialect}]`, () => {
    it(
      `${processes} process(es), 300 schedules, 48 h of slots, one process killed mid-way: every slot exactly once, never two runs of a company at once`,
      async () => {
        database = await createTestDatabase(dialect);
        const db = database.db;
        const schedules = await seed(db);
        const dir = tempDir("devsync-sim-");
        const realStartMs = Date.now() + 3_000;
        const base = {
          target: database.target,
          simStartMs: SIM_START,
          simEndMs: SIM_END,
          realStartMs,
          factor: FACTOR,
          leaseRealMs: 1_500,
          heartbeatMs: 200,
          pollMs: 20,
          tickMs: 100,
          reclaimMs: 250,
          concurrency: dialect === "sqlite" ? 4 : 6,
          minRunMs: 5,
          spreadRunMs: 60,
          longEvery: 20,
          longRunMs: 300,
          failEvery: 23,
        };
        const logOf = (index: number) => join(dir, `proc-${index}.jsonl`);
        const start = (index: number) => {
          const child = spawn(process.execPath, [CHILD], {
            env: { ...process.env, DEVSYNC_SIM: JSON.stringify({ ...base, index, logFile: logOf(index) }) },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let stderr = "";
          child.stderr!.on("data", (d) => (stderr += d));
          child.on("exit", (code, signal) => {
            if (code !== 0 && signal !== "SIGKILL") process.stderr.write(`sim child ${index} exited ${code ?? signal}\n${stderr}\n`);
          });
          children.push(child);
          return child;
        };
        for (let i = 0; i < processes; i += 1) start(i);

        // Sample the live queue: never two running runs of one company.
        let samples = 0;
        const violations: unknown[] = [];
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const rows = await db
              .selectFrom("sync_runs")
              .select(["company_id", (eb) => eb.fn.countAll<number | string>().as("n")])
              .where("status", "=", "running")
              .groupBy("company_id")
              .execute();
            for (const row of rows) if (Number(row.n) > 1) violations.push(row);
            samples += 1;
            await sleep(150);
          }
        })();

        // Mid-way, kill process 0 (the only one on SQLite) while it is executing syncs.
        const victim = 0;
        await sleepUntil(realStartMs + REAL_SPAN_MS * 0.4);
        await waitForLongRunInFlight(logOf(victim), base.longEvery, 15_000);
        const killedAt = Date.now();
        children[victim]!.kill("SIGKILL");
        await new Promise((r) => children[victim]!.once("exit", r));
        const inFlightAtKill = openRuns(logOf(victim));
        if (dialect === "sqlite") {
          // One machine: the replacement process (e.g. restarted by systemd) reclaims them.
          start(processes);
        }

        // Wait for the simulated span to end, then for the queue to drain.
        await sleepUntil(realStartMs + REAL_SPAN_MS);
        const deadline = Date.now() + 40_000;
        for (;;) {
          const active = await db.selectFrom("sync_runs").select("id").where("status", "in", ["queued", "running"]).limit(1).execute();
          const due = await db.selectFrom("schedules").select("id").where("next_run_at", "<=", new Date(SIM_END).toISOString()).limit(1).execute();
          if (active.length === 0 && due.length === 0) break;
          if (Date.now() > deadline) throw new Error("queue did not drain");
          await sleep(200);
        }
        sampling = false;
        await sampler;
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));

        const runs = await db.selectFrom("sync_runs").selectAll().orderBy("id").execute();

        // 1. Exactly one row per slot; catch-up rows stand for the slots they collapsed.
        const bySchedule = new Map<number, typeof runs>();
        for (const run of runs) bySchedule.set(Number(run.schedule_id), [...(bySchedule.get(Number(run.schedule_id)) ?? []), run]);
        let expectedSlots = 0;
        let collapsed = 0;
        const problems: string[] = [];
        for (const s of schedules) {
          const rows = (bySchedule.get(s.id) ?? []).sort((a, b) => (a.scheduled_for! < b.scheduled_for! ? -1 : 1));
          const keys = rows.map((r) => r.scheduled_for!);
          if (new Set(keys).size !== keys.length) problems.push(`schedule ${s.id}: duplicate slot rows`);
          const slots: string[] = [];
          for (let slot = nextRunAt(s.rule, new Date(SIM_START)); slot.getTime() <= SIM_END; slot = nextRunAt(s.rule, slot)) slots.push(slot.toISOString());
          expectedSlots += slots.length;
          const rowAt = new Set(keys);
          for (const key of keys) if (!slots.includes(key)) problems.push(`schedule ${s.id}: row for ${key}, not a slot`);
          for (const slot of slots) {
            if (rowAt.has(slot)) continue;
            const before = rows.filter((r) => r.scheduled_for! < slot).at(-1);
            if (before?.trigger === "catchup") collapsed += 1;
            else problems.push(`schedule ${s.id}: slot ${slot} has no run row`);
          }
        }
        expect(problems.slice(0, 10)).toEqual([]);
        expect(runs.length + collapsed).toBe(expectedSlots);

        // 2. Every queued run finished; no run is left holding a claim.
        const statuses = count(runs.map((r) => r.status));
        expect(Object.keys(statuses).sort()).toEqual(["skipped", "succeeded"].filter((s) => statuses[s]));
        expect(runs.every((r) => r.running_company_id === null && r.lease_owner === null)).toBe(true);
        expect(runs.filter((r) => r.status === "skipped" && r.error_code === "skipped").every((r) => /^company busy: run \d+ is (queued|running)$/.test(r.error_message ?? ""))).toBe(true);
        // A slot that joined a queued run: that run succeeded and covered the slot's job type and dates.
        const merged = runs.filter((r) => r.status === "skipped" && r.error_code !== "skipped");
        const uncovered = merged.filter((r) => {
          const into = /^merged into run (\d+)$/.exec(r.error_message ?? "");
          const run = into && r.error_code === "merged" ? runs.find((x) => Number(x.id) === Number(into[1])) : undefined;
          return !(run && run.status === "succeeded" && (run.job_type === "full" || run.job_type === r.job_type) && run.window_from <= r.window_from && run.window_to >= r.window_to);
        });
        expect(uncovered.slice(0, 5)).toEqual([]);

        // 3. Never two running runs of one company: sampled, and by the recorded intervals.
        expect(violations).toEqual([]);
        expect(samples).toBeGreaterThan(20);
        const intervals = readIntervals(children.length, logOf, victim, killedAt);
        const perCompany = new Map<number, Interval[]>();
        for (const i of intervals) perCompany.set(i.company, [...(perCompany.get(i.company) ?? []), i]);
        const overlaps: string[] = [];
        for (const [company, list] of perCompany) {
          list.sort((a, b) => a.start - b.start);
          for (let k = 1; k < list.length; k += 1) {
            if (list[k]!.start < list[k - 1]!.end) overlaps.push(`company ${company}: run ${list[k - 1]!.run} and ${list[k]!.run}`);
          }
        }
        expect(overlaps).toEqual([]);
        const procsThatRan = new Set(intervals.map((i) => i.proc));
        expect(procsThatRan.size).toBe(children.length);

        // 4. The killed process's in-flight runs were reclaimed and finished elsewhere.
        expect(inFlightAtKill.length).toBeGreaterThan(0);
        for (const runId of inFlightAtKill) {
          const run = runs.find((r) => Number(r.id) === runId)!;
          expect(run.status).toBe("succeeded");
          expect(Number(run.attempt)).toBeGreaterThanOrEqual(2);
          const events = await db.selectFrom("run_events").select("message").where("run_id", "=", runId).execute();
          expect(events.some((e) => /lease of worker sim-0-\d+ expired: run requeued/.test(e.message))).toBe(true);
          expect(intervals.some((i) => i.run === runId && i.proc !== victim)).toBe(true);
        }

        // Retries happened (every 23rd run failed once) and were retried to success.
        expect(runs.some((r) => Number(r.attempt) >= 2 && r.status === "succeeded")).toBe(true);
        process.stdout.write(
          `[${dialect}] ${processes} process(es): ${runs.length} run rows for ${expectedSlots} slots ` +
            `(${collapsed} collapsed into catch-up runs), ${JSON.stringify(statuses)}, ` +
            `${inFlightAtKill.length} runs reclaimed from the killed process, ${samples} samples\n`,
        );
        rmSync(dir, { recursive: true, force: true });
      },
      150_000,
    );
  });
}

interface SeededSchedule {
  id: number;
  rule: ScheduleRule;
}

async function seed(db: Db): Promise<SeededSchedule[]> {
  const zones = ["Europe/Tirane", "America/New_York", "Asia/Tokyo"];
  const seeded: SeededSchedule[] = [];
  const base: ScheduleFields = {
    jobType: "sales",
    frequency: "hourly",
    hourOfDay: 9,
    minute: 0,
    dayOfWeek: null,
    dayOfMonth: null,
    cronExpression: null,
    timezone: null,
    dateRangeDays: 30,
    enabled: true,
  };
  const now = new Date(SIM_START - 60_000);
  for (let c = 0; c < 100; c += 1) {
    const timezone = c % 10 === 0 ? zones[1] : c % 10 === 1 ? zones[2] : zones[0];
    const company: Company = await createCompany(db, { code: `K${String(c).padStart(8, "0")}A`, name: `Sim company ${c}`, timezone }, now);
    const third: Partial<ScheduleFields> =
      c % 4 === 0
        ? { frequency: "weekly", dayOfWeek: Math.floor(c / 4) % 7, hourOfDay: 2 + (c % 3), minute: 30, jobType: "bills" } // some at 02:30, in the DST gap
        : c % 4 === 1
          ? { frequency: "monthly", dayOfMonth: 28 + (c % 2), hourOfDay: 6, jobType: "full" }
          : c % 4 === 2
            ? { frequency: "cron", cronExpression: "*/30 */4 * * *", jobType: "bills", dateRangeDays: 1 }
            : { frequency: "cron", cronExpression: `${(c * 7 + 30) % 60} */3 * * *`, jobType: "bills", dateRangeDays: 1 };
    const fields: Partial<ScheduleFields>[] = [
      c % 2 === 0
        ? { frequency: "hourly", minute: (c * 7) % 60, jobType: "sales", dateRangeDays: 1 }
        : { frequency: "cron", cronExpression: `${(c * 7) % 60} */2 * * *`, jobType: "sales", dateRangeDays: 1 },
      { frequency: "daily", hourOfDay: c % 24, minute: (c * 11) % 60, jobType: "full" },
      third,
    ];
    for (const f of fields) {
      const full = { ...base, ...f };
      const rule: ScheduleRule = {
        frequency: full.frequency,
        hourOfDay: full.hourOfDay,
        minute: full.minute,
        dayOfWeek: full.dayOfWeek,
        dayOfMonth: full.dayOfMonth,
        cronExpression: full.cronExpression,
        timezone: full.timezone ?? company.timezone,
      };
      const schedule = await createSchedule(db, { ...full, companyId: company.id, nextRunAt: nextRunAt(rule, new Date(SIM_START)), now });
      seeded.push({ id: schedule.id, rule });
    }
  }
  return seeded;
}

function readIntervals(count: number, logOf: (i: number) => string, victim: number, killedAt: number): Interval[] {
  const intervals: Interval[] = [];
  for (let proc = 0; proc < count; proc += 1) {
    if (!existsSync(logOf(proc))) continue;
    const open = new Map<string, { run: number; company: number; start: number }>();
    for (const line of readFileSync(logOf(proc), "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { e: string; run: number; company: number; attempt: number; t: number };
      const key = `${e.run}/${e.attempt}`;
      if (e.e === "start") open.set(key, { run: e.run, company: e.company, start: e.t });
      else {
        const s = open.get(key)!;
        open.delete(key);
        intervals.push({ ...s, end: e.t, proc });
      }
    }
    for (const s of open.values()) {
      if (proc !== victim) throw new Error(`process ${proc} left run ${s.run} unfinished`);
      intervals.push({ ...s, end: killedAt, proc });
    }
  }
  return intervals;
}

/** Runs (with when they started) the process's log shows started and not finished. */
function openRunsWithStart(file: string): Map<number, number> {
  const open = new Map<string, { run: number; t: number }>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { e: string; run: number; attempt: number; t: number };
      if (e.e === "start") open.set(`${e.run}/${e.attempt}`, { run: e.run, t: e.t });
      else open.delete(`${e.run}/${e.attempt}`);
    }
  }
  return new Map([...open.values()].map((o) => [o.run, o.t]));
}

function openRuns(file: string): number[] {
  return [...openRunsWithStart(file).keys()];
}

/** Waits until the process has just started one of the long runs (so it is surely mid-run when killed). */
async function waitForLongRunInFlight(file: string, longEvery: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [run, startedAt] of openRunsWithStart(file)) if (run % longEvery === 0 && Date.now() - startedAt < 200) return;
    if (Date.now() > deadline) throw new Error("the victim never had a long run in flight");
    await sleep(5);
  }
}

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - Date.now()));
