import { expect, it } from "vitest";
import { generateKeyBase64 } from "../../../src/secrets/keyring.js";
import { listAudit } from "../../../src/storage/repos/audit-log.js";
import { createCompany } from "../../../src/storage/repos/companies.js";
import { findZeroAmountDocumentByEic, recordZeroAmountSightings } from "../../../src/storage/repos/zero-amount-documents.js";
import { cleanEnv, databaseUrlOf, runCli, tempDir } from "../../helpers/cli.js";
import { describeEachDatabase } from "../../helpers/test-db.js";

const EIC = "0a1b2c3d-aaaa-4bbb-8ccc-dddddddddddd";
const OTHER = "9f8e7d6c-aaaa-4bbb-8ccc-dddddddddddd";

describeEachDatabase("devsync documents (CLI)", (current) => {
  it("lists open zero-amount documents and confirms one as truly zero, audited; bad input exits 2", { timeout: 120_000 }, async () => {
    const { db, target } = current();
    const now = new Date("2026-11-28T10:00:00.000Z");
    const company = await createCompany(db, { code: "K12345678A", name: "Demo SHPK" }, now);
    await recordZeroAmountSightings(
      db,
      company.id,
      [
        { kind: "sale", sourceKey: EIC, qboType: "Invoice", docNumber: "7/2025", txnDate: "2025-03-10", partyName: "Blerës shpk", currency: null },
        { kind: "purchase", sourceKey: OTHER, qboType: "Bill", docNumber: "8/2025", txnDate: "2025-02-01", partyName: "Furnitor", currency: "EUR" },
      ],
      now,
    );
    const env = cleanEnv({ DATABASE_URL: databaseUrlOf(target), DATA_DIR: tempDir(), DEVSYNC_SECRET_KEY: generateKeyBase64(), LOG_LEVEL: "warn" });
    const cwd = tempDir();

    const table = await runCli(["documents", "zero-amount", "--company", "K12345678A"], { cwd, env });
    expect(table.stderr).toBe("");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^EIC\s+KIND\s+NUMBER\s+DATE/);
    expect(table.stdout).toContain(EIC);
    expect(table.stdout).toContain("Blerës shpk");

    const bad = await runCli(["documents", "confirm-zero", "--company", "K12345678A", "--eic", "not-an-eic", "--note", "x"], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--eic must be a DevPos EIC");
    const noNote = await runCli(["documents", "confirm-zero", "--company", "K12345678A", "--eic", EIC, "--note", "  "], { cwd, env });
    expect(noNote.code).toBe(2);
    expect(noNote.stderr).toContain("--note must be");
    const unknown = await runCli(["documents", "confirm-zero", "--company", "K12345678A", "--eic", "11111111-aaaa-4bbb-8ccc-dddddddddddd", "--note", "x"], { cwd, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("has no zero-amount document");

    const ok = await runCli(["documents", "confirm-zero", "--company", "K12345678A", "--eic", EIC.toUpperCase(), "--note", "credit note, really 0"], { cwd, env });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`confirmed ${EIC}`);
    expect(await findZeroAmountDocumentByEic(db, company.id, EIC)).toMatchObject({ status: "confirmed_zero", confirmedBy: "cli", confirmedNote: "credit note, really 0" });
    const audit = await listAudit(db, { companyId: company.id, action: "zero_amount." });
    expect(audit.items).toEqual([expect.objectContaining({ action: "zero_amount.confirm", actorLabel: "cli", targetId: expect.any(String), details: expect.objectContaining({ eic: EIC }) })]);

    const again = await runCli(["documents", "confirm-zero", "--company", "K12345678A", "--eic", EIC, "--note", "again"], { cwd, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is confirmed_zero");

    const json = await runCli(["documents", "zero-amount", "--company", String(company.id), "--json"], { cwd, env });
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l).sourceKey)).toEqual([OTHER]);
  });
});
