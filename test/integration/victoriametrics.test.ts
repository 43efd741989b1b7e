/**
 * The prometheus source against a real VictoriaMetrics (Debian's, installed
 * when missing): its Prometheus-compatible API is what Thanos, Mimir and
 * friends offer too. VictoriaMetrics does not extrapolate `increase`, so
 * every count is compared with VictoriaMetrics' own answer, not Prometheus'.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Indicator, PrometheusSourceSpec } from "../../src/definition/model.js";
import { SloError } from "../../src/errors.js";
import { createPrometheusSource } from "../../src/sources/prometheus.js";
import type { CountRequest, CountResult, Source } from "../../src/sources/types.js";
import {
  AT,
  DAY_MS,
  generateHistory,
  toPrometheusTextBodies,
  trueIncrease,
} from "../support/metrics-history.js";
import {
  loadVictoriaMetrics,
  type RunningServer,
  requireBinaries,
  startVictoriaMetrics,
  tempDir,
} from "../support/servers.js";
import { sloSpec, standardWindows } from "../support/slo-spec.js";

const TOTAL = 'http_requests_total{job="ctrl"}';
const BAD = 'http_requests_total{job="ctrl",code=~"5.."}';

function spec(url: string): PrometheusSourceSpec {
  return { type: "prometheus", name: "vm", url, headers: {}, timeoutMs: 10_000, retries: 1 };
}

function ratio(parts: { good?: string; bad?: string; total: string }): Indicator {
  return { kind: "ratio", source: "vm", ...parts };
}

async function countOne(source: Source, request: CountRequest): Promise<CountResult> {
  const [result] = await source.count([request]);
  if (result instanceof SloError) throw result;
  return result!;
}

const available = await requireBinaries(["victoria-metrics"], "VictoriaMetrics integration tests");

describe.skipIf(!available)("prometheus source against a real VictoriaMetrics", () => {
  const history = generateHistory();
  let server: RunningServer | undefined;
  let url = "";

  beforeAll(async () => {
    server = await startVictoriaMetrics(await tempDir("victoria-metrics-data"));
    url = server.url;
    // The newest samples: the 5m window before AT.
    await loadVictoriaMetrics(url, toPrometheusTextBodies(history), {
      query: `sum(increase(${TOTAL}[5m]))`,
      atMs: AT,
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function serverValue(query: string, atMs = AT): Promise<number> {
    const params = new URLSearchParams({ query, time: String(atMs / 1000) });
    const body = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    return Number(body.data.result[0]?.value[1] ?? 0);
  }

  it("each window's error ratio and the SLI are VictoriaMetrics' own", async () => {
    const source = createPrometheusSource(spec(url));
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows,
      series: [],
    });
    for (const w of windows) {
      const ours = result.windows[w.key]!;
      const theirs = await serverValue(
        `sum(increase(${BAD}[${w.key}])) / sum(increase(${TOTAL}[${w.key}]))`,
      );
      expect((ours.total - ours.good) / ours.total, w.key).toBeCloseTo(theirs, 9);
      const total = trueIncrease(
        history,
        "http_requests_total",
        (l) => l.job === "ctrl",
        w.startMs,
        w.endMs,
      );
      expect(ours.total / total, w.key).toBeCloseTo(1, 2);
    }
    const sli = result.windows["30d"]!.good / result.windows["30d"]!.total;
    const serverSli = await serverValue(
      `1 - sum(increase(${BAD}[30d])) / sum(increase(${TOTAL}[30d]))`,
    );
    expect(Math.abs(sli - serverSli)).toBeLessThan(1e-9);
  });

  it("latency from the histogram matches VictoriaMetrics' own bucket ratio", async () => {
    const source = createPrometheusSource(spec(url));
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("latency", {
        kind: "latency",
        source: "vm",
        histogram: 'http_request_duration_seconds{job="ctrl"}',
        unit: "ms",
        threshold: 300,
        thresholdText: "300ms",
      }),
      windows,
      series: [],
    });
    for (const w of windows) {
      const theirs = await serverValue(
        `sum(increase(http_request_duration_seconds_bucket{job="ctrl",le="0.3"}[${w.key}])) / sum(increase(http_request_duration_seconds_count{job="ctrl"}[${w.key}]))`,
      );
      expect(result.windows[w.key]!.good / result.windows[w.key]!.total, w.key).toBeCloseTo(
        theirs,
        9,
      );
    }
  });

  it("series buckets end where asked (no alignment to the step)", async () => {
    const source = createPrometheusSource(spec(url));
    // A step that does not divide the epoch evenly from the start: alignment would show.
    const step = 7 * 60_000 + 13_000;
    const start = AT - 2 * DAY_MS;
    const count = Math.floor((2 * DAY_MS) / step);
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [],
      series: [{ key: "burnDown", startMs: start, stepMs: step, count }],
    });
    const buckets = result.series.burnDown!;
    for (const i of [0, 1, Math.floor(count / 2), count - 1]) {
      const end = start + (i + 1) * step;
      expect(buckets[i]!.total, `bucket ${i}`).toBeCloseTo(
        await serverValue(`sum(increase(${TOTAL}[433s]))`, end),
        6,
      );
    }
  });

  it("breaks the bad events down by a label", async () => {
    const source = createPrometheusSource(spec(url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: standardWindows(AT),
      series: [],
      breakdown: { by: "code", limit: 1 },
    });
    expect(result.breakdown).toHaveLength(1);
    expect(result.breakdown[0]).toMatchObject({ value: "500" });
    expect(result.breakdown[0]!.count).toBeCloseTo(
      await serverValue('sum(increase(http_requests_total{job="ctrl",code="500"}[30d]))'),
      6,
    );
  });

  it("histogramType: native is an error at the SLO: VictoriaMetrics has no native histograms", async () => {
    const source = createPrometheusSource(spec(url));
    const [error] = await source.count([
      {
        slo: sloSpec("latency", {
          kind: "latency",
          source: "vm",
          histogram: 'http_request_duration_seconds{job="ctrl"}',
          histogramType: "native",
          unit: "ms",
          threshold: 300,
          thresholdText: "300ms",
        }),
        windows: standardWindows(AT),
        series: [],
      },
    ]);
    expect(error).toBeInstanceOf(SloError);
    const e = error as SloError;
    expect(e.code).toBe("source");
    expect(e.message).toMatch(/^SLO 'latency': the server has no native histograms \(.*histogram_/);
    expect(e.hint).toContain("VictoriaMetrics has none: read its classic _bucket series");
    expect([e.file, e.line, e.col]).toEqual(["test.yaml", 1, 1]);
  });

  it("without histogramType, a histogram's kind is asked and found classic, as before", async () => {
    const source = createPrometheusSource(spec(url));
    const result = await countOne(source, {
      slo: sloSpec("latency", {
        kind: "latency",
        source: "vm",
        histogram: 'http_request_duration_seconds{job="ctrl"}',
        unit: "ms",
        threshold: 300,
        thresholdText: "300ms",
      }),
      windows: standardWindows(AT),
      series: [],
    });
    expect(result.windows["30d"]!.total).toBeGreaterThan(0);
    expect(result.diagnostics.warnings ?? []).toEqual([]);
  });

  it("a plain series under histogram: is still sampled as a gauge: the native probe's unknown function means none", async () => {
    const source = createPrometheusSource(spec(url));
    const result = await countOne(source, {
      slo: sloSpec("latency", {
        kind: "latency",
        source: "vm",
        histogram: 'http_requests_total{job="ctrl",code="200"}',
        unit: "s",
        threshold: 1e12,
        thresholdText: "1e12",
      }),
      windows: standardWindows(AT),
      series: [],
    });
    expect(result.diagnostics.warnings?.join("\n")).toContain(
      "has no _bucket series but has values",
    );
  });
});
