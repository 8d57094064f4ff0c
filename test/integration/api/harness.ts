import type { FastifyInstance, InjectOptions } from "fastify";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { pino } from "pino";
import { expect } from "vitest";
import { createApp } from "../../../src/api/create-app.js";
import type { AppDeps } from "../../../src/api/deps.js";
import { createKeyring, generateKeyBase64, keyFromBase64 } from "../../../src/secrets/keyring.js";
import { createSecretBox, type SecretBox } from "../../../src/secrets/secret-box.js";
import type { TestDatabase } from "../../helpers/test-db.js";
import { createFakeConnectors, type FakeConnectors } from "./fakes.js";

/** A fixed start: Saturday 2026-11-28 08:00 in Tirana (07:00Z). */
export const T0 = new Date("2026-11-28T07:00:00.000Z");

export interface Client {
  name: string;
  headers: Record<string, string>;
  kind: "anonymous" | "session" | "key";
}

export const anonymous: Client = { name: "anonymous", headers: {}, kind: "anonymous" };

export interface ApiResponse {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (malformed JSON, other content types). */
  rawBody?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Skip checking the response against the OpenAPI document. */
  skipOpenApi?: boolean;
}

/** Operations of the OpenAPI document that got a response checked against it, per test file. */
export const openApiCoverage = new Map<string, Set<number>>();

/**
 * The API under test over `app.inject()`, with the guards every API test gets for free:
 * - every response is scanned for secrets the tests created (passwords, session tokens, API
 *   keys, QuickBooks tokens, OAuth states): finding one fails the test;
 * - every response of a documented route is validated against /api/openapi.json.
 */
export class ApiHarness {
  readonly secrets = new Set<string>();
  private current = T0;
  private validators = new Map<string, ((data: unknown) => boolean) & { errors?: unknown }>();
  private paths: { method: string; template: string; regex: RegExp; responses: Record<string, any> }[] | undefined;

  private constructor(
    readonly database: TestDatabase,
    readonly app: FastifyInstance,
    readonly box: SecretBox,
    readonly fakes: FakeConnectors,
    private readonly clockRef: { now: () => Date },
  ) {}

  static async create(database: TestDatabase, overrides: Partial<AppDeps> = {}): Promise<ApiHarness> {
    const keyring = createKeyring(keyFromBase64(generateKeyBase64()));
    const box = createSecretBox(() => keyring);
    const clockRef = { now: () => T0 };
    let harness: ApiHarness | undefined;
    const fakes = createFakeConnectors({ db: () => database.db, box, now: () => clockRef.now(), onSecret: (s) => harness?.secrets.add(s) });
    const app = await createApp({
      db: database,
      logger: pino({ level: "silent" }),
      secrets: box,
      clock: { now: () => clockRef.now() },
      qboConnect: fakes.qboConnect,
      devposTester: fakes.devposTester,
      qboCatalog: fakes.qboCatalog,
      qboRealmCheck: fakes.qboRealmCheck,
      ...overrides,
    });
    harness = new ApiHarness(database, app, box, fakes, clockRef);
    clockRef.now = () => harness!.current;
    return harness;
  }

  now(): Date {
    return this.current;
  }

  setNow(date: Date): void {
    this.current = date;
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  async call(client: Client | null, method: string, url: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(client?.headers ?? {}), ...(options.headers ?? {}) };
    const inject: InjectOptions = { method: method as InjectOptions["method"], url, headers };
    if (options.rawBody !== undefined) {
      inject.payload = options.rawBody;
      if (options.contentType) headers["content-type"] = options.contentType;
    } else if (options.body !== undefined) {
      inject.payload = JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const res = await this.app.inject(inject);
    const response: ApiResponse = { status: res.statusCode, headers: res.headers, body: res.body, json: parseJson(res.body) };
    this.scan(method, url, response);
    if (!options.skipOpenApi) await this.checkOpenApi(method, url, response);
    return response;
  }

  /** Fails when a response carries a secret the tests created. */
  private scan(method: string, url: string, response: ApiResponse): void {
    const headers = { ...response.headers };
    delete headers["set-cookie"];
    const haystack = `${response.body}\n${JSON.stringify(headers)}`;
    for (const secret of this.secrets) {
      if (secret.length >= 8 && haystack.includes(secret)) {
        throw new Error(`response to ${method} ${url} (${response.status}) contains a secret the test created: ${secret.slice(0, 4)}…`);
      }
    }
  }

  async openApiDocument(): Promise<any> {
    const res = await this.app.inject({ method: "GET", url: "/api/openapi.json" });
    return JSON.parse(res.body);
  }

  private async loadPaths() {
    if (this.paths) return this.paths;
    const doc = await this.openApiDocument();
    this.paths = [];
    for (const [template, item] of Object.entries<any>(doc.paths)) {
      const regex = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const [method, operation] of Object.entries<any>(item)) {
        if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
        this.paths.push({ method: method.toUpperCase(), template, regex, responses: operation.responses ?? {} });
      }
    }
    return this.paths;
  }

  /** Validates a response against the documented schema of its route and status. */
  private async checkOpenApi(method: string, url: string, response: ApiResponse): Promise<void> {
    // Match the path the router saw: dot segments (also percent-encoded) are resolved first.
    const path = new URL(url.split("?")[0]!, "http://devsync.test").pathname;
    const operation = (await this.loadPaths()).find((p) => p.method === method.toUpperCase() && p.regex.test(path));
    if (!operation) return;
    // Answers that never reach the route's own handler are the router's or the auth hook's.
    const key = `${operation.method} ${operation.template}`;
    const status = String(response.status);
    const documented = operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses[`${status[0]}xx`];
    expect(documented, `${key} answered ${status}, which the OpenAPI document does not describe`).toBeDefined();
    const contentType = String(response.headers["content-type"] ?? "").split(";")[0]!.trim();
    const media = documented.content?.[contentType] ?? (contentType === "" ? undefined : undefined);
    expect(media, `${key} answered ${status} as ${contentType}, not documented (${Object.keys(documented.content ?? {}).join(", ")})`).toBeDefined();
    const validatorKey = `${key} ${status} ${contentType}`;
    let validate = this.validators.get(validatorKey);
    if (!validate) {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      (addFormats as unknown as (a: unknown) => void)(ajv);
      validate = ajv.compile(media.schema ?? {}) as never;
      this.validators.set(validatorKey, validate!);
    }
    const data = contentType === "application/json" ? response.json : response.body;
    if (!validate!(data)) {
      throw new Error(`${key} ${status} does not match the OpenAPI document: ${JSON.stringify(validate!.errors).slice(0, 800)}\nbody: ${response.body.slice(0, 400)}`);
    }
    const seen = openApiCoverage.get(key) ?? new Set<number>();
    seen.add(response.status);
    openApiCoverage.set(key, seen);
  }

  // ---- helpers building the cast of a test --------------------------------------------

  /** Creates the first admin through /api/auth/setup and returns its session. */
  async setupAdmin(email = "admin@firm.al", password = "admin-password-1"): Promise<Client & { csrf: string; userId: number }> {
    this.secrets.add(password);
    const res = await this.call(anonymous, "POST", "/api/auth/setup", { body: { email, name: "Admin", password } });
    expect(res.status, res.body).toBe(201);
    return this.sessionFrom(res, email);
  }

  async login(email: string, password: string): Promise<Client & { csrf: string; userId: number }> {
    const res = await this.call(anonymous, "POST", "/api/auth/login", { body: { email, password } });
    expect(res.status, res.body).toBe(200);
    return this.sessionFrom(res, email);
  }

  private sessionFrom(res: ApiResponse, name: string): Client & { csrf: string; userId: number } {
    const cookies = ([] as string[]).concat((res.headers["set-cookie"] as string | string[] | undefined) ?? []);
    const session = cookies.map((c) => /^devsync_session=([^;]+)/.exec(c)?.[1]).find(Boolean);
    if (!session) throw new Error("login set no session cookie");
    this.secrets.add(session);
    return {
      name,
      kind: "session",
      csrf: res.json.csrf_token,
      userId: res.json.user.id,
      headers: { cookie: `devsync_session=${session}`, "x-csrf-token": res.json.csrf_token },
    };
  }

  async createCompany(admin: Client, code: string, name: string, extra: Record<string, unknown> = {}): Promise<{ id: number; name: string; code: string }> {
    const res = await this.call(admin, "POST", "/api/companies", { body: { code, name, ...extra } });
    expect(res.status, res.body).toBe(201);
    return res.json;
  }

  /** A member with the given grants, logged in. */
  async createMember(
    admin: Client,
    email: string,
    grants: { companyId: number; view?: boolean; run?: boolean; manage_schedules?: boolean; edit_connections?: boolean }[],
  ): Promise<Client & { csrf: string; userId: number }> {
    const password = `pw-${email}-${Math.random().toString(36).slice(2)}`;
    this.secrets.add(password);
    const res = await this.call(admin, "POST", "/api/users", { body: { email, name: email.split("@")[0], password } });
    expect(res.status, res.body).toBe(201);
    for (const { companyId, ...permissions } of grants) {
      const grant = await this.call(admin, "PUT", `/api/users/${res.json.id}/companies/${companyId}`, { body: permissions });
      expect(grant.status, grant.body).toBe(200);
    }
    return this.login(email, password);
  }

  async createKey(admin: Client, name: string, companies: { company_id: number; view?: boolean; run?: boolean; manage_schedules?: boolean; edit_connections?: boolean }[]): Promise<Client & { id: number; key: string }> {
    const res = await this.call(admin, "POST", "/api/api-keys", { body: { name, companies } });
    expect(res.status, res.body).toBe(201);
    const key = res.json.key as string;
    this.secrets.add(key);
    return { name, kind: "key", id: res.json.api_key.id, key, headers: { authorization: `Bearer ${key}` } };
  }
}

function parseJson(body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
