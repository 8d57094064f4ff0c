import type { RealmProfile } from "../../domain/realm-profile.js";
import { rateKey } from "../../domain/tax-defaults.js";
import type { Company } from "../../storage/repos/companies.js";
import { message } from "./check-database.js";
import type { DoctorCheck } from "./doctor-report.js";

const SECTION = "Companies";
const RECHECK = "click \"Re-check QuickBooks settings\" in the company's settings (with \"apply\" to replace settings a person chose), or POST /api/companies/{id}/qbo/recheck";

interface Finding {
  status: "warn" | "fail";
  detail: string;
  hint: string;
}

/**
 * Where the company's tax and currency settings disagree with the QuickBooks company's own:
 * each mismatch is one that makes documents fail (fail) or can (warn), with the fix.
 */
export function realmSettingsFindings(profile: RealmProfile, company: Pick<Company, "taxMode" | "vatTaxCodeId" | "vatRateCodes" | "homeCurrency">): Finding[] {
  const findings: Finding[] = [];
  const active = new Map(profile.taxCodes.filter((c) => c.active).map((c) => [c.id, c]));
  if (profile.vat && company.taxMode === "none") {
    findings.push({ status: "fail", detail: "QuickBooks has VAT on but the company's tax mode is none: QuickBooks rejects every document (6000 \"Make sure all your transactions have a VAT rate\")", hint: RECHECK });
  }
  if (!profile.vat && company.taxMode === "inclusive") {
    findings.push({ status: "fail", detail: "QuickBooks has VAT off but the company's tax mode is inclusive: documents carry tax codes QuickBooks does not have", hint: RECHECK });
  }
  if (profile.vat && company.taxMode === "inclusive") {
    if (!company.vatTaxCodeId) findings.push({ status: "fail", detail: "tax mode is inclusive but no VAT code is chosen", hint: RECHECK });
    else if (!active.has(company.vatTaxCodeId)) findings.push({ status: "fail", detail: `the VAT code ${company.vatTaxCodeId} is not an active tax code in QuickBooks`, hint: RECHECK });
    for (const [rate, id] of Object.entries(company.vatRateCodes ?? {})) {
      const code = active.get(id);
      if (!code) findings.push({ status: "warn", detail: `the code for ${rate} % (${id}) is not an active tax code in QuickBooks`, hint: RECHECK });
      else if (code.salesRatePercent !== null && rateKey(code.salesRatePercent) !== rateKey(Number(rate))) {
        findings.push({ status: "warn", detail: `documents at ${rate} % get '${code.name}', which carries ${rateKey(code.salesRatePercent)} %`, hint: RECHECK });
      }
    }
  }
  if (!profile.multicurrency) {
    findings.push({ status: "warn", detail: `multicurrency is off in QuickBooks: documents in a currency other than ${profile.homeCurrency ?? company.homeCurrency} will fail`, hint: "switch multicurrency on in QuickBooks (Settings → Account and settings → Advanced → Currency)" });
  }
  if (profile.homeCurrency && profile.homeCurrency !== company.homeCurrency) {
    findings.push({ status: "warn", detail: `QuickBooks' home currency is ${profile.homeCurrency} but the company's is ${company.homeCurrency}`, hint: "change the company's home currency, or connect the QuickBooks company kept in that currency" });
  }
  return findings;
}

/** Reads the realm's settings live and reports each mismatch as its own line (or one `ok`). */
export async function checkQboSettings(readProfile: () => Promise<RealmProfile>, company: Company, label: string): Promise<DoctorCheck[]> {
  const name = `${label}: QuickBooks settings`;
  let profile: RealmProfile;
  try {
    profile = await readProfile();
  } catch (error) {
    return [{ section: SECTION, name, status: "warn", detail: `could not read the QuickBooks company's settings: ${message(error)}`, hint: "run doctor again; if it persists, reconnect QuickBooks" }];
  }
  const findings = realmSettingsFindings(profile, company);
  if (findings.length === 0) {
    const vat = profile.vat ? `VAT on, tax mode ${company.taxMode} with code ${company.vatTaxCodeId}` : "VAT off, tax mode none";
    return [{ section: SECTION, name, status: "ok", detail: `${vat}; multicurrency ${profile.multicurrency ? "on" : "off"}; home currency ${profile.homeCurrency ?? "?"}` }];
  }
  return findings.map((f) => ({ section: SECTION, name, status: f.status, detail: f.detail, hint: f.hint }));
}
