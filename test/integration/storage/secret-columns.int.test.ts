import { expect, it } from "vitest";
import { getDevposCredentials, readDevposSecret, saveDevposToken, upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import { createNotificationChannel, readChannelSecret } from "../../../src/storage/repos/notifications.js";
import { readQboTokens, saveConnectedTokens, updateTokensIfVersion, getQboConnection } from "../../../src/storage/repos/qbo-connections.js";
import { countSecretsByKeyId, reencryptAllSecrets, SEALED_COLUMNS } from "../../../src/storage/repos/secret-columns.js";
import type { Company } from "../../../src/storage/repos/companies.js";
import { describeEachDatabase, openTarget } from "../../helpers/test-db.js";
import { createTestBox, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

describeEachDatabase("sealed columns and key rotation", (current) => {
  it("re-encrypts every sealed value under the new primary key; old values stay readable meanwhile", async () => {
    const { db } = current();
    const keys = createTestBox();
    const { box } = keys;
    const oldKey = box.primaryKeyId();
    const companies: Company[] = [];
    for (let i = 0; i < 7; i += 1) {
      const company = await makeCompany(db);
      companies.push(company);
      await upsertDevposCredentials(db, box, company.id, { tenant: "t", username: `u${i}`, password: `password-${i}` }, T0);
      await saveDevposToken(db, box, company.id, { value: `devpos-token-${i}`, expiresAt: minutesAfter(60) }, T0);
      await saveConnectedTokens(db, box, {
        companyId: company.id,
        realmId: `realm-${i}`,
        environment: "sandbox",
        tokens: { accessToken: `access-${i}`, refreshToken: `refresh-${i}`, accessExpiresAt: minutesAfter(60), refreshExpiresAt: minutesAfter(6000) },
        now: T0,
      });
    }
    const global = await createNotificationChannel(db, box, { companyId: null, kind: "webhook", target: "https://hooks.example/x", secret: "hook-secret-g", events: ["*"], now: T0 });
    const local = await createNotificationChannel(db, box, { companyId: companies[0]!.id, kind: "webhook", target: "https://hooks.example/y", secret: "hook-secret-l", events: ["run.failed"], now: T0 });
    const total = 7 * 4 + 2;
    expect(await countSecretsByKeyId(db)).toEqual({ [oldKey]: total });

    // No plaintext in any sealed column.
    for (const sealed of SEALED_COLUMNS) {
      const rows = await (db as any).selectFrom(sealed.table).select(sealed.column).execute();
      for (const row of rows) {
        const value = row[sealed.column] as string | null;
        if (value !== null) expect(value).toMatch(/^v1\.[0-9a-f]{12}\./);
        expect(String(value)).not.toMatch(/password-|devpos-token-|access-\d|refresh-\d|hook-secret/);
      }
    }

    const newKey = keys.rotate();
    expect(box.primaryKeyId()).toBe(newKey);

    let raced = false;
    const readAll = async () => {
      for (const [i, company] of companies.entries()) {
        expect((await readDevposSecret(db, box, company.id))?.password).toBe(`password-${i}`);
        expect((await readDevposSecret(db, box, company.id))?.token?.value).toBe(`devpos-token-${i}`);
        expect((await readQboTokens(db, box, company.id))?.tokens?.refreshToken).toBe(raced && i === 3 ? "refresh-new" : `refresh-${i}`);
      }
      expect(await readChannelSecret(db, box, global.id)).toBe("hook-secret-g");
      expect(await readChannelSecret(db, box, local.id)).toBe("hook-secret-l");
    };

    let progressCalls = 0;
    const result = await reencryptAllSecrets(db, box, {
      batchSize: 3,
      onProgress: async (progress) => {
        progressCalls += 1;
        await readAll();
        if (!raced) {
          // A sync refreshes company 3's tokens mid-rotation (sealed with the new key): the
          // rotation must not overwrite them with the old ones.
          raced = true;
          const version = (await getQboConnection(db, companies[3]!.id))!.version;
          expect(
            await updateTokensIfVersion(db, box, companies[3]!.id, version, {
              accessToken: "access-new",
              refreshToken: "refresh-new",
              accessExpiresAt: minutesAfter(120),
              refreshExpiresAt: minutesAfter(9000),
            }, minutesAfter(1)),
          ).toBe(true);
        }
        expect(progress.scanned).toBeGreaterThan(0);
      },
    });
    expect(progressCalls).toBeGreaterThan(5);
    expect(result.scanned).toBe(total);
    expect(result.reencrypted + result.skippedConcurrent).toBe(total - 2);
    expect(await countSecretsByKeyId(db)).toEqual({ [newKey]: total });
    await readAll();

    // A second pass has nothing to do.
    expect(await reencryptAllSecrets(db, box)).toEqual({ scanned: total, reencrypted: 0, skippedConcurrent: 0 });
    expect((await getDevposCredentials(db, companies[0]!.id))?.hasCachedToken).toBe(true);
  });

  it("a value changed between the read and the write is skipped, not overwritten", async () => {
    const { db } = current();
    const keys = createTestBox();
    const first = await makeCompany(db);
    const second = await makeCompany(db);
    await upsertDevposCredentials(db, keys.box, first.id, { tenant: "t", username: "u", password: "first-before" }, T0);
    await upsertDevposCredentials(db, keys.box, second.id, { tenant: "t", username: "u", password: "second-before" }, T0);
    keys.rotate();
    // Another process saves a new password for the second company right after the rotation
    // read its batch (sealed with the new key, so it needs no re-encryption).
    const other = openTarget(current().target);
    let raced = false;
    const spied = db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        const first = args.result.rows[0] as Record<string, unknown> | undefined;
        if (!raced && first && "password_enc" in first) {
          raced = true;
          await upsertDevposCredentials(other.db, keys.box, second.id, { tenant: "t", username: "u", password: "second-after" }, minutesAfter(1));
        }
        return args.result;
      },
    });
    try {
      const result = await reencryptAllSecrets(spied, keys.box);
      expect(result).toEqual({ scanned: 2, reencrypted: 1, skippedConcurrent: 1 });
    } finally {
      await other.destroy();
    }
    expect((await readDevposSecret(db, keys.box, first.id))?.password).toBe("first-before");
    expect((await readDevposSecret(db, keys.box, second.id))?.password).toBe("second-after");
    expect(await countSecretsByKeyId(db)).toEqual({ [keys.box.primaryKeyId()]: 2 });
  });
});
