/**
 * OpenSLO thresholdMetrics on plain queries and raw ratios without
 * {{window}}, evaluated by `slo check` against a real Prometheus (Debian's
 * 2.42) holding two days of backfilled 1-minute gauges whose values cross
 * the threshold in known minutes. Every SLI is hand-counted below.
 *
 * - queue_depth{job="worker"}: 50; 150 in (AT-3h, AT-2h]; no samples in
 *   [AT-10h, AT-9h), so 5-minute slices ending AT-9h55m .. AT-9h05m have no
 *   data (their last sample is 6 minutes or more before them: past the
 *   5-minute lookback); the slice ending AT-10h sees the sample of a minute
 *   before.
 * - latency_west_c7{code="GET"}: a gauge, not a histogram: 0.2; 0.5 in
 *   (AT-3h, AT-2h].
 * - worker_success_ratio{job="worker"}: 0.99; 0.5 in (AT-3h, AT-2h].
 */

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const AT = Date.parse("2025-03-01T00:00:00Z");
const START = AT - 2 * 24 * HOUR;

const inside = (t: number, from: number, to: number) => t > from && t <= to;
const SLOW = (t: number) => inside(t, AT - 3 * HOUR, AT - 2 * HOUR);
const GAP = (t: number) => t >= AT - 10 * HOUR && t < AT - 9 * HOUR;

function openMetrics(): string {
  const lines: string[] = [];
  const gauge = (family: string, series: string, value: (t: number) => number | null) => {
    lines.push(`# TYPE ${family} gauge`);
    for (let t = START; t <= AT; t += MIN) {
      const v = value(t);
      if (v !== null) lines.push(`${series} ${v} ${t / 1000}`);
    }
  };
  gauge("latency_west_c7", 'latency_west_c7{code="GET"}', (t) => (SLOW(t) ? 0.5 : 0.2));
  gauge("queue_depth", 'queue_depth{job="worker"}', (t) => (GAP(t) ? null : SLOW(t) ? 150 : 50));
  gauge("worker_success_ratio", 'worker_success_ratio{job="worker"}', (t) =>
    SLOW(t) ? 0.5 : 0.99,
  );
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

const SLO_FILE = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: queue-depth
spec:
  service: worker
  indicator:
    metadata: { name: queue-depth }
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: queue_depth{job="worker"}
  timeWindow: [{ duration: 1d, isRolling: true }]
  budgetingMethod: Timeslices
  objectives:
    - op: lt
      value: 100
      target: 0.95
      timeSliceTarget: 0.9
      timeSliceWindow: 5m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: west-latency
spec:
  service: worker
  indicator:
    metadata: { name: west-latency }
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: latency_west_c7{code="GET"}
  timeWindow: [{ duration: 1d, isRolling: true }]
  budgetingMethod: Timeslices
  objectives:
    - op: lte
      value: 0.3
      target: 0.95
      timeSliceTarget: 0.95
      timeSliceWindow: 5m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: success-ratio
spec:
  service: worker
  indicator:
    metadata: { name: success-ratio }
    spec:
      ratioMetric:
        rawType: success
        raw:
          metricSource:
            type: Prometheus
            spec:
              query: sum(worker_success_ratio{job="worker"}) / count(worker_success_ratio{job="worker"})
  timeWindow: [{ duration: 1d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.95
`;

const available = await requireBinaries(["prometheus", "promtool"], "sampled values on Prometheus");

describe.skipIf(!available)("sampled values on a real Prometheus", () => {
  let server: RunningServer;
  let data: string;
  let dir: string;
  let report: SloReport;
  let code: number;

  beforeAll(async () => {
    data = await tempDir("gauge-data");
    await createBlocks(openMetrics(), data);
    server = await startPrometheus(data);
    dir = await tempDir("gauge-slos");
    await writeFile(join(dir, "slos.yaml"), SLO_FILE);
    const r = await runCli(
      ["check", join(dir, "slos.yaml"), "--at", new Date(AT).toISOString(), "--format", "json"],
      { env: { PROMETHEUS_URL: server.url } },
    );
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    code = r.code;
    report = JSON.parse(r.stdout) as SloReport;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rm(data, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const entry = (name: string): SloReportEntry => {
    const found = report.slos.find((s) => s.name === name);
    if (!found) throw new Error(`no ${name} in the report`);
    return found;
  };

  it("a gauge per 5m slice: 12 slices over the threshold, 11 without data left out and named", () => {
    const e = entry("queue-depth");
    expect(e.status, JSON.stringify(e)).not.toBe("error");
    // 288 slices in the day, 11 without data; 12 end inside the slow hour.
    expect(e.timeslices).toEqual({ good: 265, total: 277 });
    expect(e.sli).toBeCloseTo(265 / 277, 12);
    expect(e.diagnostics?.notes).toContain(
      "11 of 288 time slice(s) had no sample (the query returned nothing): not counted",
    );
  });

  it("a bare selector without buckets is sampled as a gauge, and says so", () => {
    const e = entry("west-latency");
    expect(e.timeslices).toEqual({ good: 276, total: 288 });
    expect(e.sli).toBeCloseTo(276 / 288, 12);
    expect(e.diagnostics?.notes.join("\n")).toContain("has no _bucket series but has values");
  });

  it("a raw ratio without {{window}} under occurrences: the time-average of the sampled ratio", () => {
    const e = entry("success-ratio");
    // One sample a minute in (AT-1d, AT]: 60 at 0.5, 1380 at 0.99.
    expect(e.events.total).toBe(1440);
    expect(e.sli).toBeCloseTo((1380 * 0.99 + 60 * 0.5) / 1440, 9);
    expect(e.diagnostics?.notes).toContain(
      "a sampled value: the query was read every 1m, each sample counted as one event",
    );
  });

  it("a query of several series is that SLO's source error, naming the query; exit 3", async () => {
    const file = join(dir, "two-series.yaml");
    await writeFile(
      file,
      SLO_FILE.split("---\n")[0]!.replace(
        'query: queue_depth{job="worker"}',
        "query: '{__name__=~\"queue_depth|worker_success_ratio\"}'",
      ),
    );
    const r = await runCli(
      ["check", file, "--at", new Date(AT).toISOString(), "--format", "json"],
      {
        env: { PROMETHEUS_URL: server.url },
      },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toContain("the query returned 2 series; a sampled value must be one series");
    expect(r.stdout).toContain('{__name__=~\\"queue_depth|worker_success_ratio\\"}');
  });

  it("the run's verdict follows: every SLI is above its 95% objective", () => {
    expect(report.slos.map((s) => s.status)).not.toContain("error");
    expect(code).toBeLessThan(2);
  });
});
