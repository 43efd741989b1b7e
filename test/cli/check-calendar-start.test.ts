/**
 * `slo check` on OpenSLO calendar windows counted from a startTime, on a
 * logs source, hand-counted: lines just before, on and after each period's
 * boundary, across DST changes (test/fixtures/calendar-openslo/events.ndjson
 * says where each line falls).
 */

import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const HOUR = 3_600_000;

async function check(file: string, at: string) {
  const r = await runCli([
    "check",
    `test/fixtures/calendar-openslo/${file}`,
    "--at",
    at,
    "--format",
    "json",
  ]);
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  return report.slos[0]!;
}

const hours = (w: { start: string; end: string }) =>
  (Date.parse(w.end) - Date.parse(w.start)) / HOUR;

describe("a week from Saturday 12:00 in New York", () => {
  it("the week of the spring DST change: 12:00 EST to 12:00 EDT, 167 hours", async () => {
    const slo = await check("week-saturday-noon.yaml", "2026-03-14T16:00:00Z");
    expect(slo.window).toEqual({
      kind: "calendar",
      calendar: "week",
      timeZone: "America/New_York",
      start: "2026-03-07T17:00:00.000Z",
      end: "2026-03-14T16:00:00.000Z",
    });
    expect(hours(slo.window)).toBe(167);
    // 12:00:01 EST, 01:30 EST Sunday (bad), 11:59:59 EDT, 12:00 EDT on the dot
    expect(slo.events).toEqual({ good: 3, bad: 1, total: 4 });
  });

  it("the next week starts at 12:00 EDT, an hour before 17:00Z", async () => {
    const slo = await check("week-saturday-noon.yaml", "2026-03-14T18:00:00Z");
    expect(slo.window.start).toBe("2026-03-14T16:00:00.000Z");
    expect(slo.events).toEqual({ good: 0, bad: 1, total: 1 });
  });
});

describe("sprints of two weeks from Saturday 6 January 2024, 12:00 in Kolkata", () => {
  it("the sprint from 31 January 2026", async () => {
    const slo = await check("two-weeks.yaml", "2026-02-03T00:00:00Z");
    expect(slo.window).toMatchObject({
      calendar: "2 weeks",
      start: "2026-01-31T06:30:00.000Z",
    });
    expect(slo.events).toEqual({ good: 1, bad: 1, total: 2 });
  });

  it("on the boundary, the sprint before: from 17 January", async () => {
    const slo = await check("two-weeks.yaml", "2026-01-31T06:30:00Z");
    expect(slo.window.start).toBe("2026-01-17T06:30:00.000Z");
    expect(slo.events).toEqual({ good: 0, bad: 1, total: 1 });
  });
});

describe("days from 06:00 in Berlin", () => {
  it("the day the clocks go back is 25 hours, 06:00 CEST to 06:00 CET", async () => {
    const slo = await check("one-day.yaml", "2026-10-25T05:00:00Z");
    expect(slo.window).toMatchObject({ calendar: "day", start: "2026-10-24T04:00:00.000Z" });
    expect(hours(slo.window)).toBe(25);
    // 06:00:01 CEST, 05:30 CET on the 25th (bad), 06:00 CET on the dot; not 05:59:59 CEST
    expect(slo.events).toEqual({ good: 2, bad: 1, total: 3 });
    // The burn-rate factors are scaled to the 25-hour period, as a month's are to its days:
    // the 1h page spends 2% of the budget, 2% of 25 hours in 1 hour.
    const page1h = slo.alerts.find((a) => a.long === "1h")!;
    expect(page1h.factor).toBeCloseTo((0.02 * 25) / 1, 12);
  });
});
