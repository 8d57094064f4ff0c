import { IANAZone } from "luxon";
import { z } from "zod";

/** Albanian tax id (NIPT/NUIS): a letter, eight digits, a letter, e.g. K12345678A. */
export const NUIS_PATTERN = /^[A-Z]\d{8}[A-Z]$/;

export function normaliseNuis(raw: string): string {
  return raw.trim().toUpperCase();
}

export const TAX_MODES = ["none", "inclusive"] as const;
export type TaxMode = (typeof TAX_MODES)[number];

export const companyInputSchema = z
  .object({
    code: z
      .string()
      .transform(normaliseNuis)
      .refine((code) => NUIS_PATTERN.test(code), "must be a NUIS: a letter, 8 digits and a letter, e.g. K12345678A"),
    name: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    timezone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), "must be an IANA time zone such as Europe/Tirane")
      .default("Europe/Tirane"),
    home_currency: z
      .string()
      .transform((c) => c.trim().toUpperCase())
      .refine((c) => /^[A-Z]{3}$/.test(c), "must be a 3-letter ISO currency code such as ALL")
      .default("ALL"),
  })
  .strict();

export type CompanyInput = z.output<typeof companyInputSchema>;
