/**
 * Driver errors become these typed errors at the storage boundary, so callers decide on
 * "this key already exists" without knowing which database they run on.
 */
export class UniqueViolationError extends Error {
  override readonly name = "UniqueViolationError";
  constructor(
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`unique key violated${constraint ? `: ${constraint}` : ""}`, options);
  }
}

export class ForeignKeyViolationError extends Error {
  override readonly name = "ForeignKeyViolationError";
  constructor(
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`referenced row missing or still referenced${constraint ? `: ${constraint}` : ""}`, options);
  }
}

export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(readonly entity: string, readonly id: number | string) {
    super(`${entity} ${id} not found`);
  }
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** Maps a driver exception to a typed error; returns the input unchanged when unknown. */
export function translateDbError(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const e = error as DriverError;
  const message = typeof e.message === "string" ? e.message : "";
  // PostgreSQL: SQLSTATE codes.
  if (e.code === "23505") return new UniqueViolationError(asString(e.constraint), { cause: error });
  if (e.code === "23503") return new ForeignKeyViolationError(asString(e.constraint), { cause: error });
  // SQLite (better-sqlite3): extended result codes.
  if (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new UniqueViolationError(message.replace(/^UNIQUE constraint failed: /, ""), { cause: error });
  }
  if (e.code === "SQLITE_CONSTRAINT_FOREIGNKEY") return new ForeignKeyViolationError(undefined, { cause: error });
  // MySQL / MariaDB: ER_DUP_ENTRY, ER_NO_REFERENCED_ROW_2, ER_ROW_IS_REFERENCED_2.
  if (e.errno === 1062) return new UniqueViolationError(/for key '([^']+)'/.exec(message)?.[1], { cause: error });
  if (e.errno === 1452 || e.errno === 1451 || e.errno === 1216 || e.errno === 1217) {
    return new ForeignKeyViolationError(/CONSTRAINT `([^`]+)`/.exec(message)?.[1], { cause: error });
  }
  return error;
}

/** Runs a storage operation, rethrowing driver constraint errors as typed errors. */
export async function withDbErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateDbError(error);
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
