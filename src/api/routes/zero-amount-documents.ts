import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  confirmZeroAmount,
  getZeroAmountDocument,
  listZeroAmountDocuments,
  reopenZeroAmount,
  type ZeroAmountDocument,
} from "../../storage/repos/zero-amount-documents.js";
import { audit } from "../audit.js";
import { callerLabel } from "../auth/caller.js";
import { notFound, requireCompany } from "../auth/guard.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { HttpError } from "../http-error.js";
import { errorResponses, idParam, instant, iso, line, nullableInstant, pageOf, pageQuery } from "../schemas/common.js";

const STATUSES = ["open", "resolved", "confirmed_zero"] as const;

const zeroAmountSchema = z.object({
  id: z.number().int(),
  kind: z.string().describe("sale or purchase"),
  source_key: z.string().describe("The EIC of the DevPos document."),
  qbo_type: z.string().describe("What it becomes in QuickBooks once it has an amount: Invoice or Bill."),
  doc_number: z.string().nullable(),
  txn_date: z.string(),
  party_name: z.string().nullable(),
  currency: z.string().nullable(),
  status: z.enum(STATUSES).describe("open: re-read on each run; resolved: DevPos gave an amount (or rejected it); confirmed_zero: a person confirmed it is 0."),
  checks: z.number().int().describe("Times devsync read it and found no amount."),
  first_seen_at: instant,
  last_checked_at: instant,
  resolved_at: nullableInstant,
  resolution: z.enum(["amount", "rejected"]).nullable(),
  resolved_amount_minor: z.number().int().nullable(),
  confirmed_at: nullableInstant,
  confirmed_by: z.string().nullable(),
  confirmed_note: z.string().nullable(),
});

function zeroAmountOut(d: ZeroAmountDocument): z.infer<typeof zeroAmountSchema> {
  return {
    id: d.id,
    kind: d.kind,
    source_key: d.sourceKey,
    qbo_type: d.qboType,
    doc_number: d.docNumber,
    txn_date: d.txnDate,
    party_name: d.partyName,
    currency: d.currency,
    status: d.status,
    checks: d.checks,
    first_seen_at: iso(d.firstSeenAt),
    last_checked_at: iso(d.lastCheckedAt),
    resolved_at: iso(d.resolvedAt),
    resolution: d.resolution,
    resolved_amount_minor: d.resolvedAmountMinor,
    confirmed_at: iso(d.confirmedAt),
    confirmed_by: d.confirmedBy,
    confirmed_note: d.confirmedNote,
  };
}

const docParams = z.object({ id: idParam(), docId: idParam("docId") });

/**
 * Documents DevPos lists without an amount (src/sync/zero-amount-rechecks.ts): the list, and a
 * person's "this one really is 0" (which stops the re-reading) and its undo.
 */
export function registerZeroAmountDocumentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db, clock } = ctx;

  r.get(
    "/api/companies/:id/zero-amount-documents",
    {
      schema: {
        tags: ["documents"],
        summary: "Documents DevPos lists without an amount, newest first (paged); default status open",
        params: z.object({ id: idParam() }),
        querystring: z.strictObject({ ...pageQuery, status: z.enum(STATUSES, "status must be open, resolved or confirmed_zero").optional() }),
        response: { 200: pageOf(zeroAmountSchema), ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "view");
      const q = request.query;
      const page = await listZeroAmountDocuments(db.db, { companyId: company.id, status: q.status ?? "open", limit: q.limit ?? 50, cursor: q.cursor ?? null });
      return { items: page.items.map(zeroAmountOut), next_cursor: page.nextCursor };
    },
  );

  r.post(
    "/api/companies/:id/zero-amount-documents/:docId/confirm-zero",
    {
      schema: {
        tags: ["documents"],
        summary: "Confirm an open document really has amount 0: it is no longer re-read (409 unless open)",
        params: docParams,
        body: z.strictObject({ note: line("note", 500) }),
        response: { 200: zeroAmountSchema, ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "run");
      const existing = await loadDocument(company.id, request.params.docId);
      if (existing.status !== "open") throw wrongStatus(existing, "Only an open document can be confirmed as zero.");
      const caller = request.caller;
      const confirmed = await confirmZeroAmount(db.db, {
        companyId: company.id,
        id: existing.id,
        userId: caller?.kind === "user" ? caller.user.id : null,
        by: callerLabel(caller),
        note: request.body.note,
        now: clock.now(),
      });
      if (!confirmed) throw wrongStatus(await loadDocument(company.id, existing.id), "Only an open document can be confirmed as zero.");
      await auditChange(request, "zero_amount.confirm", confirmed, { note: request.body.note });
      return zeroAmountOut(confirmed);
    },
  );

  r.post(
    "/api/companies/:id/zero-amount-documents/:docId/reopen",
    {
      schema: {
        tags: ["documents"],
        summary: "Undo a confirmation: the document is open again and re-read on each run (409 unless confirmed_zero)",
        params: docParams,
        response: { 200: zeroAmountSchema, ...errorResponses },
      },
    },
    async (request) => {
      const company = await requireCompany(db, request, request.params.id, "run");
      const existing = await loadDocument(company.id, request.params.docId);
      if (existing.status !== "confirmed_zero") throw wrongStatus(existing, "Only a document confirmed as zero can be reopened.");
      const reopened = await reopenZeroAmount(db.db, { companyId: company.id, id: existing.id, now: clock.now() });
      if (!reopened) throw wrongStatus(await loadDocument(company.id, existing.id), "Only a document confirmed as zero can be reopened.");
      await auditChange(request, "zero_amount.reopen", reopened, {});
      return zeroAmountOut(reopened);
    },
  );

  async function loadDocument(companyId: number, id: number): Promise<ZeroAmountDocument> {
    const doc = await getZeroAmountDocument(db.db, companyId, id);
    if (!doc) throw notFound("zero-amount document");
    return doc;
  }

  function auditChange(request: FastifyRequest, action: string, doc: ZeroAmountDocument, details: Record<string, unknown>) {
    return audit(db.db, clock, request, {
      action,
      companyId: doc.companyId,
      targetType: "zero_amount_document",
      targetId: doc.id,
      details: { eic: doc.sourceKey, kind: doc.kind, doc_number: doc.docNumber, ...details },
    });
  }
}

function wrongStatus(doc: ZeroAmountDocument, message: string): HttpError {
  return new HttpError(409, "wrong_status", `${message} This one is ${doc.status}.`);
}
