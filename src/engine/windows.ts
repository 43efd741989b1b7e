/**
 * Where a window starts and how long its period is. Rolling windows are
 * (at - W, at]; calendar windows (start of the period in its time zone, at],
 * with the period's start at local midnight, DST included.
 */

import { TZDate } from "@date-fns/tz";
import {
  addMonths,
  addQuarters,
  addWeeks,
  addYears,
  startOfMonth,
  startOfQuarter,
  startOfWeek,
  startOfYear,
} from "date-fns";

export type WindowDefinition =
  | { kind: "rolling"; durationMs: number }
  | { kind: "calendar"; unit: "week" | "month" | "quarter" | "year"; timeZone: string };

export interface WindowBounds {
  startMs: number;
  endMs: number;
  /** the whole period's length: the rolling duration, or the calendar period's (29-31 days for a month) */
  periodMs: number;
}

export function windowBounds(window: WindowDefinition, atMs: number): WindowBounds {
  if (window.kind === "rolling") {
    return { startMs: atMs - window.durationMs, endMs: atMs, periodMs: window.durationMs };
  }
  // Windows are right-closed: an instant exactly at midnight closes the previous period.
  const start = periodStart(window.unit, new TZDate(atMs - 1, window.timeZone));
  const end = periodEnd(window.unit, start);
  return { startMs: start.getTime(), endMs: atMs, periodMs: end.getTime() - start.getTime() };
}

function periodStart(unit: "week" | "month" | "quarter" | "year", d: TZDate): TZDate {
  switch (unit) {
    case "week":
      return startOfWeek(d, { weekStartsOn: 1 });
    case "month":
      return startOfMonth(d);
    case "quarter":
      return startOfQuarter(d);
    case "year":
      return startOfYear(d);
  }
}

function periodEnd(unit: "week" | "month" | "quarter" | "year", start: TZDate): TZDate {
  switch (unit) {
    case "week":
      return addWeeks(start, 1);
    case "month":
      return addMonths(start, 1);
    case "quarter":
      return addQuarters(start, 1);
    case "year":
      return addYears(start, 1);
  }
}
