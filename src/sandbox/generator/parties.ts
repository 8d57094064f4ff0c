import { COMPANY_FORMS, COMPANY_SECTORS, COMPANY_STEMS, FIRST_NAMES, LAST_NAMES } from "./albanian-names.js";
import type { Rng } from "./rng.js";

export interface GeneratedCompany {
  nuis: string;
  name: string;
}

export interface GeneratedPerson {
  name: string;
  /** Albanian personal number: same letter-8 digits-letter shape as a NUIS. */
  idNumber: string;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Real NUIS prefixes follow the registration period; J–M cover the companies active today. */
const NUIS_PREFIXES = ["J", "K", "L", "M"] as const;

export const NUIS_PATTERN = /^[A-Z]\d{8}[A-Z]$/;

export function generateNuis(rng: Rng): string {
  return `${rng.pick(NUIS_PREFIXES)}${digits(rng, 8)}${rng.pick([...UPPER])}`;
}

export function generateCompany(rng: Rng): GeneratedCompany {
  const name = `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_SECTORS)} ${rng.pick(COMPANY_FORMS)}`;
  return { nuis: generateNuis(rng), name };
}

export function generatePerson(rng: Rng): GeneratedPerson {
  // Personal numbers start with a letter encoding the birth decade; any letter keeps the shape.
  const idNumber = `${rng.pick([...UPPER])}${digits(rng, 8)}${rng.pick([...UPPER])}`;
  return { name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`, idNumber };
}

/** Distinct companies: names and NUIS must not collide or "repeated numbers across sellers" blurs. */
export function generateCompanies(rng: Rng, count: number, exclude: ReadonlySet<string> = new Set()): GeneratedCompany[] {
  const out: GeneratedCompany[] = [];
  const seen = new Set(exclude);
  while (out.length < count) {
    const company = generateCompany(rng);
    if (seen.has(company.nuis) || seen.has(company.name)) continue;
    seen.add(company.nuis).add(company.name);
    out.push(company);
  }
  return out;
}

function digits(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}
