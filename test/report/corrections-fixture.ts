/**
 * Corrections added by hand to a report made by the real pipeline (the core
 * that computes them is another part): a weekly maintenance window in
 * Europe/Berlin and a one-off deployment freeze whose reason is hostile.
 */

import type { ReportCorrection, SloReport } from "../../src/report/schema.js";
import { reportSchema } from "../../src/report/schema.js";

export const HOSTILE_REASON = "DB <b>upgrade</b> | *now* @ops #12 <script>alert(1)</script>";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Sundays 02:00–04:00 Berlin (01:00–03:00 UTC in November) in the 30 days to 2026-11-24 12:00. */
export const WEEKLY: ReportCorrection = {
  reason: "Weekly database maintenance",
  category: "maintenance",
  rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2",
  timeZone: "Europe/Berlin",
  occurrences: ["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"].map((d) => ({
    start: `${d}T01:00:00.000Z`,
    end: `${d}T03:00:00.000Z`,
  })),
  excluded: { good: 800, bad: 34, total: 834 },
};

/** A one-off six hours, 2026-11-18 06:00–12:00 UTC. */
export function oneOff(reason = HOSTILE_REASON): ReportCorrection {
  const start = Date.parse("2026-11-18T06:00:00Z");
  return {
    reason,
    category: "deployment",
    timeZone: "UTC",
    occurrences: [{ start: iso(start), end: iso(start + 6 * HOUR) }],
    excluded: { good: 400, bad: 0, total: 400 },
  };
}

/** The report with these corrections on its SLO named `name`, checked against the report schema. */
export function withCorrections(
  report: SloReport,
  name: string,
  corrections: ReportCorrection[],
): SloReport {
  return reportSchema.parse({
    ...report,
    slos: report.slos.map((s) => (s.name === name ? { ...s, corrections } : s)),
  });
}
