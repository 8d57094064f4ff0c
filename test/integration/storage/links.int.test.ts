import { expect, it } from "vitest";
import { ForeignKeyViolationError, NotFoundError, UniqueViolationError } from "../../../src/storage/errors.js";
import {
  countDocumentsPerDay,
  getDocumentLink,
  getDocumentLinks,
  insertPendingLink,
  listDocumentLinks,
  listPendingLinks,
  listSyncedDocuments,
  markSynced,
  markVoided,
  recordLinkUpdate,
  resetLinkToPending,
} from "../../../src/storage/repos/document-links.js";
import { deletePartyLink, getPartyLink, insertPartyLink, listPartyLinks, updatePartyLink } from "../../../src/storage/repos/party-links.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { collectPages, makeCompany, minutesAfter, T0 } from "./repo-fixtures.js";

const eic = (i: number) => `${String(i).padStart(8, "0")}-aaaa-4bbb-8ccc-dddddddddddd`;

describeEachDatabase("document links repository", (current, dialect) => {
  it("pending → synced → updated → voided → reset; duplicates are UniqueViolationError", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const link = await insertPendingLink(db, {
      companyId: company.id,
      kind: "sale",
      sourceKey: eic(1),
      docNumber: "12/2026",
      qboType: "Invoice",
      contentHash: "h1",
      requestId: "req-1",
      txnDate: "2026-11-27",
      amountMinor: 120_000,
      currency: "ALL",
      now: T0,
    });
    expect(link).toMatchObject({ state: "pending", qboId: null, syncToken: null, requestId: "req-1", amountMinor: 120_000, voidedAt: null });
    await expect(insertPendingLink(db, { companyId: company.id, kind: "sale", sourceKey: eic(1), qboType: "Invoice", contentHash: "h", requestId: "r", now: T0 })).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
    // Same EIC as another kind or for another company is a different document.
    const other = await makeCompany(db);
    await insertPendingLink(db, { companyId: company.id, kind: "purchase", sourceKey: eic(1), qboType: "Bill", contentHash: "h", requestId: "r2", now: T0 });
    await insertPendingLink(db, { companyId: other.id, kind: "sale", sourceKey: eic(1), qboType: "Invoice", contentHash: "h", requestId: "r3", now: T0 });
    await expect(insertPendingLink(db, { companyId: 909_090, kind: "sale", sourceKey: eic(1), qboType: "Invoice", contentHash: "h", requestId: "r", now: T0 })).rejects.toBeInstanceOf(
      ForeignKeyViolationError,
    );
    expect((await listPendingLinks(db, company.id)).map((l) => l.kind)).toEqual(["sale", "purchase"]);

    expect(await markSynced(db, link.id, { qboId: "145", syncToken: "0", now: minutesAfter(1) })).toBe(true);
    expect(await getDocumentLink(db, company.id, "sale", eic(1))).toMatchObject({ state: "synced", qboId: "145", syncToken: "0", updatedAt: minutesAfter(1) });
    expect((await listPendingLinks(db, company.id)).map((l) => l.kind)).toEqual(["purchase"]);

    await recordLinkUpdate(db, link.id, { syncToken: "1", contentHash: "h2", amountMinor: 130_000, now: minutesAfter(2) });
    expect(await getDocumentLink(db, company.id, "sale", eic(1))).toMatchObject({ syncToken: "1", contentHash: "h2", amountMinor: 130_000, docNumber: "12/2026" });
    await markVoided(db, link.id, { syncToken: "2", now: minutesAfter(3) });
    expect(await getDocumentLink(db, company.id, "sale", eic(1))).toMatchObject({ syncToken: "2", voidedAt: minutesAfter(3) });
    await resetLinkToPending(db, link.id, { requestId: "req-1b", contentHash: "h3", now: minutesAfter(4) });
    expect(await getDocumentLink(db, company.id, "sale", eic(1))).toMatchObject({ state: "pending", qboId: null, voidedAt: null, requestId: "req-1b" });
    expect(dialect).toBeTruthy();
  });

  it("looks up 20,000 source keys in chunks", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      company_id: company.id,
      kind: "sale",
      source_key: eic(i * 7),
      qbo_type: "Invoice",
      qbo_id: String(i),
      content_hash: `h${i}`,
      state: "synced",
      request_id: `r${i}`,
      created_at: T0.toISOString(),
      updated_at: T0.toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 500) await db.insertInto("document_links").values(rows.slice(i, i + 500)).execute();
    const keys = Array.from({ length: 20_000 }, (_, i) => eic(i));
    const found = await getDocumentLinks(db, company.id, "sale", keys);
    expect(found.size).toBe(Math.ceil(20_000 / 7));
    expect(found.get(eic(14))?.qboId).toBe("2");
    expect(found.has(eic(15))).toBe(false);
    expect((await getDocumentLinks(db, company.id, "purchase", keys)).size).toBe(0);
    expect((await getDocumentLinks(db, company.id, "sale", [])).size).toBe(0);
  });

  it("lists synced documents with filters and paging; counts per day", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const ids: number[] = [];
    for (let i = 0; i < 23; i += 1) {
      const link = await insertPendingLink(db, {
        companyId: company.id,
        kind: i % 3 === 0 ? "purchase" : "sale",
        sourceKey: eic(i),
        docNumber: `${i}/2026`,
        qboType: i % 3 === 0 ? "Bill" : "Invoice",
        contentHash: "h",
        requestId: `r${i}`,
        txnDate: `2026-11-${String(10 + (i % 5)).padStart(2, "0")}`,
        amountMinor: 1000 * i,
        currency: "ALL",
        now: T0,
      });
      if (i !== 22) await markSynced(db, link.id, { qboId: String(i), syncToken: "0", now: T0 });
      ids.push(link.id);
    }
    const synced = await collectPages((cursor) => listSyncedDocuments(db, { companyId: company.id, limit: 6, cursor }));
    expect(synced.pages).toBe(4);
    expect(synced.items.map((l) => l.id)).toEqual(ids.slice(0, 22).reverse());
    const all = await collectPages((cursor) => listDocumentLinks(db, { companyId: company.id, limit: 10, cursor }));
    expect(all.items).toHaveLength(23);
    expect((await listDocumentLinks(db, { companyId: company.id, kind: "purchase", limit: 100 })).items).toHaveLength(8);
    expect((await listDocumentLinks(db, { companyId: company.id, from: "2026-11-12", to: "2026-11-13", limit: 100 })).items.every((l) => l.txnDate === "2026-11-12" || l.txnDate === "2026-11-13")).toBe(true);
    expect((await listDocumentLinks(db, { companyId: company.id, search: "21/2026" })).items.map((l) => l.docNumber)).toEqual(["21/2026"]);

    const perDay = await countDocumentsPerDay(db, company.id, { from: "2026-11-10", to: "2026-11-11" });
    // Day 10: i = 0,5,10,15,20 (purchase: 0,15; sale: 5,10,20); day 11: i = 1,6,11,16,21 (purchase: 6,21).
    expect(perDay).toEqual([
      { date: "2026-11-10", kind: "purchase", count: 2, amountMinor: 15_000 },
      { date: "2026-11-10", kind: "sale", count: 3, amountMinor: 35_000 },
      { date: "2026-11-11", kind: "purchase", count: 2, amountMinor: 27_000 },
      { date: "2026-11-11", kind: "sale", count: 3, amountMinor: 28_000 },
    ]);
  });
});

describeEachDatabase("party links repository", (current) => {
  it("one party per (company, role, key, currency); lists, updates, deletes", async () => {
    const { db } = current();
    const company = await makeCompany(db);
    const customer = await insertPartyLink(db, { companyId: company.id, role: "customer", partyKey: "K81234567A", currency: "ALL", qboId: "58", displayName: "Alfa shpk", now: T0 });
    expect(customer).toMatchObject({ role: "customer", partyKey: "K81234567A", currency: "ALL", qboId: "58", displayName: "Alfa shpk" });
    await expect(
      insertPartyLink(db, { companyId: company.id, role: "customer", partyKey: "K81234567A", currency: "ALL", qboId: "59", displayName: "x", now: T0 }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    const eur = await insertPartyLink(db, { companyId: company.id, role: "customer", partyKey: "K81234567A", currency: "EUR", qboId: "60", displayName: "Alfa shpk - EUR", now: T0 });
    const vendor = await insertPartyLink(db, { companyId: company.id, role: "vendor", partyKey: "K81234567A", currency: "ALL", qboId: "61", displayName: "Alfa shpk (K81234567A)", now: T0 });
    await expect(insertPartyLink(db, { companyId: 313_131, role: "vendor", partyKey: "x", currency: "ALL", qboId: "1", displayName: "x", now: T0 })).rejects.toBeInstanceOf(ForeignKeyViolationError);

    expect(await getPartyLink(db, { companyId: company.id, role: "customer", partyKey: "K81234567A", currency: "EUR" })).toEqual(eur);
    expect(await getPartyLink(db, { companyId: company.id, role: "customer", partyKey: "k81234567a", currency: "EUR" })).toBeUndefined();
    expect((await listPartyLinks(db, company.id)).map((p) => p.id)).toEqual([customer.id, eur.id, vendor.id]);
    expect((await listPartyLinks(db, company.id, "vendor")).map((p) => p.id)).toEqual([vendor.id]);

    const moved = await updatePartyLink(db, vendor.id, { qboId: "77", displayName: "Alfa shpk (K81234567A) 2" }, minutesAfter(1));
    expect(moved).toMatchObject({ qboId: "77", displayName: "Alfa shpk (K81234567A) 2", updatedAt: minutesAfter(1) });
    await expect(updatePartyLink(db, 1_000_000, { qboId: "1" }, T0)).rejects.toBeInstanceOf(NotFoundError);
    expect(await deletePartyLink(db, vendor.id)).toBe(true);
    expect(await listPartyLinks(db, company.id)).toHaveLength(2);
  });
});
