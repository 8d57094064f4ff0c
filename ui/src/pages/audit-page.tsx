import { useInfiniteQuery } from "@tanstack/react-query";
import { api, query } from "../api/client";
import { paths } from "../api/paths";
import type { AuditEntry, Page } from "../api/types";
import { useAllCompanies } from "../api/use-all-companies";
import { EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { Link, useSearchParam } from "../lib/router";

const ACTION_WORDS: Record<string, string> = {
  "auth.login": "Logged in",
  "auth.login_failed": "Failed login",
  "auth.logout": "Logged out",
  "user.create": "Created a user",
  "user.update": "Changed a user",
  "user.delete": "Deleted a user",
  "user.grant": "Granted company access",
  "user.revoke": "Removed company access",
  "company.create": "Added a company",
  "company.update": "Changed company settings",
  "company.delete": "Deleted a company",
  "devpos.credentials_set": "Set the DevPos login",
  "devpos.credentials_delete": "Removed the DevPos login",
  "devpos.test": "Tested the DevPos login",
  "qbo.connect_start": "Started connecting QuickBooks",
  "qbo.connect": "Connected QuickBooks",
  "qbo.disconnect": "Disconnected QuickBooks",
  "schedule.create": "Added a schedule",
  "schedule.update": "Changed a schedule",
  "schedule.delete": "Deleted a schedule",
  "schedule.enable": "Turned a schedule on",
  "schedule.disable": "Turned a schedule off",
  "run.manual": "Started a sync",
  "run.cancel": "Cancelled a sync",
  "api_key.create": "Created an API key",
  "api_key.revoke": "Revoked an API key",
};

export function AuditPage() {
  const [action, setAction] = useSearchParam("action");
  const [companyId, setCompanyId] = useSearchParam("company_id");
  const [from, setFrom] = useSearchParam("from");
  const [to, setTo] = useSearchParam("to");
  const companies = useAllCompanies();
  const names = new Map((companies.data ?? []).map((c) => [c.id, c.name]));
  const params = { action, company_id: companyId, from: from ? new Date(`${from}T00:00:00`).toISOString() : "", to: to ? new Date(`${to}T23:59:59.999`).toISOString() : "" };
  const log = useInfiniteQuery({
    queryKey: ["audit", params],
    queryFn: ({ pageParam }) => api.get<Page<AuditEntry>>(paths.audit + query({ ...params, cursor: pageParam, limit: 100 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader title="Audit log" subtitle="Every sensitive action: logins, connections, schedules, syncs, users and keys." />
      <div className="filters" role="search" aria-label="Filter the audit log">
        <SelectField
          label="Action"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          options={[
            { value: "", label: "Everything" },
            { value: "auth.", label: "Logins and logouts" },
            { value: "auth.login_failed", label: "Failed logins" },
            { value: "schedule.", label: "Schedules" },
            { value: "run.", label: "Syncs started or cancelled" },
            { value: "devpos.", label: "DevPos logins" },
            { value: "qbo.", label: "QuickBooks connections" },
            { value: "company.", label: "Companies" },
            { value: "user.", label: "Users and access" },
            { value: "api_key.", label: "API keys" },
          ]}
        />
        <SelectField
          label="Company"
          value={companyId}
          onChange={(e) => setCompanyId(e.target.value)}
          options={[{ value: "", label: "All companies" }, ...(companies.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))]}
        />
        <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      {log.isPending && <Loading />}
      {log.error && <ErrorMessage error={log.error} onRetry={() => void log.refetch()} />}
      {log.isSuccess && rows.length === 0 && (
        <div className="card">
          <EmptyState title="Nothing recorded for these filters" />
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">Audit log</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Company</th>
                <th scope="col">Details</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td data-label="When" className="nowrap">
                    {formatDateTime(e.at)}
                  </td>
                  <td data-label="Who">{e.actor_label}</td>
                  <td data-label="What">
                    {ACTION_WORDS[e.action] ?? e.action}
                    {e.target_type === "run" && e.target_id && (
                      <>
                        {" "}
                        <Link to={`/runs/${e.target_id}`}>#{e.target_id}</Link>
                      </>
                    )}
                  </td>
                  <td data-label="Company">{e.company_id ? <Link to={`/companies/${e.company_id}`}>{names.get(e.company_id) ?? `#${e.company_id}`}</Link> : "—"}</td>
                  <td data-label="Details" className="small">
                    {describeDetails(e.details)}
                  </td>
                  <td data-label="From" className="mono small">
                    {e.ip ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(log.hasNextPage)} loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()} />
        </div>
      )}
    </>
  );
}

function describeDetails(details: Record<string, unknown> | null): string {
  if (!details) return "";
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}
