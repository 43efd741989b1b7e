/**
 * Calendar windows as files write them: a period (a unit's name, `week`, or
 * OpenSLO's shorthand, `2w`, `1d`, `3M`), a start written as a local date
 * and time without a zone (`2024-01-06 12:00:00`), and a time zone. The
 * native and OpenSLO readers and both writers share these, so the two
 * formats say the same windows the same way.
 */

import { EARLIEST_CALENDAR_START_YEAR } from "../limits.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./duration.js";
import type { CalendarUnit, WallClock, WindowSpec } from "./model.js";

export interface CalendarPeriod {
  count: number;
  unit: CalendarUnit;
}

export const CALENDAR_UNITS: readonly CalendarUnit[] = [
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
];

const UNIT_OF_LETTER: Record<string, CalendarUnit> = {
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  M: "month",
  Q: "quarter",
  Y: "year",
};

const LETTER_OF_UNIT = Object.fromEntries(
  Object.entries(UNIT_OF_LETTER).map(([letter, unit]) => [unit, letter]),
) as Record<CalendarUnit, string>;

/** `week` or `2w`; a count of 0 is returned too, for the caller to say so where it is written. */
export function parseCalendarPeriod(text: string): CalendarPeriod | null {
  const name = text.trim();
  if ((CALENDAR_UNITS as readonly string[]).includes(name))
    return { count: 1, unit: name as CalendarUnit };
  const m = /^(\d+)([mhdwMQY])$/.exec(name);
  return m ? { count: Number(m[1]), unit: UNIT_OF_LETTER[m[2]!]! } : null;
}

/** As OpenSLO writes it: 1w, 2w, 1M. */
export function periodShorthand(period: CalendarPeriod): string {
  return `${period.count}${LETTER_OF_UNIT[period.unit]}`;
}

/** The window's name in reports and counts: "week", "2 weeks"; never a rolling label like 1d. */
export function calendarLabel(period: CalendarPeriod): string {
  return period.count === 1 ? period.unit : `${period.count} ${period.unit}s`;
}

/** A calendar window of the model, its start (checked already) as written and as wall-clock fields. */
export function calendarWindowOf(
  period: CalendarPeriod,
  timeZone: string,
  start: string | undefined,
): WindowSpec {
  return {
    kind: "calendar",
    ...period,
    timeZone,
    ...(start !== undefined ? { start: { text: start, wallClock: parseWallClock(start)! } } : {}),
    label: calendarLabel(period),
  };
}

/** The length of a calendar period where one number must stand for it (rules, alert factors). */
const NOMINAL_UNIT_MS: Record<CalendarUnit, number> = {
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30 * DAY_MS,
  quarter: 90 * DAY_MS,
  year: 365 * DAY_MS,
};

/** A period at its longest: a leap year, a 92-day quarter, a 31-day month, a 25-hour day. */
const LONGEST_UNIT_MS: Record<CalendarUnit, number> = {
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: 25 * HOUR_MS,
  week: 7 * DAY_MS,
  month: 31 * DAY_MS,
  quarter: 92 * DAY_MS,
  year: 366 * DAY_MS,
};

export function nominalPeriodMs(period: CalendarPeriod): number {
  return period.count * NOMINAL_UNIT_MS[period.unit];
}

export function longestPeriodMs(period: CalendarPeriod): number {
  return period.count * LONGEST_UNIT_MS[period.unit];
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * `2024-01-06`, `2024-01-06 12:00`, `2024-01-06 12:00:00` or with a T; null
 * when not a real date and time, or before EARLIEST_CALENDAR_START_YEAR.
 */
export function parseWallClock(text: string): WallClock | null {
  const wall = wallClockFields(text);
  return wall && wall.year >= EARLIEST_CALENDAR_START_YEAR ? wall : null;
}

/** The fields of a real date and time, whatever its year. */
export function wallClockFields(text: string): WallClock | null {
  const m = WALL_CLOCK.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((p) => Number(p ?? 0));
  const wall = { year: year!, month: month!, day: day!, hour, minute, second };
  return isRealWallClock(wall) ? wall : null;
}

function isRealWallClock(w: WallClock): boolean {
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return (
    w.month >= 1 &&
    w.month <= 12 &&
    w.day >= 1 &&
    w.day <= daysInMonth &&
    w.hour <= 23 &&
    w.minute <= 59 &&
    w.second <= 59
  );
}
