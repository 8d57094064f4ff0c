import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config.js";

const key = Buffer.alloc(32, 7).toString("base64");

describe("parseConfig", () => {
  it("runs with no environment at all: SQLite under ./data, port 8080", () => {
    const config = parseConfig({}, "/srv/app");
    expect(config.database).toEqual({ dialect: "sqlite", file: "/srv/app/data/devsync.db" });
    expect(config.embedded).toBe(true);
    expect(config.port).toBe(8080);
    expect(config.host).toBe("127.0.0.1");
    expect(config.publicUrl).toBe("http://localhost:8080");
    expect(config.qbo.redirectUri).toBe("http://localhost:8080/api/qbo/callback");
    expect(config.qbo.apiBase).toBe("https://quickbooks.api.intuit.com");
    expect(config.devpos.clientId).toBe("fiskalizimi_spa");
    expect(config.logLevel).toBe("info");
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.qbo)).toBe(true);
  });

  it("reads PostgreSQL and MariaDB URLs", () => {
    expect(parseConfig({ DATABASE_URL: "postgres://u@h:5432/db", DEVSYNC_SECRET_KEY: key }).database).toEqual({
      dialect: "postgres",
      url: "postgres://u@h:5432/db",
    });
    expect(parseConfig({ DATABASE_URL: "mariadb://root@h:3306/db", DEVSYNC_SECRET_KEY: key }).database).toEqual({
      dialect: "mysql",
      url: "mysql://root@h:3306/db",
    });
    expect(parseConfig({ DATABASE_URL: "sqlite:./x.db" }, "/w").database).toEqual({ dialect: "sqlite", file: "/w/x.db" });
  });

  it("uses the sandbox API host for QBO_ENVIRONMENT=sandbox", () => {
    expect(parseConfig({ QBO_ENVIRONMENT: "sandbox" }).qbo.apiBase).toBe("https://sandbox-quickbooks.api.intuit.com");
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "-1" }, "PORT"],
    [{ DATABASE_URL: "oracle://x" }, "DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ DATABASE_URL: "postgres://u@h/db" }, "DEVSYNC_SECRET_KEY"],
    [{ DEVSYNC_SECRET_KEY: "c2hvcnQ=" }, "DEVSYNC_SECRET_KEY"],
    [{ DEVSYNC_SECRET_KEYS_PREVIOUS: `${key},nope` }, "DEVSYNC_SECRET_KEYS_PREVIOUS"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ QBO_ENVIRONMENT: "staging" }, "QBO_ENVIRONMENT"],
    [{ PUBLIC_URL: "ftp://x" }, "PUBLIC_URL"],
    [{ DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE"],
    [{ QBO_TOKEN_URL: "::" }, "QBO_TOKEN_URL"],
  ])("rejects %o naming %s", (env, variable) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message.startsWith(`${variable}: `)).toBe(true);
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ PORT: "", DATABASE_URL: " " }).port).toBe(8080);
  });

  it("reads TRUST_PROXY: off by default, a hop count, or proxy addresses; never 'trust everyone'", () => {
    expect(parseConfig({}).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(1);
    expect(parseConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(parseConfig({ TRUST_PROXY: "10.0.0.2, 10.1.0.0/16" }).trustProxy).toEqual(["10.0.0.2", "10.1.0.0/16"]);
    expect(() => parseConfig({ TRUST_PROXY: "yes please" })).toThrow(ConfigError);
    expect(() => parseConfig({ TRUST_PROXY: "yes please" })).toThrow(/^TRUST_PROXY: /);
  });
});
