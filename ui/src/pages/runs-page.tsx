import { PageHeader } from "../components/ui";
import { RunsTable } from "../features/runs-table";

export function RunsPage() {
  return (
    <>
      <PageHeader title="Sync history" subtitle="Every sync of every company you can see, newest first." />
      <RunsTable filters />
    </>
  );
}
