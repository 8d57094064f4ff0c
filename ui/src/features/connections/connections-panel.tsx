import type { Company } from "../../api/types";
import { DevposCard } from "./devpos-card";
import { QboCard } from "./qbo-card";

export function ConnectionsPanel({ company }: { company: Company }) {
  return (
    <div className="grid-2">
      <DevposCard company={company} />
      <QboCard company={company} />
    </div>
  );
}
