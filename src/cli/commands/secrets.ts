import { Command } from "commander";
import { addKeyToFile } from "../../secrets/key-file.js";
import { generateKeyBase64 } from "../../secrets/keyring.js";
import { countSecretsByKeyId, reencryptAllSecrets } from "../../storage/repos/secret-columns.js";
import { CliError, openRuntime } from "../runtime.js";

export function secretsCommand(): Command {
  const secrets = new Command("secrets").description("Manage the key that encrypts stored secrets");

  secrets
    .command("status")
    .description("Show the current key id and how many stored secrets each key sealed")
    .action(async () => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const counts = await countSecretsByKeyId(runtime.db.db);
        const primary = runtime.secrets.box.primaryKeyId();
        process.stdout.write(`current key: ${primary} (from ${runtime.secrets.source === "env" ? "DEVSYNC_SECRET_KEY" : runtime.secrets.keyFile})\n`);
        for (const [keyId, count] of Object.entries(counts)) {
          process.stdout.write(`  ${keyId}: ${count} secret(s)${keyId === primary ? " (current)" : " (to re-encrypt)"}\n`);
        }
      } finally {
        await runtime.close();
      }
    });

  secrets
    .command("generate-key")
    .description("Print a new random key for DEVSYNC_SECRET_KEY (base64, 32 bytes)")
    .action(() => {
      process.stdout.write(`${generateKeyBase64()}\n`);
    });

  secrets
    .command("rotate")
    .description("Re-encrypt every stored secret with a new key, while devsync keeps running")
    .addHelpText(
      "after",
      `
Embedded default (key file): a new key is added to the key file and becomes current; running
processes notice the change on their next secret operation, and old keys stay in the file so
nothing in flight becomes unreadable.

With DEVSYNC_SECRET_KEY: first set the new key in DEVSYNC_SECRET_KEY and the old one in
DEVSYNC_SECRET_KEYS_PREVIOUS on every process (a rolling restart), then run this command; once
"secrets status" shows nothing left under the old key, drop it from DEVSYNC_SECRET_KEYS_PREVIOUS.`,
    )
    .option("--resume", "finish an interrupted rotation: re-encrypt under the current key without adding another")
    .action(async (options: { resume?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        if (runtime.secrets.source === "file" && !options.resume) {
          const keyId = addKeyToFile(runtime.secrets.keyFile!);
          process.stdout.write(`added key ${keyId} to ${runtime.secrets.keyFile}; it is now current\n`);
        } else {
          process.stdout.write(`re-encrypting under DEVSYNC_SECRET_KEY (key ${runtime.secrets.box.primaryKeyId()})\n`);
        }
        const result = await reencryptAllSecrets(runtime.db.db, runtime.secrets.box, {});
        process.stdout.write(`scanned ${result.scanned}, re-encrypted ${result.reencrypted}, changed concurrently ${result.skippedConcurrent}\n`);
        const remaining = Object.entries(await countSecretsByKeyId(runtime.db.db)).filter(([keyId]) => keyId !== runtime.secrets.box.primaryKeyId());
        if (remaining.length > 0) {
          throw new CliError(`some secrets still use an old key (${remaining.map(([k, n]) => `${k}: ${n}`).join(", ")}); run "devsync secrets rotate --resume"`, 1);
        }
        process.stdout.write("every stored secret now uses the current key\n");
      } finally {
        await runtime.close();
      }
    });

  return secrets;
}
