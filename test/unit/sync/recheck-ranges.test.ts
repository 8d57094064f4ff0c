import { describe, expect, it } from "vitest";
import { groupRecheckRanges, isInRanges } from "../../../src/sync/recheck-ranges.js";

const sale = (txnDate: string) => ({ kind: "sale" as const, txnDate });
const purchase = (txnDate: string) => ({ kind: "purchase" as const, txnDate });

/** Days a range spans, both ends included. */
const span = (r: { from: string; to: string }) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 + 1;

describe("groupRecheckRanges", () => {
  it("puts dates of one kind within 31 days into one call, and each kind into its own list", () => {
    const ranges = groupRecheckRanges([sale("2025-03-05"), sale("2025-03-20"), sale("2025-03-05"), purchase("2025-03-10"), sale("2025-03-31")]);
    expect(ranges).toEqual([
      { kind: "purchase", from: "2025-03-10", to: "2025-03-10" },
      { kind: "sale", from: "2025-03-05", to: "2025-03-31" },
    ]);
  });

  it("never spans more than maxDays: dates 31 days apart need two calls", () => {
    const ranges = groupRecheckRanges([sale("2025-01-01"), sale("2025-01-31"), sale("2025-02-01")]);
    expect(ranges).toEqual([
      { kind: "sale", from: "2025-01-01", to: "2025-01-31" },
      { kind: "sale", from: "2025-02-01", to: "2025-02-01" },
    ]);
    expect(ranges.every((r) => span(r) <= 31)).toBe(true);
  });

  it("crosses month and year ends by calendar days", () => {
    expect(groupRecheckRanges([sale("2024-12-20"), sale("2025-01-19")])).toEqual([{ kind: "sale", from: "2024-12-20", to: "2025-01-19" }]);
    expect(groupRecheckRanges([sale("2024-02-28"), sale("2024-03-01")], { maxCalls: 12, maxDays: 3 })).toEqual([{ kind: "sale", from: "2024-02-28", to: "2024-03-01" }]);
    expect(groupRecheckRanges([sale("2024-02-28"), sale("2024-03-01")], { maxCalls: 12, maxDays: 2 })).toHaveLength(2);
  });

  it("stays within the call budget over two years of scattered dates; the first rows (longest unchecked) win", () => {
    // One open row every 10 days over two years, in a shuffled priority order.
    const dates: string[] = [];
    for (let day = 0; day < 730; day += 10) dates.push(new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().slice(0, 10));
    const order = [...dates].sort((a, b) => (a.slice(8) + a < b.slice(8) + b ? -1 : 1));
    const ranges = groupRecheckRanges(order.map(sale));
    expect(ranges.length).toBeLessThanOrEqual(12);
    expect(ranges.every((r) => span(r) <= 31)).toBe(true);
    // The 12 highest-priority dates are all covered; the rest wait when they fall outside.
    for (const date of order.slice(0, 12)) expect(isInRanges(ranges, "sale", date), date).toBe(true);
    const covered = dates.filter((d) => isInRanges(ranges, "sale", d)).length;
    expect(covered).toBeGreaterThanOrEqual(12);
    expect(covered).toBeLessThan(dates.length);
  });

  it("a budget of one call covers only what fits the first row's range", () => {
    const ranges = groupRecheckRanges([purchase("2025-06-15"), sale("2025-06-15"), purchase("2025-07-14"), purchase("2025-07-16")], { maxCalls: 1, maxDays: 31 });
    expect(ranges).toEqual([{ kind: "purchase", from: "2025-06-15", to: "2025-07-14" }]);
    expect(isInRanges(ranges, "sale", "2025-06-15")).toBe(false);
  });

  it("joins a date to the range that grows least, and ranges never overlap", () => {
    // 05-01 and 05-20 are too far apart for one 10-day call; 05-10 joins the first, 05-15 the second.
    const ranges = groupRecheckRanges([sale("2025-05-01"), sale("2025-05-20"), sale("2025-05-10"), sale("2025-05-15")], { maxCalls: 12, maxDays: 10 });
    expect(ranges).toEqual([
      { kind: "sale", from: "2025-05-01", to: "2025-05-10" },
      { kind: "sale", from: "2025-05-15", to: "2025-05-20" },
    ]);
    expect(groupRecheckRanges([])).toEqual([]);
  });
});
