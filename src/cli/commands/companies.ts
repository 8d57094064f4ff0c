import { Command } from "commander";
import { companyInputSchema } from "../../domain/company.js";
import { UniqueViolationError } from "../../storage/errors.js";
import { createCompany, listCompanies } from "../../storage/repos/companies.js";
import { CliError, openRuntime } from "../runtime.js";
import { zodFieldMessages } from "../zod-messages.js";

export function companiesCommand(): Command {
  const companies = new Command("companies").description("Manage the client companies devsync keeps in sync");

  companies
    .command("add")
    .description("Add a company (its DevPos tenant is its NUIS)")
    .requiredOption("--code <nuis>", "NUIS / NIPT tax id, e.g. K12345678A")
    .requiredOption("--name <name>", "company name")
    .option("--timezone <zone>", "IANA time zone its schedules use", "Europe/Tirane")
    .option("--currency <code>", "home currency of its QuickBooks company", "ALL")
    .option("--json", "print the created company as JSON")
    .action(async (options: { code: string; name: string; timezone: string; currency: string; json?: boolean }) => {
      const parsed = companyInputSchema.safeParse({
        code: options.code,
        name: options.name,
        timezone: options.timezone,
        home_currency: options.currency,
      });
      if (!parsed.success) {
        const flags: Record<string, string> = { code: "--code", name: "--name", timezone: "--timezone", home_currency: "--currency" };
        const messages = Object.entries(zodFieldMessages(parsed.error)).map(([field, message]) => `${flags[field] ?? field} ${message}`);
        throw new CliError(messages.join("; "), 2);
      }
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const input = parsed.data;
        const company = await createCompany(
          runtime.db.db,
          { code: input.code, name: input.name, timezone: input.timezone, homeCurrency: input.home_currency },
          new Date(),
        ).catch((error: unknown) => {
          if (error instanceof UniqueViolationError) throw new CliError(`a company with code ${input.code} already exists`, 1);
          throw error;
        });
        process.stdout.write(
          options.json ? `${JSON.stringify(company)}\n` : `added company ${company.id}: ${company.code} ${company.name} (${company.timezone}, ${company.homeCurrency})\n`,
        );
      } finally {
        await runtime.close();
      }
    });

  companies
    .command("list")
    .description("List companies")
    .option("--search <text>", "only companies whose name or code contains the text")
    .option("--json", "print JSON lines")
    .action(async (options: { search?: string; json?: boolean }) => {
      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        let cursor: string | undefined;
        let count = 0;
        if (!options.json) process.stdout.write(`${pad("ID", 6)}${pad("CODE", 13)}${pad("TIME ZONE", 18)}${pad("CUR", 5)}NAME\n`);
        do {
          const page = await listCompanies(runtime.db.db, { limit: 200, cursor, search: options.search });
          for (const c of page.items) {
            count++;
            process.stdout.write(
              options.json ? `${JSON.stringify(c)}\n` : `${pad(String(c.id), 6)}${pad(c.code, 13)}${pad(c.timezone, 18)}${pad(c.homeCurrency, 5)}${c.name}\n`,
            );
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (!options.json && count === 0) process.stdout.write("(no companies yet: add one with `devsync companies add`)\n");
      } finally {
        await runtime.close();
      }
    });

  return companies;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}
