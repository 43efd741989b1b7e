/**
 * The periods of a correction: its one period, or its recurrences by the
 * rrule package. The rule recurs on the zone's wall clock: the package is
 * handed "floating" times (the local date and time written as if UTC, its
 * documented way to stay clear of the machine's zone), and each occurrence
 * is read back as that local time in the correction's zone. So a weekly
 * 02:00 stays 02:00 local across a DST change; a local time that does not
 * exist that day (a spring gap) moves forward by the gap.
 */

import { TZDate } from "@date-fns/tz";
import rrule from "rrule";
import { MAX_CORRECTION_PERIODS_PER_WINDOW } from "../limits.js";
import type { CorrectionSpec } from "./model.js";

const { RRule } = rrule;

export interface Period {
  startMs: number;
  endMs: number;
}

/** More than a day's offset either way: no zone's clock is further than this from UTC. */
const ZONE_SLACK_MS = 26 * 60 * 60 * 1000;

/** The local date and time of an instant in a zone, as a UTC instant ("floating"). */
function floating(ms: number, timeZone: string): number {
  const local = new TZDate(ms, timeZone);
  return Date.UTC(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    local.getHours(),
    local.getMinutes(),
    local.getSeconds(),
    local.getMilliseconds(),
  );
}

/** A floating time read as the local time it stands for in the zone. */
function instantOf(floatingDate: Date, timeZone: string): number {
  return new TZDate(
    floatingDate.getUTCFullYear(),
    floatingDate.getUTCMonth(),
    floatingDate.getUTCDate(),
    floatingDate.getUTCHours(),
    floatingDate.getUTCMinutes(),
    floatingDate.getUTCSeconds(),
    floatingDate.getUTCMilliseconds(),
    timeZone,
  ).getTime();
}

function ruleOf(correction: CorrectionSpec, rule: string) {
  return new RRule({
    ...RRule.parseString(rule),
    dtstart: new Date(floating(correction.startMs, correction.timeZone)),
  });
}

export class TooManyPeriods extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} periods`);
  }
}

/**
 * The correction's periods that touch (fromMs, toMs], oldest first: each
 * (start, end], like a window. Throws TooManyPeriods past `limit`.
 */
export function correctionPeriods(
  correction: CorrectionSpec,
  fromMs: number,
  toMs: number,
  limit = MAX_CORRECTION_PERIODS_PER_WINDOW,
): Period[] {
  const { startMs, durationMs, rrule: rule, timeZone } = correction;
  const touches = (s: number) => s < toMs && s + durationMs > fromMs;
  if (rule === undefined) {
    return touches(startMs) ? [{ startMs, endMs: startMs + durationMs }] : [];
  }
  const periods: Period[] = [];
  const after = new Date(floating(fromMs - durationMs, timeZone) - ZONE_SLACK_MS);
  const before = new Date(floating(toMs, timeZone) + ZONE_SLACK_MS);
  ruleOf(correction, rule).between(after, before, true, (date) => {
    const s = instantOf(date, timeZone);
    if (touches(s)) periods.push({ startMs: s, endMs: s + durationMs });
    return periods.length <= limit;
  });
  if (periods.length > limit) throw new TooManyPeriods(limit);
  return periods;
}

/** The correction's first period's start, or undefined when its rule never occurs. */
export function firstOccurrence(correction: CorrectionSpec): number | undefined {
  if (correction.rrule === undefined) return correction.startMs;
  const rule = ruleOf(correction, correction.rrule);
  const first = rule.after(rule.options.dtstart, true);
  return first ? instantOf(first, correction.timeZone) : undefined;
}
