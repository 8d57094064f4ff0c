import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { paths } from "./paths";
import type { Company, DevposCredentialsStatus, QboConnectionStatus, Schedule, SyncRunDetail } from "./types";
import { isActiveRun } from "../lib/format";

/** Query keys, shared so a change in one place refreshes every view that shows it. */
export const keys = {
  companies: ["companies"] as const,
  company: (id: number) => ["company", id] as const,
  companySchedules: (id: number) => ["company", id, "schedules"] as const,
  devpos: (id: number) => ["company", id, "devpos"] as const,
  qbo: (id: number) => ["company", id, "qbo"] as const,
  schedules: ["schedules"] as const,
  runs: ["runs"] as const,
  run: (id: number) => ["run", id] as const,
};

export function useCompany(id: number) {
  return useQuery({ queryKey: keys.company(id), queryFn: () => api.get<Company>(paths.company(id)) });
}

export function useCompanySchedules(id: number) {
  return useQuery({
    queryKey: keys.companySchedules(id),
    queryFn: () => api.get<{ items: Schedule[] }>(paths.companySchedules(id)).then((r) => r.items),
    // The next-run line is relative ("Today at…"): refresh it now and then.
    refetchInterval: 60_000,
  });
}

export function useDevpos(id: number) {
  return useQuery({ queryKey: keys.devpos(id), queryFn: () => api.get<DevposCredentialsStatus>(paths.devpos(id)) });
}

export function useQbo(id: number) {
  return useQuery({ queryKey: keys.qbo(id), queryFn: () => api.get<QboConnectionStatus>(paths.qbo(id)) });
}

/** One run, polled every second while it is queued or running. */
export function useRun(id: number | null) {
  return useQuery({
    queryKey: keys.run(id ?? 0),
    queryFn: () => api.get<SyncRunDetail>(paths.run(id!)),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data && !isActiveRun(query.state.data.status) ? false : 1000),
  });
}

/** The address of a document in QuickBooks Online (sandbox companies live on their own host). */
export function qboDocumentUrl(qboType: string | null, qboId: string | null, environment: string | null | undefined): string | null {
  if (!qboType || !qboId) return null;
  const host = environment === "production" ? "https://app.qbo.intuit.com" : "https://app.sandbox.qbo.intuit.com";
  const page = qboType.toLowerCase() === "bill" ? "bill" : qboType.toLowerCase() === "invoice" ? "invoice" : null;
  if (!page) return null;
  return `${host}/app/${page}?txnId=${encodeURIComponent(qboId)}`;
}
