import { describe, expect, it } from "vitest";
import { planSlot } from "../../../src/scheduler/plan-slot.js";
import { describeFrequency } from "../../../src/scheduler/describe-schedule.js";
import { classifyRunError, PermanentRunError, RetryableRunError } from "../../../src/worker/run-errors.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../../src/worker/retry-policy.js";
import type { ScheduleRule } from "../../../src/domain/schedule-rule.js";

const daily9: ScheduleRule = { frequency: "daily", hourOfDay: 9, minute: 0, dayOfWeek: null, dayOfMonth: null, cronExpression: null, timezone: "Europe/Tirane" };
const hourly: ScheduleRule = { ...daily9, frequency: "hourly", minute: 15 };

describe("planSlot", () => {
  it("moves to the slot after the one taken when only it was due (no drift)", () => {
    expect(planSlot(daily9, new Date("2026-11-28T08:00:00Z"), new Date("2026-11-28T08:40:00Z"))).toEqual({
      trigger: "schedule",
      next: new Date("2026-11-29T08:00:00Z"),
    });
  });
  it("collapses several missed slots into one catch-up, next after now", () => {
    expect(planSlot(hourly, new Date("2026-11-28T08:15:00Z"), new Date("2026-11-28T10:20:00Z"))).toEqual({
      trigger: "catchup",
      next: new Date("2026-11-28T11:15:00Z"),
    });
  });
  it("a following slot exactly at now counts as missed", () => {
    expect(planSlot(hourly, new Date("2026-11-28T08:15:00Z"), new Date("2026-11-28T09:15:00Z")).trigger).toBe("catchup");
  });
  it("through the spring-forward gap: 02:30 Tirana runs at 03:30 local, the next day at 02:30 again", () => {
    const rule = { ...daily9, hourOfDay: 2, minute: 30 };
    const plan = planSlot(rule, new Date("2026-03-29T01:30:00Z"), new Date("2026-03-29T01:31:00Z"));
    expect(plan).toEqual({ trigger: "schedule", next: new Date("2026-03-30T00:30:00Z") });
  });
});

describe("classifyRunError", () => {
  it.each([
    [new RetryableRunError("devpos_500", "DevPos 500"), { retryable: true, grantRevoked: false, code: "devpos_500" }],
    [new PermanentRunError("bad_mapping", "no income account"), { retryable: false, grantRevoked: false, code: "bad_mapping" }],
    [Object.assign(new Error("refused"), { name: "QboGrantRevokedError" }), { retryable: false, grantRevoked: true, code: "qbo_reauth_required" }],
    [Object.assign(new Error("x"), { code: "invalid_grant" }), { retryable: false, grantRevoked: true, code: "qbo_reauth_required" }],
    [Object.assign(new Error("throttled"), { status: 429 }), { retryable: true, grantRevoked: false, code: "http_429" }],
    [Object.assign(new Error("bad gateway"), { statusCode: 502 }), { retryable: true, grantRevoked: false, code: "http_502" }],
    [Object.assign(new Error("validation"), { status: 400 }), { retryable: false, grantRevoked: false, code: "http_400" }],
    [Object.assign(new Error("reset"), { code: "ECONNRESET" }), { retryable: true, grantRevoked: false, code: "econnreset" }],
    [new Error("fetch failed", { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }), { retryable: true, grantRevoked: false, code: "econnrefused" }],
    [new TypeError("undefined is not a function"), { retryable: false, grantRevoked: false, code: "internal_error" }],
  ])("%s", (error, expected) => {
    expect(classifyRunError(error)).toMatchObject(expected);
  });
});

describe("retryDelayMs", () => {
  it("is 1, 5, 25 minutes by default, the last repeating", () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(DEFAULT_RETRY_POLICY, a))).toEqual([60_000, 300_000, 1_500_000, 1_500_000]);
  });
});

describe("describeFrequency", () => {
  it("reads like the schedules table operators know", () => {
    const base = { hourOfDay: 9, minute: 0, dayOfWeek: null, dayOfMonth: null, cronExpression: null };
    expect(describeFrequency({ ...base, frequency: "daily" })).toBe("daily 09:00");
    expect(describeFrequency({ ...base, frequency: "hourly", minute: 5 })).toBe("hourly at :05");
    expect(describeFrequency({ ...base, frequency: "weekly", dayOfWeek: 1, hourOfDay: 8 })).toBe("weekly Mon 08:00");
    expect(describeFrequency({ ...base, frequency: "monthly", dayOfMonth: 1, hourOfDay: 6 })).toBe("monthly day 1 06:00");
    expect(describeFrequency({ ...base, frequency: "cron", cronExpression: "0 9 * * 1-5" })).toBe("cron 0 9 * * 1-5");
  });
});
