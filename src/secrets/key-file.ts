import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createKeyring, generateKeyBase64, keyFromBase64, type Keyring } from "./keyring.js";

/**
 * The embedded default's key file: one base64 key per line, the last one current, earlier
 * ones retired (kept so values sealed with them still open). Mode 0600.
 */
const HEADER = [
  "# devsync secret keys (AES-256-GCM). The last key seals new secrets; earlier ones only open old ones.",
  "# Keep this file private and back it up with the database: without it the stored secrets are lost.",
];

export function readKeyFile(path: string): Keyring {
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new Error(`${path} holds no key`);
  const keys = lines.map(keyFromBase64);
  return createKeyring(keys[keys.length - 1]!, keys.slice(0, -1));
}

/** Creates the file with one fresh key unless it exists; safe when two processes race. */
export function ensureKeyFile(path: string): { created: boolean } {
  // The data dir also holds the SQLite database: private to the service account (storage/db.ts).
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, [...HEADER, generateKeyBase64(), ""].join("\n"), { flag: "wx", mode: 0o600 });
    return { created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { created: false };
    throw error;
  }
}

/** Appends a new current key (atomically: temp file + rename). Returns the new key id. */
export function addKeyToFile(path: string): string {
  const existing = readFileSync(path, "utf8").replace(/\n*$/, "\n");
  const key = generateKeyBase64();
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${existing}${key}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return keyFromBase64(key).id;
}

/** A loader that re-reads the file only when it changed on disk. */
export function createKeyFileLoader(path: string): () => Keyring {
  let cached: { mtimeMs: number; size: number; keyring: Keyring } | undefined;
  return () => {
    const stat = statSync(path);
    if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
      cached = { mtimeMs: stat.mtimeMs, size: stat.size, keyring: readKeyFile(path) };
    }
    return cached.keyring;
  };
}
