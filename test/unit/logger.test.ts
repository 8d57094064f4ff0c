import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("writes JSON lines at the configured level", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: "warn", destination });
    logger.info("hidden");
    logger.warn({ companyId: 3 }, "shown");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "warn", msg: "shown", companyId: 3, service: "devsync" });
  });

  it("redacts secrets by path, at any usual depth", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: "info", destination });
    logger.info(
      {
        password: "p1-secret",
        tokens: { access_token: "a1-secret", refresh_token: "r1-secret" },
        request: { headers: { authorization: "Bearer b1-secret", cookie: "sid=c1-secret" } },
        credentials: { password: "p2-secret", clientSecret: "s1-secret" },
      },
      "connected",
    );
    const text = lines.join("");
    expect(text).not.toMatch(/-secret/);
    expect(text).toContain("[redacted]");
  });
});
