import { createHash, randomUUID } from "node:crypto";

/** Intuit's limits on `requestid`: 50 characters, 36 on /batch. */
export const MAX_REQUEST_ID = 50;
export const MAX_BATCH_REQUEST_ID = 36;

export function newRequestId(): string {
  return randomUUID();
}

/**
 * The request id of chunk `index` of a split batch: the caller's id when there is one chunk
 * and it fits, else a hash of (id, index), so a retried run sends the same ids again.
 */
export function chunkRequestId(base: string, index: number, chunks: number): string {
  if (chunks === 1 && base.length <= MAX_BATCH_REQUEST_ID) return base;
  return createHash("sha256").update(`${base}#${index}`).digest("hex").slice(0, 32);
}

export function checkRequestId(requestId: string, max: number): void {
  if (requestId.length === 0 || requestId.length > max) throw new RangeError(`requestid must be 1..${max} characters, got ${requestId.length}`);
}
