import { describe, expect, it } from "vitest";
import { divRound, taxInGross, taxOnNet, toCents, toHomeCents, toScaled } from "../../../src/sandbox/qbo/money.js";

describe("money", () => {
  it("converts JSON numbers to cents without float drift", () => {
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(1.005)).toBe(100); // 1.005 is 1.00499… in binary, as QBO sees it too
    expect(toCents("12.34")).toBe(1234);
    expect(toCents("abc")).toBeUndefined();
  });

  it("rounds half away from zero", () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(4n, 3n)).toBe(1n);
  });

  it("computes tax and home amounts exactly", () => {
    expect(taxOnNet(3333, 6)).toBe(200);
    expect(taxOnNet(10035, 20)).toBe(2007);
    expect(taxInGross(12000, 20)).toBe(2000);
    expect(taxInGross(123457, 20)).toBe(20576);
    expect(toHomeCents(25055, 98.765)).toBe(2474557);
    expect(toScaled("122.3456", 2)).toBe(12235n);
  });
});
