import type { FastifyInstance } from "fastify";
import { DateTime } from "luxon";
import { z } from "zod";
import { countDocumentsPerDay, listDocumentLinks, type DocumentLink } from "../../storage/repos/document-links.js";
import { requestCreateRetry } from "../../storage/repos/sync-links.js";
import { countRunsByStatus } from "../../storage/repos/sync-runs.js";
import { audit } from "../audit.js";
import { requireCompany } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { errorResponses, idParams, instant, iso, nullableInstant, pageOf, pageQuery, queryBool, queryDate, queryInt, text } from "../schemas/common.js";

const documentSchema = z.object({
  id: z.number().int(),
  kind: z.string().describe("sale or purchase"),
  source_key: z.string().describe("The EIC of the DevPos document."),
  doc_number: z.string().nullable(),
  qbo_type: z.string(),
  qbo_id: z.string().nullable(),
  state: z.enum(["pending", "synced"]),
  txn_date: z.string().nullable(),
  amount_minor: z.number().int().nullable(),
  currency: z.string().nullable(),
  last_run_id: z.number().int().nullable(),
  voided_at: nullableInstant,
  last_error: z.string().nullable().describe("Pending documents: why the last create did not confirm (QuickBooks' fault, a missing answer…)."),
  last_error_at: nullableInstant,
  failed_attempts: z.number().int(),
  created_at: instant,
  updated_at: instant,
});

function documentOut(d: DocumentLink): z.infer<typeof documentSchema> {
  return {
    id: d.id,
    kind: d.kind,
    source_key: d.sourceKey,
    doc_number: d.docNumber,
    qbo_type: d.qboType,
    qbo_id: d.qboId,
    state: d.state,
    txn_date: d.txnDate,
    amount_minor: d.amountMinor,
    currency: d.currency,
    last_run_id: d.lastRunId,
    voided_at: iso(d.voidedAt),
    last_error: d.lastError,
    last_error_at: iso(d.lastErrorAt),
    failed_attempts: d.failedAttempts,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

const statsSchema = z.object({
  from: z.string(),
  to: z.string(),
  documents_per_day: z.array(z.object({ date: z.string(), kind: z.string(), count: z.number().int(), amount_minor: z.number().int() })),
  runs_by_status: z.record(z.string(), z.number().int()),
});

/** Synced documents of a company and its charts' figures. */
export function registerDocumentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  r.get(
    "/api/companies/:id/documents",
    {
      schema: {
        tags: ["documents"],
        summary: "Documents linked to QuickBooks, newest first (paged)",
        params: idParams,
        querystring: z.strictObject({
          ...pageQuery,
          kind: z.enum(["sale", "purchase"], "kind must be sale or purchase").optional(),
          state: z.enum(["pending", "synced"], "state must be pending or synced").optional(),
          qbo_type: z.enum(["Invoice", "Bill"], "qbo_type must be Invoice or Bill").optional(),
          voided: queryBool("voided").optional(),
          from: queryDate("from").optional(),
          to: queryDate("to").optional(),
          search: text("search", 100).optional(),
        }),
        response: { 200: pageOf(documentSchema), ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      const q = request.query;
      const page = await listDocumentLinks(db.db, {
        companyId: company.id,
        kind: q.kind,
        state: q.state ?? "synced",
        qboType: q.qbo_type,
        voided: q.voided,
        from: q.from,
        to: q.to,
        search: q.search,
        limit: q.limit ?? 50,
        cursor: q.cursor ?? null,
      });
      return { items: page.items.map(documentOut), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/api/companies/:id/documents/retry",
    {
      schema: {
        tags: ["documents"],
        summary: "Retry failed documents (all, or the given EICs): their next create goes out under a new QuickBooks request id, even if nothing devsync sends has changed",
        params: idParams,
        body: z.strictObject({
          eics: z
            .array(z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "each EIC must be a UUID").transform((v) => v.toLowerCase()), "eics must be a list of EICs")
            .min(1, "eics must not be empty; leave it out to retry every failed document")
            .max(1000, "at most 1,000 EICs at once")
            .optional(),
        }),
        response: { 200: z.object({ marked: z.number().int().describe("Failed documents whose next attempt gets a new request id (the next sync that covers them tries them).") }), ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "run");
      const marked = await requestCreateRetry(db.db, company.id, request.body.eics);
      await audit(db.db, clock, request, { action: "documents.retry", companyId: company.id, targetType: "company", targetId: company.id, details: { eics: request.body.eics?.length ?? "all failed", marked } });
      return { marked };
    },
  );

  r.get(
    "/api/companies/:id/stats",
    {
      schema: {
        tags: ["documents"],
        summary: "Documents synced per day and runs by status over the last `days` days",
        params: idParams,
        querystring: z.strictObject({ days: queryInt("days", 1, 366).optional() }),
        response: { 200: statsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      const days = request.query.days ?? 30;
      const now = clock.now();
      const today = DateTime.fromJSDate(now, { zone: company.timezone });
      const from = today.minus({ days: days - 1 }).toISODate()!;
      const to = today.toISODate()!;
      const perDay = await countDocumentsPerDay(db.db, company.id, { from, to });
      const runs = await countRunsByStatus(db.db, company.id, new Date(now.getTime() - days * 86_400_000));
      return {
        from,
        to,
        documents_per_day: perDay.map((d) => ({ date: d.date, kind: d.kind, count: d.count, amount_minor: d.amountMinor })),
        runs_by_status: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v ?? 0])),
      };
    },
  );
}
