import { sql, type Kysely } from "kysely";
import { createTakeSlotsProcedureMigration } from "./0002-take-slots-procedure.js";
import type { SchemaDialect } from "./schema-helpers.js";

/**
 * PostgreSQL only: replaces `devsync_take_slots` (migration 0002) so that coinciding slots of
 * one company are merged rather than skipped (docs/operations.md "Cron style"), exactly as the
 * per-slot path does on the other databases (src/scheduler/take-slot.ts):
 * - the company has a QUEUED run (preferred over a running one): the slot's row is written as
 *   `skipped` with error_code `merged` and reason "merged into run N", then run N's job type
 *   becomes the union (equal → unchanged, else `full`) and its window widens to cover the
 *   slot's gap-free window. The update is guarded by `status = 'queued'`: a worker's claim
 *   updates the same row under its row lock, so if it claimed the run first the update waits,
 *   re-reads the row and changes nothing; the slot's row is then turned into a plain skip;
 * - the company only has a RUNNING run: the slot is recorded as `skipped` (unchanged);
 * - the slot's row already exists (`duplicate`): nothing is merged.
 * Reasons are cut to 1,000 characters, as scheduler-slots.ts SLOT_REASON_MAX.
 * Same signature as before, so `create or replace` swaps the body in place; running `up`
 * again is harmless, and `down` puts 0002's body back.
 */
export function createTakeSlotsMergeMigration(dialect: SchemaDialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== "postgres") return;
      await sql.raw(TAKE_SLOTS_PROCEDURE).execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      await createTakeSlotsProcedureMigration(dialect).up(db);
    },
  };
}

// See migration 0002 for the transaction per slot, the unqualified table names and
// `synchronous_commit = off`; only the decision after the company lock differs.
const TAKE_SLOTS_PROCEDURE = `
create or replace procedure devsync_take_slots(
  p_schedule_ids integer[], p_expected text[], p_next text[], p_triggers text[], p_job_types text[],
  p_idle_from text[], p_busy_from text[], p_to text[], p_now text, p_max_attempts integer,
  inout o_outcomes text[] default null, inout o_run_ids integer[] default null, inout o_reasons text[] default null)
language plpgsql as $$
declare
  s record;
  v_company integer;
  v_active record;
  v_run integer;
  v_reason text;
  v_merging boolean;
  v_status text;
begin
  o_outcomes := '{}';
  o_run_ids := '{}';
  o_reasons := '{}';
  for s in select * from unnest(p_schedule_ids, p_expected, p_next, p_triggers, p_job_types, p_idle_from, p_busy_from, p_to)
      as t(id, expected, next, trg, job_type, idle_from, busy_from, win_to) loop
    v_run := null;
    v_reason := null;
    begin
      update schedules set next_run_at = s.next, last_run_at = p_now, last_status = 'queued'
        where id = s.id and next_run_at = s.expected and enabled = 1 and paused_reason is null
        returning company_id into v_company;
      if not found then
        o_outcomes := o_outcomes || 'lost'::text;
      else
        perform 1 from companies where id = v_company for update;
        select id, status into v_active from sync_runs
          where company_id = v_company and status in ('queued', 'running')
          order by case when status = 'queued' then 0 else 1 end, id limit 1;
        if found then
          v_merging := v_active.status = 'queued';
          if v_merging then
            v_reason := left('merged into run ' || v_active.id, 1000);
          else
            v_reason := left('company busy: run ' || v_active.id || ' is ' || v_active.status, 1000);
          end if;
          insert into sync_runs (company_id, schedule_id, "trigger", job_type, window_from, window_to, scheduled_for,
              status, attempt, max_attempts, available_at, error_code, error_message, finished_at, created_at, updated_at)
            values (v_company, s.id, s.trg, s.job_type, case when v_merging then s.idle_from else s.busy_from end, s.win_to, s.expected,
              'skipped', 0, p_max_attempts, p_now, case when v_merging then 'merged' else 'skipped' end, v_reason, p_now, p_now, p_now)
            on conflict (schedule_id, scheduled_for) do nothing returning id into v_run;
          update schedules set last_status = 'skipped' where id = s.id;
          if v_run is null then
            o_outcomes := o_outcomes || 'duplicate'::text;
          elsif not v_merging then
            o_outcomes := o_outcomes || 'skipped'::text;
          else
            update sync_runs set
                job_type = case when job_type = s.job_type then job_type else 'full' end,
                window_from = case when window_from < s.idle_from then window_from else s.idle_from end,
                window_to = case when window_to > s.win_to then window_to else s.win_to end,
                updated_at = p_now
              where id = v_active.id and status = 'queued';
            if found then
              o_outcomes := o_outcomes || 'merged'::text;
            else
              -- Claimed between the read and the update: give way as to any running run.
              select status into v_status from sync_runs where id = v_active.id;
              v_reason := left('company busy: run ' || v_active.id || ' is ' || coalesce(v_status, 'gone'), 1000);
              update sync_runs set error_code = 'skipped', error_message = v_reason, window_from = s.busy_from where id = v_run;
              o_outcomes := o_outcomes || 'skipped'::text;
            end if;
          end if;
        else
          insert into sync_runs (company_id, schedule_id, "trigger", job_type, window_from, window_to, scheduled_for,
              status, attempt, max_attempts, available_at, created_at, updated_at)
            values (v_company, s.id, s.trg, s.job_type, s.idle_from, s.win_to, s.expected,
              'queued', 0, p_max_attempts, p_now, p_now, p_now)
            on conflict (schedule_id, scheduled_for) do nothing returning id into v_run;
          o_outcomes := o_outcomes || (case when v_run is null then 'duplicate' else 'queued' end);
        end if;
      end if;
    exception when others then
      o_outcomes := o_outcomes || 'error'::text;
      v_run := null;
      v_reason := sqlstate || ': ' || sqlerrm;
    end;
    o_run_ids := o_run_ids || v_run;
    o_reasons := o_reasons || v_reason;
    perform set_config('synchronous_commit', 'off', true);
    commit;
  end loop;
end $$`;
