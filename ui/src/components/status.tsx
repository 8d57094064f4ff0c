import type { CompanyHealth, DevposStatus, QboStatus, RunStatus } from "../api/types";
import { formatDate, formatDateTime, runStatusLabel, runStatusTone } from "../lib/format";
import { Badge } from "./ui";

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <Badge tone={runStatusTone(status)}>{runStatusLabel(status)}</Badge>;
}

export function DevposBadge({ status, lastError }: { status: DevposStatus; lastError?: string | null }) {
  switch (status) {
    case "ok":
      return <Badge tone="ok">DevPos working</Badge>;
    case "failing":
      return (
        <Badge tone="bad" title={lastError ?? undefined}>
          DevPos login failing
        </Badge>
      );
    case "untested":
      return <Badge tone="neutral">DevPos not tested yet</Badge>;
    default:
      return <Badge tone="neutral">DevPos not set up</Badge>;
  }
}

export function QboBadge({ status, nearHardExpiry, hardExpiresAt }: { status: QboStatus; nearHardExpiry: boolean; hardExpiresAt: string | null }) {
  if (status === "reauth_required") return <Badge tone="bad">Reconnect QuickBooks</Badge>;
  if (status === "connected" && nearHardExpiry) {
    return (
      <Badge tone="warn" title={`The QuickBooks grant ends ${formatDateTime(hardExpiresAt)}`}>
        Reconnect before {formatDate(hardExpiresAt)}
      </Badge>
    );
  }
  if (status === "connected") return <Badge tone="ok">QuickBooks connected</Badge>;
  if (status === "disconnected") return <Badge tone="neutral">QuickBooks disconnected</Badge>;
  return <Badge tone="neutral">QuickBooks not connected</Badge>;
}

/** True when something needs a person: shown first and highlighted on the overview. */
export function needsAttention(health: CompanyHealth): boolean {
  return (
    health.devpos.status === "failing" ||
    health.qbo.reconnect_needed ||
    health.qbo.near_hard_expiry ||
    health.last_run?.status === "failed" ||
    health.last_run?.status === "partial"
  );
}
