const ORDER = ["created", "updated", "unchanged", "voided", "resolved", "skipped", "failed"];
const LABEL: Record<string, string> = {
  created: "Created",
  updated: "Updated",
  unchanged: "Unchanged",
  voided: "Voided",
  resolved: "Already in QuickBooks",
  skipped: "Skipped",
  failed: "Failed",
};

/** Document counts by action ("Created 12 · Failed 1"). */
export function RunCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  entries.sort(([a], [b]) => rank(a) - rank(b));
  return (
    <ul className="counts" aria-label="Documents by result">
      {entries.map(([action, n]) => (
        <li key={action} data-count={action}>
          {LABEL[action] ?? action} <strong>{n.toLocaleString("en")}</strong>
        </li>
      ))}
    </ul>
  );
}

function rank(action: string): number {
  const i = ORDER.indexOf(action);
  return i === -1 ? ORDER.length : i;
}
