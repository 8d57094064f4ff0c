import { describe, expect, it } from "vitest";
import { createTiraneStamper, localDateOf, localDatesBetween, plusDays, tiraneTimestamp } from "../../../src/sandbox/devpos/tirane-time.js";

describe("Tirana time helpers", () => {
  it("the cached stamper agrees with the exact computation on every day of a year, DST days included", () => {
    const stamp = createTiraneStamper();
    for (const day of localDatesBetween("2025-01-01", "2025-12-31")) {
      for (const hour of [0, 3, 4, 7, 12, 19, 23]) expect(stamp(day, hour, 5, 9)).toBe(tiraneTimestamp(day, hour, 5, 9));
    }
    expect(tiraneTimestamp("2025-03-30", 12, 0, 0)).toBe("2025-03-30T12:00:00+02:00");
    expect(tiraneTimestamp("2025-10-26", 17, 35, 12)).toBe("2025-10-26T17:35:12+01:00");
  });

  it("reads the local date whatever offset a timestamp was written with", () => {
    expect(localDateOf("2025-10-30T23:30:00Z")).toBe("2025-10-31");
    expect(localDateOf("2025-07-01T22:30:00+00:00")).toBe("2025-07-02");
    expect(localDateOf("2025-10-26T17:35:12+01:00")).toBe("2025-10-26");
    expect(localDateOf("nonsense")).toBeNull();
    expect(plusDays("2025-12-31", 1)).toBe("2026-01-01");
  });
});

describe("localDateOf fast path", () => {
  it("only trusts the written date when the offset is Tirana's for that day", () => {
    expect(localDateOf("2025-01-15T23:30:00+02:00")).toBe("2025-01-15"); // 22:30 Tirana time
    expect(localDateOf("2025-01-15T23:30:00-05:00")).toBe("2025-01-16");
    expect(localDateOf("2025-07-15T23:30:00+01:00")).toBe("2025-07-16"); // 00:30 summer time
    expect(localDateOf("2025-07-15T23:30:00+02:00")).toBe("2025-07-15");
    expect(localDateOf("2025-03-30T01:30:00+01:00")).toBe("2025-03-30");
  });
});
