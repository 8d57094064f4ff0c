import type { Migration, MigrationProvider } from "kysely";
import { createInitialMigration } from "./0001-initial.js";
import { createTakeSlotsProcedureMigration } from "./0002-take-slots-procedure.js";
import { createDueAndQueueIndexesMigration } from "./0003-due-and-queue-indexes.js";
import { createDocumentFailuresMigration } from "./0004-document-failures.js";
import { createTakeSlotsMergeMigration } from "./0005-take-slots-merge.js";
import { createZeroAmountDocumentsMigration } from "./0006-zero-amount-documents.js";
import { createCompanyRealmCheckMigration } from "./0007-company-realm-check.js";
import type { SchemaDialect } from "./schema-helpers.js";

/**
 * Migrations live in code (not read from a folder at run time) so the built package is
 * self-contained. Names sort in the order they must run; never rename or edit a shipped one.
 */
export function createMigrationProvider(dialect: SchemaDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001-initial": createInitialMigration(dialect),
    "0002-take-slots-procedure": createTakeSlotsProcedureMigration(dialect),
    "0003-due-and-queue-indexes": createDueAndQueueIndexesMigration(dialect),
    "0004-document-failures": createDocumentFailuresMigration(dialect),
    "0005-take-slots-merge": createTakeSlotsMergeMigration(dialect),
    "0006-zero-amount-documents": createZeroAmountDocumentsMigration(dialect),
    "0007-company-realm-check": createCompanyRealmCheckMigration(dialect),
  };
  return { getMigrations: async () => migrations };
}
