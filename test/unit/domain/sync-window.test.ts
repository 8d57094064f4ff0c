import { describe, expect, it } from "vitest";
import { syncWindow } from "../../../src/domain/sync-window.js";
import { local } from "./schedule-test-helpers.js";

const TIRANE = "Europe/Tirane";
const now = local("2026-11-28T10:00", TIRANE);

describe("syncWindow", () => {
  it("covers local dates [today − days, today]", () => {
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 30 })).toEqual({ from: "2026-10-29", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 1 })).toEqual({ from: "2026-11-27", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 7 })).toEqual({ from: "2026-11-21", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 60 })).toEqual({ from: "2026-09-29", to: "2026-11-28" });
  });

  it("takes today in the schedule's zone, not UTC", () => {
    const lateUtc = new Date("2026-11-28T23:30:00Z");
    expect(syncWindow({ now: lateUtc, timezone: TIRANE, dateRangeDays: 1 })).toEqual({ from: "2026-11-28", to: "2026-11-29" });
    expect(syncWindow({ now: lateUtc, timezone: "America/New_York", dateRangeDays: 1 })).toEqual({ from: "2026-11-27", to: "2026-11-28" });
  });

  it("crosses leap days and year ends", () => {
    expect(syncWindow({ now: local("2028-03-01T10:00", TIRANE), timezone: TIRANE, dateRangeDays: 1 })).toEqual({ from: "2028-02-29", to: "2028-03-01" });
    expect(syncWindow({ now: local("2027-01-05T10:00", TIRANE), timezone: TIRANE, dateRangeDays: 7 })).toEqual({ from: "2026-12-29", to: "2027-01-05" });
  });

  it("moves the start back to the last successful run's end when that is earlier (gap-free after downtime)", () => {
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 1, lastSuccessfulEnd: "2026-11-20" })).toEqual({ from: "2026-11-20", to: "2026-11-28" });
  });

  it("keeps the start when the last successful run ended inside the window (or is missing)", () => {
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 30, lastSuccessfulEnd: "2026-11-27" })).toEqual({ from: "2026-10-29", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 30, lastSuccessfulEnd: "2026-10-29" })).toEqual({ from: "2026-10-29", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 30, lastSuccessfulEnd: null })).toEqual({ from: "2026-10-29", to: "2026-11-28" });
  });

  it("never reaches back more than 366 days", () => {
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 1, lastSuccessfulEnd: "2020-01-01" })).toEqual({ from: "2025-11-27", to: "2026-11-28" });
    expect(syncWindow({ now, timezone: TIRANE, dateRangeDays: 366 })).toEqual({ from: "2025-11-27", to: "2026-11-28" });
  });

  it("refuses inputs that can only come from a bug", () => {
    expect(() => syncWindow({ now, timezone: TIRANE, dateRangeDays: 0 })).toThrow(/dateRangeDays/);
    expect(() => syncWindow({ now, timezone: TIRANE, dateRangeDays: 367 })).toThrow(/dateRangeDays/);
    expect(() => syncWindow({ now, timezone: TIRANE, dateRangeDays: 30, lastSuccessfulEnd: "2026-02-30" })).toThrow(/YYYY-MM-DD/);
    expect(() => syncWindow({ now, timezone: TIRANE, dateRangeDays: 30, lastSuccessfulEnd: "28/11/2026" })).toThrow(/YYYY-MM-DD/);
  });
});
