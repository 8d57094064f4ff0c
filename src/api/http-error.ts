/**
 * The one error type routes throw for expected failures; the error handler turns it into the
 * JSON envelope `{ "error": { "code", "message", "fields"? } }`.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export function errorEnvelope(code: string, message: string, fields?: Record<string, string>): ErrorEnvelope {
  return { error: fields ? { code, message, fields } : { code, message } };
}
