import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { paths } from "../../api/paths";
import { keys, useCompanySchedules } from "../../api/queries";
import type { Company, Schedule, ScheduleInput } from "../../api/types";
import { ConfirmDialog } from "../../components/dialog";
import { RunStatusBadge } from "../../components/status";
import { useToast } from "../../components/toasts";
import { Button, Card, EmptyState, ErrorMessage, Loading, Toggle } from "../../components/ui";
import { formatDateTime, formatRelative } from "../../lib/format";
import { describeRange, isPausedOrOff, scheduleTitle } from "./schedule-format";
import { ScheduleForm } from "./schedule-form";

/**
 * The "Scheduled Syncs" card the user asked for by name: the company's schedules with their
 * next-run line, an enable/disable toggle, edit and delete, and the form to add one.
 */
export function SchedulesCard({ company, canManage }: { company: Company; canManage: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const schedules = useCompanySchedules(company.id);
  const [editing, setEditing] = useState<Schedule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Schedule | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.companySchedules(company.id) });
    void queryClient.invalidateQueries({ queryKey: keys.company(company.id) });
    void queryClient.invalidateQueries({ queryKey: keys.companies });
    void queryClient.invalidateQueries({ queryKey: keys.schedules });
  };

  const save = useMutation({
    mutationFn: (input: ScheduleInput) => api.post<Schedule>(paths.companySchedules(company.id), input),
    onSuccess: (saved, input) => {
      setEditing(null);
      toast(input.id ? "Schedule saved." : `Schedule added. ${saved.next_run_text}`);
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (input: { id: number; enabled: boolean }) => api.patch<Schedule>(paths.scheduleToggle(input.id), { enabled: input.enabled }),
    onSuccess: (saved) => {
      queryClient.setQueryData<Schedule[]>(keys.companySchedules(company.id), (list) => list?.map((s) => (s.id === saved.id ? saved : s)));
      toast(saved.enabled ? `Schedule turned on. ${saved.next_run_text}` : "Schedule turned off.");
      refresh();
    },
    onError: (error) => toast(error.message, "bad"),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(paths.schedule(id)),
    onSuccess: () => {
      setDeleting(null);
      toast("Schedule deleted.");
      refresh();
    },
  });

  const list = schedules.data ?? [];
  const paused = list.find((s) => s.paused_reason);
  return (
    <Card
      title="Scheduled Syncs"
      className="schedules-card"
      actions={
        canManage &&
        editing === null && (
          <Button variant="primary" size="small" onClick={() => { save.reset(); setEditing("new"); }}>
            Add schedule
          </Button>
        )
      }
    >
      {list.length > 0 && (
        <p className="card-sub" data-testid="company-next-sync">
          {company.health.next_run_text}
        </p>
      )}
      {paused && (
        <div className="alert alert-warn" role="status">
          <p className="alert-title">Schedules are paused: {paused.paused_reason}</p>
          <p>They resume on their own once the problem is fixed{paused.paused_reason?.toLowerCase().includes("quickbooks") ? " — connect QuickBooks again on the Connections tab" : ""}.</p>
        </div>
      )}
      {schedules.isPending && <Loading label="Loading schedules…" />}
      {schedules.error && <ErrorMessage error={schedules.error} onRetry={() => void schedules.refetch()} />}
      {schedules.isSuccess && list.length === 0 && editing === null && (
        <EmptyState
          title="No schedule yet"
          action={
            canManage && (
              <Button variant="primary" onClick={() => setEditing("new")}>
                Add a schedule
              </Button>
            )
          }
        >
          <p>Documents sync only when someone presses “Run now”. Add a schedule to keep QuickBooks up to date on its own.</p>
        </EmptyState>
      )}
      {list.length > 0 && (
        <ul className="schedule-list" aria-label="Schedules">
          {list.map((s) => (
            <ScheduleItem
              key={s.id}
              schedule={s}
              canManage={canManage}
              toggling={toggle.isPending && toggle.variables?.id === s.id}
              onToggle={(enabled) => toggle.mutate({ id: s.id, enabled })}
              onEdit={() => {
                save.reset();
                setEditing(s);
              }}
              onDelete={() => {
                remove.reset();
                setDeleting(s);
              }}
            />
          ))}
        </ul>
      )}
      {editing !== null && (
        <ScheduleForm
          key={editing === "new" ? "new" : editing.id}
          schedule={editing === "new" ? null : editing}
          timezone={company.timezone}
          busy={save.isPending}
          error={save.error}
          onSubmit={(input) => save.mutate(input)}
          onCancel={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this schedule?"
        body={
          <>
            <p>{deleting ? scheduleTitle(deleting) : ""}</p>
            <p className="muted">Past syncs stay in the history. Documents already in QuickBooks are not touched.</p>
            {remove.error && <ErrorMessage error={remove.error} />}
          </>
        }
        confirmLabel="Delete schedule"
        danger
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}

function ScheduleItem({
  schedule: s,
  canManage,
  toggling,
  onToggle,
  onEdit,
  onDelete,
}: {
  schedule: Schedule;
  canManage: boolean;
  toggling: boolean;
  onToggle: (enabled: boolean) => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const title = scheduleTitle(s);
  const off = isPausedOrOff(s);
  return (
    <li className={`schedule-item ${s.enabled ? "" : "is-off"}`} data-schedule-id={s.id} aria-label={title}>
      <div>
        <div className="schedule-title">{title}</div>
        <div className="muted small">Syncs {describeRange(s.date_range_days)}</div>
        <div className={`schedule-next ${off ? "is-paused" : ""}`} data-testid="next-run" title={s.next_run_local ?? undefined}>
          {s.next_run_text}
        </div>
        {s.last_run_at && (
          <div className="small muted" title={formatDateTime(s.last_run_at)}>
            Last sync {formatRelative(s.last_run_at)} {s.last_status && <RunStatusBadge status={s.last_status as never} />}
          </div>
        )}
      </div>
      <div className="schedule-controls">
        <Toggle label="Enabled" checked={s.enabled} disabled={!canManage} busy={toggling} onChange={onToggle} />
        {canManage && (
          <>
            <Button size="small" onClick={onEdit} aria-label={`Edit: ${title}`}>
              Edit
            </Button>
            <Button size="small" variant="danger" onClick={onDelete} aria-label={`Delete: ${title}`}>
              Delete
            </Button>
          </>
        )}
      </div>
    </li>
  );
}
