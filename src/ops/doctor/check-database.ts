import type { Clock } from "../../clock.js";
import type { DbHandle } from "../../storage/db.js";
import { migrationStatus } from "../../storage/migrate.js";
import { databaseNow } from "../../storage/repos/notify-doctor.js";
import type { DoctorCheck } from "./doctor-report.js";

const SECTION = "Database";

/** Reachable, schema current, and its clock close to ours. Returns whether the database answered. */
export async function checkDatabase(handle: DbHandle, described: string, clock: Clock, checks: DoctorCheck[]): Promise<boolean> {
  const started = performance.now();
  let skew: { before: number; after: number; db: number };
  try {
    const before = clock.now().getTime();
    const db = (await databaseNow(handle.db)).getTime();
    skew = { before, after: clock.now().getTime(), db };
  } catch (error) {
    checks.push({ section: SECTION, name: "connection", status: "fail", detail: `${described}: ${message(error)}`, hint: "check DATABASE_URL, that the server runs and that this machine may connect to it" });
    return false;
  }
  checks.push({ section: SECTION, name: "connection", status: "ok", detail: `${described} (answered in ${Math.round(performance.now() - started)} ms)` });

  try {
    const status = await migrationStatus(handle);
    if (status.unknown.length > 0) {
      checks.push({ section: SECTION, name: "migrations", status: "fail", detail: `the database has migrations this devsync does not know: ${status.unknown.join(", ")}`, hint: "upgrade devsync to the version that migrated this database" });
    } else if (status.pending.length > 0) {
      checks.push({ section: SECTION, name: "migrations", status: "fail", detail: `${status.pending.length} pending: ${status.pending.join(", ")}`, hint: "run `devsync migrate` (serve also migrates on start)" });
    } else {
      checks.push({ section: SECTION, name: "migrations", status: "ok", detail: `current (${status.applied.length} applied, latest ${status.applied.at(-1) ?? "none"})` });
    }
  } catch (error) {
    checks.push({ section: SECTION, name: "migrations", status: "fail", detail: message(error) });
  }

  // The database answered somewhere between `before` and `after`: anything outside that window is skew.
  const offset = skew.db < skew.before ? skew.db - skew.before : skew.db > skew.after ? skew.db - skew.after : 0;
  const abs = Math.abs(offset);
  const detail = abs === 0 ? "the database's clock agrees with this machine's" : `the database's clock is ${formatMs(abs)} ${offset > 0 ? "ahead of" : "behind"} this machine's`;
  const status = abs >= 60_000 ? "fail" : abs >= 5_000 ? "warn" : "ok";
  checks.push({
    section: SECTION,
    name: "clock skew",
    status,
    detail,
    hint: "run NTP (systemd-timesyncd or chrony) on every devsync machine and the database server: leases, schedules and token expiry read the clock",
  });
  return true;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
