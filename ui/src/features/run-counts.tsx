const ORDER = ["created", "recovered", "updated", "unchanged", "voided", "skipped", "attention", "failed"];
const LABEL: Record<string, string> = {
  created: "Created",
  updated: "Updated",
  unchanged: "Unchanged",
  voided: "Voided",
  recovered: "Found in QuickBooks",
  attention: "Needs attention",
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
