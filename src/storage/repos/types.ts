/** Shapes shared by several repositories. */

/** One page of a list; pass `nextCursor` back as `cursor` for the next page (null: no more). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageOptions {
  /** Rows per page, 1–1000; default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** What a user or API key may do in one company (docs/architecture.md "users"). */
export interface CompanyPermissions {
  view: boolean;
  run: boolean;
  manageSchedules: boolean;
  editConnections: boolean;
}

export const NO_PERMISSIONS: Readonly<CompanyPermissions> = Object.freeze({
  view: false,
  run: false,
  manageSchedules: false,
  editConnections: false,
});

export const ALL_PERMISSIONS: Readonly<CompanyPermissions> = Object.freeze({
  view: true,
  run: true,
  manageSchedules: true,
  editConnections: true,
});

export type RunStatus = "queued" | "running" | "succeeded" | "partial" | "failed" | "cancelled" | "skipped";
export type RunTrigger = "schedule" | "manual" | "api" | "catchup";
