/** The storage repositories: one module per table group, every function takes the db first. */
export * from "./types.js";
export { toDbInstant, fromDbInstant, InvalidCursorError, type Db } from "./repo-helpers.js";
export * from "./companies.js";
export * from "./devpos-credentials.js";
export * from "./qbo-connections.js";
export * from "./oauth-states.js";
export * from "./users.js";
export * from "./sessions.js";
export * from "./api-keys.js";
export * from "./schedules.js";
export * from "./sync-runs.js";
export * from "./run-log.js";
export * from "./document-links.js";
export * from "./party-links.js";
export * from "./audit-log.js";
export * from "./notifications.js";
export * from "./secret-columns.js";
export * from "./zero-amount-documents.js";
