import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, query } from "../api/client";
import { paths } from "../api/paths";
import { keys } from "../api/queries";
import type { Company, Page, SyncRun } from "../api/types";
import { Dialog } from "../components/dialog";
import { DevposBadge, QboBadge, RunStatusBadge, needsAttention } from "../components/status";
import { useToast } from "../components/toasts";
import { Button, EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, TextField } from "../components/ui";
import { RunNowForm } from "../features/run-now";
import { useIsAdmin } from "../lib/auth";
import { formatDateTime, formatRelative, JOB_TYPE_LABEL } from "../lib/format";
import { Link, useRouter, useSearchParam } from "../lib/router";
import { useDebounced } from "../lib/use-debounced";

export function CompaniesPage() {
  const isAdmin = useIsAdmin();
  const [search, setSearch] = useSearchParam("q");
  const [typed, setTyped] = useState(search);
  const debounced = useDebounced(typed.trim(), 250);
  useEffect(() => {
    if (debounced !== search) setSearch(debounced);
  }, [debounced, search, setSearch]);
  const [adding, setAdding] = useState(false);
  const [runFor, setRunFor] = useState<Company | null>(null);

  const list = useInfiniteQuery({
    queryKey: [...keys.companies, { search: debounced }],
    queryFn: ({ pageParam }) => api.get<Page<Company>>(paths.companies + query({ search: debounced, cursor: pageParam, limit: 50 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Health changes as runs finish: keep the overview current without a reload.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((c) => c.health.last_run && ["queued", "running"].includes(c.health.last_run.status))) ? 3000 : 30_000),
  });
  const companies = list.data?.pages.flatMap((p) => p.items) ?? [];
  const attention = companies.filter((c) => needsAttention(c.health)).length;

  return (
    <>
      <PageHeader
        title="Companies"
        subtitle={
          list.isSuccess && companies.length > 0
            ? attention > 0
              ? `${attention} of ${companies.length} ${companies.length === 1 ? "company needs" : "companies need"} attention`
              : "Everything looks healthy"
            : undefined
        }
        actions={
          isAdmin && (
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add company
            </Button>
          )
        }
      />
      <div className="filters">
        <TextField
          className="field-grow"
          label="Search companies"
          type="search"
          placeholder="Name or NUIS"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
      </div>
      {list.isPending && <Loading label="Loading companies…" />}
      {list.error && <ErrorMessage error={list.error} title="The companies could not be loaded" onRetry={() => void list.refetch()} />}
      {list.isSuccess && companies.length === 0 && (
        <div className="card">
          {debounced ? (
            <EmptyState title={`No company matches “${debounced}”`}>
              <p>Check the spelling, or search by the NUIS (for example K12345678A).</p>
            </EmptyState>
          ) : (
            <EmptyState
              title="No companies yet"
              action={
                isAdmin && (
                  <Button variant="primary" onClick={() => setAdding(true)}>
                    Add your first company
                  </Button>
                )
              }
            >
              <p>{isAdmin ? "Add a client company, connect DevPos and QuickBooks, and set a schedule." : "No company has been shared with you yet. Ask an administrator for access."}</p>
            </EmptyState>
          )}
        </div>
      )}
      {companies.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">Companies and their sync health</caption>
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">DevPos</th>
                <th scope="col">QuickBooks</th>
                <th scope="col">Last sync</th>
                <th scope="col">Next sync</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {companies.map((c) => (
                <CompanyRow key={c.id} company={c} onRun={() => setRunFor(c)} />
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </div>
      )}
      <AddCompanyDialog open={adding} onClose={() => setAdding(false)} />
      <QuickRunDialog company={runFor} onClose={() => setRunFor(null)} />
    </>
  );
}

function CompanyRow({ company: c, onRun }: { company: Company; onRun: () => void }) {
  const h = c.health;
  const attention = needsAttention(h);
  return (
    <tr data-company-id={c.id} className={attention ? "needs-attention" : undefined}>
      <td data-label="Company">
        <Link to={`/companies/${c.id}`} className="cell-title">
          {c.name}
        </Link>
        <div className="cell-sub">
          {c.code}
          {!c.active && " · inactive"}
        </div>
      </td>
      <td data-label="DevPos">
        <DevposBadge status={h.devpos.status} lastError={h.devpos.last_error} />
      </td>
      <td data-label="QuickBooks">
        <QboBadge status={h.qbo.status} nearHardExpiry={h.qbo.near_hard_expiry} hardExpiresAt={h.qbo.refresh_hard_expires_at} />
      </td>
      <td data-label="Last sync">
        {h.last_run ? (
          <div>
            <Link to={`/runs/${h.last_run.id}`} aria-label={`Sync ${h.last_run.id}`}>
              <RunStatusBadge status={h.last_run.status} />
            </Link>
            <div className="cell-sub" title={formatDateTime(h.last_run.finished_at ?? h.last_run.created_at)}>
              {JOB_TYPE_LABEL[h.last_run.job_type]} · {formatRelative(h.last_run.finished_at ?? h.last_run.created_at)}
            </div>
          </div>
        ) : (
          <span className="muted">Never synced</span>
        )}
      </td>
      <td data-label="Next sync">
        <span title={h.next_run_at ? formatDateTime(h.next_run_at) : undefined}>{h.next_run_text.replace(/^Next sync: /, "")}</span>
      </td>
      <td data-label="Actions" className="nowrap">
        {c.permissions.run && (
          <Button size="small" onClick={onRun} aria-label={`Run now for ${c.name}`}>
            Run now
          </Button>
        )}
      </td>
    </tr>
  );
}

function QuickRunDialog({ company, onClose }: { company: Company | null; onClose: () => void }) {
  const { navigate } = useRouter();
  const toast = useToast();
  return (
    <Dialog open={company !== null} title={company ? `Run a sync now for ${company.name}` : "Run now"} onClose={onClose}>
      {company && (
        <>
          <RunNowForm
            companyId={company.id}
            compact
            onStarted={(run: SyncRun) => {
              toast(`Sync ${run.id} started for ${company.name}.`);
              onClose();
              navigate(`/runs/${run.id}`);
            }}
          />
          <div className="dialog-footer">
            <Button onClick={onClose}>Cancel</Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

function AddCompanyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { navigate } = useRouter();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [timezone, setTimezone] = useState("Europe/Tirane");
  const create = useMutation({
    mutationFn: () => api.post<Company>(paths.companies, { code, name, timezone }),
    onSuccess: (company) => {
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      setCode("");
      setName("");
      onClose();
      navigate(`/companies/${company.id}/connections`);
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Dialog open={open} title="Add a company" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField label="Company name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required autoFocus />
        <TextField label="NUIS" hint="The tax number: a letter, 8 digits and a letter, e.g. K12345678A." value={code} onChange={(e) => setCode(e.target.value)} error={fields.code} required />
        <TextField label="Time zone" hint="Schedules run at wall-clock times in this zone." value={timezone} onChange={(e) => setTimezone(e.target.value)} error={fields.timezone} list="timezones" />
        {create.error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={create.error} />}
        <div className="dialog-footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add company
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
