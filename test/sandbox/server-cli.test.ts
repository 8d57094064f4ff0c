import { describe, expect, it } from "vitest";
import { describeSandbox, sandboxCommand } from "../../src/cli/commands/sandbox.js";
import type { SandboxServer } from "../../src/sandbox/server.js";

describe("devsync sandbox command", () => {
  it("documents its options with their defaults", () => {
    const help = sandboxCommand().helpInformation();
    expect(help).toMatch(/--port <port>.*\(default: 4010\)/s);
    expect(help).toContain("--seed <n>");
    expect(help).toContain("--state <file>");
  });

  it("rejects a malformed port or seed", async () => {
    const run = (args: string[]) => sandboxCommand().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(args, { from: "user" });
    await expect(run(["--port", "http"])).rejects.toThrow(/--port must be an integer/);
    await expect(run(["--seed", "1.5"])).rejects.toThrow(/--seed must be an integer/);
  });

  it("prints the .env settings and the demo logins", () => {
    const server = {
      url: "http://127.0.0.1:4010",
      demoTenants: [{ tenant: "K12345678A", companyName: "ALBA TRADE SHPK", username: "alba.admin", password: "sandbox-1234-abcd", documents: 150 }],
    } as unknown as SandboxServer;
    const text = describeSandbox(server, { state: "sandbox.json" });
    expect(text).toContain("QBO_TOKEN_URL=http://127.0.0.1:4010/qbo/oauth2/v1/tokens/bearer");
    expect(text).toContain("DEVPOS_BASE_URL=http://127.0.0.1:4010/devpos");
    expect(text).toContain("user alba.admin  password sandbox-1234-abcd");
    expect(text).toContain("saves its state");
  });
});
