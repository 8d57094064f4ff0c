import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config.js";
import { loadSecretBox } from "../../secrets/load-secret-box.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import { readDevposSecret } from "../../storage/repos/devpos-credentials.js";
import { findSealedSamples, type SealedSample } from "../../storage/repos/notify-doctor.js";
import { readChannelSecret } from "../../storage/repos/notifications.js";
import { readQboTokens } from "../../storage/repos/qbo-connections.js";
import type { Db } from "../../storage/repos/repo-helpers.js";
import { message } from "./check-database.js";
import type { DoctorCheck } from "./doctor-report.js";

const SECTION = "Secrets";

/**
 * The key loads and opens what is stored. Never creates a key file (a missing one on a database
 * that holds secrets is the problem to report, not to paper over). Returns the box when usable.
 */
export async function checkSecrets(config: Config, db: Db | undefined, checks: DoctorCheck[]): Promise<SecretBox | undefined> {
  const keyFile = join(config.dataDir, "secret.key");
  const source = config.secretKey ? "DEVSYNC_SECRET_KEY" : keyFile;
  const samples = db ? await findSealedSamples(db).catch(() => [] as SealedSample[]) : [];
  if (!config.secretKey && !existsSync(keyFile)) {
    checks.push(
      samples.length > 0
        ? { section: SECTION, name: "secret key", status: "fail", detail: `no key: ${keyFile} is missing but the database holds encrypted secrets`, hint: "restore secret.key from the backup taken with the database, or set DEVSYNC_SECRET_KEY" }
        : { section: SECTION, name: "secret key", status: "warn", detail: `no key yet; ${keyFile} is generated on first start`, hint: "back it up together with the database once it exists" },
    );
    return undefined;
  }
  let box: SecretBox;
  try {
    box = loadSecretBox(config).box;
  } catch (error) {
    checks.push({ section: SECTION, name: "secret key", status: "fail", detail: `cannot load the key from ${source}: ${message(error)}` });
    return undefined;
  }
  if (samples.length === 0) {
    checks.push({ section: SECTION, name: "secret key", status: "ok", detail: `loaded from ${source}; nothing encrypted is stored yet` });
    return box;
  }
  const opened: string[] = [];
  for (const sample of samples) {
    try {
      if (sample.kind === "devpos_password") await readDevposSecret(db!, box, sample.companyId);
      else if (sample.kind === "qbo_tokens") await readQboTokens(db!, box, sample.companyId);
      else await readChannelSecret(db!, box, sample.channelId);
      opened.push(describeSample(sample));
    } catch (error) {
      checks.push({
        section: SECTION,
        name: "secret key",
        status: "fail",
        detail: `the key from ${source} cannot open a stored ${describeSample(sample)}: ${message(error)}`,
        hint: "devsync runs with another key than the one that encrypted this database; set DEVSYNC_SECRET_KEY (and DEVSYNC_SECRET_KEYS_PREVIOUS during a rotation) to the right keys",
      });
      return undefined;
    }
  }
  checks.push({ section: SECTION, name: "secret key", status: "ok", detail: `loaded from ${source}; opened a stored ${opened.join(", ")}` });
  return box;
}

function describeSample(sample: SealedSample): string {
  switch (sample.kind) {
    case "devpos_password":
      return `DevPos password (company ${sample.companyId})`;
    case "qbo_tokens":
      return `QuickBooks token (company ${sample.companyId})`;
    case "channel_secret":
      return `alert channel secret (channel ${sample.channelId})`;
  }
}
