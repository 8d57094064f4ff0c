import { describe, expect, it } from "vitest";
import { DevposAuthError, DevposCredentialsError, DevposHttpError, DevposNotConfiguredError, DevposResponseError } from "../../../src/connectors/devpos/errors.js";
import { NetworkError, TimeoutError } from "../../../src/connectors/http.js";
import { QboGrantRevokedError, QboNotConnectedError, QboOAuthError, QboRefreshBusyError } from "../../../src/connectors/qbo/errors.js";
import { parseQboFault } from "../../../src/connectors/qbo/faults.js";
import { backoffDelayMs, classifyError } from "../../../src/connectors/retry-policy.js";

describe("classifyError: the one retry table", () => {
  const cases: [string, unknown, string, boolean][] = [
    ["invalid_grant", new QboGrantRevokedError(1, "Incorrect or invalid refresh token"), "grant_revoked", false],
    ["reauth pending", new QboNotConnectedError(1, "reauth_required"), "permanent", false],
    ["never connected", new QboNotConnectedError(1, "missing"), "permanent", false],
    ["refresh lock busy", new QboRefreshBusyError(1, 45_000), "transient", true],
    ["token endpoint 503", new QboOAuthError(503, "", "down"), "transient", true],
    ["invalid_client", new QboOAuthError(401, "invalid_client", "bad app"), "permanent", false],
    ["429", parseQboFault(429, ""), "throttled", true],
    ["401", parseQboFault(401, ""), "auth_expired", false],
    ["500", parseQboFault(500, ""), "transient", true],
    ["503", parseQboFault(503, ""), "transient", true],
    ["400 validation", parseQboFault(400, '{"Fault":{"Error":[{"code":"6240"}],"type":"ValidationFault"}}'), "permanent", false],
    ["404", parseQboFault(404, ""), "permanent", false],
    ["network", new NetworkError("http://x", "ECONNRESET"), "transient", true],
    ["timeout", new TimeoutError("http://x", 100), "transient", true],
    ["devpos bad login", new DevposCredentialsError(1, "invalid_grant"), "permanent", false],
    ["devpos no login", new DevposNotConfiguredError(1), "permanent", false],
    ["devpos 401 after re-login", new DevposAuthError(1, "GetSalesInvoice"), "permanent", false],
    ["devpos 502", new DevposHttpError(502, "GetSalesInvoice", ""), "transient", true],
    ["devpos 400", new DevposHttpError(400, "GetSalesInvoice", ""), "permanent", false],
    ["devpos not an array", new DevposResponseError("GetSalesInvoice", "html"), "transient", true],
    ["a bug", new TypeError("x is undefined"), "permanent", false],
  ];
  for (const [name, error, expectedClass, retryable] of cases) {
    it(`${name} → ${expectedClass}`, () => {
      const c = classifyError(error);
      expect(c.class).toBe(expectedClass);
      expect(c.retryable).toBe(retryable);
      expect(c.code).toMatch(/^[a-z0-9_]+$/);
    });
  }
  it("fault codes end up in the code", () => {
    expect(classifyError(parseQboFault(400, '{"Fault":{"Error":[{"code":"6240"}],"type":"ValidationFault"}}')).code).toBe("qbo_fault_6240");
  });
});

describe("backoffDelayMs", () => {
  it("grows exponentially with full jitter in [ceiling/2, ceiling], capped", () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(0, opts, () => 0)).toBe(50);
    expect(backoffDelayMs(0, opts, () => 1)).toBe(100);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(400);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(800);
    expect(backoffDelayMs(10, opts, () => 1)).toBe(1000);
    expect(backoffDelayMs(10, opts, () => 0)).toBe(500);
  });
});
