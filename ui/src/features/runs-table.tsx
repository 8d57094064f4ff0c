import { useInfiniteQuery } from "@tanstack/react-query";
import { api, query } from "../api/client";
import { paths } from "../api/paths";
import { keys } from "../api/queries";
import type { Page, SyncRun } from "../api/types";
import { RunStatusBadge } from "../components/status";
import { EmptyState, ErrorMessage, LoadMore, Loading, SelectField, TextField } from "../components/ui";
import { formatDateTime, formatDuration, formatRelative, isActiveRun, JOB_TYPE_LABEL } from "../lib/format";
import { Link, useSearchParam } from "../lib/router";

const TRIGGER_LABEL: Record<string, string> = { schedule: "Schedule", manual: "Run now", api: "API", catchup: "Catch-up" };

/** Run history with filters kept in the address; used on the Runs page and a company's History tab. */
export function RunsTable({ companyId, limit = 50, compact = false, filters = false }: { companyId?: number; limit?: number; compact?: boolean; filters?: boolean }) {
  const [status, setStatus] = useSearchParam("status");
  const [jobType, setJobType] = useSearchParam("job_type");
  const [trigger, setTrigger] = useSearchParam("trigger");
  const [from, setFrom] = useSearchParam("from");
  const [to, setTo] = useSearchParam("to");
  const params = filters ? { status, job_type: jobType, trigger, from, to: to ? `${to}T23:59:59.999Z` : "" } : {};
  const base = companyId !== undefined ? paths.companyRuns(companyId) : paths.runs;
  const runs = useInfiniteQuery({
    queryKey: [...keys.runs, { companyId, limit, ...params }],
    queryFn: ({ pageParam }) => api.get<Page<SyncRun>>(base + query({ ...params, limit, cursor: pageParam })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (compact ? undefined : (last.next_cursor ?? undefined)),
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((r) => isActiveRun(r.status))) ? 2000 : 30_000),
  });
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(status || jobType || trigger || from || to);
  return (
    <>
      {filters && (
        <div className="filters" role="search" aria-label="Filter syncs">
          <SelectField
            label="Result"
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            options={[
              { value: "", label: "Any result" },
              { value: "failed,partial", label: "Failed or partly failed" },
              { value: "succeeded", label: "Succeeded" },
              { value: "failed", label: "Failed" },
              { value: "partial", label: "Partly failed" },
              { value: "queued,running", label: "Queued or running" },
              { value: "skipped", label: "Skipped" },
              { value: "cancelled", label: "Cancelled" },
            ]}
          />
          <SelectField
            label="Job type"
            value={jobType}
            onChange={(e) => setJobType(e.target.value)}
            options={[
              { value: "", label: "Any" },
              { value: "sales", label: "Sales" },
              { value: "bills", label: "Bills" },
              { value: "full", label: "Full" },
            ]}
          />
          <SelectField
            label="Started by"
            value={trigger}
            onChange={(e) => setTrigger(e.target.value)}
            options={[
              { value: "", label: "Anyone" },
              { value: "schedule,catchup", label: "Schedule" },
              { value: "manual", label: "Run now" },
              { value: "api", label: "API" },
            ]}
          />
          <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      )}
      {runs.isPending && <Loading label="Loading syncs…" />}
      {runs.error && <ErrorMessage error={runs.error} title="The sync history could not be loaded" onRetry={() => void runs.refetch()} />}
      {runs.isSuccess && items.length === 0 && (
        <EmptyState title={filtered ? "No sync matches these filters" : "No syncs yet"}>
          <p>{filtered ? "Try a wider date range or another result." : "Syncs appear here as soon as one runs, from a schedule or from “Run now”."}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className={compact ? "" : "table-wrap"}>
          <table className="responsive-table runs-table">
            <caption className="visually-hidden">Sync history</caption>
            <thead>
              <tr>
                <th scope="col">Sync</th>
                {companyId === undefined && <th scope="col">Company</th>}
                <th scope="col">Result</th>
                {!compact && <th scope="col">Documents dated</th>}
                {!compact && <th scope="col">Started by</th>}
                <th scope="col">When</th>
                {!compact && <th scope="col">Took</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-run-id={r.id}>
                  <td data-label="Sync">
                    <Link to={`/runs/${r.id}`} className="cell-title">
                      #{r.id} {JOB_TYPE_LABEL[r.job_type]}
                    </Link>
                  </td>
                  {companyId === undefined && (
                    <td data-label="Company">
                      <Link to={`/companies/${r.company_id}`}>{r.company_name ?? `Company ${r.company_id}`}</Link>
                    </td>
                  )}
                  <td data-label="Result">
                    <RunStatusBadge status={r.status} />
                    {r.error_message && !compact && <div className="cell-sub">{r.error_message}</div>}
                  </td>
                  {!compact && (
                    <td data-label="Documents dated" className="nowrap">
                      {r.window_from} – {r.window_to}
                    </td>
                  )}
                  {!compact && <td data-label="Started by">{TRIGGER_LABEL[r.trigger] ?? r.trigger}</td>}
                  <td data-label="When" title={formatDateTime(r.created_at)}>
                    {formatRelative(r.started_at ?? r.created_at)}
                  </td>
                  {!compact && <td data-label="Took">{formatDuration(r.started_at, r.finished_at)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(runs.hasNextPage)} loading={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()} />
        </div>
      )}
    </>
  );
}
