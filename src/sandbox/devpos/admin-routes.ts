import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { generateDocuments } from "../generator/documents.js";
import { NUIS_PATTERN } from "../generator/parties.js";
import { toListRow, type StoredDocument } from "./devpos-row.js";
import type { DevposSimulator } from "./devpos-simulator.js";
import type { DevposConfig } from "./devpos-state.js";
import { applyDocumentPatch, documentPatchSchema } from "./document-patch.js";
import { localDateOf } from "./tirane-time.js";
import { seedDocumentSchema, toStoredDocument, type SeedDocument } from "./seed-document.js";

const tenantBody = z.object({
  tenant: z.string().regex(NUIS_PATTERN, "tenant must be a NUIS: a letter, 8 digits, a letter"),
  username: z.string().min(1),
  password: z.string().min(1),
  companyName: z.string().min(1).optional(),
});

const generateBody = z.object({
  count: z.number().int().positive().max(200_000),
  from: z.string().optional(),
  to: z.string().optional(),
  seed: z.number().int().optional(),
  parties: z.number().int().positive().optional(),
  salesShare: z.number().min(0).max(1).optional(),
  edgeCases: z.record(z.string(), z.number().min(0).max(1)).optional(),
});

const documentsBody = z.object({ documents: z.array(seedDocumentSchema).optional(), generate: generateBody.optional() });

const configBody = z.object({
  quirks: z.object({ emptyRange500: z.boolean(), includePdf500: z.boolean() }).partial().optional(),
  latency: z.object({ baseMs: z.number().min(0), perDocumentMs: z.number().min(0), jitterMs: z.number().min(0) }).partial().optional(),
});

export interface AdminRouteDeps {
  simulator: DevposSimulator;
  /** Inspection hooks the public simulator interface does not need. */
  listDocuments(tenant: string): StoredDocument[] | undefined;
  replaceDocument(tenant: string, doc: StoredDocument): void;
  tenantInfo(tenant: string): { tenant: string; companyName: string; usernames: string[] } | undefined;
  tenantIds(): string[];
  config(): DevposConfig;
  /** Default window and seed for generated documents. */
  generationDefaults(tenant: string): { from: string; to: string; seed: number };
}

/** Test and demo controls under `/_admin`; errors use devsync's `{error:{code,message}}` envelope. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const sim = deps.simulator;

  app.get("/_admin/tenants", async () => ({ tenants: deps.tenantIds().map((t) => deps.tenantInfo(t)) }));

  app.post("/_admin/tenants", async (request, reply) => {
    const body = tenantBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    sim.addTenant(body.data);
    return reply.code(201).send(deps.tenantInfo(body.data.tenant));
  });

  app.post<{ Params: { tenant: string } }>("/_admin/tenants/:tenant/documents", async (request, reply) => {
    const { tenant } = request.params;
    const info = deps.tenantInfo(tenant);
    if (!info) return notFound(reply, `unknown tenant ${tenant}`);
    const body = documentsBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const added: StoredDocument[] = (body.data.documents ?? []).map((d) => toStoredDocument(d as SeedDocument));
    const gen = body.data.generate;
    if (gen) {
      const defaults = deps.generationDefaults(tenant);
      try {
        const generated = generateDocuments({ ...defaults, ...stripUndefined(gen), count: gen.count, tenantNuis: tenant, tenantName: info.companyName });
        added.push(...generated.map(({ row, trueAmount }) => ({ row, trueAmount })));
      } catch (error) {
        return reply.code(400).send({ error: { code: "validation_failed", message: (error as Error).message } });
      }
    }
    sim.addDocuments(tenant, added);
    return reply.code(201).send({ added: added.length, documents: added.map(present) });
  });

  app.get<{ Params: { tenant: string } }>("/_admin/tenants/:tenant/documents", async (request, reply) => {
    const docs = deps.listDocuments(request.params.tenant);
    if (!docs) return notFound(reply, `unknown tenant ${request.params.tenant}`);
    return { tenant: request.params.tenant, documents: docs.map(present) };
  });

  app.patch<{ Params: { tenant: string; eic: string } }>("/_admin/tenants/:tenant/documents/:eic", async (request, reply) => {
    const { tenant, eic } = request.params;
    const current = deps.listDocuments(tenant)?.find((d) => d.row.eic === eic);
    if (!current) return notFound(reply, `no document ${eic} for tenant ${tenant}`);
    const patch = documentPatchSchema.safeParse(request.body);
    if (!patch.success) return invalid(reply, patch.error);
    const next = applyDocumentPatch(current, patch.data);
    if (localDateOf(next.row.invoiceCreatedDate) === null) {
      return reply.code(400).send({ error: { code: "validation_failed", message: "invoiceCreatedDate is not a valid date" } });
    }
    deps.replaceDocument(tenant, next);
    return present(next);
  });

  app.get<{ Params: { tenant: string } }>("/_admin/tenants/:tenant/stats", async (request) => sim.stats(request.params.tenant));

  app.get("/_admin/config", async () => deps.config());
  app.post("/_admin/config", async (request, reply) => {
    const body = configBody.safeParse(request.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    sim.configure(body.data as Parameters<DevposSimulator["configure"]>[0]);
    return deps.config();
  });
}

function present(doc: StoredDocument): StoredDocument {
  return { row: toListRow(doc.row), trueAmount: doc.trueAmount };
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join(".") || "body"] = issue.message;
  return reply.code(400).send({ error: { code: "validation_failed", message: "invalid request body", fields } });
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: { code: "not_found", message } });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
