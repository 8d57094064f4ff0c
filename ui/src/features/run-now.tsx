import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import { paths } from "../api/paths";
import { keys, useRun } from "../api/queries";
import type { JobType, SyncRun } from "../api/types";
import { Button, ErrorMessage, FieldShell, TextField } from "../components/ui";
import { RunStatusBadge } from "../components/status";
import { formatDuration, isActiveRun, isoDay, JOB_TYPE_HINT, JOB_TYPE_LABEL, plural } from "../lib/format";
import { Link } from "../lib/router";
import { RunCounts } from "./run-counts";

const RANGE_CHOICES = [1, 7, 30, 60, 90] as const;

export interface RunNowInput {
  job_type: JobType;
  days?: number;
  from?: string;
  to?: string;
}

/** The form part of "Run now": job type and date range. */
export function RunNowForm({ companyId, onStarted, compact = false }: { companyId: number; onStarted: (run: SyncRun) => void; compact?: boolean }) {
  const queryClient = useQueryClient();
  const [jobType, setJobType] = useState<JobType>("full");
  const [range, setRange] = useState<string>("30");
  const today = isoDay(new Date());
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(today);
  const start = useMutation({
    mutationFn: (input: RunNowInput) => api.post<SyncRun>(paths.companyRuns(companyId), input),
    onSuccess: (run) => {
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      void queryClient.invalidateQueries({ queryKey: keys.company(companyId) });
      void queryClient.invalidateQueries({ queryKey: keys.runs });
      onStarted(run);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    start.mutate(range === "custom" ? { job_type: jobType, from, to } : { job_type: jobType, days: Number(range) });
  }

  const fields = start.error instanceof ApiError ? start.error.fields : {};
  const activeRunId = start.error instanceof ApiError && start.error.code === "run_in_progress" ? start.error.fields.active_run_id : undefined;
  return (
    <form onSubmit={submit} aria-label="Run a sync now">
      <div className={compact ? "" : "form-row"}>
        <FieldShell label="What to sync" hint={JOB_TYPE_HINT[jobType]} error={fields.job_type}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} value={jobType} onChange={(e) => setJobType(e.target.value as JobType)}>
              {(["full", "sales", "bills"] as const).map((j) => (
                <option key={j} value={j}>
                  {JOB_TYPE_LABEL[j]}
                </option>
              ))}
            </select>
          )}
        </FieldShell>
        <FieldShell label="Documents from" error={fields.days}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} value={range} onChange={(e) => setRange(e.target.value)}>
              {RANGE_CHOICES.map((d) => (
                <option key={d} value={String(d)}>
                  {d === 1 ? "Today and yesterday (last day)" : `The last ${d} days`}
                </option>
              ))}
              <option value="custom">Choose dates…</option>
            </select>
          )}
        </FieldShell>
      </div>
      {range === "custom" && (
        <div className="form-row">
          <TextField label="From date" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} error={fields.from} required />
          <TextField label="To date" type="date" value={to} min={from} max={today} onChange={(e) => setTo(e.target.value)} error={fields.to} required />
        </div>
      )}
      {start.error !== null && (
        <div>
          <ErrorMessage error={start.error} title="The sync did not start" />
          {activeRunId && (
            <p>
              <Link to={`/runs/${activeRunId}`}>Follow the sync that is already running</Link>
            </p>
          )}
        </div>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={start.isPending}>
          Start sync
        </Button>
      </div>
    </form>
  );
}

/** Live progress of a run (polled) and its result when it ends. */
export function RunProgress({ runId, onDismiss }: { runId: number; onDismiss?: () => void }) {
  const { data: run, error } = useRun(runId);
  if (error) return <ErrorMessage error={error} />;
  if (!run) return <p className="muted">Starting…</p>;
  const active = isActiveRun(run.status);
  const total = Object.values(run.item_counts).reduce((a, b) => a + b, 0);
  return (
    <section className="run-progress" aria-label={`Sync ${run.id}`} data-run-id={run.id} data-run-status={run.status}>
      <div className="row">
        <RunStatusBadge status={run.status} />
        <span className="muted small">
          {JOB_TYPE_LABEL[run.job_type]} · {run.window_from} to {run.window_to}
        </span>
        <span className="spacer" />
        <Link to={`/runs/${run.id}`}>Open sync details</Link>
      </div>
      {active && (
        <>
          <div className="progress progress-indeterminate" role="progressbar" aria-label="Sync in progress" aria-valuetext={`${plural(total, "document")} so far`}>
            <div className="progress-bar" />
          </div>
          <p className="muted small" aria-live="polite">
            {run.status === "queued" ? "Waiting for a worker to pick it up…" : `Working… ${plural(total, "document")} handled so far (${formatDuration(run.started_at, null)}).`}
          </p>
        </>
      )}
      {!active && (
        <div aria-live="polite">
          <p className="run-result">{resultSentence(run.status, total, run.error_message)}</p>
          <RunCounts counts={run.item_counts} />
          {onDismiss && (
            <Button size="small" variant="ghost" onClick={onDismiss}>
              Close
            </Button>
          )}
        </div>
      )}
    </section>
  );
}

function resultSentence(status: string, total: number, errorMessage: string | null): string {
  switch (status) {
    case "succeeded":
      return total === 0 ? "Finished: nothing new to sync." : `Finished: ${plural(total, "document")} handled.`;
    case "partial":
      return `Finished with problems: some documents failed. ${errorMessage ?? "See the details."}`;
    case "failed":
      return `The sync failed. ${errorMessage ?? ""}`.trim();
    case "cancelled":
      return "The sync was cancelled.";
    case "skipped":
      return `Skipped. ${errorMessage ?? ""}`.trim();
    default:
      return status;
  }
}
