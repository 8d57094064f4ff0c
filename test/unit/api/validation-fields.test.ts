import { describe, expect, it } from "vitest";
import { validationFields } from "../../../src/api/error-handler.js";
import { csrfTokenFor, newApiKey, sha256Hex } from "../../../src/api/auth/tokens.js";

describe("validationFields", () => {
  it("names unknown keys one by one and keeps the first message per field", () => {
    const fields = validationFields(
      [
        { keyword: "unrecognized_keys", instancePath: "/", params: { keys: ["colour", "size"] } },
        { keyword: "invalid_type", instancePath: "/hour_of_day", message: "hour_of_day must be a whole number from 0 to 23" },
        { keyword: "too_big", instancePath: "/hour_of_day", message: "later message" },
        { keyword: "invalid_type", instancePath: "/name", message: "Invalid input: expected string, received undefined" },
        { keyword: "invalid_type", instancePath: "/companies/0/company_id", message: "company_id must be a positive whole number" },
        { keyword: "invalid_type", instancePath: "", message: "the request body must be a JSON object" },
      ],
      "body",
    );
    expect(fields).toEqual({
      colour: "colour is not a known field",
      size: "size is not a known field",
      hour_of_day: "hour_of_day must be a whole number from 0 to 23",
      name: "name is required",
      "companies.0.company_id": "company_id must be a positive whole number",
      body: "the request body must be a JSON object",
    });
  });
});

describe("tokens", () => {
  it("makes API keys with a prefix, never storing more than their hash", () => {
    const { key, prefix, hash } = newApiKey();
    expect(key).toMatch(/^dsk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(hash).toBe(sha256Hex(key));
    expect(newApiKey().key).not.toBe(key);
  });

  it("derives a stable CSRF token per session token", () => {
    expect(csrfTokenFor("a")).toBe(csrfTokenFor("a"));
    expect(csrfTokenFor("a")).not.toBe(csrfTokenFor("b"));
  });
});
