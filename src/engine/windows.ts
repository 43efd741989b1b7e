/**
 * Where a window starts and how long its period is. Rolling windows are
 * (at - W, at]; calendar windows (start of the period in its time zone, at].
 * A calendar window without a start has the unit's own periods (weeks from
 * Monday midnight, months from the 1st, days from midnight); with a start,
 * period k begins at start + k × count units, counted on the wall clock of
 * the time zone for days and longer (a day across a DST change is 23 or 25
 * hours) and in elapsed time for hours and minutes.
 */

import { TZDate } from "@date-fns/tz";
import {
  addDays,
  addHours,
  addMinutes,
  addMonths,
  addQuarters,
  addWeeks,
  addYears,
  startOfDay,
  startOfHour,
  startOfMinute,
  startOfMonth,
  startOfQuarter,
  startOfWeek,
  startOfYear,
} from "date-fns";

export type CalendarUnit = "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

/** A local date and time, read in the window's time zone; month and day count from 1. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type WindowDefinition =
  | { kind: "rolling"; durationMs: number }
  | {
      kind: "calendar";
      count: number;
      unit: CalendarUnit;
      timeZone: string;
      start?: WallClock | undefined;
    };

export interface WindowBounds {
  startMs: number;
  endMs: number;
  /** the whole period's length: the rolling duration, or the calendar period's (29-31 days for a month) */
  periodMs: number;
}

type CalendarDefinition = Extract<WindowDefinition, { kind: "calendar" }>;

export function windowBounds(window: WindowDefinition, atMs: number): WindowBounds {
  if (window.kind === "rolling") {
    return { startMs: atMs - window.durationMs, endMs: atMs, periodMs: window.durationMs };
  }
  const { startMs, endMs } =
    window.start === undefined && window.count === 1
      ? naturalPeriod(window, atMs)
      : countedPeriod(window, atMs);
  return { startMs, endMs: atMs, periodMs: endMs - startMs };
}

interface Period {
  startMs: number;
  endMs: number;
}

const START_OF: Record<CalendarUnit, (d: TZDate) => TZDate> = {
  minute: startOfMinute,
  hour: startOfHour,
  day: startOfDay,
  week: (d) => startOfWeek(d, { weekStartsOn: 1 }),
  month: startOfMonth,
  quarter: startOfQuarter,
  year: startOfYear,
};

const ADD: Record<CalendarUnit, (d: TZDate, n: number) => TZDate> = {
  minute: addMinutes,
  hour: addHours,
  day: addDays,
  week: addWeeks,
  month: addMonths,
  quarter: addQuarters,
  year: addYears,
};

/** The unit's own period holding `at`: Monday midnight weeks, months from the 1st... */
function naturalPeriod(window: CalendarDefinition, atMs: number): Period {
  // Windows are right-closed: an instant exactly at midnight closes the previous period.
  const start = START_OF[window.unit](new TZDate(atMs - 1, window.timeZone));
  return { startMs: start.getTime(), endMs: ADD[window.unit](start, 1).getTime() };
}

/** Any start will do for count > 1 without one: a Monday that is also the 1st of January. */
const DEFAULT_START: WallClock = { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 };

/** A period's average length, only to guess which period holds `at` before checking it. */
const AVERAGE_MS: Record<CalendarUnit, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30.436875 * 86_400_000,
  quarter: 3 * 30.436875 * 86_400_000,
  year: 365.2425 * 86_400_000,
};

/**
 * The period counted from the window's start that holds `at`: k guessed
 * from the average length, then moved until start_k < at <= start_k+1.
 */
function countedPeriod(window: CalendarDefinition, atMs: number): Period {
  const startOf = periodStarts(window);
  const firstMs = startOf(0);
  let k = Math.floor((atMs - firstMs) / (window.count * AVERAGE_MS[window.unit]));
  while (startOf(k) >= atMs) k--;
  while (startOf(k + 1) < atMs) k++;
  return { startMs: startOf(k), endMs: startOf(k + 1) };
}

/**
 * Period k's start. Days and longer: the start's wall clock plus k × count
 * units, counted on a calendar without DST (UTC), then read on the zone's
 * clock; so every period starts at the written time of day, and only a day
 * when that time does not exist (a DST gap) moves it forward by the gap.
 * Each start is counted from the start, not from the period before, so a
 * month from the 31st is clamped (Feb 29) without drifting (back to Mar 31).
 * Hours and minutes: elapsed time from the start.
 */
function periodStarts(window: CalendarDefinition): (k: number) => number {
  const s = window.start ?? DEFAULT_START;
  const { unit, count, timeZone } = window;
  const add = ADD[unit];
  if (unit === "minute" || unit === "hour") {
    const anchor = new TZDate(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, timeZone);
    return (k) => add(anchor, k * count).getTime();
  }
  const wall = new TZDate(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, "UTC");
  return (k) => {
    const w = add(wall, k * count);
    return new TZDate(
      w.getFullYear(),
      w.getMonth(),
      w.getDate(),
      w.getHours(),
      w.getMinutes(),
      w.getSeconds(),
      timeZone,
    ).getTime();
  };
}
