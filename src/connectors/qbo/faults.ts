/**
 * QuickBooks faults as one typed error, parsed from the three shapes Intuit sends:
 * - API faults: `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":"ValidationFault"}}`
 * - the gateway's 401: lower-case keys, `{"fault":{"error":[{"message","detail","code"}],"type":"AUTHENTICATION"}}`
 * - throttling (429): XML even when JSON was asked for.
 */
export interface QboFaultError {
  message: string;
  detail: string;
  code: string;
  element: string;
}

/** The fault codes devsync acts on (docs/domain.md §2). */
export const QBO_FAULT_CODES = {
  duplicateName: "6240",
  duplicateDocNumber: "6140",
  staleObject: "5010",
  stringTooLong: "2050",
  objectNotFound: "610",
  businessValidation: "6000",
  tooManyBatchItems: "1040",
  throttled: "3001",
  authentication: "3200",
} as const;

export class QboFault extends Error {
  override readonly name: string = "QboFault";
  constructor(
    readonly httpStatus: number,
    readonly type: string,
    readonly errors: readonly QboFaultError[],
    readonly intuitTid?: string,
  ) {
    super(describe(httpStatus, type, errors));
  }
  /** The first error's code (Intuit puts the deciding one first); "" when the body had none. */
  get code(): string {
    return this.errors[0]?.code ?? "";
  }
  get element(): string {
    return this.errors[0]?.element ?? "";
  }
  get detail(): string {
    return this.errors[0]?.detail ?? "";
  }
  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/** 429 (code 3001). `retryAfterMs` comes from the Retry-After header when Intuit sends one. */
export class QboThrottledError extends QboFault {
  override readonly name = "QboThrottledError";
  constructor(type: string, errors: readonly QboFaultError[], readonly retryAfterMs: number | undefined, intuitTid?: string) {
    super(429, type, errors, intuitTid);
  }
}

/** 401 from the gateway: the access token expired or was revoked. */
export class QboAuthenticationError extends QboFault {
  override readonly name = "QboAuthenticationError";
}

/** Only an explicit not-found means "deleted in QuickBooks" (docs/domain.md §3). */
export function isQboNotFound(error: unknown): boolean {
  return error instanceof QboFault && (error.httpStatus === 404 || error.hasCode(QBO_FAULT_CODES.objectNotFound));
}

/** Builds the typed fault for a non-2xx answer. Never throws, whatever the body holds. */
export function parseQboFault(status: number, body: string, options: { contentType?: string | null; retryAfterMs?: number; intuitTid?: string } = {}): QboFault {
  const parsed = parseFaultBody(body, options.contentType ?? "");
  const type = parsed?.type ?? (status === 401 ? "AUTHENTICATION" : status === 429 ? "SERVICE" : status >= 500 ? "SystemFault" : "Unknown");
  const errors = parsed?.errors.length
    ? parsed.errors
    : [{ message: `HTTP ${status}`, detail: body.slice(0, 300), code: status === 429 ? QBO_FAULT_CODES.throttled : "", element: "" }];
  if (status === 429) return new QboThrottledError(type, errors, options.retryAfterMs, options.intuitTid);
  if (status === 401) return new QboAuthenticationError(status, type, errors, options.intuitTid);
  return new QboFault(status, type, errors, options.intuitTid);
}

/**
 * A `Fault` object found inside a 200 (batch item, upload item). `httpStatus` is what the
 * item would have answered alone: 400 for validation, 500 for system faults.
 */
export function faultFromObject(fault: unknown): QboFault {
  const shape = readJsonFault({ Fault: fault });
  const type = shape?.type ?? "Unknown";
  return new QboFault(/system/i.test(type) ? 500 : 400, type, shape?.errors ?? [], undefined);
}

interface FaultShape {
  type: string;
  errors: QboFaultError[];
}

function parseFaultBody(body: string, contentType: string): FaultShape | undefined {
  const trimmed = body.trim();
  if (trimmed.startsWith("<") || /xml/i.test(contentType)) return readXmlFault(trimmed);
  try {
    return readJsonFault(JSON.parse(trimmed));
  } catch {
    return undefined;
  }
}

function readJsonFault(json: unknown): FaultShape | undefined {
  if (!json || typeof json !== "object") return undefined;
  const root = json as Record<string, unknown>;
  const fault = (root.Fault ?? root.fault) as Record<string, unknown> | undefined;
  if (!fault || typeof fault !== "object") return undefined;
  const list = fault.Error ?? fault.error;
  const errors = (Array.isArray(list) ? list : []).map((raw): QboFaultError => {
    const e = (raw ?? {}) as Record<string, unknown>;
    return {
      message: text(e.Message ?? e.message),
      detail: text(e.Detail ?? e.detail),
      code: text(e.code ?? e.Code),
      element: text(e.element ?? e.Element),
    };
  });
  return { type: text(fault.type ?? fault.Type) || "Unknown", errors };
}

function readXmlFault(xml: string): FaultShape | undefined {
  const fault = /<Fault\b([^>]*)>([\s\S]*?)<\/Fault>/i.exec(xml);
  if (!fault) return undefined;
  const type = attribute(fault[1] ?? "", "type") ?? "Unknown";
  const errors: QboFaultError[] = [];
  for (const match of (fault[2] ?? "").matchAll(/<Error\b([^>]*)>([\s\S]*?)<\/Error>/gi)) {
    const attrs = match[1] ?? "";
    const inner = match[2] ?? "";
    errors.push({
      code: attribute(attrs, "code") ?? "",
      element: attribute(attrs, "element") ?? "",
      message: element(inner, "Message"),
      detail: element(inner, "Detail"),
    });
  }
  return { type, errors };
}

function attribute(attrs: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`, "i").exec(attrs);
  return match ? decodeXml(match[1] ?? "") : undefined;
}

function element(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "i").exec(xml);
  return match ? decodeXml(match[1] ?? "").trim() : "";
}

function decodeXml(value: string): string {
  return value
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function describe(status: number, type: string, errors: readonly QboFaultError[]): string {
  const first = errors[0];
  if (!first) return `QuickBooks answered ${status} (${type})`;
  const detail = first.detail && first.detail !== first.message ? `: ${first.detail}` : "";
  return `QuickBooks ${type} ${first.code ? `${first.code} ` : ""}(HTTP ${status}) ${first.message}${detail}${first.element ? ` [${first.element}]` : ""}`;
}
