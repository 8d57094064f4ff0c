import { sql, type Selectable } from "kysely";
import type { JobType } from "../../domain/schedule-rule.js";
import { dialectOf } from "../db.js";
import { UniqueViolationError, withDbErrors } from "../errors.js";
import type { SyncRunsTable } from "../schema.js";
import { appendRunEvents } from "./run-log.js";
import {
  affected,
  decodeIdCursor,
  fromDbInstant,
  fromDbInstantOrNull,
  fromFlag,
  fromJson,
  inTransaction,
  insertReturningId,
  insertUnlessDuplicate,
  keysetPage,
  pageLimit,
  toDbInstant,
  toDbInstantOrNull,
  toJson,
  type Db,
} from "./repo-helpers.js";
import type { Page, PageOptions, RunStatus, RunTrigger } from "./types.js";

export type { RunStatus, RunTrigger } from "./types.js";

/** One sync: the queue entry while queued/running, its history afterwards. */
export interface SyncRun {
  id: number;
  companyId: number;
  scheduleId: number | null;
  trigger: RunTrigger;
  jobType: JobType;
  /** Local dates YYYY-MM-DD, both inclusive. */
  windowFrom: string;
  windowTo: string;
  /** The schedule slot this run was enqueued for. */
  scheduledFor: Date | null;
  status: RunStatus;
  attempt: number;
  maxAttempts: number;
  availableAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  cancelRequested: boolean;
  requestedByUserId: number | null;
  summary: RunSummary | null;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Free-form JSON written by the run executor (counts per action, warnings…). */
export type RunSummary = Record<string, unknown>;

export const TERMINAL_STATUSES = ["succeeded", "partial", "failed", "cancelled", "skipped"] as const satisfies readonly RunStatus[];
export type FinalStatus = "succeeded" | "partial" | "failed" | "cancelled";

export interface NewRun {
  companyId: number;
  scheduleId?: number | null;
  trigger: RunTrigger;
  jobType: JobType;
  windowFrom: string;
  windowTo: string;
  scheduledFor?: Date | null;
  maxAttempts?: number;
  /** Default: now. */
  availableAt?: Date;
  requestedByUserId?: number | null;
  now: Date;
}

export function runFromRow(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: Number(row.id),
    companyId: Number(row.company_id),
    scheduleId: row.schedule_id === null ? null : Number(row.schedule_id),
    trigger: row.trigger as RunTrigger,
    jobType: row.job_type as JobType,
    windowFrom: row.window_from,
    windowTo: row.window_to,
    scheduledFor: fromDbInstantOrNull(row.scheduled_for),
    status: row.status as RunStatus,
    attempt: Number(row.attempt),
    maxAttempts: Number(row.max_attempts),
    availableAt: fromDbInstant(row.available_at),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: fromDbInstantOrNull(row.lease_expires_at),
    heartbeatAt: fromDbInstantOrNull(row.heartbeat_at),
    cancelRequested: fromFlag(row.cancel_requested),
    requestedByUserId: row.requested_by_user_id === null ? null : Number(row.requested_by_user_id),
    summary: fromJson<RunSummary>(row.summary),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    startedAt: fromDbInstantOrNull(row.started_at),
    finishedAt: fromDbInstantOrNull(row.finished_at),
    createdAt: fromDbInstant(row.created_at),
    updatedAt: fromDbInstant(row.updated_at),
  };
}

function newRunRow(input: NewRun, status: RunStatus) {
  const at = toDbInstant(input.now);
  return {
    company_id: input.companyId,
    schedule_id: input.scheduleId ?? null,
    trigger: input.trigger,
    job_type: input.jobType,
    window_from: input.windowFrom,
    window_to: input.windowTo,
    scheduled_for: toDbInstantOrNull(input.scheduledFor),
    status,
    attempt: 0,
    max_attempts: input.maxAttempts ?? 3,
    available_at: toDbInstant(input.availableAt ?? input.now),
    running_company_id: null,
    requested_by_user_id: input.requestedByUserId ?? null,
    created_at: at,
    updated_at: at,
  };
}

export async function getRun(db: Db, id: number): Promise<SyncRun | undefined> {
  const row = await db.selectFrom("sync_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? runFromRow(row) : undefined;
}

/**
 * Queues a run. With a schedule slot, a second insert for the same (schedule, slot) throws
 * UniqueViolationError — inside a PostgreSQL transaction prefer insertScheduledRun, which
 * does not abort the transaction. ForeignKeyViolationError for an unknown company/schedule.
 */
export async function enqueueRun(db: Db, input: NewRun): Promise<SyncRun> {
  const id = await withDbErrors(() => insertReturningId(db, "sync_runs", newRunRow(input, "queued")));
  return (await getRun(db, id))!;
}

export interface NewScheduledRun extends NewRun {
  scheduleId: number;
  scheduledFor: Date;
  /** Record the slot as `skipped` with this reason instead of queueing it. */
  skippedReason?: string;
}

/**
 * Inserts the run of one schedule slot, exactly once however many schedulers try: returns
 * `inserted: false` and the existing row when the slot was already taken.
 */
export async function insertScheduledRun(db: Db, input: NewScheduledRun): Promise<{ inserted: boolean; run: SyncRun }> {
  const values = input.skippedReason === undefined ? newRunRow(input, "queued") : skippedRow(input, input.skippedReason);
  const id = await insertUnlessDuplicate(db, "sync_runs", values, ["schedule_id", "scheduled_for"]);
  if (id !== undefined) return { inserted: true, run: (await getRun(db, id))! };
  const row = await db
    .selectFrom("sync_runs")
    .selectAll()
    .where("schedule_id", "=", input.scheduleId)
    .where("scheduled_for", "=", toDbInstant(input.scheduledFor))
    .executeTakeFirstOrThrow();
  return { inserted: false, run: runFromRow(row) };
}

function skippedRow(input: NewRun, reason: string) {
  const at = toDbInstant(input.now);
  return { ...newRunRow(input, "skipped"), error_code: "skipped", error_message: reason, finished_at: at };
}

/**
 * Records a run that was not queued (the company was busy). With a schedule slot it takes the
 * slot like insertScheduledRun; without one it is a plain history row.
 */
export async function recordSkippedRun(db: Db, input: NewRun & { reason: string }): Promise<{ inserted: boolean; run: SyncRun }> {
  if (input.scheduleId != null && input.scheduledFor) {
    return insertScheduledRun(db, { ...input, scheduleId: input.scheduleId, scheduledFor: input.scheduledFor, skippedReason: input.reason });
  }
  const id = await withDbErrors(() => insertReturningId(db, "sync_runs", skippedRow(input, input.reason)));
  return { inserted: true, run: (await getRun(db, id))! };
}

/** True when the company has a queued or running run. */
export async function hasActiveRun(db: Db, companyId: number): Promise<boolean> {
  return (await findActiveRun(db, companyId)) !== undefined;
}

/** The company's running run, else its oldest queued one. */
export async function findActiveRun(db: Db, companyId: number): Promise<SyncRun | undefined> {
  const rows = await db
    .selectFrom("sync_runs")
    .selectAll()
    .where("company_id", "=", companyId)
    .where("status", "in", ["queued", "running"])
    .orderBy("id")
    .execute();
  const row = rows.find((r) => r.status === "running") ?? rows[0];
  return row ? runFromRow(row) : undefined;
}

export interface ClaimOptions {
  /** Worker id, e.g. `host:pid:slot`. */
  owner: string;
  now: Date;
  leaseMs: number;
}

const MAX_CLAIM_ATTEMPTS = 8;

/**
 * Takes the oldest queued run (by available_at, then id) that is available, whose company has
 * nothing running and no older available run, and leases it to `owner`. A company's runs
 * therefore start in order, one at a time. Safe with any number of workers:
 * - PostgreSQL: one UPDATE whose candidate subquery is `FOR UPDATE SKIP LOCKED`;
 * - MariaDB (no UPDATE on a subquery of the same table): SELECT … FOR UPDATE SKIP LOCKED then
 *   UPDATE in one READ COMMITTED transaction;
 * - SQLite: one UPDATE statement, which holds the write lock from start to end.
 * Two workers may still pick runs of the same company at the same instant; the unique key on
 * `running_company_id` lets only one commit, and the loser moves on to another candidate.
 * Pass the root handle, not a transaction: on PostgreSQL that lost race aborts a transaction.
 */
export async function claimNextRun(db: Db, options: ClaimOptions): Promise<SyncRun | undefined> {
  const excluded: number[] = [];
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt += 1) {
    try {
      return dialectOf(db) === "mysql" ? await claimMysql(db, options, excluded) : await claimInOneStatement(db, options, excluded);
    } catch (error) {
      const translated = translateClaimError(error);
      if (translated === "retry") continue;
      if (translated instanceof UniqueViolationError) {
        // Another worker started a run of the same company; the candidate is re-examined on the
        // next attempt (its company is now busy and filtered out).
        continue;
      }
      throw translated;
    }
  }
  return undefined;
}

function translateClaimError(error: unknown): unknown {
  const e = error as { code?: unknown; errno?: unknown };
  // Deadlock / serialisation failure / lock wait timeout: the claim is simply retried.
  if (e.code === "40P01" || e.code === "40001" || e.errno === 1213 || e.errno === 1205) return "retry";
  if (e.code === "SQLITE_BUSY" || error instanceof RetryClaim) return "retry";
  return error instanceof UniqueViolationError ? error : translateUnique(error);
}

function translateUnique(error: unknown): unknown {
  const e = error as { code?: unknown; errno?: unknown };
  if (e.code === "23505" || e.errno === 1062 || e.code === "SQLITE_CONSTRAINT_UNIQUE") return new UniqueViolationError(undefined, { cause: error });
  return error;
}

function candidateQuery(db: Db, now: string, excluded: readonly number[]) {
  let query = db
    .selectFrom("sync_runs as r")
    .select("r.id")
    .where("r.status", "=", "queued")
    .where("r.available_at", "<=", now)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom("sync_runs as x").select(sql.lit(1).as("one")).whereRef("x.running_company_id", "=", "r.company_id"))),
    )
    // The company's oldest available run, even when another claimer holds that row locked:
    // SKIP LOCKED alone would pass over it and start the next run of the same company first.
    // (A run ordered before r is available too, since r is.)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("sync_runs as o")
            .select(sql.lit(1).as("one"))
            .whereRef("o.company_id", "=", "r.company_id")
            .where("o.status", "=", "queued")
            .where(({ eb: older, refTuple }) => older(refTuple("o.available_at", "o.id"), "<", refTuple("r.available_at", "r.id"))),
        ),
      ),
    );
  if (excluded.length > 0) query = query.where("r.id", "not in", [...excluded]);
  return query.orderBy("r.available_at").orderBy("r.id").limit(1);
}

function leaseSet(options: ClaimOptions) {
  const at = toDbInstant(options.now);
  return {
    status: "running",
    lease_owner: options.owner,
    lease_expires_at: toDbInstant(new Date(options.now.getTime() + options.leaseMs)),
    heartbeat_at: at,
    started_at: at,
    finished_at: null,
    cancel_requested: 0,
    updated_at: at,
  };
}

async function claimInOneStatement(db: Db, options: ClaimOptions, excluded: readonly number[]): Promise<SyncRun | undefined> {
  const now = toDbInstant(options.now);
  let candidate = candidateQuery(db, now, excluded);
  if (dialectOf(db) === "postgres") candidate = candidate.forUpdate().skipLocked();
  const row = await db
    .updateTable("sync_runs")
    .set((eb) => ({ ...leaseSet(options), running_company_id: eb.ref("company_id"), attempt: eb("attempt", "+", 1) }))
    .where("id", "=", candidate)
    .where("status", "=", "queued")
    .returningAll()
    .executeTakeFirst();
  return row ? runFromRow(row) : undefined;
}

async function claimMysql(db: Db, options: ClaimOptions, excluded: number[]): Promise<SyncRun | undefined> {
  const now = toDbInstant(options.now);
  const claim = async (trx: Db): Promise<number | undefined> => {
    const candidate = await candidateQuery(trx, now, excluded).forUpdate().skipLocked().executeTakeFirst();
    if (!candidate) return undefined;
    const id = Number(candidate.id);
    excluded.push(id);
    const result = await trx
      .updateTable("sync_runs")
      .set((eb) => ({ ...leaseSet(options), running_company_id: eb.ref("company_id"), attempt: eb("attempt", "+", 1) }))
      .where("id", "=", id)
      .where("status", "=", "queued")
      .executeTakeFirst();
    if (affected(result) !== 1) throw new RetryClaim();
    return id;
  };
  const id = db.isTransaction ? await claim(db) : await db.transaction().setIsolationLevel("read committed").execute(claim);
  return id === undefined ? undefined : getRun(db, id);
}

class RetryClaim extends Error {}

/** Extends the lease if `owner` still holds the run; false means the lease was lost. */
export async function heartbeat(db: Db, runId: number, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable("sync_runs")
    .set({ heartbeat_at: toDbInstant(now), lease_expires_at: toDbInstant(new Date(now.getTime() + leaseMs)) })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Running runs whose lease expired (their worker died) go back to the queue, available at once,
 * with an event saying so; a run that already used all its attempts fails instead
 * (`lease_expired`), so a run that kills its worker every time cannot loop forever.
 * Returns the runs as they are after the change.
 */
export async function reclaimExpiredLeases(db: Db, now: Date, limit = 100): Promise<SyncRun[]> {
  const at = toDbInstant(now);
  const expired = await db
    .selectFrom("sync_runs")
    .select(["id", "company_id", "lease_owner", "lease_expires_at", "attempt", "max_attempts"])
    .where("status", "=", "running")
    .where("lease_expires_at", "<=", at)
    .orderBy("lease_expires_at")
    .limit(limit)
    .execute();
  const reclaimed: SyncRun[] = [];
  for (const run of expired) {
    const exhausted = Number(run.attempt) >= Number(run.max_attempts);
    const changed = await inTransaction(db, async (trx) => {
      const result = await trx
        .updateTable("sync_runs")
        .set(
          exhausted
            ? { ...releasedLease(at), status: "failed", finished_at: at, error_code: "lease_expired", error_message: `worker ${run.lease_owner} stopped heartbeating` }
            : { ...releasedLease(at), status: "queued", available_at: at },
        )
        .where("id", "=", run.id)
        .where("status", "=", "running")
        .where("lease_owner", "=", run.lease_owner)
        .where("lease_expires_at", "<=", at)
        .executeTakeFirst();
      if (affected(result) !== 1) return false;
      await appendRunEvents(trx, [
        {
          runId: Number(run.id),
          companyId: Number(run.company_id),
          at: now,
          level: "warn",
          message: exhausted
            ? `lease of worker ${run.lease_owner} expired and the run used all ${run.max_attempts} attempts: failed`
            : `lease of worker ${run.lease_owner} expired: run requeued`,
          data: { previousOwner: run.lease_owner, leaseExpiresAt: run.lease_expires_at, attempt: Number(run.attempt) },
        },
      ]);
      return true;
    });
    if (changed) reclaimed.push((await getRun(db, Number(run.id)))!);
  }
  return reclaimed;
}

function releasedLease(at: string) {
  return { running_company_id: null, lease_owner: null, lease_expires_at: null, updated_at: at };
}

export interface CompleteRunInput {
  status: FinalStatus;
  summary?: RunSummary | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  finishedAt: Date;
}

/** Finishes a run held by `owner`; false when the lease was lost (another worker may own it). */
export async function completeRun(db: Db, runId: number, owner: string, input: CompleteRunInput): Promise<boolean> {
  const at = toDbInstant(input.finishedAt);
  const result = await db
    .updateTable("sync_runs")
    .set({
      ...releasedLease(at),
      status: input.status,
      summary: toJson(input.summary),
      error_code: input.errorCode ?? null,
      error_message: input.errorMessage ?? null,
      finished_at: at,
    })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return affected(result) === 1;
}

/** Puts a run held by `owner` back in the queue after a transient failure (backoff in `availableAt`). */
export async function requeueRun(
  db: Db,
  runId: number,
  owner: string,
  input: { availableAt: Date; now: Date; errorCode?: string | null; errorMessage?: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable("sync_runs")
    .set({
      ...releasedLease(toDbInstant(input.now)),
      status: "queued",
      available_at: toDbInstant(input.availableAt),
      error_code: input.errorCode ?? null,
      error_message: input.errorMessage ?? null,
    })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Hands a run back untouched (worker shutting down): queued again at once, and the attempt it
 * was claimed with is not counted.
 */
export async function releaseRun(db: Db, runId: number, owner: string, now: Date): Promise<boolean> {
  const at = toDbInstant(now);
  const result = await db
    .updateTable("sync_runs")
    .set((eb) => ({ ...releasedLease(at), status: "queued", available_at: at, attempt: eb("attempt", "-", 1) }))
    .where("id", "=", runId)
    .where("status", "=", "running")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Cancels a queued run at once; flags a running one (its worker checks `cancelRequested` and
 * stops). Returns the run as it is afterwards, undefined when unknown.
 */
export async function requestCancel(db: Db, runId: number, now: Date): Promise<SyncRun | undefined> {
  const at = toDbInstant(now);
  const queued = await db
    .updateTable("sync_runs")
    .set({ status: "cancelled", finished_at: at, error_code: "cancelled", error_message: "cancelled before it started", updated_at: at })
    .where("id", "=", runId)
    .where("status", "=", "queued")
    .executeTakeFirst();
  if (affected(queued) === 0) {
    await db.updateTable("sync_runs").set({ cancel_requested: 1, updated_at: at }).where("id", "=", runId).where("status", "=", "running").execute();
  }
  return getRun(db, runId);
}

export interface ListRunsOptions extends PageOptions {
  companyId?: number;
  /** Restrict to these companies (what the caller may see). */
  companyIds?: readonly number[];
  status?: RunStatus | readonly RunStatus[];
  trigger?: RunTrigger | readonly RunTrigger[];
  scheduleId?: number;
  jobType?: JobType;
  /** created_at >= from */
  from?: Date;
  /** created_at < to */
  to?: Date;
}

/** Newest first (keyset on id). */
export async function listRuns(db: Db, options: ListRunsOptions = {}): Promise<Page<SyncRun>> {
  const before = decodeIdCursor(options.cursor);
  return keysetPage(
    pageLimit(options),
    (n) => {
      if (options.companyIds && options.companyIds.length === 0) return Promise.resolve([]);
      let query = db.selectFrom("sync_runs").selectAll();
      if (options.companyId !== undefined) query = query.where("company_id", "=", options.companyId);
      if (options.companyIds) query = query.where("company_id", "in", [...options.companyIds]);
      if (options.status !== undefined) query = query.where("status", "in", typeof options.status === "string" ? [options.status] : [...options.status]);
      if (options.trigger !== undefined) query = query.where("trigger", "in", typeof options.trigger === "string" ? [options.trigger] : [...options.trigger]);
      if (options.scheduleId !== undefined) query = query.where("schedule_id", "=", options.scheduleId);
      if (options.jobType !== undefined) query = query.where("job_type", "=", options.jobType);
      if (options.from) query = query.where("created_at", ">=", toDbInstant(options.from));
      if (options.to) query = query.where("created_at", "<", toDbInstant(options.to));
      if (before !== undefined) query = query.where("id", "<", before);
      return query.orderBy("id", "desc").limit(n).execute();
    },
    runFromRow,
    (row) => [Number(row.id)],
  );
}

/** Run counts by status for a company (optionally since a date), for stats. */
export async function countRunsByStatus(db: Db, companyId: number, since?: Date): Promise<Partial<Record<RunStatus, number>>> {
  let query = db
    .selectFrom("sync_runs")
    .select(["status", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("company_id", "=", companyId);
  if (since) query = query.where("created_at", ">=", toDbInstant(since));
  const rows = await query.groupBy("status").execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
