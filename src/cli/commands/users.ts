import { Command } from "commander";
import { z } from "zod";
import { hashPassword, passwordProblem } from "../../api/auth/password-hash.js";
import { UniqueViolationError } from "../../storage/errors.js";
import { getCompanyByCode, type Company } from "../../storage/repos/companies.js";
import { createUser, grantCompanyAccess } from "../../storage/repos/users.js";
import { ALL_PERMISSIONS } from "../../storage/repos/types.js";
import { promptNewPassword, readPasswordFromStdin } from "../read-password.js";
import { CliError, openRuntime } from "../runtime.js";

const emailSchema = z.email();

export function usersCommand(): Command {
  const users = new Command("users").description("Manage the people who can sign in");

  users
    .command("add")
    .description("Create a user; the password is asked on the terminal (never passed as an argument)")
    .requiredOption("--email <email>", "sign-in address")
    .requiredOption("--name <name>", "display name")
    .option("--admin", "administrator: sees and manages every company, users and API keys")
    .option("--company <codes...>", "members only: company codes (NUIS) this user may view, run and manage")
    .option("--password-stdin", "read the password from standard input (for scripts)")
    .action(async (options: { email: string; name: string; admin?: boolean; company?: string[]; passwordStdin?: boolean }) => {
      if (!emailSchema.safeParse(options.email.trim()).success) throw new CliError(`--email "${options.email}" is not an email address`, 2);
      if (options.name.trim() === "") throw new CliError("--name must not be empty", 2);
      if (options.admin && options.company?.length) throw new CliError("--company is for members; admins see every company", 2);
      const password = options.passwordStdin ? await readPasswordFromStdin() : await promptNewPassword();
      const problem = passwordProblem(password, { email: options.email });
      if (problem) throw new CliError(`the password ${problem}`, 2);

      const runtime = await openRuntime({ logLevel: "warn" });
      try {
        const db = runtime.db.db;
        const companies: Company[] = [];
        for (const code of options.company ?? []) {
          const company = await getCompanyByCode(db, code);
          if (!company) throw new CliError(`no company with code ${code.trim().toUpperCase()} (see \`devsync companies list\`)`, 1);
          companies.push(company);
        }
        const passwordHash = await hashPassword(password);
        const user = await db
          .transaction()
          .execute(async (trx) => {
            const created = await createUser(trx, { email: options.email, name: options.name.trim(), passwordHash, role: options.admin ? "admin" : "member" }, new Date());
            for (const company of companies) await grantCompanyAccess(trx, created.id, company.id, ALL_PERMISSIONS);
            return created;
          })
          .catch((error: unknown) => {
            if (error instanceof UniqueViolationError) throw new CliError(`a user with email ${options.email.trim().toLowerCase()} already exists`, 1);
            throw error;
          });
        process.stdout.write(`added ${user.role} ${user.id}: ${user.email}${companies.length ? ` (companies: ${companies.map((c) => c.code).join(", ")})` : ""}\n`);
      } finally {
        await runtime.close();
      }
    });

  return users;
}
