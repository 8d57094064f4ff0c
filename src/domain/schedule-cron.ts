import { Cron } from "croner";

/**
 * Cron expressions go through croner so that validation and next-run use one parser.
 * Only classic 5-field expressions are accepted (minute hour day-of-month month day-of-week):
 * slots are whole minutes everywhere else in devsync, and nicknames such as `@daily` would
 * duplicate the plain frequencies.
 *
 * DST follows croner, not RFC 5545: a fixed-time expression (single minute and hour, e.g.
 * `30 2 * * *`) whose time falls in a spring-forward gap runs at the first valid time after the
 * gap (03:00, where daily 02:30 gives 03:30), and once at the first occurrence of a repeated
 * time; an interval expression (`*\/15 * * * *`, `0 1,2 * * *`) skips times that do not exist
 * and runs on both occurrences of a repeated time. Both never repeat a slot.
 */

const FIELD_COUNT = 5;

function createCron(expression: string, timezone?: string): Cron {
  // No callback: croner only schedules a timer when given a function, so this stays pure.
  return new Cron(expression, { mode: "5-part", ...(timezone === undefined ? {} : { timezone }) });
}

/** Why `expression` is not a usable cron expression, in plain words, or null when it is. */
export function cronExpressionProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (expression.trim() === "" || fields.length !== FIELD_COUNT) {
    return "cron_expression must have 5 fields: minute, hour, day of month, month, day of week";
  }
  let cron: Cron;
  try {
    cron = createCron(expression);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return `cron_expression is not valid: ${reason}`;
  }
  // `0 0 30 2 *` parses but never fires; a schedule that can never run is a mistake.
  // Any reference works: 5-field patterns ignore the year, and croner searches years ahead.
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    return "cron_expression never matches any date";
  }
  return null;
}

/** First match of `expression` in `timezone` strictly after `after`. */
export function nextCronMatch(expression: string, timezone: string, after: Date): Date {
  const next = createCron(expression, timezone).nextRun(after);
  // Validation rejects expressions that never match, so reaching this is a bug upstream.
  if (next === null) throw new Error(`cron expression never matches: ${expression}`);
  return next;
}
