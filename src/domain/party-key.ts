/**
 * The identity of a DevPos counterparty (docs/domain.md §3): its NUIS when the row has one, else its
 * normalised name. The two namespaces are prefixed so a name can never equal a NUIS key and a
 * party without a NUIS is never merged into one that has one.
 */
/** party_links.party_key is varchar(200). */
export const MAX_PARTY_KEY = 200;

export type PartyKeyKind = "nuis" | "name";

/** `nuis:K12345678A` or `name:alba trade shpk`. */
export function partyKey(party: { nuis: string | null | undefined; name: string | null | undefined }): string {
  const nuis = normalisePartyNuis(party.nuis);
  if (nuis) return `nuis:${nuis}`.slice(0, MAX_PARTY_KEY);
  const name = normalisePartyName(party.name);
  return `name:${name === "" ? "(unnamed)" : name}`.slice(0, MAX_PARTY_KEY);
}

export function partyKeyKind(key: string): PartyKeyKind {
  return key.startsWith("nuis:") ? "nuis" : "name";
}

/** Upper case without blanks; empty → null. A personal id (self-issued rows) is kept as written. */
export function normalisePartyNuis(nuis: string | null | undefined): string | null {
  const value = (nuis ?? "").replace(/\s+/g, "").toUpperCase();
  return value === "" ? null : value;
}

/**
 * Lower case, diacritics folded (ë → e, ç → c), punctuation other than letters and digits turned
 * into single blanks, trimmed: "Alba-Trade  SHPK." and "alba trade shpk" are one party.
 */
export function normalisePartyName(name: string | null | undefined): string {
  return (name ?? "")
    .normalize("NFKD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
