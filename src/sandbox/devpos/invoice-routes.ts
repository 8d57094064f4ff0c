import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SandboxClock } from "../clock.js";
import { toListRow, type DevposRow } from "./devpos-row.js";
import type { DevposState } from "./devpos-state.js";
import { checkDevposToken } from "./devpos-tokens.js";
import { bearerChallenge, nullReferenceExceptionBody, validationProblem } from "./dotnet-errors.js";
import { isLocalDate, localDateOf } from "./tirane-time.js";
import { headerValue } from "./token-route.js";

export interface InvoiceRouteDeps {
  state: () => DevposState;
  clock: SandboxClock;
  /** Waits the configured latency for a response of n documents. */
  delay: (documentCount: number) => Promise<void>;
}

const LISTS = [
  { action: "GetSalesInvoice", partyType: "Shitje" },
  { action: "GetPurchaseInvoice", partyType: "Blerje" },
] as const;

/**
 * The two list endpoints: a bare array of the whole range, no paging, filtered by the Tirana
 * calendar date of invoiceCreatedDate with both ends inclusive.
 */
export function registerInvoiceRoutes(app: FastifyInstance, deps: InvoiceRouteDeps): void {
  for (const { action, partyType } of LISTS) {
    app.get(`/api/v3/EInvoice/${action}`, { config: { devposEndpoint: action } }, async (request, reply) => {
      const tenantId = headerValue(request.headers.tenant);
      const auth = checkDevposToken(deps.state(), deps.clock, bearerToken(request), tenantId);
      if (!auth.ok) return reply.code(401).header("www-authenticate", bearerChallenge(auth.expiredAt)).send();

      const query = request.query as Record<string, string | undefined>;
      const range = parseRange(query);
      if ("errors" in range) return reply.code(400).type("application/problem+json; charset=utf-8").send(validationProblem(range.errors));

      const { quirks } = deps.state().config;
      if (quirks.includePdf500 && query.includePdf?.toLowerCase() === "true") return nullReference(reply, action);

      const rows = listRows(deps.state(), auth.token.tenant, partyType, range.from, range.to);
      await deps.delay(rows.length);
      if (rows.length === 0 && quirks.emptyRange500) return nullReference(reply, action);
      return reply.type("application/json; charset=utf-8").send(rows);
    });
  }
}

function listRows(state: DevposState, tenantId: string, partyType: string, from: string, to: string): DevposRow[] {
  const tenant = state.tenants.get(tenantId);
  if (!tenant) return [];
  const rows: { row: DevposRow; at: number }[] = [];
  for (const { row } of tenant.documents.values()) {
    if (row.partyType !== partyType) continue;
    const day = localDayOf(row);
    if (day === null || day < from || day > to) continue;
    rows.push({ row: toListRow(row), at: Date.parse(row.invoiceCreatedDate) });
  }
  return rows.sort((a, b) => a.at - b.at).map((r) => r.row);
}

/** Rows are replaced, never mutated, on change, so the parsed date can be cached per object. */
const localDays = new WeakMap<DevposRow, string | null>();
function localDayOf(row: DevposRow): string | null {
  let day = localDays.get(row);
  if (day === undefined) {
    day = localDateOf(row.invoiceCreatedDate);
    localDays.set(row, day);
  }
  return day;
}

/** ASP.NET binds DateTime, so `2025-10-01T00:00:00` works as well as `2025-10-01`. */
function parseRange(query: Record<string, string | undefined>): { from: string; to: string } | { errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const read = (name: "fromDate" | "toDate"): string => {
    const raw = query[name];
    if (raw === undefined || raw === "") errors[name] = [`The ${name} field is required.`];
    else if (!isLocalDate(raw.slice(0, 10))) errors[name] = [`The value '${raw}' is not valid for ${name}.`];
    return raw?.slice(0, 10) ?? "";
  };
  const from = read("fromDate");
  const to = read("toDate");
  return Object.keys(errors).length > 0 ? { errors } : { from, to };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const [scheme, token] = (request.headers.authorization ?? "").split(" ");
  return scheme?.toLowerCase() === "bearer" ? token : undefined;
}

function nullReference(reply: FastifyReply, action: string): FastifyReply {
  return reply.code(500).type("text/plain; charset=utf-8").send(nullReferenceExceptionBody(action));
}
