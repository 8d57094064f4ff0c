import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring.js";

/**
 * AES-256-GCM envelopes: `v1.<key id>.<iv>.<ciphertext+tag>` (base64url). The key id travels
 * with the ciphertext so retired keys keep opening old values during a rotation. The context
 * string (table, column and owning company) is authenticated as associated data: a sealed
 * token copied into another row or column no longer opens.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(envelope: string, context: string): string;
  /** True when the envelope was sealed with a key other than the current primary. */
  isStale(envelope: string): boolean;
  primaryKeyId(): string;
}

export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * `loadKeyring` is called on every seal and on an unknown key id, so a keyring that changes on
 * disk (`devsync secrets rotate` on the embedded default) is picked up without a restart; the
 * loader is expected to cache.
 */
export function createSecretBox(loadKeyring: () => Keyring): SecretBox {
  return {
    seal(plaintext, context) {
      const { primary } = loadKeyring();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", primary.material, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, primary.id, iv.toString("base64url"), body.toString("base64url")].join(".");
    },
    open(envelope, context) {
      const parts = envelope.split(".");
      if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError("not a devsync secret envelope");
      const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
      const key = loadKeyring().keys.get(keyId);
      if (!key) throw new SecretBoxError(`secret was sealed with key ${keyId}, which is not configured (see DEVSYNC_SECRET_KEYS_PREVIOUS)`);
      const body = Buffer.from(bodyText, "base64url");
      if (body.length < TAG_BYTES) throw new SecretBoxError("secret envelope is truncated");
      const decipher = createDecipheriv("aes-256-gcm", key.material, Buffer.from(ivText, "base64url"));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("secret failed authentication (wrong key, wrong context or tampered value)");
      }
    },
    isStale(envelope) {
      return envelope.split(".")[1] !== loadKeyring().primary.id;
    },
    primaryKeyId: () => loadKeyring().primary.id,
  };
}
