import type { Generated } from "kysely";

/**
 * Row types of every table, as the database returns them. Conventions are explained in
 * migrations/0001-initial.ts: instants are ISO strings, flags are 0/1, money is minor units.
 * PostgreSQL returns BIGINT as a string, so `*_minor` columns read as `number | string`;
 * repositories convert them.
 */
export interface Database {
  companies: CompaniesTable;
  devpos_credentials: DevposCredentialsTable;
  qbo_connections: QboConnectionsTable;
  users: UsersTable;
  user_company_access: UserCompanyAccessTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  api_key_company_access: ApiKeyCompanyAccessTable;
  oauth_states: OauthStatesTable;
  schedules: SchedulesTable;
  sync_runs: SyncRunsTable;
  run_events: RunEventsTable;
  run_items: RunItemsTable;
  document_links: DocumentLinksTable;
  party_links: PartyLinksTable;
  notification_channels: NotificationChannelsTable;
  alert_incidents: AlertIncidentsTable;
  audit_log: AuditLogTable;
  zero_amount_documents: ZeroAmountDocumentsTable;
}

type Flag = number;
type Instant = string;
type Minor = number | string;

export interface CompaniesTable {
  id: Generated<number>;
  code: string;
  name: string;
  timezone: Generated<string>;
  home_currency: Generated<string>;
  tax_mode: Generated<string>;
  vat_tax_code_id: string | null;
  vat_rate_codes: string | null;
  income_item_id: string | null;
  expense_account_id: string | null;
  on_deleted_in_qbo: Generated<string>;
  active: Generated<Flag>;
  tax_settings_source: Generated<string>;
  qbo_realm_check: string | null;
  qbo_realm_checked_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface DevposCredentialsTable {
  id: Generated<number>;
  company_id: number;
  tenant: string;
  username: string;
  password_enc: string;
  token_enc: string | null;
  token_expires_at: Instant | null;
  last_ok_at: Instant | null;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface QboConnectionsTable {
  id: Generated<number>;
  company_id: number;
  realm_id: string | null;
  environment: Generated<string>;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Instant | null;
  refresh_expires_at: Instant | null;
  refresh_hard_expires_at: Instant | null;
  status: Generated<string>;
  version: Generated<number>;
  refresh_lock_owner: string | null;
  refresh_lock_expires_at: Instant | null;
  last_refreshed_at: Instant | null;
  last_error: string | null;
  connected_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: Generated<string>;
  active: Generated<Flag>;
  last_login_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

interface CompanyPermissionColumns {
  company_id: number;
  can_view: Generated<Flag>;
  can_run: Generated<Flag>;
  can_manage_schedules: Generated<Flag>;
  can_edit_connections: Generated<Flag>;
}

export interface UserCompanyAccessTable extends CompanyPermissionColumns {
  id: Generated<number>;
  user_id: number;
}

export interface ApiKeyCompanyAccessTable extends CompanyPermissionColumns {
  id: Generated<number>;
  api_key_id: number;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  csrf_hash: string;
  user_id: number;
  expires_at: Instant;
  last_seen_at: Instant;
  ip: string | null;
  user_agent: string | null;
  created_at: Instant;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  prefix: string;
  created_by_user_id: number | null;
  expires_at: Instant | null;
  revoked_at: Instant | null;
  last_used_at: Instant | null;
  created_at: Instant;
}

export interface OauthStatesTable {
  id: Generated<number>;
  state_hash: string;
  company_id: number;
  user_id: number | null;
  expires_at: Instant;
  used_at: Instant | null;
  created_at: Instant;
}

export interface SchedulesTable {
  id: Generated<number>;
  company_id: number;
  job_type: string;
  frequency: string;
  hour_of_day: number;
  minute: number;
  day_of_week: number | null;
  day_of_month: number | null;
  cron_expression: string | null;
  timezone: string | null;
  date_range_days: number;
  enabled: Flag;
  paused_reason: string | null;
  last_run_at: Instant | null;
  last_status: string | null;
  next_run_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface SyncRunsTable {
  id: Generated<number>;
  company_id: number;
  schedule_id: number | null;
  trigger: string;
  job_type: string;
  window_from: string;
  window_to: string;
  scheduled_for: Instant | null;
  status: string;
  attempt: Generated<number>;
  max_attempts: Generated<number>;
  available_at: Instant;
  running_company_id: number | null;
  lease_owner: string | null;
  lease_expires_at: Instant | null;
  heartbeat_at: Instant | null;
  cancel_requested: Generated<Flag>;
  requested_by_user_id: number | null;
  summary: string | null;
  error_code: string | null;
  error_message: string | null;
  started_at: Instant | null;
  finished_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface RunEventsTable {
  id: Generated<number>;
  run_id: number;
  company_id: number;
  at: Instant;
  level: string;
  message: string;
  data: string | null;
}

export interface RunItemsTable {
  id: Generated<number>;
  run_id: number;
  company_id: number;
  kind: string;
  source_key: string;
  doc_number: string | null;
  action: string;
  qbo_type: string | null;
  qbo_id: string | null;
  amount_minor: Minor | null;
  currency: string | null;
  message: string | null;
  created_at: Instant;
}

export interface DocumentLinksTable {
  id: Generated<number>;
  company_id: number;
  kind: string;
  source_key: string;
  doc_number: string | null;
  qbo_type: string;
  qbo_id: string | null;
  sync_token: string | null;
  content_hash: string;
  state: string;
  request_id: string;
  txn_date: string | null;
  amount_minor: Minor | null;
  currency: string | null;
  last_run_id: number | null;
  voided_at: Instant | null;
  input_hash: string | null;
  last_error: string | null;
  last_error_at: Instant | null;
  failed_attempts: Generated<number>;
  created_at: Instant;
  updated_at: Instant;
}

export interface PartyLinksTable {
  id: Generated<number>;
  company_id: number;
  role: string;
  party_key: string;
  currency: string;
  qbo_id: string;
  display_name: string;
  created_at: Instant;
  updated_at: Instant;
}

export interface NotificationChannelsTable {
  id: Generated<number>;
  company_id: number | null;
  kind: string;
  target: string;
  secret_enc: string | null;
  events: string;
  enabled: Generated<Flag>;
  created_at: Instant;
  updated_at: Instant;
}

export interface AlertIncidentsTable {
  id: Generated<number>;
  company_id: number | null;
  kind: string;
  incident_key: string;
  open_key: string | null;
  details: string | null;
  opened_at: Instant;
  resolved_at: Instant | null;
  last_notified_at: Instant | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Instant;
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  actor_label: string;
  action: string;
  company_id: number | null;
  target_type: string | null;
  target_id: string | null;
  details: string | null;
  ip: string | null;
}

export interface ZeroAmountDocumentsTable {
  id: Generated<number>;
  company_id: number;
  kind: string;
  source_key: string;
  qbo_type: string;
  doc_number: string | null;
  txn_date: string;
  party_name: string | null;
  currency: string | null;
  status: string;
  checks: Generated<number>;
  first_seen_at: Instant;
  last_checked_at: Instant;
  resolved_at: Instant | null;
  resolution: string | null;
  resolved_amount_minor: Minor | null;
  confirmed_at: Instant | null;
  confirmed_by_user_id: number | null;
  confirmed_by: string | null;
  confirmed_note: string | null;
  updated_at: Instant;
}
