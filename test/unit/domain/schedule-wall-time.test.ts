import fc from "fast-check";
import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { wallTimeToInstant } from "../../../src/domain/schedule-wall-time.js";
import { offsetAt } from "../../../src/domain/schedule-zone-offset.js";

const ZONES = ["Europe/Tirane", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tokyo"];

describe("offsetAt (memoised per UTC day)", () => {
  it("agrees with the tz database at any minute, including around transitions", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2035, 0, 1) / 60_000 }),
        (zone, minutes) => {
          const ms = minutes * 60_000;
          expect(offsetAt(zone, ms)).toBe(IANAZone.create(zone).offset(ms));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("switches on the exact minute of a transition", () => {
    const change = Date.UTC(2027, 2, 28, 1, 0); // 02:00 CET → 03:00 CEST
    expect(offsetAt("Europe/Tirane", change - 60_000)).toBe(60);
    expect(offsetAt("Europe/Tirane", change - 1)).toBe(60);
    expect(offsetAt("Europe/Tirane", change)).toBe(120);
  });

  it("refuses unknown zones instead of returning NaN offsets", () => {
    expect(() => offsetAt("Mars/Olympus_Mons", 0)).toThrow(/Unknown time zone/);
  });
});

describe("wallTimeToInstant (RFC 5545)", () => {
  const at = (zone: string, date: string, hour: number, minute: number) => {
    const [year, month, day] = date.split("-").map(Number) as [number, number, number];
    return new Date(wallTimeToInstant(zone, { year, month, day }, hour, minute)).toISOString();
  };

  it("reads a gap time with the offset before the gap", () => {
    expect(at("Europe/Tirane", "2027-03-28", 2, 30)).toBe("2027-03-28T01:30:00.000Z"); // 03:30 CEST
    expect(at("Australia/Lord_Howe", "2026-10-04", 2, 15)).toBe("2026-10-03T15:45:00.000Z"); // 02:45 +11
    expect(at("America/Santiago", "2026-09-06", 0, 30)).toBe("2026-09-06T04:30:00.000Z"); // 01:30 -03, midnight gap
  });

  it("takes the first occurrence of a repeated time", () => {
    expect(at("Europe/Tirane", "2026-10-25", 2, 30)).toBe("2026-10-25T00:30:00.000Z"); // CEST
    expect(at("America/New_York", "2026-11-01", 1, 30)).toBe("2026-11-01T05:30:00.000Z"); // EDT
    expect(at("Australia/Lord_Howe", "2027-04-04", 1, 45)).toBe("2027-04-03T14:45:00.000Z"); // +11
  });

  it("is plain arithmetic away from transitions", () => {
    expect(at("Europe/Tirane", "2026-11-28", 9, 0)).toBe("2026-11-28T08:00:00.000Z");
    expect(at("Asia/Tokyo", "2026-06-01", 9, 0)).toBe("2026-06-01T00:00:00.000Z");
  });

  it("documents why luxon's fromObject is not used: its overlap choice depends on the zone", () => {
    // If luxon changes this, the comment in schedule-wall-time.ts should change too.
    const tirane = DateTime.fromObject({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, { zone: "Europe/Tirane" });
    expect(tirane.toUTC().toISO()).toBe("2026-10-25T01:30:00.000Z"); // the second 02:30
    const lordHowe = DateTime.fromObject({ year: 2027, month: 4, day: 4, hour: 1, minute: 45 }, { zone: "Australia/Lord_Howe" });
    expect(lordHowe.toUTC().toISO()).toBe("2027-04-03T14:45:00.000Z"); // the first 01:45
    // Gap times are shifted forward, as RFC 5545 wants.
    const gap = DateTime.fromObject({ year: 2027, month: 3, day: 28, hour: 2, minute: 30 }, { zone: "Europe/Tirane" });
    expect(gap.toISO()).toBe("2027-03-28T03:30:00.000+02:00");
  });
});
