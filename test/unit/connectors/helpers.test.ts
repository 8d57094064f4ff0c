import { describe, expect, it } from "vitest";
import { dayNumber, daysIn, splitWindow } from "../../../src/connectors/devpos/date-range.js";
import { retryAfterMs } from "../../../src/connectors/http.js";
import { buildQboQuery, qboInList, quoteQboString } from "../../../src/connectors/qbo/query.js";
import { chunkRequestId } from "../../../src/connectors/qbo/request-id.js";
import { redactSecrets, redactUrlParams } from "../../../src/connectors/redact.js";

describe("QBO query building", () => {
  it("quotes with ' and escapes ' as \\' (and backslashes)", () => {
    expect(quoteQboString("Amy's Bird Sanctuary")).toBe("'Amy\\'s Bird Sanctuary'");
    expect(quoteQboString("a\\")).toBe("'a\\\\'");
    expect(quoteQboString("x' OR '1'='1")).toBe("'x\\' OR \\'1\\'=\\'1'");
    expect(qboInList(["a", "b'c"])).toBe("('a', 'b\\'c')");
  });

  it("pages with STARTPOSITION/MAXRESULTS and refuses odd entity names", () => {
    expect(buildQboQuery("Customer", "DisplayName = 'X'", { startPosition: 1001, maxResults: 1000 })).toBe(
      "SELECT * FROM Customer WHERE DisplayName = 'X' STARTPOSITION 1001 MAXRESULTS 1000",
    );
    expect(buildQboQuery("Item", undefined, { startPosition: 1, maxResults: 10 })).toBe("SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 10");
    expect(() => buildQboQuery("Customer; DROP", undefined, { startPosition: 1, maxResults: 10 })).toThrow();
    expect(() => buildQboQuery("Customer", undefined, { startPosition: 0, maxResults: 10 })).toThrow();
    expect(() => buildQboQuery("Customer", undefined, { startPosition: 1, maxResults: 1001 })).toThrow();
  });
});

describe("batch request ids", () => {
  it("keeps a short single-chunk id and derives stable ≤ 36-character ids otherwise", () => {
    expect(chunkRequestId("run-1-batch-1", 0, 1)).toBe("run-1-batch-1");
    const a = chunkRequestId("run-1-batch-1", 0, 2);
    expect(a).toHaveLength(32);
    expect(chunkRequestId("run-1-batch-1", 0, 2)).toBe(a);
    expect(chunkRequestId("run-1-batch-1", 1, 2)).not.toBe(a);
    expect(chunkRequestId("x".repeat(50), 0, 1)).toHaveLength(32);
  });
});

describe("date windows", () => {
  it("splits in halves down to single days", () => {
    expect(splitWindow({ from: "2025-10-01", to: "2025-10-31" })).toEqual([
      { from: "2025-10-01", to: "2025-10-16" },
      { from: "2025-10-17", to: "2025-10-31" },
    ]);
    expect(splitWindow({ from: "2025-02-28", to: "2025-03-01" })).toEqual([
      { from: "2025-02-28", to: "2025-02-28" },
      { from: "2025-03-01", to: "2025-03-01" },
    ]);
    expect(() => splitWindow({ from: "2025-10-01", to: "2025-10-01" })).toThrow();
    expect(daysIn({ from: "2024-02-01", to: "2024-03-01" })).toBe(30);
    expect(() => dayNumber("2025-02-30")).toThrow();
  });
});

describe("Retry-After and redaction", () => {
  it("reads seconds and HTTP dates", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({}), now)).toBeUndefined();
  });

  it("redacts secret-looking keys at any depth", () => {
    expect(redactSecrets({ username: "u", password: "p", nested: { access_token: "t", list: [{ Authorization: "Bearer x" }] } })).toEqual({
      username: "u",
      password: "[redacted]",
      nested: { access_token: "[redacted]", list: [{ Authorization: "[redacted]" }] },
    });
    expect(redactUrlParams("http://x/cb?code=abc&state=s")).toBe("http://x/cb?code=%5Bredacted%5D&state=s");
  });
});
