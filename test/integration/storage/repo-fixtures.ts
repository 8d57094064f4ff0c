import { createKeyring, generateKeyBase64, keyFromBase64, type Keyring } from "../../../src/secrets/keyring.js";
import { createSecretBox, type SecretBox } from "../../../src/secrets/secret-box.js";
import { createCompany, type Company } from "../../../src/storage/repos/companies.js";
import type { Db } from "../../../src/storage/repos/repo-helpers.js";

/** A fixed clock origin: tests move time explicitly, never sleep. */
export const T0 = new Date("2026-11-28T08:00:00.000Z");

export function minutesAfter(minutes: number, from: Date = T0): Date {
  return new Date(from.getTime() + minutes * 60_000);
}

let companySeq = 0;

export async function makeCompany(db: Db, overrides: { code?: string; name?: string } = {}): Promise<Company> {
  companySeq += 1;
  return createCompany(
    db,
    { code: overrides.code ?? `L${String(10_000_000 + companySeq)}A`, name: overrides.name ?? `Company ${companySeq}` },
    T0,
  );
}

/** A secret box whose keyring the test can rotate. */
export function createTestBox(): { box: SecretBox; rotate(): string; keyring(): Keyring } {
  let keyring = createKeyring(keyFromBase64(generateKeyBase64()));
  return {
    box: createSecretBox(() => keyring),
    rotate() {
      const next = keyFromBase64(generateKeyBase64());
      keyring = createKeyring(next, [...keyring.keys.values()]);
      return next.id;
    },
    keyring: () => keyring,
  };
}

/** Every item of every page, following cursors. */
export async function collectPages<T>(fetch: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 10_000) throw new Error("paging does not end");
  } while (cursor !== null);
  return { items, pages };
}
