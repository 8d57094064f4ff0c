import { describe, expect, it } from "vitest";
import { parseScheduleInput, scheduleInputSchema, toScheduleRule } from "../../../src/domain/schedule.js";

const daily = { job_type: "full", frequency: "daily" };

function fieldsOf(body: unknown): Record<string, string> {
  const result = parseScheduleInput(body);
  if (result.ok) throw new Error(`expected a validation failure for ${JSON.stringify(body)}`);
  return result.fields;
}

function valueOf(body: unknown) {
  const result = parseScheduleInput(body);
  if (!result.ok) throw new Error(JSON.stringify(result.fields));
  return result.value;
}

describe("parseScheduleInput: valid bodies", () => {
  it("applies the defaults of docs/scheduling.md and answers in camelCase", () => {
    expect(valueOf(daily)).toEqual({
      jobType: "full",
      frequency: "daily",
      hourOfDay: 9,
      minute: 0,
      dayOfWeek: null,
      dayOfMonth: null,
      cronExpression: null,
      timezone: null,
      dateRangeDays: 30,
      enabled: true,
    });
  });

  it("accepts the four docs/product.md example schedules as the dashboard sends them (all fields, nulls included)", () => {
    const body = (fields: object) => ({ hour_of_day: null, day_of_week: null, day_of_month: null, enabled: true, ...fields });
    expect(valueOf(body({ job_type: "full", frequency: "daily", hour_of_day: 9, date_range_days: 30 }))).toMatchObject({
      jobType: "full", frequency: "daily", hourOfDay: 9, minute: 0, dateRangeDays: 30,
    });
    expect(valueOf(body({ job_type: "sales", frequency: "hourly", date_range_days: 1 }))).toMatchObject({
      jobType: "sales", frequency: "hourly", minute: 0, dateRangeDays: 1,
    });
    expect(valueOf(body({ job_type: "bills", frequency: "weekly", day_of_week: 1, hour_of_day: 8, date_range_days: 7 }))).toMatchObject({
      jobType: "bills", frequency: "weekly", dayOfWeek: 1, hourOfDay: 8, dateRangeDays: 7,
    });
    expect(valueOf(body({ job_type: "full", frequency: "monthly", day_of_month: 1, hour_of_day: 6, date_range_days: 60 }))).toMatchObject({
      jobType: "full", frequency: "monthly", dayOfMonth: 1, hourOfDay: 6, dateRangeDays: 60,
    });
  });

  it("accepts purchases as an alias of bills", () => {
    expect(valueOf({ ...daily, job_type: "purchases" }).jobType).toBe("bills");
  });

  it("carries an id for updates", () => {
    expect(valueOf({ ...daily, id: 7 }).id).toBe(7);
    expect(valueOf(daily)).not.toHaveProperty("id");
  });

  it("accepts the edges of every range", () => {
    expect(valueOf({ ...daily, hour_of_day: 0, minute: 59, date_range_days: 1, enabled: false })).toMatchObject({ hourOfDay: 0, minute: 59, dateRangeDays: 1, enabled: false });
    expect(valueOf({ ...daily, hour_of_day: 23, minute: 0, date_range_days: 366 })).toMatchObject({ hourOfDay: 23, dateRangeDays: 366 });
    expect(valueOf({ ...daily, frequency: "weekly", day_of_week: 0 }).dayOfWeek).toBe(0);
    expect(valueOf({ ...daily, frequency: "weekly", day_of_week: 6 }).dayOfWeek).toBe(6);
    expect(valueOf({ ...daily, frequency: "monthly", day_of_month: 31 }).dayOfMonth).toBe(31);
  });

  it("normalises the timezone to its canonical IANA spelling; null means the company's", () => {
    expect(valueOf({ ...daily, timezone: "europe/tirane" }).timezone).toBe("Europe/Tirane");
    expect(valueOf({ ...daily, timezone: "America/New_York" }).timezone).toBe("America/New_York");
    expect(valueOf({ ...daily, timezone: null }).timezone).toBeNull();
  });

  it("accepts a valid 5-field cron expression, normalising whitespace", () => {
    expect(valueOf({ ...daily, frequency: "cron", cron_expression: " 0  9 * * 1-5 " }).cronExpression).toBe("0 9 * * 1-5");
  });

  it("toScheduleRule fills a missing timezone with the company's", () => {
    expect(toScheduleRule(valueOf(daily), "Asia/Tokyo").timezone).toBe("Asia/Tokyo");
    expect(toScheduleRule(valueOf({ ...daily, timezone: "UTC" }), "Asia/Tokyo").timezone).toBe("UTC");
  });

  it("the exported schema is the same validation, usable on its own", () => {
    expect(scheduleInputSchema.safeParse({ ...daily, foo: 1 }).success).toBe(false);
    expect(scheduleInputSchema.parse(daily).jobType).toBe("full");
  });
});

describe("parseScheduleInput: one plain message per bad field, keyed by the field", () => {
  const cases: Array<[string, object, string, RegExp]> = [
    ["unknown job_type", { ...daily, job_type: "invoices" }, "job_type", /job_type must be sales, bills or full/],
    ["missing job_type", { frequency: "daily" }, "job_type", /^job_type is required$/],
    ["missing frequency", { job_type: "sales" }, "frequency", /^frequency is required$/],
    ["unknown frequency", { ...daily, frequency: "yearly" }, "frequency", /frequency must be one of hourly, daily, weekly, monthly, cron/],
    ["hour 24", { ...daily, hour_of_day: 24 }, "hour_of_day", /hour_of_day must be a whole number from 0 to 23/],
    ["negative hour", { ...daily, hour_of_day: -1 }, "hour_of_day", /from 0 to 23/],
    ["fractional hour", { ...daily, hour_of_day: 8.5 }, "hour_of_day", /whole number/],
    ["hour as a string", { ...daily, hour_of_day: "9" }, "hour_of_day", /whole number/],
    ["minute 60", { ...daily, minute: 60 }, "minute", /minute must be a whole number from 0 to 59/],
    ["minute as a string", { ...daily, minute: "0" }, "minute", /whole number/],
    ["minute null", { ...daily, minute: null }, "minute", /whole number/],
    ["day_of_week 7", { ...daily, frequency: "weekly", day_of_week: 7 }, "day_of_week", /from 0 \(Sunday\) to 6 \(Saturday\)/],
    ["day_of_week as a string", { ...daily, frequency: "weekly", day_of_week: "1" }, "day_of_week", /whole number/],
    ["weekly without day_of_week", { ...daily, frequency: "weekly" }, "day_of_week", /^day_of_week is required for weekly schedules$/],
    ["weekly with null day_of_week", { ...daily, frequency: "weekly", day_of_week: null }, "day_of_week", /required for weekly/],
    ["daily with day_of_week", { ...daily, day_of_week: 1 }, "day_of_week", /^day_of_week must be empty unless the schedule is weekly$/],
    ["day_of_month 0", { ...daily, frequency: "monthly", day_of_month: 0 }, "day_of_month", /from 1 to 31/],
    ["day_of_month 32", { ...daily, frequency: "monthly", day_of_month: 32 }, "day_of_month", /from 1 to 31/],
    ["monthly without day_of_month", { ...daily, frequency: "monthly" }, "day_of_month", /required for monthly schedules/],
    ["weekly with day_of_month", { ...daily, frequency: "weekly", day_of_week: 1, day_of_month: 1 }, "day_of_month", /must be empty unless the schedule is monthly/],
    ["cron without expression", { ...daily, frequency: "cron" }, "cron_expression", /required for cron schedules/],
    ["daily with cron_expression", { ...daily, cron_expression: "0 9 * * *" }, "cron_expression", /must be empty unless the schedule is cron/],
    ["cron with a bad minute", { ...daily, frequency: "cron", cron_expression: "61 * * * *" }, "cron_expression", /not valid.*minute/],
    ["cron with garbage", { ...daily, frequency: "cron", cron_expression: "every day" }, "cron_expression", /5 fields/],
    ["cron with 6 fields", { ...daily, frequency: "cron", cron_expression: "0 0 9 * * *" }, "cron_expression", /5 fields/],
    ["cron nickname", { ...daily, frequency: "cron", cron_expression: "@daily" }, "cron_expression", /5 fields/],
    ["cron that never fires", { ...daily, frequency: "cron", cron_expression: "0 0 30 2 *" }, "cron_expression", /never matches/],
    ["cron as a number", { ...daily, frequency: "cron", cron_expression: 5 }, "cron_expression", /must be text/],
    ["unknown timezone", { ...daily, timezone: "Mars/Olympus_Mons" }, "timezone", /"Mars\/Olympus_Mons" is not a known IANA time zone/],
    ["fixed offset timezone", { ...daily, timezone: "+01:00" }, "timezone", /not a known IANA time zone/],
    ["timezone as a number", { ...daily, timezone: 1 }, "timezone", /must be text/],
    ["date_range_days 0", { ...daily, date_range_days: 0 }, "date_range_days", /from 1 to 366/],
    ["date_range_days 367", { ...daily, date_range_days: 367 }, "date_range_days", /from 1 to 366/],
    ["date_range_days as a string", { ...daily, date_range_days: "30" }, "date_range_days", /whole number/],
    ["enabled as a string", { ...daily, enabled: "true" }, "enabled", /^enabled must be true or false$/],
    ["enabled as 1", { ...daily, enabled: 1 }, "enabled", /true or false/],
    ["id 0", { ...daily, id: 0 }, "id", /positive whole number/],
    ["id as a string", { ...daily, id: "3" }, "id", /positive whole number/],
    ["unknown field", { ...daily, color: "blue" }, "color", /^color is not a known field$/],
  ];

  it.each(cases)("%s", (_name, body, field, message) => {
    const fields = fieldsOf(body);
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it("reports every bad field at once, including cross-field rules", () => {
    const fields = fieldsOf({ job_type: "x", frequency: "weekly", hour_of_day: "9", enabled: "yes", color: 1, size: 2 });
    expect(Object.keys(fields).sort()).toEqual(["color", "day_of_week", "enabled", "hour_of_day", "job_type", "size"]);
  });

  it("keeps the most basic message when a field is wrong twice", () => {
    // Wrong type and missing-for-weekly: the type message is the one to fix first.
    expect(fieldsOf({ ...daily, frequency: "weekly", day_of_week: "Monday" }).day_of_week).toMatch(/whole number/);
  });

  it("refuses a body that is not an object", () => {
    for (const body of [null, undefined, "daily", 42, [daily]]) {
      expect(fieldsOf(body)).toEqual({ body: "the request body must be a JSON object" });
    }
  });
});
