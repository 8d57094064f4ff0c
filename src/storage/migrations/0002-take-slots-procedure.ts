import { sql, type Kysely } from "kysely";
import type { SchemaDialect } from "./schema-helpers.js";

/**
 * PostgreSQL only: `devsync_take_slots`, the scheduler tick's hot path (scheduler-slots.ts
 * takeSlotsInProcedure). It takes a chunk of due slots in one round trip, each slot in ITS OWN
 * transaction (COMMIT after every slot), doing exactly what the per-slot path does on the other
 * databases (docs/scheduling.md "Taking a slot"):
 * 1. compare-and-swap `next_run_at` from the slot to the next one; a loser writes nothing;
 * 2. lock the company row, so schedules of one company due together are decided one at a time;
 * 3. company busy (a queued or running run) → record the slot as a `skipped` run with the reason;
 *    else queue a run; the (schedule_id, scheduled_for) unique key makes a second row impossible.
 * Every statement takes a fresh snapshot (READ COMMITTED in a procedure), so the busy check sees
 * runs committed while it waited for the company lock.
 *
 * All decisions that need the calendar (the next slot, catch-up, both windows) are made by the
 * TypeScript domain code and passed in; the procedure only chooses between the idle and the busy
 * window. An error in one slot (an exception block per slot) rolls back that slot only and is
 * reported as outcome `error` with its SQLSTATE; the chunk goes on.
 *
 * Each slot commits with `synchronous_commit = off`: the commit does not wait for the WAL flush.
 * That is safe here: a crash can only lose the last slots taken as a whole (run row and the
 * schedule's advance together), which are then due again and taken again after the restart;
 * and anything that acts on a run (a worker's claim, a cancel) commits synchronously, which
 * flushes the WAL up to itself and so every slot taken before it. Measured on a 2-core machine
 * (npm run bench:scheduler, with the due index of migration 0003): 4,700–5,500 slots/s with
 * synchronous commits, 6,000–8,400 without.
 */
export function createTakeSlotsProcedureMigration(dialect: SchemaDialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect !== "postgres") return;
      await sql.raw(TAKE_SLOTS_PROCEDURE).execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      if (dialect !== "postgres") return;
      await sql`drop procedure if exists devsync_take_slots`.execute(db);
    },
  };
}

// Table names are unqualified: they resolve through the caller's search_path, like every other
// query (a `SET search_path` clause would forbid the COMMITs).
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
          where company_id = v_company and status in ('queued', 'running') order by id limit 1;
        if found then
          v_reason := 'company busy: run ' || v_active.id || ' is ' || v_active.status;
          insert into sync_runs (company_id, schedule_id, "trigger", job_type, window_from, window_to, scheduled_for,
              status, attempt, max_attempts, available_at, error_code, error_message, finished_at, created_at, updated_at)
            values (v_company, s.id, s.trg, s.job_type, s.busy_from, s.win_to, s.expected,
              'skipped', 0, p_max_attempts, p_now, 'skipped', v_reason, p_now, p_now, p_now)
            on conflict (schedule_id, scheduled_for) do nothing returning id into v_run;
          update schedules set last_status = 'skipped' where id = s.id;
          o_outcomes := o_outcomes || (case when v_run is null then 'duplicate' else 'skipped' end);
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
