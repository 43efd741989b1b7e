/**
 * Corrections on a sampled value (a gauge judged sample by sample): the
 * samples inside a period are left out of every window, as if the server
 * had never answered them. The source here answers a fixed sample a minute.
 */

import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import type { SourceSpec } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReportEntry } from "../../src/report/schema.js";
import type { CountRequest, CountResult, Source } from "../../src/sources/types.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const AT = Date.parse("2026-05-20T12:00:00Z");
const PERIOD = { startMs: AT - 20 * HOUR, endMs: AT - 16 * HOUR };
const inPeriod = (t: number) => t > PERIOD.startMs && t <= PERIOD.endMs;

/** A sample every minute over two days: 5 (bad: above 1) inside the period, and every 50th minute; else 0. */
function samplesSource(skipPeriod: boolean): (spec: SourceSpec) => Source {
  return (spec) => ({
    name: spec.name,
    type: spec.type,
    async count(requests: CountRequest[]): Promise<CountResult[]> {
      return requests.map((r) => {
        const atMs: number[] = [];
        const values: number[] = [];
        for (let t = AT - 2 * 24 * HOUR; t <= AT; t += MIN) {
          if (skipPeriod && inPeriod(t)) continue;
          atMs.push(t);
          values.push(inPeriod(t) || (t / MIN) % 50 === 0 ? 5 : 0);
        }
        const judge = r.slo.indicator.kind === "sampled" ? r.slo.indicator.judge : undefined;
        return {
          windows: {},
          series: {},
          breakdown: [],
          diagnostics: {},
          samples: { atMs, values, judge: judge!, stepMs: MIN, query: "q" },
        };
      });
    },
  });
}

async function entry(withCorrection: boolean, skipPeriod: boolean): Promise<SloReportEntry> {
  const correction = withCorrection
    ? `corrections:\n  - { start: "${new Date(PERIOD.startMs).toISOString()}", end: "${new Date(PERIOD.endMs).toISOString()}" }\n`
    : "";
  const { services, errors } = loadText(
    "slo.yaml",
    `service: shop
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9" }
${correction}slos:
  - name: queue
    objective: 95%
    window: 1d
    indicator:
      sampled: { source: prom, query: queue_depth, op: lte, threshold: 1 }
`,
    {},
  );
  expect(errors.map((e) => e.format())).toEqual([]);
  const report = await evaluateSet(
    { files: [], services },
    { atMs: AT, sourceFactory: samplesSource(skipPeriod) },
  );
  return report.slos[0]!;
}

describe("corrections on a sampled value", () => {
  it("leave the period's samples out of every window, as if never sampled", async () => {
    const [corrected, unsampled, plain] = await Promise.all([
      entry(true, false),
      entry(false, true),
      entry(false, false),
    ]);
    expect(corrected.events).toEqual(unsampled.events);
    expect(corrected.sli).toBe(unsampled.sli);
    expect(corrected.burnRates).toEqual(unsampled.burnRates);
    expect(plain.events.bad).toBeGreaterThan(corrected.events.bad);
    const left = (PERIOD.endMs - Math.max(PERIOD.startMs, AT - 24 * HOUR)) / MIN;
    expect(corrected.corrections?.[0]?.excluded).toEqual({ good: 0, bad: left, total: left });
  });
});
