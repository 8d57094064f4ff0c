import { useInfiniteQuery } from "@tanstack/react-query";
import { api, query } from "../api/client";
import { paths } from "../api/paths";
import { keys } from "../api/queries";
import type { Page, Schedule } from "../api/types";
import { RunStatusBadge } from "../components/status";
import { Badge, EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, SelectField } from "../components/ui";
import { describeRange, describeWhen } from "../features/schedules/schedule-format";
import { formatDateTime, formatRelative, JOB_TYPE_LABEL } from "../lib/format";
import { Link, useSearchParam } from "../lib/router";

/** Monitoring: every schedule the user may see, with company, job, timing, state, last and next run. */
export function SchedulesPage() {
  const [state, setState] = useSearchParam("state");
  const filter = state === "on" ? { enabled: true } : state === "off" ? { enabled: false } : state === "paused" ? { paused: true } : {};
  const list = useInfiniteQuery({
    queryKey: [...keys.schedules, filter],
    queryFn: ({ pageParam }) => api.get<Page<Schedule>>(paths.schedules + query({ ...filter, cursor: pageParam, limit: 100 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 60_000,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader title="Schedules" subtitle="All scheduled syncs, by company. Change a schedule on its company's page." />
      <div className="filters">
        <SelectField
          label="Show"
          value={state}
          onChange={(e) => setState(e.target.value)}
          options={[
            { value: "", label: "All schedules" },
            { value: "on", label: "Enabled" },
            { value: "off", label: "Disabled" },
            { value: "paused", label: "Paused (needs attention)" },
          ]}
        />
      </div>
      {list.isPending && <Loading label="Loading schedules…" />}
      {list.error && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess && rows.length === 0 && (
        <div className="card">
          <EmptyState title={state ? "No schedule in this view" : "No schedules yet"}>
            <p>Open a company and use its Scheduled Syncs card to add one.</p>
          </EmptyState>
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">Schedules</caption>
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Job</th>
                <th scope="col">When</th>
                <th scope="col">State</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td data-label="Company">
                    <Link to={`/companies/${s.company_id}`} className="cell-title">
                      {s.company_name}
                    </Link>
                  </td>
                  <td data-label="Job">
                    {JOB_TYPE_LABEL[s.job_type]}
                    <div className="cell-sub">{describeRange(s.date_range_days)}</div>
                  </td>
                  <td data-label="When">
                    {describeWhen(s)}
                    <div className="cell-sub">{s.effective_timezone}</div>
                  </td>
                  <td data-label="State">
                    {s.paused_reason ? <Badge tone="warn">Paused</Badge> : s.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="neutral">Disabled</Badge>}
                  </td>
                  <td data-label="Last run" title={formatDateTime(s.last_run_at)}>
                    {s.last_run_at ? (
                      <>
                        {s.last_status && <RunStatusBadge status={s.last_status as never} />} <span className="cell-sub">{formatRelative(s.last_run_at)}</span>
                      </>
                    ) : (
                      <span className="muted">Not yet</span>
                    )}
                  </td>
                  <td data-label="Next run" title={s.next_run_local ?? undefined}>
                    {s.next_run_text.replace(/^Next sync: /, "")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </div>
      )}
    </>
  );
}
