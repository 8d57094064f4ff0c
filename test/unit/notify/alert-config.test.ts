import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config.js";

describe("alert and retention configuration", () => {
  it("defaults to no alerts and 180 days of run log", () => {
    const config = parseConfig({});
    expect(config.alerts).toEqual({ smtpUrl: undefined, emailFrom: "devsync@localhost", emailTo: [], webhookUrl: undefined, webhookSecret: undefined });
    expect(config.retentionDays).toBe(180);
  });

  it("reads every alert variable", () => {
    const config = parseConfig({
      SMTP_URL: "smtps://u:p@mail.example.com:465",
      ALERT_EMAIL_FROM: "devsync <alerts@firm.al>",
      ALERT_EMAIL_TO: "a@firm.al, b@firm.al",
      ALERT_WEBHOOK_URL: "https://hooks.example.com/devsync",
      ALERT_WEBHOOK_SECRET: "0123456789abcdef0123",
      RETENTION_DAYS: "0",
    });
    expect(config.alerts.emailTo).toEqual(["a@firm.al", "b@firm.al"]);
    expect(config.alerts.emailFrom).toBe("devsync <alerts@firm.al>");
    expect(config.retentionDays).toBe(0);
  });

  it.each([
    [{ SMTP_URL: "http://mail.example.com" }, "SMTP_URL"],
    [{ ALERT_EMAIL_TO: "ops@firm.al" }, "ALERT_EMAIL_TO"],
    [{ SMTP_URL: "smtp://h", ALERT_EMAIL_TO: "not-an-address" }, "ALERT_EMAIL_TO"],
    [{ ALERT_EMAIL_FROM: "nobody" }, "ALERT_EMAIL_FROM"],
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com", ALERT_WEBHOOK_SECRET: "short" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_URL: "ftp://x", ALERT_WEBHOOK_SECRET: "0123456789abcdef" }, "ALERT_WEBHOOK_URL"],
    [{ RETENTION_DAYS: "-1" }, "RETENTION_DAYS"],
    [{ RETENTION_DAYS: "half a year" }, "RETENTION_DAYS"],
  ])("names the bad variable: %o", (env, variable) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    try {
      parseConfig(env);
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
    }
  });
});
