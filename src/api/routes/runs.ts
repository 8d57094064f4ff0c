import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { syncWindow } from "../../domain/sync-window.js";
import { CompanyBusyError, enqueueManualRun } from "../../storage/repos/api-runs.js";
import { getCompaniesByIds, getCompany } from "../../storage/repos/companies.js";
import { getQboConnection } from "../../storage/repos/qbo-connections.js";
import { countRunItemsByAction, listRunEventsAfter, listRunItems } from "../../storage/repos/run-log.js";
import { getRun, listRuns, requestCancel, TERMINAL_STATUSES, type ListRunsOptions, type SyncRun } from "../../storage/repos/sync-runs.js";
import { audit } from "../audit.js";
import { requireCompany, requireOwnedBy, visibleCompanyIds } from "../auth/guard.js";
import type { Caller } from "../auth/caller.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { emptyBody, errorResponses, idParams, OBJECT_BODY, pageOf, pageQuery, queryInstant, queryInt, text } from "../schemas/common.js";
import { queryEnumList, RUN_STATUSES, RUN_TRIGGERS, runEventOut, runEventSchema, runItemOut, runItemSchema, runOut, runSchema } from "../schemas/runs.js";

const MAX_MANUAL_DAYS = 366;

const dateField = (field: string) =>
  z
    .string({ error: () => `${field} must be a date YYYY-MM-DD` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date YYYY-MM-DD`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), `${field} is not a real date`);

const manualRunBody = z
  .strictObject(
    {
      job_type: z
        .enum(["sales", "bills", "full", "purchases"], { error: (i) => (i.input === undefined ? "job_type is required" : "job_type must be sales, bills or full") })
        .transform((v) => (v === "purchases" ? "bills" : v)),
      days: z
        .int({ error: () => `days must be a whole number from 1 to ${MAX_MANUAL_DAYS}` })
        .min(1, `days must be a whole number from 1 to ${MAX_MANUAL_DAYS}`)
        .max(MAX_MANUAL_DAYS, `days must be a whole number from 1 to ${MAX_MANUAL_DAYS}`)
        .optional(),
      from: dateField("from").optional(),
      to: dateField("to").optional(),
    },
    OBJECT_BODY,
  )
  .superRefine((b, ctx) => {
    if (b.days !== undefined && (b.from !== undefined || b.to !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["days"], message: "days cannot be combined with from/to: send one or the other" });
    }
    if ((b.from === undefined) !== (b.to === undefined)) {
      ctx.addIssue({ code: "custom", path: [b.from === undefined ? "from" : "to"], message: "from and to must be sent together" });
    }
    if (typeof b.from === "string" && typeof b.to === "string") {
      if (b.from > b.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from must not be after to" });
      else if ((Date.parse(b.to) - Date.parse(b.from)) / 86_400_000 > MAX_MANUAL_DAYS) {
        ctx.addIssue({ code: "custom", path: ["from"], message: `the range may span at most ${MAX_MANUAL_DAYS} days` });
      }
    }
  }, { when: (p) => typeof p.value === "object" && p.value !== null && !Array.isArray(p.value) });

const runFilters = {
  ...pageQuery,
  status: queryEnumList("status", RUN_STATUSES).optional(),
  trigger: queryEnumList("trigger", RUN_TRIGGERS).optional(),
  job_type: z.enum(["sales", "bills", "full"], "job_type must be sales, bills or full").optional(),
  from: queryInstant("from").optional(),
  to: queryInstant("to").optional(),
};

const runDetailSchema = runSchema.extend({ item_counts: z.record(z.string(), z.number().int()).describe("Documents of this run by action.") });

/** Manual runs, run history with filters, detail, items, events and cancel. */
export function registerRunRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  async function withNames(runs: SyncRun[]) {
    const companies = await getCompaniesByIds(db.db, [...new Set(runs.map((x) => x.companyId))]);
    const names = new Map(companies.map((c) => [c.id, c.name]));
    return runs.map((run) => runOut(run, names.get(run.companyId) ?? null));
  }

  async function loadRun(request: { caller: Caller | null }, id: number, permission: "view" | "run"): Promise<SyncRun> {
    const run = await getRun(db.db, id);
    await requireOwnedBy(db, request, "run", run?.companyId, permission);
    return run!;
  }

  function filters(q: { status?: ListRunsOptions["status"]; trigger?: ListRunsOptions["trigger"]; job_type?: ListRunsOptions["jobType"]; from?: Date; to?: Date; limit?: number; cursor?: string }): ListRunsOptions {
    return { status: q.status, trigger: q.trigger, jobType: q.job_type, from: q.from, to: q.to, limit: q.limit ?? 50, cursor: q.cursor ?? null };
  }

  r.post(
    "/api/companies/:id/runs",
    {
      schema: {
        tags: ["runs"],
        summary: "Run now: queue a sync of the last `days` days or of `from`–`to` (local dates); 409 while one is queued or running, or while QuickBooks needs reconnecting",
        params: idParams,
        body: manualRunBody,
        response: { 202: runSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const company = await requireCompany(db, request, request.params.id, "run");
      // QuickBooks refused the grant: a run could only fail the same way (and its one alert is
      // already out), so say what to do instead of queueing it.
      if ((await getQboConnection(db.db, company.id))?.status === "reauth_required") {
        throw new HttpError(409, "qbo_reauth_required", "QuickBooks needs reconnecting for this company: it refused the saved authorization. Reconnect QuickBooks on the company's Connections page, then run the sync again.");
      }
      const body = request.body;
      const now = clock.now();
      const window = body.from !== undefined && body.to !== undefined ? { from: body.from, to: body.to } : syncWindow({ now, timezone: company.timezone, dateRangeDays: body.days ?? 30 });
      const caller = request.caller!;
      let run: SyncRun;
      try {
        run = await enqueueManualRun(db.db, {
          companyId: company.id,
          trigger: caller.kind === "user" ? "manual" : "api",
          jobType: body.job_type,
          windowFrom: window.from,
          windowTo: window.to,
          requestedByUserId: caller.kind === "user" ? caller.user.id : null,
          now,
        });
      } catch (error) {
        if (error instanceof CompanyBusyError) {
          throw new HttpError(409, "run_in_progress", `Run ${error.activeRun.id} of this company is ${error.activeRun.status}; wait for it to finish.`, {
            active_run_id: String(error.activeRun.id),
          });
        }
        throw error;
      }
      await audit(db.db, clock, request, { action: "run.manual", companyId: company.id, targetType: "run", targetId: run.id, details: { job_type: run.jobType, window_from: run.windowFrom, window_to: run.windowTo } });
      ctx.deps.runQueue?.notifyQueued(run.id);
      return reply.code(202).send(runOut(run, company.name));
    },
  );

  r.get(
    "/api/companies/:id/runs",
    { schema: { tags: ["runs"], summary: "The company's runs, newest first (paged)", params: idParams, querystring: z.strictObject(runFilters), response: { 200: pageOf(runSchema), ...errorResponses } } },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      const page = await listRuns(db.db, { ...filters(request.query), companyId: company.id });
      return { items: page.items.map((run) => runOut(run, company.name)), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/api/runs",
    {
      schema: {
        tags: ["runs"],
        summary: "Runs of every company the caller may see, newest first (paged)",
        querystring: z.strictObject({ ...runFilters, company_id: queryInt("company_id", 1, 2_147_483_647).optional() }),
        response: { 200: pageOf(runSchema), ...errorResponses },
      },
    },
    async (request) => {
      const visible = await visibleCompanyIds(db, request.caller);
      const wanted = request.query.company_id;
      const companyIds = wanted === undefined ? visible : visible === undefined || visible.includes(wanted) ? [wanted] : [];
      const page = await listRuns(db.db, { ...filters(request.query), companyIds });
      return { items: await withNames(page.items), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/api/runs/:id",
    { schema: { tags: ["runs"], summary: "One run with its summary and document counts", params: idParams, response: { 200: runDetailSchema, ...errorResponses } } },
    async (request) => {
      const run = await loadRun(request, request.params.id, "view");
      const company = await getCompany(db.db, run.companyId);
      return { ...runOut(run, company?.name ?? null), item_counts: await countRunItemsByAction(db.db, run.id) };
    },
  );

  r.get(
    "/api/runs/:id/items",
    {
      schema: {
        tags: ["runs"],
        summary: "What happened to each document in the run (paged)",
        params: idParams,
        querystring: z.strictObject({ ...pageQuery, action: text("action", 16).optional(), kind: text("kind", 16).optional() }),
        response: { 200: pageOf(runItemSchema), ...errorResponses },
      },
    },
    async (request) => {
      const run = await loadRun(request, request.params.id, "view");
      const { limit, cursor, action, kind } = request.query;
      const page = await listRunItems(db.db, run.id, { limit: limit ?? 50, cursor: cursor ?? null, action, kind });
      return { items: page.items.map(runItemOut), next_cursor: page.nextCursor };
    },
  );

  r.get(
    "/api/runs/:id/events",
    {
      schema: {
        tags: ["runs"],
        summary: "The run log; pass the last event id seen as `after` to follow it",
        params: idParams,
        querystring: z.strictObject({ after: queryInt("after", 0, 2_147_483_647).optional(), limit: queryInt("limit", 1, 500).optional() }),
        response: { 200: z.object({ items: z.array(runEventSchema), last_id: z.number().int() }), ...errorResponses },
      },
    },
    async (request) => {
      const run = await loadRun(request, request.params.id, "view");
      const after = request.query.after ?? 0;
      const events = await listRunEventsAfter(db.db, run.id, after, request.query.limit ?? 200);
      return { items: events.map(runEventOut), last_id: events.at(-1)?.id ?? after };
    },
  );

  r.post(
    "/api/runs/:id/cancel",
    {
      schema: {
        tags: ["runs"],
        summary: "Cancel a queued run, or ask a running one to stop",
        params: idParams,
        body: emptyBody,
        response: { 200: runSchema, ...errorResponses },
      },
    },
    async (request) => {
      const run = await loadRun(request, request.params.id, "run");
      if ((TERMINAL_STATUSES as readonly string[]).includes(run.status)) {
        throw new HttpError(409, "run_finished", `Run ${run.id} already ended (${run.status}).`);
      }
      const after = (await requestCancel(db.db, run.id, clock.now()))!;
      await audit(db.db, clock, request, { action: "run.cancel", companyId: run.companyId, targetType: "run", targetId: run.id, details: { status_before: run.status } });
      const company = await getCompany(db.db, run.companyId);
      return runOut(after, company?.name ?? null);
    },
  );
}

