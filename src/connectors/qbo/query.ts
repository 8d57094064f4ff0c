/**
 * Building QuickBooks queries safely (docs/domain.md §2): one entity, `AND` only, string literals in
 * single quotes with `'` escaped as `\'`. Backslashes are escaped too (`\\`), so a value ending
 * in a backslash cannot swallow the closing quote.
 */
export function quoteQboString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** `Field IN ('a', 'b')`, for looking many names or ids up in one query. */
export function qboInList(values: readonly string[]): string {
  if (values.length === 0) throw new RangeError("an IN list needs at least one value");
  return `(${values.map(quoteQboString).join(", ")})`;
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.]*$/;

/** `SELECT * FROM Entity [WHERE …] STARTPOSITION n MAXRESULTS m`. `where` must come from the helpers above. */
export function buildQboQuery(entity: string, where: string | undefined, page: { startPosition: number; maxResults: number }): string {
  if (!IDENTIFIER.test(entity)) throw new RangeError(`not a QuickBooks entity name: ${entity}`);
  if (!Number.isInteger(page.startPosition) || page.startPosition < 1) throw new RangeError("startPosition counts from 1");
  if (!Number.isInteger(page.maxResults) || page.maxResults < 1 || page.maxResults > 1000) throw new RangeError("maxResults must be 1..1000");
  const filter = where && where.trim() !== "" ? ` WHERE ${where}` : "";
  return `SELECT * FROM ${entity}${filter} STARTPOSITION ${page.startPosition} MAXRESULTS ${page.maxResults}`;
}
