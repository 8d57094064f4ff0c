import { describe, expect, it } from "vitest";
import { nextRunAt } from "../../../src/domain/next-run-at.js";
import { parseScheduleInput, toScheduleRule, type ScheduleRule } from "../../../src/domain/schedule.js";
import { formatLocal, local, rule } from "./schedule-test-helpers.js";

const TIRANE = "Europe/Tirane";

/** The next `count` slots after `from`, as local ISO strings in the rule's zone. */
function slots(r: ScheduleRule, from: Date, count: number): string[] {
  const result: string[] = [];
  let at = from;
  for (let i = 0; i < count; i += 1) {
    at = nextRunAt(r, at);
    result.push(formatLocal(at, r.timezone));
  }
  return result;
}

describe("nextRunAt: docs/scheduling.md worked examples (Europe/Tirane)", () => {
  it("daily 09:00, now 08:59 → 09:00 the same day (08:00Z)", () => {
    const next = nextRunAt(rule({ frequency: "daily", hourOfDay: 9 }), local("2026-11-28T08:59", TIRANE));
    expect(next.toISOString()).toBe("2026-11-28T08:00:00.000Z");
  });

  it("daily 09:00, now exactly 09:00 → the next day (strictly after)", () => {
    const next = nextRunAt(rule({ frequency: "daily", hourOfDay: 9 }), local("2026-11-28T09:00", TIRANE));
    expect(formatLocal(next, TIRANE)).toBe("2026-11-29T09:00:00+01:00");
  });

  it("weekly Monday 08:00, now Monday 07:00 → the same day 08:00", () => {
    const next = nextRunAt(rule({ frequency: "weekly", dayOfWeek: 1, hourOfDay: 8 }), local("2026-11-30T07:00", TIRANE));
    expect(formatLocal(next, TIRANE)).toBe("2026-11-30T08:00:00+01:00");
  });

  it("monthly day 31 06:00, now 2027-02-01 → 2027-02-28 06:00", () => {
    const next = nextRunAt(rule({ frequency: "monthly", dayOfMonth: 31, hourOfDay: 6 }), local("2027-02-01T00:00", TIRANE));
    expect(formatLocal(next, TIRANE)).toBe("2027-02-28T06:00:00+01:00");
  });

  it("hourly minute 0, now 10:15 → 11:00", () => {
    const next = nextRunAt(rule({ frequency: "hourly", minute: 0 }), local("2026-11-28T10:15", TIRANE));
    expect(formatLocal(next, TIRANE)).toBe("2026-11-28T11:00:00+01:00");
  });
});

describe("nextRunAt: docs/product.md example schedules, as the API receives them", () => {
  function ruleOf(body: unknown): ScheduleRule {
    const parsed = parseScheduleInput(body);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
    return toScheduleRule(parsed.value, TIRANE);
  }
  const now = local("2026-11-28T10:15", TIRANE); // a Saturday

  it("daily full sync at 09:00 over 30 days", () => {
    const r = ruleOf({ job_type: "full", frequency: "daily", hour_of_day: 9, date_range_days: 30, enabled: true });
    expect(slots(r, now, 2)).toEqual(["2026-11-29T09:00:00+01:00", "2026-11-30T09:00:00+01:00"]);
  });

  it("hourly sales sync over the last day", () => {
    const r = ruleOf({ job_type: "sales", frequency: "hourly", date_range_days: 1 });
    expect(slots(r, now, 3)).toEqual(["2026-11-28T11:00:00+01:00", "2026-11-28T12:00:00+01:00", "2026-11-28T13:00:00+01:00"]);
  });

  it("weekly bills sync on Mondays at 08:00 over 7 days", () => {
    const r = ruleOf({ job_type: "bills", frequency: "weekly", day_of_week: 1, hour_of_day: 8, date_range_days: 7 });
    expect(slots(r, now, 2)).toEqual(["2026-11-30T08:00:00+01:00", "2026-12-07T08:00:00+01:00"]);
  });

  it("monthly full sync on the 1st at 06:00 over 60 days", () => {
    const r = ruleOf({ job_type: "full", frequency: "monthly", day_of_month: 1, hour_of_day: 6, date_range_days: 60 });
    expect(slots(r, now, 3)).toEqual(["2026-12-01T06:00:00+01:00", "2027-01-01T06:00:00+01:00", "2027-02-01T06:00:00+01:00"]);
  });
});

describe("nextRunAt: DST", () => {
  describe("Europe/Tirane", () => {
    it("spring forward 2027-03-28: daily 02:30 runs at 03:30 local, shifted by the gap, then resumes at 02:30", () => {
      const r = rule({ hourOfDay: 2, minute: 30 });
      expect(slots(r, local("2027-03-27T12:00", TIRANE), 3)).toEqual([
        "2027-03-28T03:30:00+02:00",
        "2027-03-29T02:30:00+02:00",
        "2027-03-30T02:30:00+02:00",
      ]);
      expect(nextRunAt(r, local("2027-03-27T12:00", TIRANE)).toISOString()).toBe("2027-03-28T01:30:00.000Z");
    });

    it("spring forward: a 02:00 slot (the gap's first minute) runs at 03:00", () => {
      expect(slots(rule({ hourOfDay: 2, minute: 0 }), local("2027-03-27T12:00", TIRANE), 1)).toEqual(["2027-03-28T03:00:00+02:00"]);
    });

    it("spring forward: slots next to the gap are untouched", () => {
      expect(slots(rule({ hourOfDay: 1, minute: 59 }), local("2027-03-27T12:00", TIRANE), 1)).toEqual(["2027-03-28T01:59:00+01:00"]);
      expect(slots(rule({ hourOfDay: 3, minute: 0 }), local("2027-03-27T12:00", TIRANE), 1)).toEqual(["2027-03-28T03:00:00+02:00"]);
    });

    it("fall back 2026-10-25: daily 02:30 runs once, at the first occurrence (CEST)", () => {
      const r = rule({ hourOfDay: 2, minute: 30 });
      const first = nextRunAt(r, local("2026-10-24T12:00", TIRANE));
      expect(first.toISOString()).toBe("2026-10-25T00:30:00.000Z");
      expect(formatLocal(first, TIRANE)).toBe("2026-10-25T02:30:00+02:00");
      // Advancing from the slot just taken skips the repeated 02:30 CET (01:30Z) the same day.
      expect(formatLocal(nextRunAt(r, first), TIRANE)).toBe("2026-10-26T02:30:00+01:00");
    });

    it("fall back: a reference inside the repeated hour does not yield the second 02:30", () => {
      // 02:45 CEST, after the first 02:30 but before the second one (02:30 CET = 01:30Z).
      const next = nextRunAt(rule({ hourOfDay: 2, minute: 30 }), new Date("2026-10-25T00:45:00Z"));
      expect(formatLocal(next, TIRANE)).toBe("2026-10-26T02:30:00+01:00");
    });

    it("hourly across fall back runs in both real 02:xx hours (distinct instants)", () => {
      const r = rule({ frequency: "hourly", minute: 30 });
      expect(slots(r, new Date("2026-10-24T23:00:00Z"), 4)).toEqual([
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:30:00+01:00",
      ]);
    });

    it("hourly across spring forward has no slot in the missing hour and none twice", () => {
      const r = rule({ frequency: "hourly", minute: 30 });
      expect(slots(r, new Date("2027-03-28T00:00:00Z"), 3)).toEqual([
        "2027-03-28T01:30:00+01:00",
        "2027-03-28T03:30:00+02:00",
        "2027-03-28T04:30:00+02:00",
      ]);
    });

    it("weekly on the DST Sundays", () => {
      const r = rule({ frequency: "weekly", dayOfWeek: 0, hourOfDay: 2, minute: 30 });
      expect(slots(r, local("2027-03-21T12:00", TIRANE), 2)).toEqual(["2027-03-28T03:30:00+02:00", "2027-04-04T02:30:00+02:00"]);
      expect(slots(r, local("2026-10-18T12:00", TIRANE), 2)).toEqual(["2026-10-25T02:30:00+02:00", "2026-11-01T02:30:00+01:00"]);
    });
  });

  describe("America/New_York", () => {
    const NY = "America/New_York";
    it("spring forward 2027-03-14: daily 02:30 runs at 03:30 EDT", () => {
      expect(slots(rule({ timezone: NY, hourOfDay: 2, minute: 30 }), local("2027-03-13T12:00", NY), 2)).toEqual([
        "2027-03-14T03:30:00-04:00",
        "2027-03-15T02:30:00-04:00",
      ]);
    });
    it("fall back 2026-11-01: daily 01:30 runs once, at 01:30 EDT", () => {
      expect(slots(rule({ timezone: NY, hourOfDay: 1, minute: 30 }), local("2026-10-31T12:00", NY), 2)).toEqual([
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00",
      ]);
    });
  });

  describe("Asia/Tokyo (no DST)", () => {
    it("daily 09:00 is always 00:00Z", () => {
      let at = new Date("2026-03-01T00:00:00Z");
      for (let i = 0; i < 400; i += 1) {
        at = nextRunAt(rule({ timezone: "Asia/Tokyo" }), at);
        expect(at.toISOString().slice(11)).toBe("00:00:00.000Z");
      }
    });
  });

  describe("Australia/Lord_Howe (30-minute DST shift)", () => {
    const LH = "Australia/Lord_Howe";
    it("spring forward 2026-10-04 (02:00 → 02:30): daily 02:15 runs at 02:45, shifted by the 30-minute gap", () => {
      expect(slots(rule({ timezone: LH, hourOfDay: 2, minute: 15 }), local("2026-10-03T12:00", LH), 2)).toEqual([
        "2026-10-04T02:45:00+11:00",
        "2026-10-05T02:15:00+11:00",
      ]);
    });
    it("fall back 2027-04-04 (02:00 → 01:30): daily 01:45 runs once, at the first occurrence (+11:00)", () => {
      expect(slots(rule({ timezone: LH, hourOfDay: 1, minute: 45 }), local("2027-04-03T12:00", LH), 2)).toEqual([
        "2027-04-04T01:45:00+11:00",
        "2027-04-05T01:45:00+10:30",
      ]);
    });
    it("hourly keeps the local minute across the half-hour shifts", () => {
      const r = rule({ timezone: LH, frequency: "hourly", minute: 10 });
      expect(slots(r, local("2026-10-04T00:30", LH), 3)).toEqual([
        "2026-10-04T01:10:00+10:30",
        "2026-10-04T03:10:00+11:00", // 02:10 does not exist; 90 real minutes later
        "2026-10-04T04:10:00+11:00",
      ]);
      const back = rule({ timezone: LH, frequency: "hourly", minute: 40 });
      expect(slots(back, local("2027-04-04T00:30", LH), 4)).toEqual([
        "2027-04-04T00:40:00+11:00",
        "2027-04-04T01:40:00+11:00",
        "2027-04-04T01:40:00+10:30", // the repeated half hour, 30 real minutes later
        "2027-04-04T02:40:00+10:30",
      ]);
    });
  });
});

describe("nextRunAt: month ends", () => {
  const monthly = (dayOfMonth: number) => rule({ frequency: "monthly", dayOfMonth, hourOfDay: 6 });

  it("day 31 runs on Feb 28 in a common year and Feb 29 in a leap year", () => {
    expect(slots(monthly(31), local("2027-01-31T07:00", TIRANE), 2)).toEqual(["2027-02-28T06:00:00+01:00", "2027-03-31T06:00:00+02:00"]);
    expect(slots(monthly(31), local("2028-01-31T07:00", TIRANE), 2)).toEqual(["2028-02-29T06:00:00+01:00", "2028-03-31T06:00:00+02:00"]);
  });

  it("day 31 runs on April 30, never on May 1", () => {
    expect(slots(monthly(31), local("2027-03-31T07:00", TIRANE), 2)).toEqual(["2027-04-30T06:00:00+02:00", "2027-05-31T06:00:00+02:00"]);
  });

  it("days 29 and 30 clamp in February only", () => {
    expect(slots(monthly(29), local("2027-01-30T00:00", TIRANE), 3)).toEqual([
      "2027-02-28T06:00:00+01:00",
      "2027-03-29T06:00:00+02:00",
      "2027-04-29T06:00:00+02:00",
    ]);
    expect(slots(monthly(29), local("2028-01-30T00:00", TIRANE), 1)).toEqual(["2028-02-29T06:00:00+01:00"]);
    expect(slots(monthly(30), local("2028-01-30T07:00", TIRANE), 3)).toEqual([
      "2028-02-29T06:00:00+01:00",
      "2028-03-30T06:00:00+02:00",
      "2028-04-30T06:00:00+02:00",
    ]);
  });

  it("after the clamped slot, the next one is the following month's day", () => {
    expect(slots(monthly(31), local("2027-02-28T06:00", TIRANE), 1)).toEqual(["2027-03-31T06:00:00+02:00"]);
  });

  it("crosses the year end", () => {
    expect(slots(monthly(31), local("2026-12-31T06:00", TIRANE), 1)).toEqual(["2027-01-31T06:00:00+01:00"]);
  });
});

describe("nextRunAt: cron (croner, in the zone)", () => {
  it("weekdays at 09:00 local", () => {
    const r = rule({ frequency: "cron", cronExpression: "0 9 * * 1-5" });
    expect(slots(r, local("2026-11-27T10:00", TIRANE), 2)).toEqual(["2026-11-30T09:00:00+01:00", "2026-12-01T09:00:00+01:00"]);
  });

  it("is strictly after a reference that is itself a match", () => {
    const r = rule({ frequency: "cron", cronExpression: "*/15 * * * *" });
    expect(slots(r, local("2026-11-28T10:15", TIRANE), 2)).toEqual(["2026-11-28T10:30:00+01:00", "2026-11-28T10:45:00+01:00"]);
  });

  it("a fixed time in the spring gap runs once that day, at the end of the gap (croner's rule)", () => {
    const r = rule({ frequency: "cron", cronExpression: "30 2 * * *" });
    expect(slots(r, local("2027-03-27T12:00", TIRANE), 2)).toEqual(["2027-03-28T03:00:00+02:00", "2027-03-29T02:30:00+02:00"]);
  });

  it("a fixed time repeated by fall back runs once, at the first occurrence", () => {
    const r = rule({ frequency: "cron", cronExpression: "30 2 * * *" });
    expect(slots(r, local("2026-10-24T12:00", TIRANE), 2)).toEqual(["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]);
  });
});

describe("nextRunAt: references", () => {
  it("a reference with seconds still gives a whole-minute slot after it", () => {
    const r = rule({ frequency: "hourly", minute: 0 });
    expect(nextRunAt(r, new Date("2026-11-28T09:59:59.999Z")).toISOString()).toBe("2026-11-28T10:00:00.000Z");
    expect(nextRunAt(r, new Date("2026-11-28T10:00:00.001Z")).toISOString()).toBe("2026-11-28T11:00:00.000Z");
  });

  it("throws on rules validation would have refused", () => {
    expect(() => nextRunAt(rule({ frequency: "weekly", dayOfWeek: null }), new Date())).toThrow(/dayOfWeek/);
    expect(() => nextRunAt(rule({ frequency: "monthly", dayOfMonth: 32 }), new Date())).toThrow(/dayOfMonth/);
    expect(() => nextRunAt(rule({ hourOfDay: 24 }), new Date())).toThrow(/hourOfDay/);
    expect(() => nextRunAt(rule({ frequency: "cron" }), new Date())).toThrow(/cron/);
    expect(() => nextRunAt(rule({ timezone: "Mars/Base" }), new Date())).toThrow(/time zone/);
    expect(() => nextRunAt(rule({}), new Date(Number.NaN))).toThrow(/invalid/);
  });
});
