import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, query } from "../../api/client";
import { paths } from "../../api/paths";
import type { Company, CompanyStats } from "../../api/types";
import { Card, EmptyState, ErrorMessage, Loading, Segmented } from "../../components/ui";
import { runStatusLabel } from "../../lib/format";
import { OutcomeBars, StackedBarChart } from "./bar-chart";

const STATUS_COLORS: Record<string, string> = {
  succeeded: "#1d7a46",
  partial: "#d49a1a",
  failed: "#b42318",
  skipped: "#8a948e",
  cancelled: "#b9beb6",
  running: "#2458a6",
  queued: "#7d9bd1",
};

/** Documents synced per day (sales and purchases) and how runs ended, over 30 or 90 days. */
export function ChartsPanel({ company }: { company: Company }) {
  const [days, setDays] = useState<"30" | "90">("30");
  const stats = useQuery({
    queryKey: ["company", company.id, "stats", days],
    queryFn: () => api.get<CompanyStats>(paths.companyStats(company.id) + query({ days })),
  });
  return (
    <div className="stack">
      <Segmented
        legend="Period"
        name="period"
        value={days}
        onChange={setDays}
        options={[
          { value: "30", label: "Last 30 days" },
          { value: "90", label: "Last 90 days" },
        ]}
      />
      {stats.isPending && <Loading label="Loading charts…" />}
      {stats.error && <ErrorMessage error={stats.error} onRetry={() => void stats.refetch()} />}
      {stats.data && <Charts stats={stats.data} />}
    </div>
  );
}

function Charts({ stats }: { stats: CompanyStats }) {
  const dayList = enumerateDays(stats.from, stats.to);
  const values: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const d of stats.documents_per_day) {
    (values[d.date] ??= {})[d.kind] = (values[d.date]?.[d.kind] ?? 0) + d.count;
    total += d.count;
  }
  const outcomes = Object.entries(stats.runs_by_status)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => ({ label: runStatusLabel(status as never), value: n, color: STATUS_COLORS[status] ?? "#8a948e" }));
  return (
    <div className="grid-2 charts">
      <Card title="Documents synced per day">
        <p className="card-sub">
          {total.toLocaleString("en")} documents from {stats.from} to {stats.to}
        </p>
        {total === 0 ? (
          <EmptyState title="Nothing synced in this period" />
        ) : (
          <StackedBarChart
            title="Documents synced per day"
            days={dayList}
            series={[
              { key: "sale", label: "Sales", color: "#1f6f5c" },
              { key: "purchase", label: "Purchases", color: "#7fb7a4" },
            ]}
            values={values}
          />
        )}
      </Card>
      <Card title="How syncs ended">
        {outcomes.length === 0 ? <EmptyState title="No sync ran in this period" /> : <OutcomeBars title="Syncs by result" rows={outcomes} />}
      </Card>
    </div>
  );
}

function enumerateDays(from: string, to: string): string[] {
  const out: string[] = [];
  const start = new Date(`${from}T12:00:00Z`);
  const end = new Date(`${to}T12:00:00Z`);
  for (let d = start; d <= end && out.length < 400; d = new Date(d.getTime() + 86_400_000)) out.push(d.toISOString().slice(0, 10));
  return out;
}
