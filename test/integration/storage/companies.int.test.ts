import { expect, it } from "vitest";
import { NotFoundError, UniqueViolationError } from "../../../src/storage/errors.js";
import {
  createCompany,
  deleteCompany,
  getCompany,
  getCompanyByCode,
  listCompanies,
  updateCompany,
} from "../../../src/storage/repos/companies.js";
import { InvalidCursorError } from "../../../src/storage/repos/repo-helpers.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { collectPages, minutesAfter, T0 } from "./repo-fixtures.js";

describeEachDatabase("companies repository", (current) => {
  it("creates with defaults and a normalised code, reads by id and by code", async () => {
    const { db } = current();
    const company = await createCompany(db, { code: "  l12345678a ", name: "Alfa shpk" }, T0);
    expect(company).toMatchObject({
      code: "L12345678A",
      name: "Alfa shpk",
      timezone: "Europe/Tirane",
      homeCurrency: "ALL",
      taxMode: "none",
      vatTaxCodeId: null,
      vatRateCodes: null,
      onDeletedInQbo: "report",
      active: true,
    });
    expect(company.createdAt).toEqual(T0);
    expect(await getCompany(db, company.id)).toEqual(company);
    expect(await getCompanyByCode(db, "l12345678A")).toEqual(company);
    expect(await getCompany(db, company.id + 1000)).toBeUndefined();
  });

  it("refuses a duplicate code whatever its case", async () => {
    const { db } = current();
    await createCompany(db, { code: "K91234567B", name: "One" }, T0);
    await expect(createCompany(db, { code: "k91234567b", name: "Two" }, T0)).rejects.toBeInstanceOf(UniqueViolationError);
  });

  it("updates settings, parses JSON and flags, and reports unknown ids", async () => {
    const { db } = current();
    const company = await createCompany(db, { code: "M11111111C", name: "Beta" }, T0);
    const later = minutesAfter(5);
    const updated = await updateCompany(
      db,
      company.id,
      {
        name: "Beta sh.a.",
        timezone: "Europe/Rome",
        homeCurrency: "eur",
        taxMode: "inclusive",
        vatTaxCodeId: "7",
        vatRateCodes: { "20": "7", "6": "9" },
        incomeItemId: "31",
        expenseAccountId: "64",
        onDeletedInQbo: "recreate",
        active: false,
      },
      later,
    );
    expect(updated).toMatchObject({
      code: "M11111111C",
      name: "Beta sh.a.",
      timezone: "Europe/Rome",
      homeCurrency: "EUR",
      taxMode: "inclusive",
      vatTaxCodeId: "7",
      vatRateCodes: { "20": "7", "6": "9" },
      incomeItemId: "31",
      expenseAccountId: "64",
      onDeletedInQbo: "recreate",
      active: false,
      updatedAt: later,
      createdAt: T0,
    });
    const cleared = await updateCompany(db, company.id, { vatRateCodes: null, vatTaxCodeId: null }, later);
    expect(cleared.vatRateCodes).toBeNull();
    expect(cleared.vatTaxCodeId).toBeNull();
    await expect(updateCompany(db, 999_999, { name: "x" }, later)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("pages by name without gaps or duplicates, searches name and code case-insensitively", async () => {
    const { db } = current();
    const names = ["Delta", "alpha", "Charlie", "Bravo", "Echo", "Delta", "Foxtrot", "Golf", "Hotel", "India", "Juliet_1", "Juliet%2"];
    for (const [i, name] of names.entries()) await createCompany(db, { code: `J${String(i).padStart(8, "0")}X`, name }, T0);
    const all = await collectPages((cursor) => listCompanies(db, { limit: 5, cursor }));
    expect(all.pages).toBe(3);
    expect(all.items.map((c) => c.id).sort()).toEqual((await listCompanies(db, { limit: 100 })).items.map((c) => c.id).sort());
    expect(new Set(all.items.map((c) => c.id)).size).toBe(names.length);
    const byName = all.items.map((c) => c.name);
    expect(byName.filter((n) => n === "Delta")).toHaveLength(2);

    expect((await listCompanies(db, { search: "DELTA" })).items.map((c) => c.name)).toEqual(["Delta", "Delta"]);
    expect((await listCompanies(db, { search: "j00000003" })).items.map((c) => c.name)).toEqual(["Bravo"]);
    // LIKE wildcards in the search are literal characters.
    expect((await listCompanies(db, { search: "t_" })).items.map((c) => c.name)).toEqual(["Juliet_1"]);
    expect((await listCompanies(db, { search: "%" })).items.map((c) => c.name)).toEqual(["Juliet%2"]);
    await expect(listCompanies(db, { cursor: "garbage" })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("deletes", async () => {
    const { db } = current();
    const company = await createCompany(db, { code: "D22222222D", name: "Gone" }, T0);
    expect(await deleteCompany(db, company.id)).toBe(true);
    expect(await deleteCompany(db, company.id)).toBe(false);
    expect(await getCompany(db, company.id)).toBeUndefined();
  });
});
