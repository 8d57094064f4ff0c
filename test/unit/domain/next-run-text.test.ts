import { describe, expect, it } from "vitest";
import { formatLocal, nextRunText } from "../../../src/domain/next-run-text.js";
import { local } from "./schedule-test-helpers.js";

const TIRANE = "Europe/Tirane";
const now = local("2026-11-28T10:00", TIRANE); // Saturday
const at = (wallTime: string) => local(wallTime, TIRANE);

describe("nextRunText", () => {
  it("says Today for later today", () => {
    expect(nextRunText(at("2026-11-28T15:00"), now, TIRANE)).toBe("Next sync: Today at 3:00 PM");
    expect(nextRunText(at("2026-11-28T12:00"), now, TIRANE)).toBe("Next sync: Today at 12:00 PM");
  });

  it("says Tomorrow for the next local day", () => {
    expect(nextRunText(at("2026-11-29T09:00"), now, TIRANE)).toBe("Next sync: Tomorrow at 9:00 AM");
    expect(nextRunText(at("2026-11-29T00:30"), now, TIRANE)).toBe("Next sync: Tomorrow at 12:30 AM");
  });

  it("names the weekday within the next 6 days", () => {
    expect(nextRunText(at("2026-11-30T08:00"), now, TIRANE)).toBe("Next sync: Monday at 8:00 AM");
    expect(nextRunText(at("2026-12-04T18:45"), now, TIRANE)).toBe("Next sync: Friday at 6:45 PM");
  });

  it("gives the date from a week out, with the year only when it is not the current one", () => {
    expect(nextRunText(at("2026-12-05T09:00"), now, TIRANE)).toBe("Next sync: Dec 5 at 9:00 AM");
    expect(nextRunText(at("2026-12-01T06:00"), at("2026-11-20T10:00"), TIRANE)).toBe("Next sync: Dec 1 at 6:00 AM");
    expect(nextRunText(at("2027-01-01T06:00"), at("2026-12-20T10:00"), TIRANE)).toBe("Next sync: Jan 1, 2027 at 6:00 AM");
  });

  it("counts days in the schedule's zone, not UTC", () => {
    const lateEvening = new Date("2026-11-28T22:30:00Z"); // 23:30 in Tirana, 17:30 in New York
    const next = new Date("2026-11-28T23:30:00Z"); // 00:30 tomorrow in Tirana, 18:30 today in New York
    expect(nextRunText(next, lateEvening, TIRANE)).toBe("Next sync: Tomorrow at 12:30 AM");
    expect(nextRunText(next, lateEvening, "America/New_York")).toBe("Next sync: Today at 6:30 PM");
  });

  it("says Tomorrow across a DST change (a 25-hour local day)", () => {
    expect(nextRunText(at("2026-10-26T09:00"), at("2026-10-25T10:00"), TIRANE)).toBe("Next sync: Tomorrow at 9:00 AM");
  });

  it("says Disabled or Paused instead of a time", () => {
    const next = at("2026-11-29T09:00");
    expect(nextRunText(next, now, TIRANE, { enabled: false, pausedReason: null })).toBe("Disabled");
    expect(nextRunText(next, now, TIRANE, { enabled: true, pausedReason: "reconnect QuickBooks" })).toBe("Paused: reconnect QuickBooks");
    expect(nextRunText(null, now, TIRANE, { enabled: true, pausedReason: "reconnect QuickBooks" })).toBe("Paused: reconnect QuickBooks");
    // Disabled is the user's own choice and wins over a pause.
    expect(nextRunText(next, now, TIRANE, { enabled: false, pausedReason: "reconnect QuickBooks" })).toBe("Disabled");
    expect(nextRunText(next, now, TIRANE, { enabled: true, pausedReason: null })).toBe("Next sync: Tomorrow at 9:00 AM");
  });

  it("handles no next run and a slot the tick has not taken yet", () => {
    expect(nextRunText(null, now, TIRANE)).toBe("Next sync: not scheduled");
    expect(nextRunText(now, now, TIRANE)).toBe("Next sync: due now");
    expect(nextRunText(at("2026-11-28T09:00"), now, TIRANE)).toBe("Next sync: due now");
  });
});

describe("formatLocal", () => {
  it("gives local ISO time with the offset in force", () => {
    expect(formatLocal(new Date("2026-11-29T08:00:00Z"), TIRANE)).toBe("2026-11-29T09:00:00+01:00");
    expect(formatLocal(new Date("2027-06-01T07:00:00Z"), TIRANE)).toBe("2027-06-01T09:00:00+02:00");
    expect(formatLocal(new Date("2026-11-29T08:00:00Z"), "Australia/Lord_Howe")).toBe("2026-11-29T19:00:00+11:00");
    expect(formatLocal(new Date("2026-06-29T08:00:00Z"), "Australia/Lord_Howe")).toBe("2026-06-29T18:30:00+10:30");
    expect(formatLocal(new Date("2026-11-29T08:00:00Z"), "UTC")).toBe("2026-11-29T08:00:00+00:00");
  });
});
