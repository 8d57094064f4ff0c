import { resolve } from "node:path";
import { z } from "zod";
import type { DatabaseTarget } from "./storage/db.js";

/**
 * Every environment variable devsync reads, with its default. `parseConfig` is the only reader
 * of the environment; the README's configuration table is checked against `CONFIG_VARIABLES`
 * by a test, so the two cannot drift.
 */
export const CONFIG_VARIABLES = {
  PORT: { default: "8080", help: "HTTP port of the API and dashboard." },
  HOST: { default: "127.0.0.1", help: "Interface to listen on; 0.0.0.0 to accept connections from other machines." },
  TRUST_PROXY: {
    default: "off",
    help: "Set when devsync sits behind a reverse proxy: `1` (or `true`) trusts the one proxy right in front, a number N trusts N proxies, or a comma-separated list of proxy addresses/CIDRs. The client address (login limits, audit log) is then taken from X-Forwarded-For as that proxy saw it; off, X-Forwarded-For is ignored.",
  },
  PUBLIC_URL: { default: "http://localhost:$PORT", help: "Address users reach devsync at; the QuickBooks redirect URI is built from it." },
  DATABASE_URL: { default: "(unset: SQLite at $DATA_DIR/devsync.db)", help: "postgres://…, mysql://… (MariaDB ≥ 10.6) or sqlite:<path>." },
  DATABASE_POOL_SIZE: { default: "10", help: "Connections per process (PostgreSQL, MariaDB)." },
  DATA_DIR: { default: "./data", help: "Where the embedded default keeps its database and generated secret key." },
  DEVSYNC_SECRET_KEY: { default: "(unset: generated once into $DATA_DIR/secret.key on SQLite; required otherwise)", help: "Base64 of 32 random bytes; encrypts secrets at rest (AES-256-GCM)." },
  DEVSYNC_SECRET_KEYS_PREVIOUS: { default: "(empty)", help: "Comma-separated retired keys (base64), still accepted for decryption during a rotation." },
  LOG_LEVEL: { default: "info", help: "trace, debug, info, warn, error, fatal or silent." },
  QBO_CLIENT_ID: { default: "(unset)", help: "Intuit app client id; needed to connect companies to QuickBooks." },
  QBO_CLIENT_SECRET: { default: "(unset)", help: "Intuit app client secret." },
  QBO_ENVIRONMENT: { default: "production", help: "production or sandbox: which QuickBooks API host to call." },
  QBO_REDIRECT_URI: { default: "$PUBLIC_URL/api/qbo/callback", help: "OAuth redirect URI registered in the Intuit app." },
  QBO_AUTHORIZE_URL: { default: "https://appcenter.intuit.com/connect/oauth2", help: "Intuit authorize page (point at `devsync sandbox` for demos and tests)." },
  QBO_TOKEN_URL: { default: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer", help: "Intuit token endpoint." },
  QBO_REVOKE_URL: { default: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke", help: "Intuit revoke endpoint." },
  QBO_API_BASE: { default: "(by QBO_ENVIRONMENT) https://quickbooks.api.intuit.com or https://sandbox-quickbooks.api.intuit.com", help: "QuickBooks API v3 base URL." },
  DEVPOS_BASE_URL: { default: "https://online.devpos.al", help: "DevPos base URL (token at /connect/token, API at /api/v3)." },
  DEVPOS_CLIENT_ID: { default: "fiskalizimi_spa", help: "OAuth client id DevPos's password grant expects." },
  DEVPOS_CLIENT_SECRET: { default: "(empty)", help: "Its secret (DevPos's public web client has none)." },
  SMTP_URL: { default: "(unset: no email alerts)", help: "smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465; sends alert emails." },
  ALERT_EMAIL_FROM: { default: "devsync@localhost", help: "Sender address of alert emails." },
  ALERT_EMAIL_TO: { default: "(unset)", help: "Comma-separated addresses that receive every alert (needs SMTP_URL); companies can add their own channels." },
  ALERT_WEBHOOK_URL: { default: "(unset)", help: "URL that receives every alert as a signed JSON POST." },
  ALERT_WEBHOOK_SECRET: { default: "(unset; required with ALERT_WEBHOOK_URL)", help: "HMAC-SHA256 key for the X-Devsync-Signature header." },
  RETENTION_DAYS: { default: "180", help: "Run events and run items older than this are pruned (0 keeps them for ever); document links are always kept." },
} as const;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface Config {
  readonly port: number;
  readonly host: string;
  /**
   * Fastify's `trustProxy`: false (default) ignores X-Forwarded-For; a hop count or a list of
   * proxy addresses takes the client address from it. Never `true` ("trust every hop"), which
   * would let a client pick its own address by sending the header itself.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly publicUrl: string;
  readonly database: DatabaseTarget;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  /** True when no DATABASE_URL was given: the embedded, zero-config mode. */
  readonly embedded: boolean;
  readonly secretKey: string | undefined;
  readonly previousSecretKeys: readonly string[];
  readonly logLevel: LogLevel;
  readonly qbo: {
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly environment: "production" | "sandbox";
    readonly redirectUri: string;
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    readonly revokeUrl: string;
    readonly apiBase: string;
  };
  readonly devpos: {
    readonly baseUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
  };
  readonly alerts: {
    /** Contains the SMTP password: never log it. */
    readonly smtpUrl: string | undefined;
    readonly emailFrom: string;
    readonly emailTo: readonly string[];
    readonly webhookUrl: string | undefined;
    readonly webhookSecret: string | undefined;
  };
  /** Days of run events and items to keep; 0 keeps them for ever. */
  readonly retentionDays: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly variable: ConfigVariable, problem: string) {
    super(`${variable}: ${problem}`);
  }
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): Config {
  const read = (name: ConfigVariable): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };

  const port = parseInteger("PORT", read("PORT") ?? "8080", 0, 65535);
  const host = read("HOST") ?? "127.0.0.1";
  const trustProxy = parseTrustProxy(read("TRUST_PROXY"));
  const publicUrl = stripSlash(parseUrl("PUBLIC_URL", read("PUBLIC_URL") ?? `http://localhost:${port}`, ["http:", "https:"]));
  const dataDir = resolve(cwd, read("DATA_DIR") ?? "./data");
  const databaseUrl = read("DATABASE_URL");
  const database = parseDatabaseUrl(databaseUrl, dataDir, cwd);

  const secretKey = read("DEVSYNC_SECRET_KEY");
  if (secretKey !== undefined) checkKey("DEVSYNC_SECRET_KEY", secretKey);
  const previousSecretKeys = (read("DEVSYNC_SECRET_KEYS_PREVIOUS") ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  for (const key of previousSecretKeys) checkKey("DEVSYNC_SECRET_KEYS_PREVIOUS", key);
  if (secretKey === undefined && database.dialect !== "sqlite") {
    throw new ConfigError("DEVSYNC_SECRET_KEY", "is required with PostgreSQL or MariaDB, so every process uses the same key (generate one with `openssl rand -base64 32`)");
  }

  const logLevel = oneOf("LOG_LEVEL", read("LOG_LEVEL") ?? "info", LOG_LEVELS);
  const environment = oneOf("QBO_ENVIRONMENT", read("QBO_ENVIRONMENT") ?? "production", ["production", "sandbox"] as const);
  const defaultApiBase = environment === "sandbox" ? "https://sandbox-quickbooks.api.intuit.com" : "https://quickbooks.api.intuit.com";
  const http = ["http:", "https:"];
  const alerts = parseAlerts(read);

  return deepFreeze({
    port,
    host,
    trustProxy,
    publicUrl,
    database,
    databasePoolSize: parseInteger("DATABASE_POOL_SIZE", read("DATABASE_POOL_SIZE") ?? "10", 1, 1000),
    dataDir,
    embedded: databaseUrl === undefined,
    secretKey,
    previousSecretKeys,
    logLevel,
    qbo: {
      clientId: read("QBO_CLIENT_ID"),
      clientSecret: read("QBO_CLIENT_SECRET"),
      environment,
      redirectUri: parseUrl("QBO_REDIRECT_URI", read("QBO_REDIRECT_URI") ?? `${publicUrl}/api/qbo/callback`, http),
      authorizeUrl: parseUrl("QBO_AUTHORIZE_URL", read("QBO_AUTHORIZE_URL") ?? "https://appcenter.intuit.com/connect/oauth2", http),
      tokenUrl: parseUrl("QBO_TOKEN_URL", read("QBO_TOKEN_URL") ?? "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer", http),
      revokeUrl: parseUrl("QBO_REVOKE_URL", read("QBO_REVOKE_URL") ?? "https://developer.api.intuit.com/v2/oauth2/tokens/revoke", http),
      apiBase: stripSlash(parseUrl("QBO_API_BASE", read("QBO_API_BASE") ?? defaultApiBase, http)),
    },
    devpos: {
      baseUrl: stripSlash(parseUrl("DEVPOS_BASE_URL", read("DEVPOS_BASE_URL") ?? "https://online.devpos.al", http)),
      clientId: read("DEVPOS_CLIENT_ID") ?? "fiskalizimi_spa",
      clientSecret: env.DEVPOS_CLIENT_SECRET ?? "",
    },
    alerts,
    retentionDays: parseInteger("RETENTION_DAYS", read("RETENTION_DAYS") ?? "180", 0, 36_500),
  });
}

function parseAlerts(read: (name: ConfigVariable) => string | undefined): Config["alerts"] {
  const smtpUrl = read("SMTP_URL");
  if (smtpUrl !== undefined) parseUrl("SMTP_URL", smtpUrl, ["smtp:", "smtps:"]);
  const emailFrom = read("ALERT_EMAIL_FROM") ?? "devsync@localhost";
  if (!isEmailAddress(emailFrom)) throw new ConfigError("ALERT_EMAIL_FROM", `is not an email address: "${emailFrom}"`);
  const emailTo = (read("ALERT_EMAIL_TO") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  for (const address of emailTo) if (!isEmailAddress(address)) throw new ConfigError("ALERT_EMAIL_TO", `is not a list of email addresses: "${address}"`);
  if (emailTo.length > 0 && smtpUrl === undefined) throw new ConfigError("ALERT_EMAIL_TO", "needs SMTP_URL to send through");
  const webhookUrl = read("ALERT_WEBHOOK_URL");
  if (webhookUrl !== undefined) parseUrl("ALERT_WEBHOOK_URL", webhookUrl, ["http:", "https:"]);
  const webhookSecret = read("ALERT_WEBHOOK_SECRET");
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError("ALERT_WEBHOOK_SECRET", "is required with ALERT_WEBHOOK_URL, so receivers can verify alerts (generate one with `openssl rand -hex 32`)");
  }
  if (webhookSecret !== undefined && webhookSecret.length < 16) throw new ConfigError("ALERT_WEBHOOK_SECRET", "must be at least 16 characters");
  return { smtpUrl, emailFrom, emailTo, webhookUrl, webhookSecret };
}

function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const value = raw?.toLowerCase();
  if (value === undefined || value === "off" || value === "false" || value === "0") return false;
  if (value === "true" || value === "on") return 1;
  if (/^\d+$/.test(value)) return parseInteger("TRUST_PROXY", value, 0, 20) || false;
  const addresses = value.split(",").map((a) => a.trim()).filter(Boolean);
  for (const address of addresses) {
    if (!/^[0-9a-f.:]+(\/\d{1,3})?$/.test(address) || !address.match(/[.:]/)) {
      throw new ConfigError("TRUST_PROXY", `must be off, a number of proxies, or proxy addresses such as 10.0.0.2,10.1.0.0/16; got "${address}"`);
    }
  }
  return addresses;
}

/** Loose on purpose: a bare address or `Name <address>`; the SMTP server has the last word. */
function isEmailAddress(value: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+$/.test(value) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(value);
}

function parseDatabaseUrl(url: string | undefined, dataDir: string, cwd: string): DatabaseTarget {
  if (url === undefined) return { dialect: "sqlite", file: resolve(dataDir, "devsync.db") };
  if (url.startsWith("sqlite:") || url.startsWith("file:")) {
    const path = url.replace(/^(sqlite|file):(\/\/)?/, "");
    if (path === "") throw new ConfigError("DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:./data/devsync.db");
    return { dialect: "sqlite", file: path === ":memory:" ? path : resolve(cwd, path) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError("DATABASE_URL", "is not a valid URL (expected postgres://…, mysql://… or sqlite:<path>)");
  }
  if (parsed.protocol === "postgres:" || parsed.protocol === "postgresql:") return { dialect: "postgres", url };
  if (parsed.protocol === "mysql:" || parsed.protocol === "mariadb:") {
    parsed.protocol = "mysql:";
    return { dialect: "mysql", url: parsed.toString() };
  }
  throw new ConfigError("DATABASE_URL", `unsupported scheme "${parsed.protocol}" (expected postgres://, mysql:// or sqlite:)`);
}

function parseInteger(name: ConfigVariable, raw: string, min: number, max: number): number {
  const result = z.coerce.number().int().min(min).max(max).safeParse(raw);
  if (!/^\d+$/.test(raw) || !result.success) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return result.data;
}

function parseUrl(name: ConfigVariable, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must use ${protocols.join(" or ")}, got "${raw}"`);
  return raw;
}

function oneOf<T extends string>(name: ConfigVariable, raw: string, allowed: readonly T[]): T {
  const value = raw.toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got "${raw}"`);
  return value as T;
}

function checkKey(name: ConfigVariable, key: string): void {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, "base64").length !== 32) {
    throw new ConfigError(name, "must be base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`)");
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (child && typeof child === "object") deepFreeze(child);
  return Object.freeze(value);
}
