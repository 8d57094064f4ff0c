import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { parseSourceRow, type SourceDocument, type SourceKind } from "../../domain/source-document.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import { readDevposSecret, recordDevposError, recordDevposOk, saveDevposToken } from "../../storage/repos/devpos-credentials.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { processMetrics } from "../../process-metrics.js";
import { fetchText, parseJsonOrUndefined, realSleep, type FetchLike, type Sleep } from "../http.js";
import { redactSecrets } from "../redact.js";
import { backoffDelayMs, classifyError, type BackoffOptions } from "../retry-policy.js";
import { assertWindow, splitWindow, type DateWindow } from "./date-range.js";
import { DevposLoginRefusedError, loginDevpos, snippet, type DevposToken } from "./devpos-auth.js";
import { DevposAuthError, DevposCredentialsError, DevposHttpError, DevposNotConfiguredError, DevposResponseError } from "./errors.js";
import type { DevposRawPayload, DevposRawPayloadSink } from "./raw-payload.js";

export interface DevposClientOptions {
  /** `DEVPOS_BASE_URL`: token at `/connect/token`, API at `/api/v3`. */
  baseUrl: string;
  /** Basic client id of the password grant (default "fiskalizimi_spa"). */
  clientId?: string;
  /** Its secret (default empty: DevPos's public web client has none). */
  clientSecret?: string;
  /** Deadline of one list request; long ranges are slow (default 120 s). */
  listTimeoutMs?: number;
  /** Deadline of a login (default 30 s). */
  loginTimeoutMs?: number;
  /** A cached token is replaced this long before it expires (default 5 min). */
  renewBeforeMs?: number;
  /** Extra tries of a range that answered 500 before it is split (default 1). */
  retriesBeforeSplit?: number;
  /** Extra tries after network errors, timeouts, 429 and 5xx other than 500 (default 2). */
  transientRetries?: number;
  /** Backoff between tries (default 1 s doubling up to 15 s, jittered). */
  backoff?: BackoffOptions;
  /** Hand every request/response (secrets redacted) to `onRawPayload` (default false). */
  captureRawPayloads?: boolean;
}

export interface DevposClientDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  fetch?: FetchLike;
  sleep?: Sleep;
  logger?: Logger;
  random?: () => number;
  onRawPayload?: DevposRawPayloadSink;
}

export type DevposWarning =
  | { code: "empty_range_500"; endpoint: string; day: string; message: string }
  | { code: "row_rejected"; endpoint: string; eic: string | null; message: string }
  | { code: "row_warning"; endpoint: string; eic: string; message: string };

export interface DevposListResult {
  documents: SourceDocument[];
  /** Days answered 500 twice (treated as empty), rows that failed parsing, tolerated oddities. */
  warnings: DevposWarning[];
  /** HTTP requests the listing took, logins included. */
  requests: number;
}

export interface DevposCompanyClient {
  /** E-invoices the company issued in the window (local dates, both ends inclusive). */
  listSales(window: DateWindow): Promise<DevposListResult>;
  /** E-invoices the company received. */
  listPurchases(window: DateWindow): Promise<DevposListResult>;
  /** Logs in (or reuses the cached token): the "test connection" button. */
  checkLogin(): Promise<{ expiresAt: Date }>;
}

export interface DevposClient {
  /** `logger` overrides the client's for this company (a run passes its own, carrying run and company ids). */
  forCompany(companyId: number, logger?: Logger): DevposCompanyClient;
}

const LISTS: Record<SourceKind, string> = { sale: "GetSalesInvoice", purchase: "GetPurchaseInvoice" };

/**
 * DevPos over HTTP. Tokens are cached sealed per company (devpos_credentials) and reused until
 * `renewBeforeMs` before expiry; a 401 causes one re-login. A range answering 500 twice is split
 * in halves down to single days; a day still answering 500 is DevPos's empty-range bug (its
 * NullReferenceException) and counts as empty with a warning. Nothing here aborts a run for it.
 */
export function createDevposClient(deps: DevposClientDeps, options: DevposClientOptions): DevposClient {
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const o = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    clientId: options.clientId ?? "fiskalizimi_spa",
    clientSecret: options.clientSecret ?? "",
    listTimeoutMs: options.listTimeoutMs ?? 120_000,
    loginTimeoutMs: options.loginTimeoutMs ?? 30_000,
    renewBeforeMs: options.renewBeforeMs ?? 5 * 60_000,
    retriesBeforeSplit: options.retriesBeforeSplit ?? 1,
    transientRetries: options.transientRetries ?? 2,
    backoff: options.backoff ?? { baseMs: 1000, maxMs: 15_000 },
  };

  return {
    forCompany(companyId, logger = deps.logger) {
      const capture =
        options.captureRawPayloads && deps.onRawPayload
          ? (endpoint: string, request: DevposRawPayload["request"], status: number, body: unknown) =>
              deps.onRawPayload!({ at: deps.clock.now(), companyId, endpoint, request, status, body })
          : undefined;

      /** One listing (or login check): shares the token and the single re-login allowance. */
      const openSession = () => {
        let token: DevposToken | undefined;
        let tenant = "";
        let reloggedIn = false;
        let requests = 0;
        const countedFetch: FetchLike = (input, init) => {
          requests++;
          return fetchFn(input, init);
        };

        const login = async (): Promise<DevposToken> => {
          const secret = await readDevposSecret(deps.db, deps.box, companyId);
          if (!secret) throw new DevposNotConfiguredError(companyId);
          tenant = secret.tenant;
          try {
            const fresh = await withTransientRetries(() =>
              loginDevpos(
                { fetch: countedFetch, clock: deps.clock, capture },
                { baseUrl: o.baseUrl, clientId: o.clientId, clientSecret: o.clientSecret, tenant: secret.tenant, username: secret.username, password: secret.password, timeoutMs: o.loginTimeoutMs },
              ),
            );
            await saveDevposToken(deps.db, deps.box, companyId, fresh, deps.clock.now());
            logger?.info({ companyId, expiresAt: fresh.expiresAt.toISOString() }, "devpos login");
            return fresh;
          } catch (error) {
            if (error instanceof DevposLoginRefusedError) {
              const refused = new DevposCredentialsError(companyId, error.detail);
              await recordDevposError(deps.db, companyId, refused.message, deps.clock.now());
              throw refused;
            }
            throw error;
          }
        };

        const currentToken = async (): Promise<DevposToken> => {
          const now = deps.clock.now().getTime();
          if (token && token.expiresAt.getTime() - now > o.renewBeforeMs) return token;
          const secret = await readDevposSecret(deps.db, deps.box, companyId);
          if (!secret) throw new DevposNotConfiguredError(companyId);
          tenant = secret.tenant;
          token = secret.token && secret.token.expiresAt.getTime() - now > o.renewBeforeMs ? secret.token : await login();
          return token;
        };

        const withTransientRetries = async <T>(run: () => Promise<T>): Promise<T> => {
          for (let attempt = 0; ; attempt++) {
            try {
              return await run();
            } catch (error) {
              if (!classifyError(error).retryable || attempt >= o.transientRetries) throw error;
              const delay = backoffDelayMs(attempt, o.backoff, random);
              logger?.warn({ companyId, err: describe(error), attempt, delay }, "devpos request failed, retrying");
              await sleep(delay);
            }
          }
        };

        /** GET one list range: the rows, or "500" (the caller decides between retry and split). */
        const getRange = async (kind: SourceKind, window: DateWindow): Promise<unknown[] | "500"> => {
          const endpoint = LISTS[kind];
          const url = `${o.baseUrl}/api/v3/EInvoice/${endpoint}?fromDate=${window.from}&toDate=${window.to}`;
          return withTransientRetries(async () => {
            for (;;) {
              const bearer = await currentToken();
              const headers = { authorization: `Bearer ${bearer.value}`, tenant, accept: "application/json" };
              const response = await fetchText(countedFetch, url, { method: "GET", headers }, o.listTimeoutMs);
              processMetrics.devposRequests.inc({ status: String(response.status) });
              const json = parseJsonOrUndefined(response.text);
              capture?.(endpoint, { method: "GET", url, headers: redactSecrets(headers) }, response.status, json ?? response.text.slice(0, 10_000));
              if (response.status === 401) {
                if (reloggedIn) throw new DevposAuthError(companyId, endpoint);
                reloggedIn = true;
                token = await login();
                continue;
              }
              if (response.status === 500) return "500";
              if (response.status !== 200) throw new DevposHttpError(response.status, endpoint, snippet(response.text));
              if (!Array.isArray(json)) throw new DevposResponseError(endpoint, "answer is not a JSON array");
              return json;
            }
          });
        };

        const listRange = async (kind: SourceKind, window: DateWindow, warnings: DevposWarning[]): Promise<unknown[]> => {
          for (let attempt = 0; attempt <= o.retriesBeforeSplit; attempt++) {
            const rows = await getRange(kind, window);
            if (rows !== "500") return rows;
          }
          if (window.from === window.to) {
            const message = `DevPos ${LISTS[kind]} answered 500 for ${window.from} ${o.retriesBeforeSplit + 1} times; treated as a day without documents (DevPos's empty-range bug)`;
            warnings.push({ code: "empty_range_500", endpoint: LISTS[kind], day: window.from, message });
            return [];
          }
          const [first, second] = splitWindow(window);
          return [...(await listRange(kind, first, warnings)), ...(await listRange(kind, second, warnings))];
        };

        return { currentToken, listRange, requestCount: () => requests };
      };

      const list = async (kind: SourceKind, window: DateWindow): Promise<DevposListResult> => {
        assertWindow(window);
        const session = openSession();
        const warnings: DevposWarning[] = [];
        const rows = await session.listRange(kind, window, warnings);
        const documents: SourceDocument[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < rows.length; i++) {
          const raw = rows[i];
          // Each raw row is dropped once parsed: a 10,000-row list then never holds the raw
          // JSON and the parsed documents in full at once (peak memory of large syncs).
          rows[i] = undefined;
          const parsed = parseSourceRow(raw, kind);
          if (!parsed.ok) {
            warnings.push({ code: "row_rejected", endpoint: LISTS[kind], eic: parsed.eic, message: parsed.reason });
            continue;
          }
          for (const message of parsed.warnings) warnings.push({ code: "row_warning", endpoint: LISTS[kind], eic: parsed.document.eic, message });
          if (seen.has(parsed.document.eic)) continue;
          seen.add(parsed.document.eic);
          documents.push(parsed.document);
        }
        await recordDevposOk(deps.db, companyId, deps.clock.now());
        if (warnings.length > 0) logger?.warn({ companyId, endpoint: LISTS[kind], warnings: warnings.length }, "devpos list warnings");
        return { documents, warnings, requests: session.requestCount() };
      };

      return {
        listSales: (window) => list("sale", window),
        listPurchases: (window) => list("purchase", window),
        async checkLogin() {
          const token = await openSession().currentToken();
          return { expiresAt: token.expiresAt };
        },
      };
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
