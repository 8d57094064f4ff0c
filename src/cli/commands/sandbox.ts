import { Command, Option } from "commander";
import { createLogger } from "../../logger.js";
import { createSandboxServer, sandboxUrls, type SandboxServer } from "../../sandbox/server.js";
import { onShutdownSignal } from "../shutdown.js";

interface SandboxCliOptions {
  port: number;
  seed?: number;
  state?: string;
}

export function sandboxCommand(): Command {
  return new Command("sandbox")
    .description("Serve simulators of QuickBooks Online and DevPos on 127.0.0.1, for tests, benchmarks and demos")
    .addOption(new Option("--port <port>", "port to listen on (0 picks a free one)").default(4010).argParser(parsePort))
    .addOption(new Option("--seed <n>", "seed the simulators; a fresh state gets demo tenants and documents").argParser(parseSeed))
    .addOption(new Option("--state <file>", "keep state in this JSON file across restarts (default: memory only)"))
    .action(async (options: SandboxCliOptions) => {
      const logger = createLogger({ level: "info", base: { component: "sandbox" } });
      const server = await createSandboxServer({ port: options.port, seed: options.seed, stateFile: options.state });
      process.stdout.write(describeSandbox(server, options));
      await onShutdownSignal(logger, () => server.close());
    });
}

/** The banner: settings to paste into devsync's .env, and the sandbox-only demo logins. */
export function describeSandbox(server: SandboxServer, options: { state?: string }): string {
  const urls = sandboxUrls(server.url);
  const lines = [
    `devsync sandbox listening on ${server.url}  (index: ${server.url}/)`,
    options.state ? `state file: ${options.state}` : "state: in memory (use --state FILE to keep it)",
    "",
    "Point devsync at it (.env):",
    `  QBO_AUTHORIZE_URL=${urls.qboAuthorizeUrl}`,
    `  QBO_TOKEN_URL=${urls.qboTokenUrl}`,
    `  QBO_REVOKE_URL=${urls.qboRevokeUrl}`,
    `  QBO_API_BASE=${urls.qboApiBase}`,
    `  DEVPOS_BASE_URL=${urls.devposBase}`,
  ];
  if (server.demoTenants.length > 0) {
    lines.push("", "Demo DevPos tenants (sandbox-only credentials, derived from the seed):");
    for (const t of server.demoTenants) {
      lines.push(`  tenant ${t.tenant}  ${t.companyName}  user ${t.username}  password ${t.password}  (${t.documents} documents)`);
    }
  }
  lines.push("", "Ctrl-C stops the sandbox" + (options.state ? " and saves its state." : "."), "");
  return lines.join("\n");
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function parseSeed(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new Error(`--seed must be an integer, got "${value}"`);
  return Number(value);
}
