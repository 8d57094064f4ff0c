import type { Kysely } from "kysely";
import type { SecretBox } from "../../secrets/secret-box.js";
import type { Database } from "../schema.js";
import { affected, type Db } from "./repo-helpers.js";

/**
 * Every sealed column in the schema, and the context (associated data) its values are sealed
 * with. Repositories build contexts only through these functions, so rotation and reads agree.
 */
export const devposPasswordContext = (companyId: number): string => `devpos_credentials.password_enc#${companyId}`;
export const devposTokenContext = (companyId: number): string => `devpos_credentials.token_enc#${companyId}`;
export const qboAccessTokenContext = (companyId: number): string => `qbo_connections.access_token_enc#${companyId}`;
export const qboRefreshTokenContext = (companyId: number): string => `qbo_connections.refresh_token_enc#${companyId}`;
export const channelSecretContext = (companyId: number | null): string =>
  `notification_channels.secret_enc#${companyId ?? "global"}`;

export interface SealedColumn {
  table: keyof Database & string;
  column: string;
  /** Other columns of the row that the context is built from. */
  contextColumns: readonly string[];
  context(row: Record<string, unknown>): string;
}

const companyIdOf = (row: Record<string, unknown>): number => Number(row.company_id);

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "devpos_credentials", column: "password_enc", contextColumns: ["company_id"], context: (r) => devposPasswordContext(companyIdOf(r)) },
  { table: "devpos_credentials", column: "token_enc", contextColumns: ["company_id"], context: (r) => devposTokenContext(companyIdOf(r)) },
  { table: "qbo_connections", column: "access_token_enc", contextColumns: ["company_id"], context: (r) => qboAccessTokenContext(companyIdOf(r)) },
  { table: "qbo_connections", column: "refresh_token_enc", contextColumns: ["company_id"], context: (r) => qboRefreshTokenContext(companyIdOf(r)) },
  {
    table: "notification_channels",
    column: "secret_enc",
    contextColumns: ["company_id"],
    context: (r) => channelSecretContext(r.company_id === null || r.company_id === undefined ? null : companyIdOf(r)),
  },
];

export interface ReencryptProgress {
  table: string;
  column: string;
  scanned: number;
  reencrypted: number;
  skippedConcurrent: number;
}

export interface ReencryptOptions {
  /** Rows read per query; default 200. */
  batchSize?: number;
  /** Called after every batch with the running totals. */
  onProgress?: (progress: ReencryptProgress) => void | Promise<void>;
}

export interface ReencryptResult {
  scanned: number;
  reencrypted: number;
  /** Values another writer changed between our read and our write; theirs is kept. */
  skippedConcurrent: number;
}

/**
 * Re-seals every value not sealed with the box's primary key. Each write is a compare-and-swap
 * on the old ciphertext, so a token refreshed meanwhile by a running sync is never overwritten
 * with an older one; the rotation needs no downtime because retired keys still open old values.
 */
export async function reencryptAllSecrets(db: Db, box: SecretBox, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 200;
  const anyDb = db as unknown as Kysely<any>;
  const totals: ReencryptResult = { scanned: 0, reencrypted: 0, skippedConcurrent: 0 };
  for (const sealed of SEALED_COLUMNS) {
    let lastId = 0;
    for (;;) {
      const rows: Record<string, unknown>[] = await anyDb
        .selectFrom(sealed.table)
        .select(["id", sealed.column, ...sealed.contextColumns])
        .where(sealed.column, "is not", null)
        .where("id", ">", lastId)
        .orderBy("id")
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        totals.scanned += 1;
        const envelope = row[sealed.column] as string;
        if (!box.isStale(envelope)) continue;
        const context = sealed.context(row);
        const resealed = box.seal(box.open(envelope, context), context);
        const result = await anyDb
          .updateTable(sealed.table)
          .set({ [sealed.column]: resealed })
          .where("id", "=", row.id)
          .where(sealed.column, "=", envelope)
          .executeTakeFirst();
        if (affected(result) === 1) totals.reencrypted += 1;
        else totals.skippedConcurrent += 1;
      }
      lastId = Number(rows.at(-1)!.id);
      await options.onProgress?.({ table: sealed.table, column: sealed.column, ...totals });
      if (rows.length < batchSize) break;
    }
  }
  return totals;
}

/** How many stored secrets each key id sealed (an envelope is `v1.<key id>.<iv>.<body>`). */
export async function countSecretsByKeyId(db: Db): Promise<Record<string, number>> {
  const anyDb = db as unknown as Kysely<any>;
  const counts: Record<string, number> = {};
  for (const sealed of SEALED_COLUMNS) {
    let lastId = 0;
    for (;;) {
      const rows: Record<string, unknown>[] = await anyDb
        .selectFrom(sealed.table)
        .select(["id", sealed.column])
        .where(sealed.column, "is not", null)
        .where("id", ">", lastId)
        .orderBy("id")
        .limit(1000)
        .execute();
      for (const row of rows) {
        const keyId = String(row[sealed.column]).split(".")[1] ?? "unknown";
        counts[keyId] = (counts[keyId] ?? 0) + 1;
      }
      if (rows.length < 1000) break;
      lastId = Number(rows.at(-1)!.id);
    }
  }
  return counts;
}
