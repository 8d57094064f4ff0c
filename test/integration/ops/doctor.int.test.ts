import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.js";
import { parseConfig, type Config } from "../../../src/config.js";
import { formatReport } from "../../../src/ops/doctor/doctor-report.js";
import { runDoctor } from "../../../src/ops/doctor/run-doctor.js";
import { sandboxUrls, type SandboxServer } from "../../../src/sandbox/server.js";
import { generateKeyBase64, createKeyring, keyFromBase64 } from "../../../src/secrets/keyring.js";
import { createSecretBox } from "../../../src/secrets/secret-box.js";
import { createCompany, updateCompany } from "../../../src/storage/repos/companies.js";
import { upsertDevposCredentials } from "../../../src/storage/repos/devpos-credentials.js";
import { markReauthRequired } from "../../../src/storage/repos/qbo-connections.js";
import { cleanEnv, databaseUrlOf, runCli, tempDir } from "../../helpers/cli.js";
import { createEmptyTestDatabase, describeEachDatabase } from "../../helpers/test-db.js";
import { connectCompany, createQboWorld, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from "../connectors/harness.js";
import { startSmtpReceiver } from "../notify/receivers.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7 });
});
afterAll(async () => {
  await sandbox.close();
});

function envFor(key: string, extra: Record<string, string> = {}): Record<string, string> {
  const urls = sandboxUrls(sandbox.url);
  return {
    DEVSYNC_SECRET_KEY: key,
    PUBLIC_URL: "http://127.0.0.1:8080",
    QBO_CLIENT_ID: SANDBOX_CLIENT_ID,
    QBO_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    QBO_ENVIRONMENT: "sandbox",
    QBO_AUTHORIZE_URL: urls.qboAuthorizeUrl,
    QBO_TOKEN_URL: urls.qboTokenUrl,
    QBO_REVOKE_URL: urls.qboRevokeUrl,
    QBO_API_BASE: urls.qboApiBase,
    DEVPOS_BASE_URL: urls.devposBase,
    ...extra,
  };
}

const boxFor = (key: string) => {
  const keyring = createKeyring(keyFromBase64(key));
  return createSecretBox(() => keyring);
};

describeEachDatabase("devsync doctor", (current, dialect) => {
  async function world() {
    const key = generateKeyBase64();
    const box = boxFor(key);
    const db = current().db;
    const tenant = sandbox.demoTenants[0]!;
    const qbo = createQboWorld(sandbox, db, { box });
    const healthy = await createCompany(db, { code: "M11111111M", name: "Healthy Shpk" }, new Date());
    await upsertDevposCredentials(db, box, healthy.id, { tenant: tenant.tenant, username: tenant.username, password: tenant.password }, new Date());
    const connected = await connectCompany(qbo, healthy.id);
    expect(connected).toMatchObject({ companyId: healthy.id });
    return { key, box, db, tenant, qbo, healthy };
  }

  const run = (config: Config) => runDoctor({ config, db: current(), databaseLabel: `test ${dialect}`, clock: systemClock, devposTimeoutMs: 5000 });

  it("passes a healthy install: logs in to DevPos for real and reads the QuickBooks token state", async () => {
    const { key, tenant } = await world();
    const report = await run(parseConfig(envFor(key)));
    const text = formatReport(report, "doctor");
    expect(report.ok, text).toBe(true);
    const byName = (name: string) => report.checks.find((c) => c.name === name);
    expect(byName("connection")?.status).toBe("ok");
    expect(byName("migrations")).toMatchObject({ status: "ok" });
    expect(byName("clock skew")).toMatchObject({ status: "ok" });
    expect(byName("secret key")).toMatchObject({ status: "ok" });
    expect(byName("secret key")?.detail).toContain("DevPos password");
    expect(byName("secret key")?.detail).toContain("QuickBooks token");
    expect(byName("M11111111M Healthy Shpk: DevPos")).toMatchObject({ status: "ok" });
    expect(byName("M11111111M Healthy Shpk: DevPos")?.detail).toContain(`logged in as ${tenant.username}`);
    expect(byName("M11111111M Healthy Shpk: QuickBooks")).toMatchObject({ status: "ok" });
    expect(byName("M11111111M Healthy Shpk: QuickBooks")?.detail).toMatch(/connected to realm \S+; access token valid \d+ min; refresh token valid \d+ days/);
    expect(byName("M11111111M Healthy Shpk: QuickBooks settings")).toMatchObject({ status: "ok" });
    expect(byName("M11111111M Healthy Shpk: QuickBooks settings")?.detail).toMatch(/^VAT on, tax mode inclusive with code \S+; multicurrency on; home currency ALL$/);
    // No alert destination is a warning, not a failure.
    expect(byName("destinations")?.status).toBe("warn");
    expect(text).not.toContain(tenant.password);
  });

  it("fails on a refused DevPos login, a company that must reconnect, and bad Intuit app settings", async () => {
    const { key, box, db, tenant } = await world();
    const wrong = await createCompany(db, { code: "W22222222W", name: "Wrong Password" }, new Date());
    await upsertDevposCredentials(db, box, wrong.id, { tenant: tenant.tenant, username: tenant.username, password: "not-the-password" }, new Date());
    const revoked = await createCompany(db, { code: "R33333333R", name: "Revoked Grant" }, new Date());
    const qbo = createQboWorld(sandbox, db, { box });
    await connectCompany(qbo, revoked.id);
    await markReauthRequired(db, revoked.id, "invalid_grant", new Date());
    await createCompany(db, { code: "N44444444N", name: "Never Set Up" }, new Date());

    const report = await run(parseConfig(envFor(key, { QBO_ENVIRONMENT: "production", QBO_API_BASE: sandboxUrls(sandbox.url).qboApiBase, QBO_REDIRECT_URI: "http://127.0.0.1:8080/oauth/back" })));
    const text = formatReport(report, "doctor");
    expect(report.ok).toBe(false);
    const status = (name: string) => report.checks.filter((c) => c.name === name).map((c) => c.status);
    expect(status("W22222222W Wrong Password: DevPos")).toEqual(["fail"]);
    expect(report.checks.find((c) => c.name === "W22222222W Wrong Password: DevPos")?.detail).toContain("refused the login");
    expect(status("R33333333R Revoked Grant: QuickBooks")).toEqual(["fail"]);
    expect(report.checks.find((c) => c.name === "R33333333R Revoked Grant: QuickBooks")?.detail).toContain("reconnect needed");
    expect(status("N44444444N Never Set Up: DevPos")).toEqual(["warn"]);
    expect(status("N44444444N Never Set Up: QuickBooks")).toEqual(["warn"]);
    // Production app: http redirect refused, and the path is not devsync's callback.
    expect(status("redirect URI")).toEqual(expect.arrayContaining(["fail"]));
    expect(text).toContain("devsync answers the callback at /api/qbo/callback");
    expect(text).toContain("production Intuit apps only accept https redirect URIs");
    // The healthy company is still connected in "sandbox": under QBO_ENVIRONMENT=production that is wrong.
    expect(status("M11111111M Healthy Shpk: QuickBooks")).toEqual(["fail"]);
    expect(text).toMatch(/problems?.*devsync will not work as expected/);
    expect(text).not.toContain("not-the-password");
  });

  it("reports where the company's tax and currency settings disagree with its QuickBooks company's, with the fix", async () => {
    const { key, db, qbo } = await world();
    const noVat = await createCompany(db, { code: "V55555555V", name: "Vat Ignored" }, new Date());
    await connectCompany(qbo, noVat.id, { realmId: sandbox.qbo.createRealm({ tax: true }) });
    await updateCompany(db, noVat.id, { taxMode: "none" }, new Date());
    const single = await createCompany(db, { code: "S66666666S", name: "Single Currency" }, new Date());
    await connectCompany(qbo, single.id, { realmId: sandbox.qbo.createRealm({ tax: false, multicurrency: false }) });

    const report = await run(parseConfig(envFor(key)));
    const text = formatReport(report, "doctor");
    const settings = (label: string) => report.checks.filter((c) => c.name === `${label}: QuickBooks settings`);
    expect(settings("V55555555V Vat Ignored")).toEqual([
      expect.objectContaining({ status: "fail", detail: expect.stringContaining("QuickBooks has VAT on but the company's tax mode is none"), hint: expect.stringContaining("Re-check QuickBooks settings") }),
    ]);
    expect(settings("S66666666S Single Currency")).toEqual([
      expect.objectContaining({ status: "warn", detail: "multicurrency is off in QuickBooks: documents in a currency other than ALL will fail", hint: expect.stringContaining("switch multicurrency on") }),
    ]);
    expect(settings("M11111111M Healthy Shpk").map((c) => c.status)).toEqual(["ok"]);
    expect(report.ok).toBe(false);
    expect(text).toContain("-> click \"Re-check QuickBooks settings\"");
  });

  it("fails when the key cannot open the stored secrets, and checks SMTP with its real login", async () => {
    const { key } = await world();
    const smtp = await startSmtpReceiver();
    try {
      const other = generateKeyBase64();
      const report = await run(parseConfig(envFor(other, { SMTP_URL: smtp.url.replace("smtp-pass-Zq81", "wrong-pass"), ALERT_EMAIL_TO: "ops@example.com" })));
      const secret = report.checks.find((c) => c.name === "secret key");
      expect(secret?.status).toBe("fail");
      expect(secret?.detail).toContain("cannot open a stored");
      const email = report.checks.find((c) => c.name === "email (SMTP)");
      expect(email?.status).toBe("fail");
      expect(email?.detail).not.toContain("wrong-pass");
      expect(report.ok).toBe(false);

      const good = await run(parseConfig(envFor(key, { SMTP_URL: smtp.url, ALERT_EMAIL_TO: "ops@example.com" })));
      expect(good.checks.find((c) => c.name === "email (SMTP)")?.status).toBe("ok");
      expect(JSON.stringify(good)).not.toContain("smtp-pass-Zq81");
    } finally {
      await smtp.close();
    }
  });

  it("reports pending migrations on a database devsync has not migrated", async () => {
    const empty = await createEmptyTestDatabase(dialect);
    try {
      const report = await runDoctor({ config: parseConfig(envFor(generateKeyBase64())), db: empty, databaseLabel: "empty", clock: systemClock });
      expect(report.checks.find((c) => c.name === "migrations")).toMatchObject({ status: "fail" });
      expect(report.checks.find((c) => c.name === "migrations")?.hint).toContain("devsync migrate");
    } finally {
      await empty.drop();
    }
  });

  it("reports the database as unreachable without crashing", async () => {
    if (dialect !== "sqlite") return;
    const { createDb } = await import("../../../src/storage/db.js");
    const handle = createDb({ dialect: "postgres", url: "postgres://nobody@127.0.0.1:1/none" }, { poolSize: 1 });
    try {
      const report = await runDoctor({ config: parseConfig(envFor(generateKeyBase64())), db: handle, databaseLabel: "PostgreSQL at 127.0.0.1:1", clock: systemClock });
      expect(report.checks[0]).toMatchObject({ name: "connection", status: "fail" });
      expect(report.ok).toBe(false);
    } finally {
      await handle.destroy().catch(() => {});
    }
  });

  if (dialect === "sqlite") {
    it("devsync doctor prints the report and exits 1 when something is wrong, 0 when all is well", async () => {
      const { key, db, box, tenant } = await world();
      const env = cleanEnv({ DATABASE_URL: databaseUrlOf(current().target), DATA_DIR: tempDir(), ...envFor(key) });
      const ok = await runCli(["doctor"], { cwd: tempDir(), env });
      expect(ok.stderr).toBe("");
      expect(ok.stdout).toContain("devsync doctor: SQLite at");
      expect(ok.stdout).toContain("[ ok ] M11111111M Healthy Shpk: DevPos");
      expect(ok.code).toBe(0);

      const wrong = await createCompany(db, { code: "W22222222W", name: "Wrong Password" }, new Date());
      await upsertDevposCredentials(db, box, wrong.id, { tenant: tenant.tenant, username: tenant.username, password: "nope-nope" }, new Date());
      const bad = await runCli(["doctor"], { cwd: tempDir(), env });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain("[FAIL] W22222222W Wrong Password: DevPos");
      const json = await runCli(["doctor", "--json"], { cwd: tempDir(), env });
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, failures: 1 });
    });
  }
});
