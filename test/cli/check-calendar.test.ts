/** A calendar month in Pacific/Auckland across the April 2026 DST change counts the right events. */

import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

async function check(at: string) {
  const r = await runCli([
    "check",
    "test/fixtures/calendar-dst/slo.yaml",
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

describe("calendar month in Pacific/Auckland", () => {
  it("April runs from local midnight on 1 April (NZDT) to local midnight on 1 May (NZST)", async () => {
    const slo = await check("2026-04-30T12:00:00Z");
    expect(slo.window).toEqual({
      kind: "calendar",
      calendar: "month",
      timeZone: "Pacific/Auckland",
      start: "2026-03-31T11:00:00.000Z",
      end: "2026-04-30T12:00:00.000Z",
    });
    // 00:00:01 1 Apr, 00:00Z 1 Apr, both 02:30s of 5 April, 23:30 30 Apr, 00:00 1 May
    expect(slo.events).toEqual({ good: 5, bad: 1, total: 6 });
    expect(Object.keys(slo.burnRates)).toContain("month");
    // April in Auckland has 30 days and one extra hour: the 3d/6h factor is 10% of 721h over 72h.
    const ticket3d = slo.alerts.find((a) => a.long === "3d")!;
    expect(ticket3d.factor).toBeCloseTo((0.1 * 721) / 72, 12);
  });

  it("the next month starts empty but for its first second", async () => {
    const slo = await check("2026-05-01T00:00:00Z");
    expect(slo.window.start).toBe("2026-04-30T12:00:00.000Z");
    expect(slo.events).toEqual({ good: 0, bad: 1, total: 1 });
  });
});
