import { QBO_FAULT_CODES, QboFault } from "../connectors/qbo/faults.js";
import { quoteQboString } from "../connectors/qbo/query.js";
import { UniqueViolationError } from "../storage/errors.js";
import { getPartyLink, insertPartyLink, listPartyLinks } from "../storage/repos/party-links.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { displayNameCandidate, partyMarker, type PartyIdentity } from "./parties.js";
import type { QboEntity, QboGateway } from "./ports.js";
import { batchRequestId, writeRequestId } from "./request-ids.js";
import { runWriteLanes } from "./write-lanes.js";

/**
 * Resolves document parties to QBO customer/vendor ids before any document is written
 * (docs/domain.md §3). Known parties come from `party_links` (read once per run); unknown ones are
 * created (writes are free, reads are metered). On 6240 (DisplayName taken) the existing entity
 * is adopted only when it is the same kind and currency and, for customers, carries no marker
 * of another DevPos party; otherwise the next DisplayName candidate is tried. Never id "1".
 */
export interface PartyResolverDeps {
  db: Db;
  qbo: QboGateway;
  companyId: number;
  homeCurrency: string;
  now: () => Date;
  /** Parties created at once (default 8). */
  concurrency?: number;
}

export type PartyResolution = { ok: true; qboId: string; displayName: string; created: boolean } | { ok: false; message: string; error: unknown };

export interface PartyResolver {
  /** Resolves every distinct party; the map is keyed by `identityKey`. */
  resolveAll(parties: readonly PartyIdentity[]): Promise<Map<string, PartyResolution>>;
  get(party: PartyIdentity): PartyResolution | undefined;
}

const MAX_NAME_ATTEMPTS = 12;
const ENTITY = { customer: "Customer", vendor: "Vendor" } as const;

export function identityKey(p: Pick<PartyIdentity, "role" | "key" | "currency">): string {
  return `${p.role}|${p.key}|${p.currency}`;
}

export async function createPartyResolver(deps: PartyResolverDeps): Promise<PartyResolver> {
  const resolved = new Map<string, PartyResolution>();
  for (const link of await listPartyLinks(deps.db, deps.companyId)) {
    resolved.set(identityKey({ role: link.role, key: link.partyKey, currency: link.currency }), {
      ok: true,
      qboId: link.qboId,
      displayName: link.displayName,
      created: false,
    });
  }

  const link = async (party: PartyIdentity, entity: QboEntity, displayName: string, created: boolean): Promise<PartyResolution> => {
    try {
      await insertPartyLink(deps.db, { companyId: deps.companyId, role: party.role, partyKey: party.key, currency: party.currency, qboId: entity.Id, displayName, now: deps.now() });
      return { ok: true, qboId: entity.Id, displayName, created };
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error;
      const existing = await getPartyLink(deps.db, { companyId: deps.companyId, role: party.role, partyKey: party.key, currency: party.currency });
      if (!existing) throw error;
      return { ok: true, qboId: existing.qboId, displayName: existing.displayName, created: false };
    }
  };

  const findByDisplayName = async (displayName: string): Promise<{ entity: QboEntity; type: "Customer" | "Vendor" } | undefined> => {
    for (const type of ["Customer", "Vendor"] as const) {
      const rows = await deps.qbo.queryAll<QboEntity>(type, `DisplayName = ${quoteQboString(displayName)}`);
      const match = rows.find((r) => String(r.DisplayName ?? "").toLowerCase() === displayName.toLowerCase());
      if (match) return { entity: match, type };
    }
    return undefined;
  };

  const adoptable = (party: PartyIdentity, found: { entity: QboEntity; type: string }): boolean => {
    if (found.type !== ENTITY[party.role]) return false;
    const currency = (found.entity.CurrencyRef as { value?: string } | undefined)?.value ?? deps.homeCurrency;
    if (currency.toUpperCase() !== party.currency) return false;
    const notes = typeof found.entity.Notes === "string" ? found.entity.Notes : "";
    const marker = /DevPos party (\S.*)$/m.exec(notes);
    return marker === null || marker[0].trim() === partyMarker(party.key);
  };

  const bodyFor = (party: PartyIdentity, displayName: string): Record<string, unknown> => {
    const body: Record<string, unknown> = { DisplayName: displayName, CurrencyRef: { value: party.currency } };
    if (party.name) body.CompanyName = party.name.slice(0, 100);
    if (party.role === "customer") body.Notes = partyMarker(party.key);
    return body;
  };
  const requestIdFor = (party: PartyIdentity, displayName: string) => writeRequestId("party", deps.companyId, party.role, party.key, party.currency, displayName);

  /** After a clash on candidate `from - 1` (or from scratch): adopt or try the next names, one by one. */
  const resolveOne = async (party: PartyIdentity, from = 1, clashed?: string): Promise<PartyResolution> => {
    const entity = ENTITY[party.role];
    if (clashed !== undefined) {
      const found = await findByDisplayName(clashed);
      if (found && adoptable(party, found)) return await link(party, found.entity, clashed, false);
    }
    for (let n = from; n <= MAX_NAME_ATTEMPTS; n++) {
      const displayName = displayNameCandidate(party, deps.homeCurrency, n);
      try {
        const created = await deps.qbo.create<QboEntity>(entity, bodyFor(party, displayName), { requestId: requestIdFor(party, displayName) });
        return await link(party, created, displayName, true);
      } catch (error) {
        if (!(error instanceof QboFault) || !error.hasCode(QBO_FAULT_CODES.duplicateName)) throw error;
        const found = await findByDisplayName(displayName);
        if (found && adoptable(party, found)) return await link(party, found.entity, displayName, false);
      }
    }
    throw new Error(`no free DisplayName for ${party.role} ${party.key} after ${MAX_NAME_ATTEMPTS} attempts`);
  };

  return {
    get: (party) => resolved.get(identityKey(party)),
    async resolveAll(parties) {
      const todo = new Map<string, PartyIdentity>();
      for (const p of parties) {
        const key = identityKey(p);
        if (!resolved.has(key) && !todo.has(key)) todo.set(key, p);
      }
      const settle = async (key: string, party: PartyIdentity, work: () => Promise<PartyResolution>) => {
        try {
          resolved.set(key, await work());
        } catch (error) {
          if (isRunLevel(error)) throw error;
          resolved.set(key, { ok: false, message: `could not resolve ${party.role} "${party.displayName}": ${error instanceof Error ? error.message : String(error)}`, error });
        }
      };
      // New parties share the write lanes with documents: batches of 30 creates, plus singles
      // while the batch budget is spent. A clash (6240) falls back to adopt-or-next-name.
      await runWriteLanes<[string, PartyIdentity]>({
        tasks: [...todo.entries()],
        batchable: () => true,
        concurrency: deps.concurrency ?? 8,
        capacity: deps.qbo.capacity ? () => deps.qbo.capacity!() : undefined,
        shouldStop: async () => false,
        runSingle: ([key, party]) => settle(key, party, () => resolveOne(party)),
        runBatch: async (batch) => {
          const names = batch.map(([, party]) => displayNameCandidate(party, deps.homeCurrency, 1));
          const results = await deps.qbo.batch(
            batch.map(([, party], i) => ({ operation: "create" as const, entity: ENTITY[party.role], body: bodyFor(party, names[i]!) })),
            { requestId: batchRequestId(batch.map(([, party], i) => requestIdFor(party, names[i]!)), "party") },
          );
          for (let i = 0; i < batch.length; i++) {
            const [key, party] = batch[i]!;
            const result = results[i]!;
            if (result.ok) await settle(key, party, () => link(party, result.value, names[i]!, true));
            else if (result.fault.hasCode(QBO_FAULT_CODES.duplicateName)) await settle(key, party, () => resolveOne(party, 2, names[i]!));
            else resolved.set(key, { ok: false, message: `could not create ${party.role} "${names[i]}": ${result.fault.message}`, error: result.fault });
          }
        },
      });
      return resolved;
    },
  };
}

/** Errors that say nothing about one party but about QuickBooks or the connection: stop the run. */
export function isRunLevel(error: unknown): boolean {
  if (error instanceof QboFault) return error.httpStatus === 401 || error.httpStatus === 429 || error.httpStatus >= 500 || error.httpStatus === 408;
  if (error instanceof Error && /^(QboGrantRevokedError|QboNotConnectedError|QboRefreshBusyError|QboOAuthError|NetworkError|TimeoutError)$/.test(error.name)) return true;
  return false;
}
