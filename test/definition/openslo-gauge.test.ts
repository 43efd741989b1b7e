/**
 * OpenSLO thresholdMetrics on plain queries (a gauge, a quantile, any value)
 * and raw ratios without {{window}}: read as values sampled over time, with
 * the objective's op and value; a bare selector compared with lte stays a
 * histogram. Logs compare any number a field holds, with any op. Convert
 * keeps query, op and value exactly, both ways.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { Indicator, SloSet } from "../../src/definition/model.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const DIR = join(ROOT, "test", "fixtures", "openslo", "gauge");
const BROKEN = join(DIR, "broken");

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function indicators(set: SloSet): Record<string, Indicator> {
  return Object.fromEntries(
    set.services.flatMap((s) => s.slos).map((slo) => [slo.name, slo.indicator]),
  );
}

const P99 =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))';
const SUCCESS =
  'sum(rate(http_requests_total{job="api",code!~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m]))';
const ERRORS =
  'sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m]))';

const EXPECTED_VALUES: Record<string, Indicator> = {
  "queue-depth": {
    kind: "sampled",
    source: "prometheus-main",
    query: 'queue_depth{job="worker"}',
    judge: { kind: "threshold", op: "lt", threshold: 100, thresholdText: "100" },
  },
  "api-p99": {
    kind: "sampled",
    source: "prometheus-main",
    query: P99,
    judge: { kind: "threshold", op: "lte", threshold: 0.3, thresholdText: "0.3" },
  },
  "api-up": {
    kind: "sampled",
    source: "prometheus-main",
    query: 'avg(up{job="api"})',
    judge: { kind: "threshold", op: "gte", threshold: 0.9, thresholdText: "0.9" },
  },
  "api-latency-histogram": {
    kind: "latency",
    source: "prometheus-main",
    histogram: 'http_request_duration_seconds{job="api"}',
    unit: "s",
    threshold: 0.25,
    thresholdText: "0.25s",
  },
  "api-success-ratio": {
    kind: "sampled",
    source: "prometheus-main",
    query: SUCCESS,
    judge: { kind: "ratio", of: "good" },
  },
  "api-error-ratio": {
    kind: "sampled",
    source: "prometheus-main",
    query: ERRORS,
    judge: { kind: "ratio", of: "bad" },
  },
};

describe("OpenSLO thresholdMetric on a plain query", () => {
  it("reads gauges, quantiles and raw ratios as sampled values; a bare selector with lte stays a histogram", async () => {
    const set = await load([join(DIR, "values.yaml")]);
    expect(indicators(set)).toEqual(EXPECTED_VALUES);
    const slos = Object.fromEntries(set.services.flatMap((s) => s.slos).map((s) => [s.name, s]));
    expect(slos["queue-depth"]!.budgetingMethod).toBe("timeslices");
    expect(slos["queue-depth"]!.timeslice).toEqual({ durationMs: 5 * 60_000, target: 0.9 });
    expect(slos["api-p99"]!.timeslice).toEqual({ durationMs: 60_000, target: 0.95 });
    expect(slos["api-success-ratio"]!.timeslice).toEqual({ durationMs: 5 * 60_000, target: 0.995 });
  });

  it("logs compare any number a field holds, with the objective's op", async () => {
    const set = await load([join(DIR, "logs.yaml")]);
    expect(indicators(set)).toEqual({
      "job-score": {
        kind: "latency",
        source: "job-logs",
        events: '| json | msg = "job done"',
        field: "score",
        op: "gte",
        unit: "ms",
        threshold: 3,
        thresholdText: "3ms",
      },
      "job-latency": {
        kind: "latency",
        source: "job-logs",
        events: '| json | msg = "job done"',
        field: "duration",
        op: "lt",
        unit: "ms",
        threshold: 250,
        thresholdText: "250ms",
      },
    });
  });

  describe("broken variants name the place, exit 2", () => {
    for (const f of readBrokenFixtures(BROKEN)) {
      it(f.name, async () => {
        await expectNamedAtPosition(BROKEN, f);
        const r = await runCli(["validate", join(BROKEN, f.name)]);
        expect(r.code).toBe(2);
        expect(hasStackTrace(r.stderr)).toBe(false);
      });
    }
  });
});

describe("convert keeps query, op and value exactly", () => {
  it("to native and back to OpenSLO, and each reads back to the same indicators", async () => {
    const files = [join(DIR, "values.yaml"), join(DIR, "logs.yaml")];
    const original = indicators(await load(files));
    const native = await convertInto(files, "native");
    const nativeText = readdirSync(native)
      .map((f) => readFileSync(join(native, f), "utf8"))
      .join("\n");
    expect(nativeText).toContain(`query: ${P99}`);
    expect(nativeText).toMatch(
      /query: queue_depth\{job="worker"\}\n\s+op: lt\n\s+threshold: 100\n/,
    );
    expect(nativeText).toMatch(/ratio: bad/);
    expect(indicators(await load([native]))).toEqual(original);

    const openslo = await convertInto([native], "openslo");
    const opensloText = readdirSync(openslo)
      .map((f) => readFileSync(join(openslo, f), "utf8"))
      .join("\n");
    expect(opensloText).toContain("rawType: failure");
    expect(opensloText).toMatch(/op: gte\n\s+value: 0\.9\n/);
    expect(opensloText).not.toContain("{{window}}");
    // Two services sharing one DataSource get one each, named apart: only the name changes.
    const withoutSource = (all: Record<string, Indicator>) =>
      Object.fromEntries(Object.entries(all).map(([k, { source: _, ...rest }]) => [k, rest]));
    expect(withoutSource(indicators(await load([openslo])))).toEqual(withoutSource(original));
  });
});

describe("native sampled indicator", () => {
  const write = (indicator: string) => {
    const dir = mkdtempSync(join(tmpdir(), "slo-sampled-"));
    const file = join(dir, "slo.yaml");
    writeFileSync(
      file,
      `service: worker
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  files: { type: logs, paths: [x.ndjson], timestamp: ts }
slos:
  - name: queue
    objective: 99%
    window: 1d
    indicator:
${indicator}
`,
    );
    return file;
  };

  it("reads query, op and threshold, or ratio", async () => {
    const set = await load([
      write("      sampled: { source: prom, query: 'max(queue_depth)', op: gt, threshold: -1.5 }"),
    ]);
    expect(indicators(set).queue).toEqual({
      kind: "sampled",
      source: "prom",
      query: "max(queue_depth)",
      judge: { kind: "threshold", op: "gt", threshold: -1.5, thresholdText: "-1.5" },
    });
  });

  for (const [name, indicator, message] of [
    [
      "op without threshold",
      "      sampled: { source: prom, query: 'max(queue_depth)', op: gt }",
      "missing required key 'threshold'",
    ],
    [
      "ratio and op",
      "      sampled: { source: prom, query: 'max(queue_depth)', op: gt, threshold: 1, ratio: good }",
      "give op and threshold, or ratio, not both",
    ],
    [
      "on a logs source",
      "      sampled: { source: files, query: 'max(queue_depth)', op: gt, threshold: 1 }",
      "a sampled value needs a prometheus source",
    ],
    [
      "not PromQL",
      "      sampled: { source: prom, query: 'max(queue_depth', op: gt, threshold: 1 }",
      "PromQL: syntax error",
    ],
    [
      "a histogram with op gt",
      "      latency: { source: prom, histogram: 'http_request_duration_seconds', op: gt, threshold: 1s }",
      "op gt cannot count a histogram",
    ],
  ] as const) {
    it(`refuses ${name} at its place, exit 2`, async () => {
      const file = write(indicator);
      const r = await runCli(["validate", file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/slo\.yaml:1[0-9]:\d+: /);
    });
  }
});
