import type { SandboxClock } from "../clock.js";
import { generateDocuments } from "../generator/documents.js";
import { generateCompanies } from "../generator/parties.js";
import { createRng, hashSeed } from "../generator/rng.js";
import type { DevposSimulator } from "./devpos-simulator.js";
import { addLocalDays, localDateAt } from "./tirane-time.js";

/** Sandbox-only credentials derived from the seed; they open nothing outside the simulator. */
export interface DemoTenant {
  tenant: string;
  companyName: string;
  username: string;
  password: string;
  documents: number;
}

export interface SeedDemoTenantsOptions {
  seed: number;
  clock: SandboxClock;
  /** Tenants to create (default 2). */
  tenants?: number;
  /** Documents per tenant, spread over the last `days` local days (defaults 150 and 90). */
  documentsPerTenant?: number;
  days?: number;
}

export function seedDemoTenants(devpos: DevposSimulator, options: SeedDemoTenantsOptions): DemoTenant[] {
  const rng = createRng(hashSeed(`demo-tenants:${options.seed}`));
  const companies = generateCompanies(rng, options.tenants ?? 2);
  const to = localDateAt(options.clock.now());
  const from = addLocalDays(`${to}T12:00:00+01:00`, -(options.days ?? 90)).slice(0, 10);
  return companies.map((company, i) => {
    const username = `${company.name.split(" ")[0]!.toLowerCase()}.admin`;
    const password = `sandbox-${rng.int(0x1000, 0xffff).toString(16)}-${rng.int(0x1000, 0xffff).toString(16)}`;
    devpos.addTenant({ tenant: company.nuis, username, password, companyName: company.name });
    const documents = generateDocuments({
      seed: hashSeed(`demo-documents:${options.seed}:${i}`),
      tenantNuis: company.nuis,
      tenantName: company.name,
      count: options.documentsPerTenant ?? 150,
      from,
      to,
    });
    devpos.addDocuments(company.nuis, documents);
    return { tenant: company.nuis, companyName: company.name, username, password, documents: documents.length };
  });
}
