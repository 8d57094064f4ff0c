import { createHash } from "node:crypto";

/**
 * Deterministic QuickBooks `requestid`s (docs/domain.md §2–3). A document's id is a digest of
 * (company, kind, EIC) plus a generation that only grows when the document must be written anew
 * (its pending create proved absent, or it was deleted in QuickBooks and is recreated): a
 * retried write re-sends the same id and QuickBooks replays its first answer.
 */
const GENERATION = /-g(\d+)$/;

export function documentRequestId(companyId: number, kind: string, eic: string, generation = 1): string {
  const digest = createHash("sha256").update(`${companyId}|${kind}|${eic.toLowerCase()}`).digest("hex").slice(0, 28);
  return `${digest}-g${generation}`; // ≤ 36 characters up to generation 999,999
}

export function generationOf(requestId: string): number {
  const match = GENERATION.exec(requestId);
  return match ? Number(match[1]) : 1;
}

export function nextRequestId(companyId: number, kind: string, eic: string, current: string): string {
  return documentRequestId(companyId, kind, eic, generationOf(current) + 1);
}

/** A batch's id (≤ 36 on /batch): the digest of its members' ids in order. */
export function batchRequestId(memberIds: readonly string[], salt = ""): string {
  return createHash("sha256").update(`${salt}|${memberIds.join(",")}`).digest("hex").slice(0, 32);
}

/** An id for a write that is not a document create (update, void): digest of its content. */
export function writeRequestId(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 36);
}

/**
 * Digest of a write's body (keys in a stable order): a create's request id is kept while the
 * body sent under it stays the same, and renewed once it changes (src/sync/execute.ts).
 */
export function bodyDigest(body: unknown): string {
  return createHash("sha256").update(stableJson(body)).digest("hex").slice(0, 40);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
