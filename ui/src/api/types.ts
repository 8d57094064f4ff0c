/**
 * JSON shapes of the devsync REST API (snake_case, as the API sends them). Kept by hand next to
 * the route schemas in src/api/routes; `/api/openapi.json` is the reference.
 */

export type Role = "admin" | "member";

export interface Permissions {
  view: boolean;
  run: boolean;
  manage_schedules: boolean;
  edit_connections: boolean;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  last_login_at: string | null;
  created_at: string;
}

export interface UserDetail extends User {
  companies: { company_id: number; company_name: string; company_code: string; permissions: Permissions }[];
}

export interface Session {
  user: User;
  csrf_token: string;
  expires_at: string;
}

export interface Me {
  kind: "user" | "api_key";
  user: User | null;
  api_key: { id: number; name: string; prefix: string } | null;
  csrf_token: string | null;
  all_companies: boolean;
  companies: { id: number; name: string | null; permissions: Permissions }[];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type JobType = "sales" | "bills" | "full";
export type Frequency = "hourly" | "daily" | "weekly" | "monthly" | "cron";
export type RunStatus = "queued" | "running" | "succeeded" | "partial" | "failed" | "cancelled" | "skipped";
export type RunTrigger = "schedule" | "manual" | "api" | "catchup";
export type QboStatus = "connected" | "reauth_required" | "disconnected" | "not_connected";

/** Free-form JSON written by the sync engine (counts per action, warnings…). */
export type RunSummary = Record<string, unknown>;

export interface SyncRun {
  id: number;
  company_id: number;
  company_name: string | null;
  schedule_id: number | null;
  trigger: RunTrigger;
  job_type: JobType;
  window_from: string;
  window_to: string;
  scheduled_for: string | null;
  status: RunStatus;
  attempt: number;
  max_attempts: number;
  cancel_requested: boolean;
  summary: RunSummary | null;
  error_code: string | null;
  error_message: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SyncRunDetail extends SyncRun {
  /** Documents of this run by action (created, updated, unchanged, skipped, failed…). */
  item_counts: Record<string, number>;
}

export interface RunItem {
  id: number;
  kind: string;
  source_key: string;
  doc_number: string | null;
  action: string;
  qbo_type: string | null;
  qbo_id: string | null;
  qbo_url?: string | null;
  amount_minor: number | null;
  currency: string | null;
  message: string | null;
  created_at: string;
}

export interface RunEvent {
  id: number;
  at: string;
  level: "debug" | "info" | "warn" | "error" | (string & {});
  message: string;
  data: unknown;
}

export interface RunEvents {
  items: RunEvent[];
  last_id: number;
}

export interface CompanyHealth {
  devpos: { configured: boolean; status: "not_configured" | "ok" | "failing" | "untested"; last_ok_at: string | null; last_error: string | null };
  qbo: { status: QboStatus; reconnect_needed: boolean; near_hard_expiry: boolean; refresh_hard_expires_at: string | null };
  last_run: { id: number; status: RunStatus; job_type: JobType; trigger: RunTrigger; created_at: string; finished_at: string | null } | null;
  next_run_at: string | null;
  next_run_text: string;
  schedule_count: number;
}

export type TaxMode = "none" | "inclusive";

/** Who set the tax settings: untouched, detected from QuickBooks, or a person. */
export type TaxSettingsSource = "default" | "detected" | "user";

/** What devsync read from the QuickBooks company and the tax settings it implies. */
export interface QboSettings {
  checked_at: string;
  realm_id: string;
  country: string | null;
  company_name: string | null;
  home_currency: string | null;
  multicurrency: boolean;
  vat: boolean;
  tax_codes: { id: string; name: string; active: boolean; tax_group: boolean; sales_rate: number | null; purchase_rate: number | null }[];
  detected: { tax_mode: TaxMode; vat_tax_code_id: string | null; vat_rate_codes: Record<string, string> | null };
  reasons: string[];
  warnings: { code: string; message: string }[];
}

export interface QboRecheckResult {
  qbo_settings: QboSettings;
  applied: boolean;
  tax_settings: { tax_mode: TaxMode; vat_tax_code_id: string | null; vat_rate_codes: Record<string, string> | null; source: TaxSettingsSource };
}

export interface Company {
  id: number;
  code: string;
  name: string;
  timezone: string;
  home_currency: string;
  tax_mode: TaxMode;
  vat_tax_code_id: string | null;
  vat_rate_codes: Record<string, string> | null;
  income_item_id: string | null;
  expense_account_id: string | null;
  on_deleted_in_qbo: "report" | "recreate";
  active: boolean;
  tax_settings_source: TaxSettingsSource;
  /** Null: QuickBooks was not read yet. */
  qbo_settings: QboSettings | null;
  created_at: string;
  updated_at: string;
  permissions: Permissions;
  health: CompanyHealth;
}

export type DevposStatus = "not_configured" | "ok" | "failing" | "untested";

export interface DevposCredentialsStatus {
  configured: boolean;
  tenant: string | null;
  username: string | null;
  status: DevposStatus;
  last_ok_at: string | null;
  last_error: string | null;
  updated_at: string | null;
}

export interface DevposTestResult {
  ok: boolean;
  message: string;
  credentials: DevposCredentialsStatus;
}

export interface QboConnectionStatus {
  status: QboStatus;
  reconnect_needed: boolean;
  near_hard_expiry: boolean;
  realm_id: string | null;
  environment: string | null;
  access_expires_at: string | null;
  refresh_expires_at: string | null;
  refresh_hard_expires_at: string | null;
  last_refreshed_at: string | null;
  connected_at: string | null;
  last_error: string | null;
}

/** What the OAuth callback page posts to the window that opened it. */
export interface QboConnectMessage {
  type: "devsync:qbo-connect";
  ok: boolean;
  company_id: number | null;
  message: string;
}

export interface QboCandidate {
  id: string;
  name: string;
  detail?: string | null;
}

export interface Schedule {
  id: number;
  company_id: number;
  company_name: string;
  job_type: JobType;
  frequency: Frequency;
  hour_of_day: number;
  minute: number;
  day_of_week: number | null;
  day_of_month: number | null;
  cron_expression?: string | null;
  timezone: string | null;
  effective_timezone: string;
  date_range_days: number;
  enabled: boolean;
  paused_reason: string | null;
  last_run_at: string | null;
  last_status: string | null;
  next_run_at: string | null;
  next_run_local: string | null;
  /** "Next sync: Tomorrow at 9:00 AM", "Disabled", "Paused: reconnect QuickBooks". */
  next_run_text: string;
  created_at: string;
  updated_at: string;
}

export interface ScheduleInput {
  id?: number;
  job_type: JobType;
  frequency: Exclude<Frequency, "cron">;
  /** Null for hourly schedules, which run every hour at `minute`. */
  hour_of_day: number | null;
  minute?: number;
  day_of_week: number | null;
  day_of_month: number | null;
  date_range_days: number;
  enabled: boolean;
}

export interface SyncedDocument {
  id: number;
  kind: "sale" | "purchase" | (string & {});
  source_key: string;
  doc_number: string | null;
  qbo_type: string;
  qbo_id: string | null;
  state: "pending" | "synced";
  txn_date: string | null;
  amount_minor: number | null;
  currency: string | null;
  last_run_id: number | null;
  voided_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CompanyStats {
  from: string;
  to: string;
  documents_per_day: { date: string; kind: string; count: number; amount_minor: number }[];
  runs_by_status: Record<string, number>;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  created_by_user_id: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  companies: { company_id: number; permissions: Permissions }[];
}

export interface CreatedApiKey {
  /** dsk_…: shown once. */
  key: string;
  api_key: ApiKey;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  actor_label: string;
  action: string;
  company_id: number | null;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}
