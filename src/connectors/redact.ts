/**
 * Deep copy of a payload with every secret-looking value replaced, for raw-payload capture
 * and error reports: headers (Authorization, tenant stays), form fields, token responses.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|^code$|api[-_]?key/i;

export const REDACTED = "[redacted]";

export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 20 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined && v !== "" ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/** A URL with secret-looking query parameters redacted. */
export function redactUrlParams(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) if (SECRET_KEY.test(key)) parsed.searchParams.set(key, REDACTED);
    return parsed.toString();
  } catch {
    return url;
  }
}
