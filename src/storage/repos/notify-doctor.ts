import { sql } from "kysely";
import { dialectOf } from "../db.js";
import type { Db } from "./repo-helpers.js";

/** The database server's own clock (UTC), for `doctor`'s skew check. */
export async function databaseNow(db: Db): Promise<Date> {
  const dialect = dialectOf(db);
  const query =
    dialect === "sqlite"
      ? sql<{ now: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as now`
      : dialect === "postgres"
        ? sql<{ now: string }>`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now`
        : sql<{ now: string }>`select date_format(utc_timestamp(3), '%Y-%m-%dT%H:%i:%s.%fZ') as now`;
  const { rows } = await query.execute(db);
  const text = String(rows[0]?.now ?? "");
  const at = new Date(text.replace(/(\.\d{3})\d+Z$/, "$1Z"));
  if (Number.isNaN(at.getTime())) throw new Error(`the database answered an unreadable time: "${text}"`);
  return at;
}

/** Where a sealed secret is stored, so `doctor` can prove the key opens it. */
export type SealedSample = { kind: "devpos_password"; companyId: number } | { kind: "qbo_tokens"; companyId: number } | { kind: "channel_secret"; channelId: number };

/** One stored secret of each kind there is (at most three), or none on a fresh install. */
export async function findSealedSamples(db: Db): Promise<SealedSample[]> {
  const samples: SealedSample[] = [];
  const devpos = await db.selectFrom("devpos_credentials").select("company_id").orderBy("id").limit(1).executeTakeFirst();
  if (devpos) samples.push({ kind: "devpos_password", companyId: Number(devpos.company_id) });
  const qbo = await db.selectFrom("qbo_connections").select("company_id").where("refresh_token_enc", "is not", null).orderBy("id").limit(1).executeTakeFirst();
  if (qbo) samples.push({ kind: "qbo_tokens", companyId: Number(qbo.company_id) });
  const channel = await db.selectFrom("notification_channels").select("id").where("secret_enc", "is not", null).orderBy("id").limit(1).executeTakeFirst();
  if (channel) samples.push({ kind: "channel_secret", channelId: Number(channel.id) });
  return samples;
}

/** Enabled notification channels by kind, over every company and the global ones. */
export async function countEnabledChannels(db: Db): Promise<{ email: number; webhook: number }> {
  const rows = await db
    .selectFrom("notification_channels")
    .select(["kind", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("enabled", "=", 1)
    .groupBy("kind")
    .execute();
  const count = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { email: count("email"), webhook: count("webhook") };
}
