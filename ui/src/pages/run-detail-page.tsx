import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, ApiError, query } from "../api/client";
import { paths } from "../api/paths";
import { keys, qboDocumentUrl, useQbo, useRun } from "../api/queries";
import type { Page, RunEvent, RunEvents, RunItem, SyncRunDetail } from "../api/types";
import { RunStatusBadge } from "../components/status";
import { Alert, Button, Card, EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, SelectField } from "../components/ui";
import { RunCounts } from "../features/run-counts";
import { useCompanyPermissions } from "../lib/auth";
import { formatDateTime, formatDuration, formatMoney, isActiveRun, JOB_TYPE_LABEL, plural } from "../lib/format";
import { Link } from "../lib/router";
import { NotFoundPage } from "./not-found-page";

const TRIGGER_WORDS: Record<string, string> = { schedule: "a schedule", manual: "Run now", api: "the API", catchup: "a catch-up after downtime" };
const ACTION_LABEL: Record<string, string> = {
  created: "Created",
  updated: "Updated",
  unchanged: "Unchanged",
  voided: "Voided",
  recovered: "Found in QuickBooks",
  attention: "Needs attention",
  skipped: "Skipped",
  failed: "Failed",
};

export function RunDetailPage({ runId }: { runId: number }) {
  const run = useRun(runId);
  if (run.isPending) return <Loading label="Loading the sync…" />;
  if (run.error) {
    if (run.error instanceof ApiError && run.error.status === 404) return <NotFoundPage />;
    return <ErrorMessage error={run.error} onRetry={() => void run.refetch()} />;
  }
  return <RunDetail run={run.data} />;
}

function RunDetail({ run }: { run: SyncRunDetail }) {
  const queryClient = useQueryClient();
  const permissions = useCompanyPermissions(run.company_id);
  const qbo = useQbo(run.company_id);
  const active = isActiveRun(run.status);
  const total = Object.values(run.item_counts).reduce((a, b) => a + b, 0);
  const cancel = useMutation({
    mutationFn: () => api.post(paths.runCancel(run.id)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.run(run.id) }),
  });

  return (
    <>
      <PageHeader
        back={
          <Link to={`/companies/${run.company_id}/runs`}>
            ← {run.company_name ?? "Company"} history
          </Link>
        }
        title={
          <>
            Sync #{run.id} · {JOB_TYPE_LABEL[run.job_type]}
          </>
        }
        subtitle={
          <span className="row">
            <RunStatusBadge status={run.status} />
            <span>
              {run.company_name} · documents dated {run.window_from} to {run.window_to}
            </span>
          </span>
        }
        actions={
          active &&
          permissions.run && (
            <Button variant="danger" onClick={() => cancel.mutate()} busy={cancel.isPending} disabled={run.cancel_requested}>
              {run.cancel_requested ? "Stopping…" : "Cancel sync"}
            </Button>
          )
        }
      />
      {cancel.error && <ErrorMessage error={cancel.error} />}
      {run.status === "failed" && (
        <Alert tone="bad" title="This sync failed">
          <p>{run.error_message ?? "No reason was recorded."}</p>
          {run.error_code === "qbo_reauth_required" && (
            <p>
              <Link to={`/companies/${run.company_id}/connections`}>Connect QuickBooks again</Link>, then run the sync again.
            </p>
          )}
        </Alert>
      )}
      {run.status === "partial" && (
        <Alert tone="warn" title="Some documents did not sync">
          <p>{run.error_message ?? "See the failed rows below; the next sync tries them again."}</p>
        </Alert>
      )}
      {zeroAmountOpen(run.summary) > 0 && (
        <Alert tone="info" title="Documents without an amount">
          <p>
            DevPos lists {zeroAmountOpen(run.summary)} document(s) of this company with amount 0. They are not created in QuickBooks and are read
            again on every sync until DevPos gives their amount, or a person confirms they are really 0.
          </p>
        </Alert>
      )}
      {run.status === "skipped" && (
        <Alert tone="info" title={run.error_code === "merged" ? "This slot joined a queued run" : "This slot was skipped"}>
          <p>{run.error_message ?? "Another sync of this company was still running."}</p>
        </Alert>
      )}
      <div className="grid-3 run-facts">
        <div className="stat">
          <div className="stat-value" data-testid="run-total">
            {total.toLocaleString("en")}
          </div>
          <div className="stat-label">{total === 1 ? "document" : "documents"} handled</div>
        </div>
        <div className="stat">
          <div className="stat-value">{formatDuration(run.started_at, run.finished_at)}</div>
          <div className="stat-label">{active ? "running for" : "took"}</div>
        </div>
        <div className="stat">
          <div className="stat-value small">{formatDateTime(run.started_at ?? run.created_at)}</div>
          <div className="stat-label">
            started by {TRIGGER_WORDS[run.trigger] ?? run.trigger}
            {run.attempt > 1 ? ` · attempt ${run.attempt} of ${run.max_attempts}` : ""}
          </div>
        </div>
      </div>
      {active && (
        <div className="progress progress-indeterminate" role="progressbar" aria-label="Sync in progress">
          <div className="progress-bar" />
        </div>
      )}
      <Card title="Summary" className="mt">
        {total === 0 && !active ? <p className="muted">No document needed syncing in this date range.</p> : <RunCounts counts={run.item_counts} />}
        <SummaryTable summary={run.summary} />
      </Card>
      <RunItemsCard run={run} environment={qbo.data?.environment ?? null} />
      <RunLogCard run={run} />
    </>
  );
}

function RunItemsCard({ run, environment }: { run: SyncRunDetail; environment: string | null }) {
  const [action, setAction] = useState("");
  const active = isActiveRun(run.status);
  const items = useInfiniteQuery({
    queryKey: ["run", run.id, "items", action],
    queryFn: ({ pageParam }) => api.get<Page<RunItem>>(paths.runItems(run.id) + query({ action, cursor: pageParam, limit: 100 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: active ? 2000 : false,
  });
  const rows = items.data?.pages.flatMap((p) => p.items) ?? [];
  const actions = Object.keys(run.item_counts);
  return (
    <Card title="Documents" className="mt" actions={<span className="muted small">{plural(Object.values(run.item_counts).reduce((a, b) => a + b, 0), "document")}</span>}>
      {actions.length > 1 && (
        <div className="filters">
          <SelectField
            label="Show"
            value={action}
            onChange={(e) => setAction(e.target.value)}
            options={[{ value: "", label: "All documents" }, ...actions.map((a) => ({ value: a, label: `${ACTION_LABEL[a] ?? a} (${run.item_counts[a]})` }))]}
          />
        </div>
      )}
      {items.isPending && <Loading />}
      {items.error && <ErrorMessage error={items.error} />}
      {items.isSuccess && rows.length === 0 && <EmptyState title={active ? "No document handled yet" : "No documents in this sync"} />}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table run-items">
            <caption className="visually-hidden">Documents of sync {run.id}</caption>
            <thead>
              <tr>
                <th scope="col">Result</th>
                <th scope="col">DevPos number</th>
                <th scope="col">QuickBooks</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Currency</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => {
                const url = qboDocumentUrl(i.qbo_type, i.qbo_id, environment);
                return (
                  <tr key={i.id} data-action={i.action}>
                    <td data-label="Result">
                      <span className={`badge badge-${i.action === "failed" ? "bad" : i.action === "created" || i.action === "updated" ? "ok" : "neutral"}`}>{ACTION_LABEL[i.action] ?? i.action}</span>
                    </td>
                    <td data-label="DevPos number">
                      <div>{i.doc_number ?? "—"}</div>
                      <div className="cell-sub mono" title="EIC">
                        {i.source_key.length > 16 ? `${i.source_key.slice(0, 8)}…${i.source_key.slice(-6)}` : i.source_key}
                      </div>
                    </td>
                    <td data-label="QuickBooks">
                      {url ? (
                        <a href={url} target="_blank" rel="noreferrer">
                          {i.qbo_type} {i.qbo_id}
                          <span className="visually-hidden"> (opens QuickBooks in a new tab)</span>
                        </a>
                      ) : i.qbo_id ? (
                        `${i.qbo_type ?? ""} ${i.qbo_id}`
                      ) : (
                        "—"
                      )}
                    </td>
                    <td data-label="Amount" className="num">
                      {formatMoney(i.amount_minor, null)}
                    </td>
                    <td data-label="Currency">{i.currency ?? "—"}</td>
                    <td data-label="Message">{i.message ?? ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(items.hasNextPage)} loading={items.isFetchingNextPage} onClick={() => void items.fetchNextPage()} />
        </div>
      )}
    </Card>
  );
}

/** The run log, followed live with `after` while the run is active. */
function RunLogCard({ run }: { run: SyncRunDetail }) {
  const [events, setEvents] = useState<RunEvent[]>([]);
  const lastId = useRef(0);
  const active = isActiveRun(run.status);
  const [level, setLevel] = useState("");
  const poll = useQuery({
    queryKey: ["run", run.id, "events"],
    queryFn: async () => {
      const page = await api.get<RunEvents>(paths.runEvents(run.id) + query({ after: lastId.current, limit: 500 }));
      if (page.items.length > 0) {
        lastId.current = page.last_id;
        setEvents((list) => [...list, ...page.items.filter((e) => !list.some((x) => x.id === e.id))]);
      }
      return page.last_id;
    },
    refetchInterval: active ? 1500 : false,
  });
  // One more read after the run ends, for the final lines.
  useEffect(() => {
    if (!active) void poll.refetch();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);
  const shown = level ? events.filter((e) => (level === "problems" ? e.level === "warn" || e.level === "error" : true)) : events;
  return (
    <Card
      title="Run log"
      className="mt"
      actions={
        <SelectField
          label="Show lines"
          className="inline-field"
          value={level}
          onChange={(e) => setLevel(e.target.value)}
          options={[
            { value: "", label: "Everything" },
            { value: "problems", label: "Warnings and errors" },
          ]}
        />
      }
    >
      {poll.error && <ErrorMessage error={poll.error} />}
      {shown.length === 0 ? (
        <p className="muted">{poll.isPending ? "Loading…" : "No log lines yet."}</p>
      ) : (
        <ol className="log" aria-label="Run log" aria-live={active ? "polite" : undefined}>
          {shown.map((e) => (
            <li key={e.id} className={`lvl-${e.level}`}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString("en-GB")}</time>
              {e.level !== "info" && <strong>{e.level.toUpperCase()} </strong>}
              {e.message}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

interface KindSummary {
  total?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  skipped?: number;
  failed?: number;
  attention?: number;
  voided?: number;
}

const SUMMARY_COLUMNS: [keyof KindSummary, string][] = [
  ["total", "Found in DevPos"],
  ["created", "Created"],
  ["updated", "Updated"],
  ["unchanged", "Unchanged"],
  ["voided", "Voided"],
  ["skipped", "Skipped"],
  ["attention", "Needs attention"],
  ["failed", "Failed"],
];

/** The engine's summary by kind (sales → invoices, purchases → bills), in words. */
function SummaryTable({ summary }: { summary: SyncRunDetail["summary"] }) {
  if (!summary) return null;
  const kinds = ([
    ["sales", "Sales → invoices"],
    ["bills", "Purchases → bills"],
  ] as const).filter(([k]) => typeof summary[k] === "object" && summary[k] !== null && ((summary[k] as KindSummary).total ?? 0) > 0);
  const warnings = typeof summary.warnings === "number" ? summary.warnings : 0;
  const duration = typeof summary.durationMs === "number" ? summary.durationMs : null;
  return (
    <>
      {kinds.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table summary-table">
            <caption className="visually-hidden">Documents by kind and result</caption>
            <thead>
              <tr>
                <th scope="col">Documents</th>
                {SUMMARY_COLUMNS.map(([, label]) => (
                  <th key={label} scope="col" className="num">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {kinds.map(([k, label]) => {
                const row = summary[k] as KindSummary;
                return (
                  <tr key={k}>
                    <th scope="row" data-label="Documents">
                      {label}
                    </th>
                    {SUMMARY_COLUMNS.map(([key, colLabel]) => (
                      <td key={key} className="num" data-label={colLabel}>
                        {(row[key] ?? 0).toLocaleString("en")}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small" style={{ marginTop: "0.6rem" }}>
        {warnings > 0 ? `${plural(warnings, "warning")} in the run log. ` : "No warnings. "}
        {duration !== null ? `The sync itself took ${(duration / 1000).toFixed(1)} s.` : ""}
      </p>
    </>
  );
}

/** Open zero-amount documents of the company after this run (summary.zeroAmount, src/sync/summary.ts). */
function zeroAmountOpen(summary: Record<string, unknown> | null): number {
  const zero = summary?.zeroAmount as { open?: unknown } | undefined;
  return typeof zero?.open === "number" ? zero.open : 0;
}
