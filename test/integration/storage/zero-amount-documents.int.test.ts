import { expect, it } from "vitest";
import { sql } from "kysely";
import { createMigrationProvider } from "../../../src/storage/migrations/index.js";
import {
  confirmZeroAmount,
  findZeroAmountDocumentByEic,
  getZeroAmountDocument,
  listOpenZeroAmountDocuments,
  listZeroAmountDocuments,
  markZeroAmountChecked,
  recordZeroAmountSightings,
  reopenZeroAmount,
  resolveZeroAmountDocuments,
  type ZeroAmountSighting,
} from "../../../src/storage/repos/zero-amount-documents.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

const eic = (i: number) => `${String(i).padStart(8, "0")}-aaaa-4bbb-8ccc-dddddddddddd`;
const sighting = (i: number, txnDate = "2025-03-10", over: Partial<ZeroAmountSighting> = {}): ZeroAmountSighting => ({
  kind: "sale",
  sourceKey: eic(i),
  qboType: "Invoice",
  docNumber: `${i}/2025`,
  txnDate,
  partyName: `Buyer ${i}`,
  currency: null,
  ...over,
});

describeEachDatabase("zero-amount documents repository", (current, dialect) => {
  it("records sightings: new rows open with one check, seen again adds a check and keeps first_seen_at", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const first = await recordZeroAmountSightings(db, company.id, [sighting(1), sighting(2), sighting(1)], T0);
    expect(first.map((r) => [r.sourceKey, r.status, r.checks])).toEqual(
      expect.arrayContaining([
        [eic(1), "open", 1],
        [eic(2), "open", 1],
      ]),
    );
    expect(first).toHaveLength(2);
    const later = minutesAfter(60);
    const again = await recordZeroAmountSightings(db, company.id, [sighting(1, "2025-03-10", { docNumber: "1/2025-b" })], later);
    expect(again).toEqual([
      expect.objectContaining({ sourceKey: eic(1), status: "open", checks: 2, docNumber: "1/2025-b", firstSeenAt: T0, lastCheckedAt: later, partyName: "Buyer 1" }),
    ]);
    // Same EIC as a purchase, or in another company, is another row.
    const other = await makeCompany(db);
    await recordZeroAmountSightings(db, company.id, [sighting(1, "2025-03-10", { kind: "purchase", qboType: "Bill" })], T0);
    await recordZeroAmountSightings(db, other.id, [sighting(1)], T0);
    expect((await listOpenZeroAmountDocuments(db, company.id)).map((r) => `${r.kind}|${r.checks}`)).toEqual(["sale|1", "purchase|1", "sale|2"]);
    expect(await listOpenZeroAmountDocuments(db, other.id)).toHaveLength(1);
  });

  it("resolves rows once an amount arrives (or DevPos rejects it), and a later 0 opens them again", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    await recordZeroAmountSightings(db, company.id, [sighting(1), sighting(2), sighting(3)], T0);
    const at = minutesAfter(5);
    const changed = await resolveZeroAmountDocuments(
      db,
      company.id,
      [
        { kind: "sale", sourceKey: eic(1), resolution: "amount", amountMinor: 123_456 },
        { kind: "sale", sourceKey: eic(2), resolution: "rejected", amountMinor: null },
        { kind: "sale", sourceKey: eic(99), resolution: "amount", amountMinor: 1 }, // never tracked: nothing happens
      ],
      at,
    );
    expect(changed).toHaveLength(2);
    expect(await findZeroAmountDocumentByEic(db, company.id, eic(1))).toMatchObject({ status: "resolved", resolution: "amount", resolvedAmountMinor: 123_456, resolvedAt: at });
    expect(await findZeroAmountDocumentByEic(db, company.id, eic(2))).toMatchObject({ status: "resolved", resolution: "rejected", resolvedAmountMinor: null });
    expect(await findZeroAmountDocumentByEic(db, company.id, eic(99))).toBeUndefined();
    // Resolving twice changes nothing.
    expect(await resolveZeroAmountDocuments(db, company.id, [{ kind: "sale", sourceKey: eic(1), resolution: "amount", amountMinor: 5 }], at)).toEqual([]);
    expect((await listOpenZeroAmountDocuments(db, company.id)).map((r) => r.sourceKey)).toEqual([eic(3)]);

    await recordZeroAmountSightings(db, company.id, [sighting(1)], minutesAfter(10));
    expect(await findZeroAmountDocumentByEic(db, company.id, eic(1))).toMatchObject({ status: "open", checks: 2, resolution: null, resolvedAt: null, resolvedAmountMinor: null });
  });

  it("confirm as zero only from open, reopen only from confirmed; a confirmed row stays confirmed when seen again", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const [row] = await recordZeroAmountSightings(db, company.id, [sighting(1)], T0);
    const input = { companyId: company.id, id: row!.id, userId: 7, by: "ana@firm.al", note: "credit note, really 0", now: minutesAfter(1) };
    const confirmed = await confirmZeroAmount(db, input);
    expect(confirmed).toMatchObject({ status: "confirmed_zero", confirmedByUserId: 7, confirmedBy: "ana@firm.al", confirmedNote: "credit note, really 0", confirmedAt: minutesAfter(1) });
    expect(await confirmZeroAmount(db, input)).toBeUndefined();
    expect(await confirmZeroAmount(db, { ...input, companyId: (await makeCompany(db)).id })).toBeUndefined();
    expect(await listOpenZeroAmountDocuments(db, company.id)).toEqual([]);

    const seen = await recordZeroAmountSightings(db, company.id, [sighting(1)], minutesAfter(2));
    expect(seen[0]).toMatchObject({ status: "confirmed_zero", checks: 2, confirmedNote: "credit note, really 0" });

    const reopened = await reopenZeroAmount(db, { companyId: company.id, id: row!.id, now: minutesAfter(3) });
    expect(reopened).toMatchObject({ status: "open", confirmedAt: null, confirmedBy: null, confirmedByUserId: null, confirmedNote: null });
    expect(await reopenZeroAmount(db, { companyId: company.id, id: row!.id, now: minutesAfter(3) })).toBeUndefined();
    expect((await listOpenZeroAmountDocuments(db, company.id)).map((r) => r.id)).toEqual([row!.id]);
  });

  it("lists open rows outside a window and of some QuickBooks types, the longest unchecked first", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    await recordZeroAmountSightings(db, company.id, [sighting(1, "2025-01-15"), sighting(2, "2025-03-10"), sighting(3, "2025-05-02", { kind: "purchase", qboType: "Bill" })], T0);
    await recordZeroAmountSightings(db, company.id, [sighting(4, "2025-02-28")], minutesAfter(-10));
    const ids = async (options: Parameters<typeof listOpenZeroAmountDocuments>[2]) => (await listOpenZeroAmountDocuments(db, company.id, options)).map((r) => r.sourceKey);
    expect(await ids({ outside: { from: "2025-03-01", to: "2025-03-31" } })).toEqual([eic(4), eic(1), eic(3)]);
    expect(await ids({ outside: { from: "2025-03-01", to: "2025-03-31" }, qboTypes: ["Bill"] })).toEqual([eic(3)]);
    expect(await ids({ qboTypes: [] })).toEqual([]);
    expect(await ids({ limit: 2 })).toEqual([eic(4), eic(1)]);

    // A re-read that did not find them moves them to the back of the queue.
    await markZeroAmountChecked(db, [(await findZeroAmountDocumentByEic(db, company.id, eic(4)))!.id], minutesAfter(30));
    expect(await ids({})).toEqual([eic(1), eic(2), eic(3), eic(4)]);
    expect(await findZeroAmountDocumentByEic(db, company.id, eic(4))).toMatchObject({ checks: 2, lastCheckedAt: minutesAfter(30), firstSeenAt: minutesAfter(-10) });
  });

  it("pages the list by status, newest first", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    await recordZeroAmountSightings(db, company.id, Array.from({ length: 7 }, (_, i) => sighting(i + 1)), T0);
    const [first] = await listOpenZeroAmountDocuments(db, company.id, { limit: 1 });
    await confirmZeroAmount(db, { companyId: company.id, id: first!.id, userId: null, by: "cli", note: "zero", now: T0 });
    const { items, pages } = await collectPages((cursor) => listZeroAmountDocuments(db, { companyId: company.id, status: "open", limit: 2, cursor }));
    expect(pages).toBe(3);
    expect(items).toHaveLength(6);
    expect(items.map((r) => r.id)).toEqual([...items.map((r) => r.id)].sort((a, b) => b - a));
    expect((await listZeroAmountDocuments(db, { companyId: company.id, status: "confirmed_zero" })).items.map((r) => r.id)).toEqual([first!.id]);
    expect(await getZeroAmountDocument(db, company.id + 1, first!.id)).toBeUndefined();
  });

  it("migration 0006 runs again after a half-run and its down drops the table", async () => {
    const database = current();
    const migration = (await createMigrationProvider(database.dialect).getMigrations())["0006-zero-amount-documents"]!;
    // Already applied by the test database: running up again (a retried half-run) is harmless.
    await migration.up(database.db as never);
    await migration.down!(database.db as never);
    // (Introspection would list other tests' schemas on PostgreSQL: ask the table itself.)
    const count = () => database.db.selectFrom("zero_amount_documents").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    await expect(count()).rejects.toThrow();
    await migration.down!(database.db as never);
    await migration.up(database.db as never);
    expect(Number((await count()).n)).toBe(0);
    const company = await makeCompany(database.db);
    await recordZeroAmountSightings(database.db, company.id, [sighting(1)], T0);
    // The unique key is back: a second row for the same document is refused.
    const insert = () =>
      sql`insert into zero_amount_documents (company_id, kind, source_key, qbo_type, txn_date, status, checks, first_seen_at, last_checked_at, updated_at)
          values (${company.id}, 'sale', ${eic(1)}, 'Invoice', '2025-03-10', 'open', 1, 'x', 'x', 'x')`.execute(database.db);
    await expect(insert()).rejects.toThrow();
    expect(dialect).toBe(database.dialect);
  });
});
