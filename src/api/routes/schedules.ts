import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { nextRunAt } from "../../domain/next-run-at.js";
import { scheduleInputSchema, toScheduleRule, type ScheduleInput } from "../../domain/schedule.js";
import { createSchedule, deleteSchedule, getSchedule, listCompanySchedules, listSchedules, setScheduleEnabled, updateSchedule, type ScheduleWithCompany } from "../../storage/repos/schedules.js";
import { audit } from "../audit.js";
import { notFound, requireCompany, requireOwnedBy, visibleCompanyIds } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { bool, errorResponses, idParams, OBJECT_BODY, pageOf, pageQuery, queryBool, queryInt } from "../schemas/common.js";
import { scheduleOut, scheduleSchema, toScheduleFields } from "./schedule-helpers.js";

/**
 * The user's schedule API, exactly as docs/product.md names it, plus the monitoring list. Creating,
 * changing or re-enabling a schedule sets `next_run_at` to its first slot strictly after now.
 */
export function registerScheduleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  async function loadSchedule(request: { caller: Parameters<typeof requireOwnedBy>[1]["caller"] }, id: number, permission: "view" | "manageSchedules"): Promise<ScheduleWithCompany> {
    const schedule = await getSchedule(db.db, id);
    await requireOwnedBy(db, request, "schedule", schedule?.companyId, permission);
    return schedule!;
  }

  r.get(
    "/api/companies/:id/schedules",
    {
      schema: { tags: ["schedules"], summary: "The company's schedules", params: idParams, response: { 200: z.object({ items: z.array(scheduleSchema) }), ...errorResponses } },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      const now = clock.now();
      return { items: (await listCompanySchedules(db.db, company.id)).map((s) => scheduleOut(s, now)) };
    },
  );

  r.post(
    "/api/companies/:id/schedules",
    {
      schema: {
        tags: ["schedules"],
        summary: "Create a schedule, or update one when the body carries its id",
        description:
          "Body: `{job_type, frequency, hour_of_day, day_of_week, day_of_month, date_range_days, enabled}` plus optional `minute`, " +
          "`timezone`, `cron_expression` (docs/scheduling.md). Every bad field is named in the 400.",
        params: idParams,
        body: scheduleInputSchema,
        response: { 200: scheduleSchema, 201: scheduleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const company = await requireCompany(db, request, request.params.id, "manageSchedules");
      const input: ScheduleInput = request.body;
      const now = clock.now();
      const nextRun = input.enabled ? nextRunAt(toScheduleRule(input, company.timezone), now) : null;
      const { id: _id, ...fields } = input;
      if (input.id !== undefined) {
        const existing = await getSchedule(db.db, input.id);
        if (!existing || existing.companyId !== company.id) throw notFound("schedule");
        const updated = await updateSchedule(db.db, existing.id, { ...fields, nextRunAt: nextRun }, now);
        await audit(db.db, clock, request, { action: "schedule.update", companyId: company.id, targetType: "schedule", targetId: updated.id, details: describe(input) });
        return reply.code(200).send(scheduleOut(updated, now));
      }
      const created = await createSchedule(db.db, { ...fields, companyId: company.id, nextRunAt: nextRun, now });
      await audit(db.db, clock, request, { action: "schedule.create", companyId: company.id, targetType: "schedule", targetId: created.id, details: describe(input) });
      return reply.code(201).send(scheduleOut(created, now));
    },
  );

  r.get(
    "/api/schedules/:id",
    { schema: { tags: ["schedules"], summary: "One schedule", params: idParams, response: { 200: scheduleSchema, ...errorResponses } } },
    async (request) => scheduleOut(await loadSchedule(request, request.params.id, "view"), clock.now()),
  );

  r.patch(
    "/api/schedules/:id/toggle",
    {
      schema: {
        tags: ["schedules"],
        summary: "Enable or disable a schedule",
        params: idParams,
        body: z.strictObject({ enabled: bool("enabled") }, OBJECT_BODY),
        response: { 200: scheduleSchema, ...errorResponses },
      },
    },
    async (request) => {
      const schedule = await loadSchedule(request, request.params.id, "manageSchedules");
      const { enabled } = request.body;
      const now = clock.now();
      if (schedule.enabled === enabled) return scheduleOut(schedule, now);
      const next = enabled ? nextRunAt(toScheduleRule(toScheduleFields(schedule), schedule.companyTimezone), now) : null;
      const updated = await setScheduleEnabled(db.db, schedule.id, enabled, next, now);
      await audit(db.db, clock, request, { action: enabled ? "schedule.enable" : "schedule.disable", companyId: schedule.companyId, targetType: "schedule", targetId: schedule.id });
      return scheduleOut(updated, now);
    },
  );

  r.delete(
    "/api/schedules/:id",
    {
      schema: { tags: ["schedules"], summary: "Delete a schedule (its past runs stay in the history)", params: idParams, response: { 200: z.object({ deleted: z.literal(true), id: z.number().int() }), ...errorResponses } },
    },
    async (request) => {
      const schedule = await loadSchedule(request, request.params.id, "manageSchedules");
      await deleteSchedule(db.db, schedule.id);
      await audit(db.db, clock, request, { action: "schedule.delete", companyId: schedule.companyId, targetType: "schedule", targetId: schedule.id, details: describe(toScheduleFields(schedule)) });
      return { deleted: true as const, id: schedule.id };
    },
  );

  r.get(
    "/api/schedules",
    {
      schema: {
        tags: ["schedules"],
        summary: "Monitoring: every schedule the caller may see, with company name, last and next run (paged, by company name)",
        querystring: z.strictObject({
          ...pageQuery,
          company_id: queryInt("company_id", 1, 2_147_483_647).optional(),
          enabled: queryBool("enabled").optional(),
          paused: queryBool("paused").optional(),
        }),
        response: { 200: pageOf(scheduleSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, company_id, enabled, paused } = request.query;
      const visible = await visibleCompanyIds(db, request.caller);
      let companyIds = visible;
      if (company_id !== undefined) companyIds = visible === undefined || visible.includes(company_id) ? [company_id] : [];
      const page = await listSchedules(db.db, { limit: limit ?? 50, cursor: cursor ?? null, companyIds, enabled, paused });
      const now = clock.now();
      return { items: page.items.map((s) => scheduleOut(s, now)), next_cursor: page.nextCursor };
    },
  );
}

function describe(input: Omit<ScheduleInput, "id">): Record<string, unknown> {
  return {
    job_type: input.jobType,
    frequency: input.frequency,
    hour_of_day: input.hourOfDay,
    minute: input.minute,
    day_of_week: input.dayOfWeek,
    day_of_month: input.dayOfMonth,
    cron_expression: input.cronExpression,
    timezone: input.timezone,
    date_range_days: input.dateRangeDays,
    enabled: input.enabled,
  };
}
