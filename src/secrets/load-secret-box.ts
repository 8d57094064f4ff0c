import { join } from "node:path";
import type { Config } from "../config.js";
import { createKeyFileLoader, ensureKeyFile } from "./key-file.js";
import { createKeyring, keyFromBase64 } from "./keyring.js";
import { createSecretBox, type SecretBox } from "./secret-box.js";

export interface LoadedSecretBox {
  box: SecretBox;
  /** Where the keys come from, for messages (never the keys themselves). */
  source: "env" | "file";
  keyFile: string | undefined;
  createdKeyFile: boolean;
}

/**
 * DEVSYNC_SECRET_KEY wins when set. Otherwise (only possible on the embedded SQLite default,
 * parseConfig enforces that) the key lives in $DATA_DIR/secret.key, generated on first use.
 */
export function loadSecretBox(config: Config): LoadedSecretBox {
  if (config.secretKey) {
    const keyring = createKeyring(keyFromBase64(config.secretKey), config.previousSecretKeys.map(keyFromBase64));
    return { box: createSecretBox(() => keyring), source: "env", keyFile: undefined, createdKeyFile: false };
  }
  const keyFile = join(config.dataDir, "secret.key");
  const { created } = ensureKeyFile(keyFile);
  return { box: createSecretBox(createKeyFileLoader(keyFile)), source: "file", keyFile, createdKeyFile: created };
}
