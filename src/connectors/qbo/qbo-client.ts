import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { processMetrics } from "../../process-metrics.js";
import { fetchText, NetworkError, parseJsonOrUndefined, realSleep, retryAfterMs, type FetchLike, type HttpResponse, type Sleep } from "../http.js";
import { backoffDelayMs, type BackoffOptions } from "../retry-policy.js";
import { faultFromObject, parseQboFault, QboFault, QboThrottledError } from "./faults.js";
import { buildQboQuery } from "./query.js";
import type { QboRateLimiter } from "./rate-limiter.js";
import { checkRequestId, chunkRequestId, MAX_BATCH_REQUEST_ID, MAX_REQUEST_ID, newRequestId } from "./request-id.js";
import type { FreshToken, QboTokenManager } from "./token-manager.js";

export interface QboClientOptions {
  /** API host (`https://quickbooks.api.intuit.com`, or the sandbox's `/qbo`); paths add `/v3/company/{realm}`. */
  apiBase: string;
  /** Sent as `minorversion` on every call (default 75). */
  minorVersion?: number;
  /** Deadline of one call; Intuit gives up at 120 s (default 120 s). */
  timeoutMs?: number;
  /** Tries per call for 5xx and network errors, first included (default 4). */
  maxAttempts?: number;
  /** Backoff between those tries (default 1 s doubling up to 30 s, jittered). */
  backoff?: BackoffOptions;
  /** Wait after a 429 without Retry-After (default 60 s, as Intuit advises). */
  throttleWaitMs?: number;
  /** 429s tolerated per call before giving up with QboThrottledError (default 5). */
  maxThrottleRetries?: number;
  /** Items per batch request; larger batches are split (default 30, Intuit's documented maximum). */
  maxBatchItems?: number;
}

export interface QboClientDeps {
  companyId: number;
  tokens: Pick<QboTokenManager, "ensureFreshToken">;
  limiter: QboRateLimiter;
  clock: Clock;
  fetch?: FetchLike;
  sleep?: Sleep;
  logger?: Logger;
  random?: () => number;
}

export interface QboEntity {
  Id: string;
  SyncToken: string;
  [field: string]: unknown;
}

export interface QboWriteOptions {
  /**
   * Idempotency key (≤ 50 characters; ≤ 36 for batch). Pass a deterministic one when the
   * caller can (the sync engine's ledger); otherwise one is generated per call and reused by
   * its retries, so a write that timed out is not applied twice.
   */
  requestId?: string;
}

export interface QboQueryPage<T> {
  entities: T[];
  startPosition: number;
  maxResults: number;
  totalCount?: number;
}

export type QboBatchItem =
  | { bId?: string; operation: "create" | "update" | "delete" | "void"; entity: string; body: Record<string, unknown> }
  | { bId?: string; query: string };

/** One batch item's outcome: a validation fault of one document is a value, not an exception. */
export type QboBatchResult =
  | { bId: string; ok: true; entity: string | undefined; value: unknown }
  | { bId: string; ok: false; fault: QboFault };

export interface QboUpload {
  fileName: string;
  contentType: string;
  content: Uint8Array | Blob | string;
  /** The transaction or party to attach the file to. */
  attachTo?: { type: string; id: string };
  note?: string;
}

export interface QboRequest {
  method: "GET" | "POST";
  /** After `/v3/company/{realm}`, e.g. `/invoice`. */
  path: string;
  query?: Record<string, string>;
  /** Built anew for every try (a FormData or string). */
  body?: () => NonNullable<RequestInit["body"]>;
  contentType?: string;
  kind: "read" | "write" | "batch";
  requestId?: string;
}

export interface QboClient {
  readonly companyId: number;
  /** One API call with the whole retry policy; returns the parsed JSON. */
  request(request: QboRequest): Promise<Record<string, unknown>>;
  /** One page of a query statement, as written (use query.ts to build it). */
  query<T = QboEntity>(statement: string): Promise<QboQueryPage<T>>;
  /** Every row of `SELECT * FROM entity WHERE …`, paging with STARTPOSITION/MAXRESULTS. */
  queryAll<T = QboEntity>(entity: string, where?: string, options?: { pageSize?: number; limit?: number }): Promise<T[]>;
  read<T = QboEntity>(entity: string, id: string): Promise<T>;
  create<T = QboEntity>(entity: string, body: Record<string, unknown>, options?: QboWriteOptions): Promise<T>;
  /** Sparse update by default: only the fields sent change. `body` needs Id and the current SyncToken. */
  update<T = QboEntity>(entity: string, body: Record<string, unknown>, options?: QboWriteOptions & { sparse?: boolean }): Promise<T>;
  void<T = QboEntity>(entity: string, ref: { Id: string; SyncToken: string }, options?: QboWriteOptions): Promise<T>;
  delete(entity: string, ref: { Id: string; SyncToken: string }, options?: QboWriteOptions): Promise<Record<string, unknown>>;
  /** Any number of items, sent in chunks of `maxBatchItems`; results in input order. */
  batch(items: readonly QboBatchItem[], options?: QboWriteOptions): Promise<QboBatchResult[]>;
  upload(file: QboUpload, options?: QboWriteOptions): Promise<QboEntity>;
  companyInfo(): Promise<QboEntity>;
}

/**
 * QuickBooks Online API v3 for one company. Every call: a fresh token from the token manager
 * (refreshed ahead of expiry), a slot from the per-realm limiter, `minorversion`, and a
 * `requestid` on writes. 401 → one forced refresh and one retry (every later call then uses
 * the new token); 429 → the realm waits Retry-After or `throttleWaitMs`; 5xx and network
 * errors → jittered exponential backoff up to `maxAttempts`; other faults are thrown as QboFault.
 */
export function createQboClient(deps: QboClientDeps, options: QboClientOptions): QboClient {
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const apiBase = options.apiBase.replace(/\/+$/, "");
  const minorVersion = String(options.minorVersion ?? 75);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 30_000 };
  const throttleWaitMs = options.throttleWaitMs ?? 60_000;
  const maxThrottleRetries = options.maxThrottleRetries ?? 5;
  const maxBatchItems = options.maxBatchItems ?? 30;
  const { companyId } = deps;

  const urlFor = (token: FreshToken, request: QboRequest, requestId: string | undefined): string => {
    const params = new URLSearchParams(request.query ?? {});
    params.set("minorversion", minorVersion);
    if (requestId) params.set("requestid", requestId);
    return `${apiBase}/v3/company/${encodeURIComponent(token.realmId)}${request.path}?${params.toString()}`;
  };

  const send = async (request: QboRequest): Promise<Record<string, unknown>> => {
    let requestId: string | undefined;
    if (request.kind !== "read") {
      requestId = request.requestId ?? newRequestId();
      checkRequestId(requestId, request.kind === "batch" ? MAX_BATCH_REQUEST_ID : MAX_REQUEST_ID);
    }
    let failures = 0;
    let throttles = 0;
    let refreshedAfter401 = false;
    for (;;) {
      const token = await deps.tokens.ensureFreshToken(companyId);
      const url = urlFor(token, request, requestId);
      const headers: Record<string, string> = { authorization: `Bearer ${token.accessToken}`, accept: "application/json" };
      if (request.contentType) headers["content-type"] = request.contentType;
      const permit = await deps.limiter.acquire(token.realmId, request.kind === "batch");
      let response: HttpResponse;
      try {
        response = await fetchText(fetchFn, url, { method: request.method, headers, ...(request.body ? { body: request.body() } : {}) }, timeoutMs);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        failures++;
        if (failures >= maxAttempts) throw error;
        await pauseBeforeRetry(failures, error, request);
        continue;
      } finally {
        permit.release();
      }
      processMetrics.qboRequests.inc({ operation: request.kind, status: String(response.status) });
      if (response.status === 429) processMetrics.qboThrottled.inc();

      if (response.status >= 200 && response.status < 300) {
        const json = parseJsonOrUndefined(response.text);
        if (!json || typeof json !== "object") throw new QboFault(response.status, "InvalidResponse", [{ message: "answer is not JSON", detail: response.text.slice(0, 200), code: "", element: "" }]);
        return json as Record<string, unknown>;
      }
      const fault = parseQboFault(response.status, response.text, {
        contentType: response.headers.get("content-type"),
        retryAfterMs: retryAfterMs(response.headers, deps.clock.now()),
        intuitTid: response.headers.get("intuit_tid") ?? undefined,
      });
      if (response.status === 401) {
        if (refreshedAfter401) throw fault;
        refreshedAfter401 = true;
        deps.logger?.info({ companyId, path: request.path }, "quickbooks answered 401; refreshing the token once");
        await deps.tokens.ensureFreshToken(companyId, { force: true, rejectedAccessToken: token.accessToken });
        continue;
      }
      if (fault instanceof QboThrottledError) {
        throttles++;
        if (throttles > maxThrottleRetries) throw fault;
        const wait = fault.retryAfterMs ?? throttleWaitMs;
        deps.logger?.warn({ companyId, realmId: token.realmId, path: request.path, wait }, "quickbooks throttled the realm (429)");
        deps.limiter.pause(token.realmId, wait);
        continue;
      }
      if (response.status >= 500 || response.status === 408) {
        failures++;
        if (failures >= maxAttempts) throw fault;
        await pauseBeforeRetry(failures, fault, request);
        continue;
      }
      throw fault;
    }
  };

  const pauseBeforeRetry = async (failures: number, error: Error, request: QboRequest) => {
    const delay = backoffDelayMs(failures - 1, backoff, random);
    deps.logger?.warn({ companyId, path: request.path, err: error.message, attempt: failures, delay }, "quickbooks call failed; retrying");
    await sleep(delay);
  };

  const entityPath = (entity: string) => `/${entity.toLowerCase()}`;
  const pick = <T>(json: Record<string, unknown>, entity: string): T => {
    const value = json[entity];
    if (value === undefined) throw new QboFault(200, "InvalidResponse", [{ message: `answer has no ${entity}`, detail: "", code: "", element: "" }]);
    return value as T;
  };
  const jsonBody = (body: unknown) => () => JSON.stringify(body);

  const queryPage = async <T>(statement: string): Promise<QboQueryPage<T>> => {
    // Long statements (big IN lists) go in the body: URLs have limits, bodies do not.
    const json =
      statement.length > 1500
        ? await send({ method: "POST", path: "/query", kind: "read", contentType: "application/text", body: () => statement })
        : await send({ method: "GET", path: "/query", kind: "read", query: { query: statement } });
    const response = (json.QueryResponse ?? {}) as Record<string, unknown>;
    const listKey = Object.keys(response).find((k) => Array.isArray(response[k]));
    return {
      entities: (listKey ? response[listKey] : []) as T[],
      startPosition: Number(response.startPosition ?? 1),
      maxResults: Number(response.maxResults ?? 0),
      ...(response.totalCount !== undefined ? { totalCount: Number(response.totalCount) } : {}),
    };
  };

  const runBatchChunk = async (items: readonly QboBatchItem[], requestId: string): Promise<QboBatchResult[]> => {
    const ids = items.map((item, i) => item.bId ?? String(i + 1));
    const payload = {
      BatchItemRequest: items.map((item, i) =>
        "query" in item ? { bId: ids[i], Query: item.query } : { bId: ids[i], operation: item.operation, [item.entity]: item.body },
      ),
    };
    const json = await send({ method: "POST", path: "/batch", kind: "batch", requestId, contentType: "application/json", body: jsonBody(payload) });
    const responses = (Array.isArray(json.BatchItemResponse) ? json.BatchItemResponse : []) as Record<string, unknown>[];
    const byId = new Map(responses.map((r) => [String(r.bId), r]));
    return ids.map((bId): QboBatchResult => {
      const response = byId.get(bId);
      if (!response) {
        return { bId, ok: false, fault: new QboFault(500, "MissingBatchItem", [{ message: `no response for batch item ${bId}`, detail: "", code: "", element: "" }]) };
      }
      if (response.Fault) return { bId, ok: false, fault: faultFromObject(response.Fault) };
      const entity = Object.keys(response).find((k) => k !== "bId");
      return { bId, ok: true, entity, value: entity ? response[entity] : undefined };
    });
  };

  return {
    companyId,
    request: send,
    query: queryPage,
    async queryAll<T>(entity: string, where?: string, opts: { pageSize?: number; limit?: number } = {}) {
      const pageSize = opts.pageSize ?? 1000;
      const limit = opts.limit ?? Infinity;
      const rows: T[] = [];
      for (let start = 1; rows.length < limit; start += pageSize) {
        const page = await queryPage<T>(buildQboQuery(entity, where, { startPosition: start, maxResults: pageSize }));
        rows.push(...page.entities);
        if (page.entities.length < pageSize) break;
      }
      return rows.slice(0, limit === Infinity ? undefined : limit);
    },
    async read<T>(entity: string, id: string) {
      const json = await send({ method: "GET", path: `${entityPath(entity)}/${encodeURIComponent(id)}`, kind: "read" });
      return pick<T>(json, entity);
    },
    async create<T>(entity: string, body: Record<string, unknown>, opts: QboWriteOptions = {}) {
      const json = await send({ method: "POST", path: entityPath(entity), kind: "write", requestId: opts.requestId, contentType: "application/json", body: jsonBody(body) });
      return pick<T>(json, entity);
    },
    async update<T>(entity: string, body: Record<string, unknown>, opts: QboWriteOptions & { sparse?: boolean } = {}) {
      if (typeof body.Id !== "string" || typeof body.SyncToken !== "string") throw new TypeError("an update needs Id and SyncToken");
      const payload = { ...body, sparse: opts.sparse ?? true };
      const json = await send({ method: "POST", path: entityPath(entity), query: { operation: "update" }, kind: "write", requestId: opts.requestId, contentType: "application/json", body: jsonBody(payload) });
      return pick<T>(json, entity);
    },
    async void<T>(entity: string, ref: { Id: string; SyncToken: string }, opts: QboWriteOptions = {}) {
      const json = await send({ method: "POST", path: entityPath(entity), query: { operation: "void" }, kind: "write", requestId: opts.requestId, contentType: "application/json", body: jsonBody({ Id: ref.Id, SyncToken: ref.SyncToken }) });
      return pick<T>(json, entity);
    },
    async delete(entity: string, ref: { Id: string; SyncToken: string }, opts: QboWriteOptions = {}) {
      return send({ method: "POST", path: entityPath(entity), query: { operation: "delete" }, kind: "write", requestId: opts.requestId, contentType: "application/json", body: jsonBody({ Id: ref.Id, SyncToken: ref.SyncToken }) });
    },
    async batch(items: readonly QboBatchItem[], opts: QboWriteOptions = {}) {
      if (items.length === 0) return [];
      const chunks: QboBatchItem[][] = [];
      for (let i = 0; i < items.length; i += maxBatchItems) chunks.push(items.slice(i, i + maxBatchItems));
      const base = opts.requestId ?? newRequestId();
      // Chunks go out together; the limiter keeps them within the realm's limits.
      const results = await Promise.all(chunks.map((chunk, i) => runBatchChunk(chunk, chunkRequestId(base, i, chunks.length))));
      return results.flat();
    },
    async upload(file: QboUpload, opts: QboWriteOptions = {}) {
      const metadata: Record<string, unknown> = { FileName: file.fileName, ContentType: file.contentType };
      if (file.attachTo) metadata.AttachableRef = [{ EntityRef: { type: file.attachTo.type, value: file.attachTo.id } }];
      if (file.note) metadata.Note = file.note;
      const body = () => {
        const form = new FormData();
        form.append("file_metadata_0", new Blob([JSON.stringify(metadata)], { type: "application/json" }), "metadata.json");
        const content = file.content instanceof Blob ? file.content : new Blob([file.content], { type: file.contentType });
        form.append("file_content_0", content, file.fileName);
        return form;
      };
      // No content-type header: fetch sets multipart/form-data with its boundary.
      const json = await send({ method: "POST", path: "/upload", kind: "write", requestId: opts.requestId, body });
      const first = (Array.isArray(json.AttachableResponse) ? json.AttachableResponse[0] : undefined) as Record<string, unknown> | undefined;
      if (!first) throw new QboFault(200, "InvalidResponse", [{ message: "upload answer has no AttachableResponse", detail: "", code: "", element: "" }]);
      if (first.Fault) throw faultFromObject(first.Fault);
      return first.Attachable as QboEntity;
    },
    async companyInfo() {
      const token = await deps.tokens.ensureFreshToken(companyId);
      const json = await send({ method: "GET", path: `/companyinfo/${encodeURIComponent(token.realmId)}`, kind: "read" });
      return pick<QboEntity>(json, "CompanyInfo");
    },
  };
}
