import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session tokens, CSRF tokens and API keys: 32 random bytes, shown to their owner once and
 * stored only as SHA-256 hashes, so a copy of the database opens no session and no key.
 */

export const API_KEY_PREFIX = "dsk_";

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * The CSRF token of a session is derived from its (secret) session token, so `GET /api/auth/me`
 * can hand it out again without storing it in plain text; the sessions table keeps its hash.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac("sha256", sessionToken).update("devsync csrf v1").digest("base64url");
}

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomToken()}`;
  return { key, prefix: key.slice(0, 12), hash: sha256Hex(key) };
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
