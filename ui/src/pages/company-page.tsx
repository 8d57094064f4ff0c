import { useState } from "react";
import { useCompany } from "../api/queries";
import type { SyncRun } from "../api/types";
import { DevposBadge, QboBadge } from "../components/status";
import { Card, ErrorMessage, Loading, PageHeader } from "../components/ui";
import { ChartsPanel } from "../features/charts/charts-panel";
import { ConnectionsPanel } from "../features/connections/connections-panel";
import { DocumentsBrowser } from "../features/documents-browser";
import { RunNowForm, RunProgress } from "../features/run-now";
import { RunsTable } from "../features/runs-table";
import { SchedulesCard } from "../features/schedules/schedules-card";
import { SettingsPanel } from "../features/settings-panel";
import { Link } from "../lib/router";
import { NotFoundPage } from "./not-found-page";
import { ApiError } from "../api/client";

const TABS = [
  { id: "syncs", label: "Syncs" },
  { id: "connections", label: "Connections" },
  { id: "settings", label: "Settings" },
  { id: "runs", label: "History" },
  { id: "documents", label: "Documents" },
  { id: "charts", label: "Charts" },
] as const;

export function CompanyPage({ companyId, tab }: { companyId: number; tab: string }) {
  const company = useCompany(companyId);
  const [runId, setRunId] = useState<number | null>(null);
  if (company.isPending) return <Loading label="Loading the company…" />;
  if (company.error) {
    if (company.error instanceof ApiError && company.error.status === 404) return <NotFoundPage />;
    return <ErrorMessage error={company.error} title="The company could not be loaded" onRetry={() => void company.refetch()} />;
  }
  const c = company.data;
  const current = TABS.some((t) => t.id === tab) ? tab : "syncs";
  return (
    <>
      <PageHeader
        back={<Link to="/">← All companies</Link>}
        title={c.name}
        subtitle={
          <span className="row">
            <span>NUIS {c.code}</span>
            <DevposBadge status={c.health.devpos.status} lastError={c.health.devpos.last_error} />
            <QboBadge status={c.health.qbo.status} nearHardExpiry={c.health.qbo.near_hard_expiry} hardExpiresAt={c.health.qbo.refresh_hard_expires_at} />
          </span>
        }
      />
      <nav className="tabs" aria-label="Company sections">
        {TABS.map((t) => (
          <Link key={t.id} to={`/companies/${c.id}${t.id === "syncs" ? "" : `/${t.id}`}`} aria-current={current === t.id ? "page" : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {current === "syncs" && (
        <div className="grid-2">
          <SchedulesCard company={c} canManage={c.permissions.manage_schedules} />
          <div className="stack">
            <Card title="Run now">
              {(c.health.qbo.reconnect_needed || c.health.qbo.status !== "connected") && (
                <div className="alert alert-warn">
                  <p>
                    QuickBooks is {c.health.qbo.reconnect_needed ? "asking to be connected again" : "not connected"}; a sync cannot send documents until it is.{" "}
                    <Link to={`/companies/${c.id}/connections`}>Go to Connections</Link>
                  </p>
                </div>
              )}
              {c.permissions.run ? (
                runId === null ? (
                  <RunNowForm companyId={c.id} onStarted={(run: SyncRun) => setRunId(run.id)} />
                ) : (
                  <RunProgress runId={runId} onDismiss={() => setRunId(null)} />
                )
              ) : (
                <p className="muted">You may view this company but not start syncs. Ask an administrator if you need to.</p>
              )}
            </Card>
            <Card title="Recent syncs" actions={<Link to={`/companies/${c.id}/runs`}>All history</Link>}>
              <RunsTable companyId={c.id} limit={5} compact />
            </Card>
          </div>
        </div>
      )}
      {current === "connections" && <ConnectionsPanel company={c} />}
      {current === "settings" && <SettingsPanel company={c} />}
      {current === "runs" && <RunsTable companyId={c.id} filters />}
      {current === "documents" && <DocumentsBrowser company={c} />}
      {current === "charts" && <ChartsPanel company={c} />}
    </>
  );
}
