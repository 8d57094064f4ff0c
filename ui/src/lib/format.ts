import type { Frequency, JobType, RunStatus } from "../api/types";

export const JOB_TYPE_LABEL: Record<JobType, string> = { sales: "Sales", bills: "Bills", full: "Full" };
export const JOB_TYPE_HINT: Record<JobType, string> = {
  sales: "Sales e-invoices → QuickBooks invoices",
  bills: "Purchase e-invoices → QuickBooks bills",
  full: "Sales and purchases",
};
export const FREQUENCY_LABEL: Record<Frequency, string> = { hourly: "Hourly", daily: "Daily", weekly: "Weekly", monthly: "Monthly", cron: "Custom (cron)" };
export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export const RUN_STATUS_LABEL: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  partial: "Partly failed",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
};

export function runStatusLabel(status: RunStatus): string {
  return RUN_STATUS_LABEL[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

export function runStatusTone(status: RunStatus): Tone {
  switch (status) {
    case "succeeded":
      return "ok";
    case "partial":
    case "skipped":
    case "cancelled":
      return "warn";
    case "failed":
      return "bad";
    case "running":
    case "queued":
      return "busy";
    default:
      return "neutral";
  }
}

export type Tone = "ok" | "warn" | "bad" | "busy" | "neutral";

export function isActiveRun(status: RunStatus): boolean {
  return status === "queued" || status === "running";
}

/** 9 → "9:00 AM", as the schedule card shows times. */
export function formatClock(hour: number, minute = 0): string {
  const suffix = hour < 12 ? "AM" : "PM";
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return `${h}:${String(minute).padStart(2, "0")} ${suffix}`;
}

export function ordinal(n: number): string {
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

const dateTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(isoDate: string | null | undefined): string {
  if (!isoDate) return "—";
  const date = new Date(isoDate.length === 10 ? `${isoDate}T12:00:00Z` : isoDate);
  return Number.isNaN(date.getTime()) ? isoDate : dateOnly.format(date);
}

/** "5 minutes ago", "in 2 hours": for at-a-glance columns; the exact time goes in a title. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const diff = then - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, ms] of units) {
    if (abs >= ms) return rtf.format(Math.round(diff / ms), unit);
  }
  return diff < 0 ? "just now" : "in a moment";
}

export function formatDuration(startIso: string | null, endIso: string | null, now = Date.now()): string {
  if (!startIso) return "—";
  const end = endIso ? new Date(endIso).getTime() : now;
  const seconds = Math.max(0, Math.round((end - new Date(startIso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** Amounts arrive in minor units (cents); shown with the currency, never through floats. */
export function formatMoney(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined) return "—";
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${whole}.${String(abs % 100).padStart(2, "0")}${currency ? ` ${currency}` : ""}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** YYYY-MM-DD of a Date in the browser's zone. */
export function isoDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}
