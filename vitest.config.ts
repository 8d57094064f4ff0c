import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // CI lists every test, so the log shows the PostgreSQL and MariaDB runs by name.
    reporters: process.env.CI ? ["verbose"] : ["default"],
  },
});
