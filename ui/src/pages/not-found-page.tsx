import { EmptyState } from "../components/ui";
import { Link } from "../lib/router";

export function NotFoundPage() {
  return (
    <EmptyState title="This page does not exist">
      <p>
        The address may be mistyped, or the page is only for administrators. <Link to="/">Go to the companies overview</Link>.
      </p>
    </EmptyState>
  );
}
