/**
 * The previous window (the report's trend) is asked for as a request of its
 * own: the sources group the breakdown and their diagnostics over the longest
 * window of a request, and last month is longer than the first days of this one.
 */

import { describe, expect, it } from "vitest";
import { type SloError, sourceError } from "../../src/errors.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { planSlo } from "../../src/pipeline/requests.js";
import type { CountRequest, CountResult, Source } from "../../src/sources/types.js";
import { sloSpec } from "../support/slo-spec.js";
import { sloSetOf } from "./support.js";

const AT = Date.parse("2026-11-03T12:00:00Z");
const calendar = sloSpec(
  "monthly",
  { kind: "ratio", source: "scripted", total: "t", bad: "b" },
  {
    window: {
      kind: "calendar",
      count: 1,
      unit: "month",
      timeZone: "Europe/Berlin",
      label: "month",
    },
  },
);

describe("the previous window", () => {
  it("is its own request: last month, in the SLO's time zone", () => {
    const plan = planSlo(calendar, "logs", AT);
    expect(plan.request.windows.map((w) => w.key)).not.toContain("previous");
    expect(plan.previousRequest.windows).toEqual([
      {
        key: "previous",
        startMs: Date.parse("2026-09-30T22:00:00Z"),
        endMs: Date.parse("2026-10-31T23:00:00Z"),
      },
    ]);
    expect(plan.previousRequest.breakdown).toBeUndefined();
    // A rolling window's previous one is the same length, just before it.
    const rolling = planSlo(sloSpec("r", calendar.indicator), "logs", AT);
    expect(rolling.previous).toMatchObject({
      startMs: AT - 60 * 86_400_000,
      endMs: AT - 30 * 86_400_000,
    });
  });

  it("gives the entry the previous SLI and budget; a failed previous request only drops the trend", async () => {
    const set = sloSetOf([
      { name: "a", firing: "none" },
      { name: "b", firing: "none" },
    ]);
    const seen: CountRequest[][] = [];
    const source = (failPrevious: boolean): Source => ({
      name: "scripted",
      type: "scripted",
      async count(requests) {
        seen.push(requests);
        return requests.map((r): CountResult | SloError => {
          const previous = r.windows.some((w) => w.key === "previous");
          if (previous && failPrevious) return sourceError("too far back");
          const counts = { good: previous ? 990 : 998, total: 1000 };
          return {
            windows: Object.fromEntries(r.windows.map((w) => [w.key, counts])),
            series: {},
            breakdown: previous ? [{ value: "from-the-previous-window", count: 10 }] : [],
            diagnostics: {},
          };
        });
      },
    });
    const report = await evaluateSet(set, { atMs: AT, sourceFactory: () => source(false) });
    expect(seen[0]!.map((r) => `${r.slo.name}:${r.windows.length}`)).toEqual([
      "a:8",
      "b:8",
      "a:1",
      "b:1",
    ]);
    const [a] = report.slos;
    expect(a!.sli).toBeCloseTo(0.998, 9);
    expect(a!.previous).toMatchObject({ sli: 0.99, events: { good: 990, bad: 10, total: 1000 } });
    expect(a!.previous!.errorBudget.remaining).toBeCloseTo(-9, 9);
    expect(a!.breakdown).toEqual([]);

    const failed = await evaluateSet(set, { atMs: AT, sourceFactory: () => source(true) });
    expect(failed.slos.map((e) => e.previous)).toEqual([undefined, undefined]);
    expect(failed.slos.map((e) => [e.status, e.sli])).toEqual(
      report.slos.map((e) => [e.status, e.sli]),
    );
  });
});
