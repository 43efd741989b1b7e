/**
 * Calendar windows counted from any start, in a time zone: checked by hand
 * around DST changes and month ends, and property-tested against a slow
 * reference that steps period by period from the start.
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
} from "date-fns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CalendarUnit,
  type WallClock,
  type WindowDefinition,
  windowBounds,
} from "../../src/engine/windows.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function wallClock(text: string): WallClock {
  const [date, time = "00:00:00"] = text.split(" ");
  const [year, month, day] = date!.split("-").map(Number);
  const [hour, minute, second = 0] = time.split(":").map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second };
}

function calendar(
  count: number,
  unit: CalendarUnit,
  timeZone: string,
  start?: string,
): WindowDefinition {
  return {
    kind: "calendar",
    count,
    unit,
    timeZone,
    ...(start ? { start: wallClock(start) } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function boundsAt(window: WindowDefinition, at: string) {
  const b = windowBounds(window, Date.parse(at));
  return { start: iso(b.startMs), periodHours: b.periodMs / HOUR };
}

describe("calendar windows counted from a start", () => {
  const saturdayNoon = calendar(1, "week", "America/New_York", "2022-01-01 12:00:00");

  it("a week starting Saturday 12:00 in New York stays at 12:00 local across DST", () => {
    // 2024-03-09 is a Saturday; DST starts on Sunday 10 March: that week is 167 hours.
    expect(boundsAt(saturdayNoon, "2024-03-12T00:00:00Z")).toEqual({
      start: "2024-03-09T17:00:00.000Z", // 12:00 EST
      periodHours: 167,
    });
    // The next week starts at 12:00 EDT, 16:00 UTC.
    expect(boundsAt(saturdayNoon, "2024-03-16T16:00:00.001Z").start).toBe(
      "2024-03-16T16:00:00.000Z",
    );
  });

  it("is right-closed: the instant a period starts closes the one before", () => {
    expect(boundsAt(saturdayNoon, "2024-03-16T16:00:00.000Z").start).toBe(
      "2024-03-09T17:00:00.000Z",
    );
  });

  it("counts backwards before its start", () => {
    // 2021-12-25 is a Saturday, one week before the start.
    expect(boundsAt(saturdayNoon, "2021-12-28T00:00:00Z")).toEqual({
      start: "2021-12-25T17:00:00.000Z",
      periodHours: 168,
    });
  });

  it("a day across the autumn DST change is 25 hours", () => {
    const days = calendar(1, "day", "Europe/Berlin", "2024-01-01 06:00");
    // 06:00 on the 26th is CEST, on the 27th CET: the clocks went back in between.
    expect(boundsAt(days, "2024-10-27T02:00:00Z")).toEqual({
      start: "2024-10-26T04:00:00.000Z",
      periodHours: 25,
    });
  });

  it("two weeks are counted from the start, not from Mondays", () => {
    const fortnight = calendar(2, "week", "UTC", "2024-01-06 12:00");
    expect(boundsAt(fortnight, "2024-01-20T11:00:00Z").start).toBe("2024-01-06T12:00:00.000Z");
    expect(boundsAt(fortnight, "2024-01-20T12:00:00.001Z").start).toBe("2024-01-20T12:00:00.000Z");
  });

  it("a month from the 31st ends on the last day of a shorter month, then is back on the 31st", () => {
    // date-fns clamps: Jan 31 + 1 month is Feb 29 (2024), + 2 months is Mar 31.
    const months = calendar(1, "month", "UTC", "2024-01-31");
    expect(boundsAt(months, "2024-02-15T00:00:00Z")).toEqual({
      start: "2024-01-31T00:00:00.000Z",
      periodHours: 29 * 24,
    });
    expect(boundsAt(months, "2024-03-01T00:00:00Z")).toEqual({
      start: "2024-02-29T00:00:00.000Z",
      periodHours: 31 * 24,
    });
    expect(boundsAt(months, "2024-04-01T00:00:00Z").start).toBe("2024-03-31T00:00:00.000Z");
  });

  it("hours count elapsed time, whatever the clock does", () => {
    const hours = calendar(6, "hour", "America/New_York", "2024-03-10 00:30");
    // 00:30 EST is 05:30Z; the clocks jump at 02:00 but periods stay 6 elapsed hours.
    expect(boundsAt(hours, "2024-03-10T12:00:00Z")).toEqual({
      start: "2024-03-10T11:30:00.000Z",
      periodHours: 6,
    });
  });

  it("days from a time the clocks skip start at that time, but on the day it does not exist", () => {
    // 02:30 on 10 March 2024 does not exist in New York: that day's period starts at 03:30 EDT.
    const days = calendar(1, "day", "America/New_York", "2024-03-10 02:30");
    expect(boundsAt(days, "2024-03-10T12:00:00Z")).toEqual({
      start: "2024-03-10T07:30:00.000Z",
      periodHours: 23,
    });
    expect(boundsAt(days, "2024-03-12T12:00:00Z").start).toBe("2024-03-12T06:30:00.000Z");
    expect(boundsAt(days, "2024-03-08T12:00:00Z").start).toBe("2024-03-08T07:30:00.000Z");
  });

  it("without a start, today's periods: Monday midnight weeks, the 1st of a month", () => {
    expect(boundsAt(calendar(1, "week", "UTC"), "2024-03-13T12:00:00Z").start).toBe(
      "2024-03-11T00:00:00.000Z",
    );
    expect(boundsAt(calendar(1, "month", "Pacific/Auckland"), "2026-04-30T12:00:00Z")).toEqual({
      start: "2026-03-31T11:00:00.000Z",
      periodHours: 721,
    });
    expect(boundsAt(calendar(1, "day", "Europe/Berlin"), "2024-03-31T12:00:00Z")).toEqual({
      start: "2024-03-30T23:00:00.000Z",
      periodHours: 23,
    });
  });
});

/** The slow reference: period k starts at start + k×count units; step k until the period holds `at`. */
const ADD: Record<CalendarUnit, (d: TZDate, n: number) => TZDate> = {
  minute: addMinutes,
  hour: addHours,
  day: addDays,
  week: addWeeks,
  month: addMonths,
  quarter: addQuarters,
  year: addYears,
};

function referenceStarts(
  count: number,
  unit: CalendarUnit,
  timeZone: string,
  start: WallClock,
): (k: number) => number {
  const { year, month, day, hour, minute, second } = start;
  const inZone = (d: TZDate) =>
    new TZDate(
      d.getFullYear(),
      d.getMonth(),
      d.getDate(),
      d.getHours(),
      d.getMinutes(),
      d.getSeconds(),
      timeZone,
    );
  const anchor = new TZDate(year, month - 1, day, hour, minute, second, timeZone);
  const wall = new TZDate(year, month - 1, day, hour, minute, second, "UTC");
  // Days and longer step the wall clock, then read it in the zone; hours and minutes step elapsed time.
  return (k) =>
    unit === "minute" || unit === "hour"
      ? ADD[unit](anchor, k * count).getTime()
      : inZone(ADD[unit](wall, k * count)).getTime();
}

function referencePeriod(
  count: number,
  unit: CalendarUnit,
  timeZone: string,
  start: WallClock,
  atMs: number,
): { startMs: number; endMs: number } {
  const startOf = referenceStarts(count, unit, timeZone, start);
  let k = 0;
  // A period holds the instants (start, end]: an instant on a boundary closes the period before.
  while (startOf(k) >= atMs) k--;
  while (startOf(k + 1) < atMs) k++;
  return { startMs: startOf(k), endMs: startOf(k + 1) };
}

const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/Berlin",
  "Pacific/Auckland",
  "Australia/Lord_Howe",
  "America/Santiago",
  "Asia/Kolkata",
];
const UNITS: CalendarUnit[] = ["minute", "hour", "day", "week", "month", "quarter", "year"];
/** How far from the start `at` may fall, per unit, so the reference steps a few hundred periods at most. */
const REACH_MS: Record<CalendarUnit, number> = {
  minute: 3 * DAY,
  hour: 60 * DAY,
  day: 400 * DAY,
  week: 3 * 365 * DAY,
  month: 10 * 365 * DAY,
  quarter: 30 * 365 * DAY,
  year: 100 * 365 * DAY,
};

describe("the period finder agrees with stepping period by period", () => {
  it("for any start, unit, count, zone and instant, before the start too", () => {
    const arbitrary = fc
      .record({
        unit: fc.constantFrom(...UNITS),
        count: fc.integer({ min: 1, max: 5 }),
        timeZone: fc.constantFrom(...ZONES),
        start: fc.record({
          year: fc.integer({ min: 1995, max: 2035 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 31 }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.constantFrom(0, 15, 30, 59),
          second: fc.constantFrom(0, 1, 59),
        }),
        offset: fc.double({ min: -1, max: 1, noNaN: true }),
      })
      .filter(
        ({ start }) => start.day <= new Date(Date.UTC(start.year, start.month, 0)).getUTCDate(),
      );
    fc.assert(
      fc.property(arbitrary, ({ unit, count, timeZone, start, offset }) => {
        const anchorMs = new TZDate(
          start.year,
          start.month - 1,
          start.day,
          start.hour,
          start.minute,
          start.second,
          timeZone,
        ).getTime();
        const atMs = Math.round(anchorMs + offset * REACH_MS[unit]);
        const expected = referencePeriod(count, unit, timeZone, start, atMs);
        const got = windowBounds({ kind: "calendar", count, unit, timeZone, start }, atMs);
        expect({ start: iso(got.startMs), end: iso(got.startMs + got.periodMs) }).toEqual({
          start: iso(expected.startMs),
          end: iso(expected.endMs),
        });
        expect(got.endMs).toBe(atMs);
      }),
      { numRuns: 500 },
    );
  });

  it("on the boundaries themselves, and one millisecond either side", () => {
    const arbitrary = fc.record({
      unit: fc.constantFrom(...UNITS),
      count: fc.integer({ min: 1, max: 3 }),
      timeZone: fc.constantFrom(...ZONES),
      k: fc.integer({ min: -40, max: 40 }),
      delta: fc.constantFrom(-1, 0, 1),
    });
    const start = wallClock("2023-01-31 01:30:00");
    fc.assert(
      fc.property(arbitrary, ({ unit, count, timeZone, k, delta }) => {
        const atMs = referenceStarts(count, unit, timeZone, start)(k) + delta;
        const expected = referencePeriod(count, unit, timeZone, start, atMs);
        const got = windowBounds({ kind: "calendar", count, unit, timeZone, start }, atMs);
        expect(got.startMs).toBe(expected.startMs);
        expect(got.startMs + got.periodMs).toBe(expected.endMs);
      }),
      { numRuns: 500 },
    );
  });
});
