import { createHash, randomBytes } from "node:crypto";

export interface SecretKey {
  /** Short, non-secret fingerprint of the key, stored in every envelope it sealed. */
  readonly id: string;
  readonly material: Buffer;
}

export interface Keyring {
  readonly primary: SecretKey;
  readonly keys: ReadonlyMap<string, SecretKey>;
}

export function keyFromBase64(base64: string): SecretKey {
  const material = Buffer.from(base64, "base64");
  if (material.length !== 32) throw new Error("a secret key must be 32 bytes (base64-encoded)");
  return { id: keyIdOf(material), material };
}

export function generateKeyBase64(): string {
  return randomBytes(32).toString("base64");
}

/** The primary key seals; every key (primary and retired) opens. */
export function createKeyring(primary: SecretKey, retired: readonly SecretKey[] = []): Keyring {
  const keys = new Map<string, SecretKey>();
  for (const key of [...retired, primary]) keys.set(key.id, key);
  return { primary, keys };
}

function keyIdOf(material: Buffer): string {
  return createHash("sha256").update("devsync-key-id:").update(material).digest("hex").slice(0, 12);
}
