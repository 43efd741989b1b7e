/**
 * Calendar windows as rules can follow them. `slo check` reads a calendar
 * window as the period so far, with the period's real length in the burn-rate
 * factors (31 days in May: the page fires above 14.88, not 14.4).
 *
 * - The length: PromQL has the date of an instant in UTC (`days_in_month`,
 *   `month`, `year` of `vector(time())`), so the current period's length is
 *   exact for the unit's own periods (months, quarters, years from the 1st,
 *   weeks, days) in any zone whose UTC offset is fixed: the instant is moved
 *   by the offset first. Prometheus knows no time zones: in a zone with DST
 *   the calendar is read at the zone's standard offset all year, so a period
 *   starts up to an hour off and its DST hour is not counted; those series
 *   are marked. Periods counted from a start in months (`3M` from the 15th)
 *   keep their nominal length (30 days a month), marked too.
 * - The period so far: PromQL ranges are constants, so no rule can count
 *   from the period's start; the period's records are the last nominal
 *   period (30 days for a month), marked `rolling-30d`. `slo check` and
 *   `slo report` count the period itself.
 *
 * LogQL has no date functions: Loki's rules keep the nominal length.
 */

import { TZDate } from "@date-fns/tz";
import { WINDOW_APPROXIMATION_LABEL } from "../conventions.js";
import { RULES_TIME_ZONE_REFERENCE_YEAR } from "../defaults.js";
import type { SloSpec, WindowSpec } from "../definition/model.js";
import { windowPeriodMs } from "../definition/openslo/durations.js";
import { formatPromDuration } from "../definition/promql.js";

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;

type CalendarWindow = Extract<WindowSpec, { kind: "calendar" }>;

/** The period's length in days as a rule computes it, and what it approximates, if anything. */
export interface PeriodDays {
  /** an instant vector with no labels */
  expr: string;
  /** the length when it is the same at every instant: the factors are numbers then */
  constantDays?: number | undefined;
  /** the value of WINDOW_APPROXIMATION_LABEL: what the expression is instead of the evaluator's period */
  approximation?: string | undefined;
}

/** The zone's UTC offset in seconds: the same in January and July, or the lower (standard) one. */
function zoneOffset(timeZone: string): { seconds: number; fixed: boolean } {
  const offsetAt = (month: number) =>
    -new TZDate(Date.UTC(RULES_TIME_ZONE_REFERENCE_YEAR, month, 15), timeZone).getTimezoneOffset() *
    60;
  const january = offsetAt(0);
  const july = offsetAt(6);
  return { seconds: Math.min(january, july), fixed: january === july };
}

/** +05:30, -05:00, +00:00. */
function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const minutes = Math.abs(seconds) / 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * The instant as the zone's clock reads it, as seconds PromQL's date
 * functions take. A millisecond earlier: windows are right-closed, so the
 * instant that closes a period (midnight of the 1st) is still that period's.
 */
function localInstant(offsetSeconds: number): string {
  const shift =
    offsetSeconds === 0 ? "" : ` ${offsetSeconds < 0 ? "-" : "+"} ${Math.abs(offsetSeconds)}`;
  return `vector(time()${shift} - 0.001)`;
}

/** 1 in a leap year, else 0, of the year `at` is in. */
function leapYear(at: string): string {
  const divisible = (n: number) => `(year(${at}) % ${n} == bool 0)`;
  return `(${divisible(4)} - ${divisible(100)} + ${divisible(400)})`;
}

/** The length of the month, quarter or year that holds `at`, in days. */
const UNIT_DAYS: Record<"month" | "quarter" | "year", (at: string) => string> = {
  month: (at) => `days_in_month(${at})`,
  // Q1 90 days (91 in a leap year), Q2 91, Q3 and Q4 92.
  quarter: (at) =>
    `90 + (month(${at}) > bool 3) + (month(${at}) > bool 6) + (month(${at}) <= bool 3) * ${leapYear(at)}`,
  year: (at) => `365 + ${leapYear(at)}`,
};

/** Whether a counted window is its unit's own periods all the same: one month from the 1st at 00:00. */
function naturalPeriods(window: CalendarWindow): boolean {
  if (window.count !== 1) return false;
  const start = window.start?.wallClock;
  if (!start) return true;
  const midnightOfFirst =
    start.day === 1 && start.hour === 0 && start.minute === 0 && start.second === 0;
  if (window.unit === "quarter") return midnightOfFirst && (start.month - 1) % 3 === 0;
  if (window.unit === "year") return midnightOfFirst && start.month === 1;
  return midnightOfFirst;
}

function constant(days: number, approximation?: string): PeriodDays {
  return { expr: `vector(${days})`, constantDays: days, approximation };
}

/** The current period's length in days, in PromQL: see the module's comment. */
export function periodDays(window: WindowSpec): PeriodDays {
  const nominalDays = windowPeriodMs(window) / DAY_MS;
  if (window.kind === "rolling") return constant(nominalDays);
  // Minutes and hours are elapsed time, in every zone.
  if (window.unit === "minute" || window.unit === "hour") return constant(nominalDays);
  const offset = zoneOffset(window.timeZone);
  const dst = offset.fixed ? undefined : `standard-time${formatOffset(offset.seconds)}`;
  if (window.unit === "day" || window.unit === "week") return constant(nominalDays, dst);
  if (!naturalPeriods(window)) {
    return constant(nominalDays, `nominal-${formatPromDuration(windowPeriodMs(window))}`);
  }
  return { expr: UNIT_DAYS[window.unit](localInstant(offset.seconds)), approximation: dst };
}

/** As periodDays, for a rule language without date functions (LogQL): the nominal length unless constant. */
export function nominalPeriodDays(window: WindowSpec): PeriodDays {
  const days = periodDays(window);
  if (days.constantDays !== undefined) return days;
  return constant(
    windowPeriodMs(window) / DAY_MS,
    `nominal-${formatPromDuration(windowPeriodMs(window))}`,
  );
}

/**
 * The label that marks the period's own records (`slo:error_ratio:30d`, the
 * budget remaining) of a calendar window: they count the last nominal period,
 * not the period so far.
 */
export function periodWindowLabels(slo: SloSpec): Record<string, string> {
  if (slo.window.kind === "rolling") return {};
  return {
    [WINDOW_APPROXIMATION_LABEL]: `rolling-${formatPromDuration(windowPeriodMs(slo.window))}`,
  };
}

/** The labels of a record from periodDays: the SLO's, and the mark of an approximation. */
export function periodDaysLabels(
  days: PeriodDays,
  labels: Record<string, string>,
): Record<string, string> {
  return days.approximation === undefined
    ? labels
    : { ...labels, [WINDOW_APPROXIMATION_LABEL]: days.approximation };
}

/**
 * The burn-rate factor share × period / long window as PromQL, for a period
 * whose length the rules compute: the period's days are a scalar, so the
 * alert keeps the labels of its error ratio. `0.02 * scalar(days) * 24` for
 * 2% in 1h, `0.1 * scalar(days) / 3` for 10% in 3d: whole numbers where
 * they can be, so the threshold has no rounded digit.
 */
export function calendarFactorExpr(share: number, longMs: number, days: string): string {
  const base = `${share} * scalar(${days})`;
  if (longMs === DAY_MS) return base;
  if (DAY_MS % longMs === 0) return `${base} * ${DAY_MS / longMs}`;
  if (longMs % DAY_MS === 0) return `${base} / ${longMs / DAY_MS}`;
  return `${base} * ${DAY_S} / ${longMs / 1000}`;
}
