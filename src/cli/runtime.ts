import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { ConfigError, parseConfig, type Config } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { loadSecretBox, type LoadedSecretBox } from "../secrets/load-secret-box.js";
import { createDb, type DbHandle } from "../storage/db.js";
import { migrateToLatest, SchemaTooNewError } from "../storage/migrate.js";

/** A failure the CLI reports as one plain sentence and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/**
 * The environment as devsync sees it: `.env` in the working directory fills in what the real
 * environment does not set (the real environment wins, as with dotenv everywhere).
 */
export function loadEnvironment(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, ".env");
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(): Config {
  try {
    return parseConfig(loadEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration error: ${error.message}`, 2);
    throw error;
  }
}

export interface Runtime {
  config: Config;
  logger: Logger;
  db: DbHandle;
  secrets: LoadedSecretBox;
  close(): Promise<void>;
}

/** Config, logger, database (migrated unless told otherwise) and secret box for a command. */
export async function openRuntime(options: { migrate?: boolean; logLevel?: Config["logLevel"] } = {}): Promise<Runtime> {
  const config = loadConfig();
  const logger = createLogger({ level: options.logLevel ?? config.logLevel });
  const db = createDb(config.database, { poolSize: config.databasePoolSize });
  try {
    if (options.migrate ?? true) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied }, "database migrated");
    }
    const secrets = loadSecretBox(config);
    if (secrets.createdKeyFile) logger.warn({ keyFile: secrets.keyFile }, "generated a new secret key file; back it up together with the database");
    return { config, logger, db, secrets, close: () => db.destroy() };
  } catch (error) {
    await db.destroy().catch(() => {});
    if (error instanceof SchemaTooNewError) throw new CliError(error.message, 1);
    throw error;
  }
}

/** Describes the database without credentials, for messages. */
export function describeDatabase(config: Config): string {
  const target = config.database;
  if (target.dialect === "sqlite") return `SQLite at ${target.file}`;
  const url = new URL(target.url);
  return `${target.dialect === "postgres" ? "PostgreSQL" : "MariaDB"} at ${url.hostname}:${url.port || "default port"}${url.pathname}`;
}
