import { describe, expect, it } from "vitest";
import { createSandboxClock } from "../../../src/sandbox/clock.js";
import { seedDemoTenants } from "../../../src/sandbox/devpos/demo-tenants.js";
import { createDevposSimulator } from "../../../src/sandbox/devpos/index.js";

const clock = createSandboxClock(() => Date.parse("2025-11-01T10:00:00Z"));

describe("seedDemoTenants", () => {
  it("derives the same tenants, logins and documents from the same seed", () => {
    const run = (seed: number) => {
      const devpos = createDevposSimulator({ clock, seed });
      const tenants = seedDemoTenants(devpos, { seed, clock, documentsPerTenant: 30 });
      return { tenants, snapshot: devpos.snapshot() };
    };
    const a = run(11);
    expect(run(11)).toEqual(a);
    expect(run(12).tenants).not.toEqual(a.tenants);
    expect(a.tenants).toHaveLength(2);
    for (const t of a.tenants) {
      expect(t.tenant).toMatch(/^[A-Z]\d{8}[A-Z]$/);
      expect(t.password).toMatch(/^sandbox-[0-9a-f]{4}-[0-9a-f]{4}$/);
      expect(t.documents).toBe(30);
    }
  });
});
