/**
 * Latency SLOs on native histograms, against a real Prometheus (Debian's
 * 2.42 with --enable-feature=native-histograms) scraping a local endpoint
 * that serves them in the protobuf exposition format. Known observations
 * are made between two scrapes; every SLI is hand-counted below.
 *
 * rpc_duration_seconds (native, schema 0: buckets (2^(i-1), 2^i] seconds)
 *   handler="get": 0.1 x10, 0.3 x20, 0.7 x30, 1.5 x25, 3 x15 (100)
 *   handler="put": 0 x5 (the zero bucket), 0.7 x10, 1.5 x10    (25)
 * rpc_classic_duration_seconds (classic, le 0.25 0.5 1 2 +Inf)
 *   handler="get": the same 100 as above
 */

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import type { Indicator, PrometheusSourceSpec, SloSpec } from "../../src/definition/model.js";
import { SloError } from "../../src/errors.js";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { buildRules, type RecordingRule } from "../../src/rules/build.js";
import { createPrometheusSource } from "../../src/sources/prometheus.js";
import type { CountRequest, CountResult } from "../../src/sources/types.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import {
  type HistogramEndpoint,
  nativeBucketIndex,
  nativeBucketUpper,
  startHistogramEndpoint,
} from "../support/native-histogram-endpoint.js";
import {
  type RunningServer,
  requireBinaries,
  sleep,
  startPrometheus,
  tempDir,
} from "../support/servers.js";
import { sloSpec } from "../support/slo-spec.js";

const NATIVE = "rpc_duration_seconds";
const CLASSIC = "rpc_classic_duration_seconds";
const SCHEMA = 0;
const repeat = (value: number, times: number): number[] => Array(times).fill(value);
const GET = [
  ...repeat(0.1, 10),
  ...repeat(0.3, 20),
  ...repeat(0.7, 30),
  ...repeat(1.5, 25),
  ...repeat(3, 15),
];
const PUT = [...repeat(0, 5), ...repeat(0.7, 10), ...repeat(1.5, 10)];
const WAIT_DEADLINE_MS = 60_000;

/**
 * The share at or below `le` as Prometheus documents histogram_fraction for
 * native histograms: whole buckets below, and a bucket that `le` splits
 * counted pro rata, assuming its observations spread evenly (linearly)
 * between its bounds. Computed from the observations, by hand.
 */
function handCount(values: readonly number[], le: number): number {
  let good = 0;
  for (const v of values) {
    if (v === 0) {
      good++;
      continue;
    }
    const index = nativeBucketIndex(v, SCHEMA);
    const upper = nativeBucketUpper(index, SCHEMA);
    const lower = nativeBucketUpper(index - 1, SCHEMA);
    if (upper <= le) good++;
    else if (lower < le) good += (le - lower) / (upper - lower);
  }
  return good;
}

function spec(url: string): PrometheusSourceSpec {
  return { type: "prometheus", name: "prom", url, headers: {}, timeoutMs: 10_000, retries: 1 };
}

function latency(histogram: string, seconds: number, extra: Partial<Indicator> = {}): Indicator {
  return {
    kind: "latency",
    source: "prom",
    histogram,
    unit: "s",
    threshold: seconds,
    thresholdText: `${seconds}s`,
    ...extra,
  } as Indicator;
}

const available = await requireBinaries(["prometheus"], "native histograms on Prometheus");

describe.skipIf(!available)("native histograms on a real Prometheus", () => {
  let endpoint: HistogramEndpoint;
  let server: RunningServer;
  let data: string;
  let at = 0;

  async function query(q: string, atMs?: number): Promise<{ value: [number, string] }[]> {
    const params = new URLSearchParams({ query: q });
    if (atMs !== undefined) params.set("time", (atMs / 1000).toFixed(3));
    const body = (await (await fetch(`${server.url}/api/v1/query?${params}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    return body.data.result;
  }

  /** Until Prometheus answers `q` with `expected`, scraping all the while. */
  async function untilAnswer(q: string, expected: string): Promise<void> {
    const deadline = Date.now() + WAIT_DEADLINE_MS;
    for (;;) {
      const result = await query(q);
      if (result[0]?.value[1] === expected) return;
      if (Date.now() > deadline)
        throw new Error(
          `${q} is ${JSON.stringify(result)}, not ${expected}; log:\n${server.log()}`,
        );
      await sleep(200);
    }
  }

  beforeAll(async () => {
    endpoint = await startHistogramEndpoint([
      {
        kind: "native",
        name: NATIVE,
        series: [{ handler: "get" }, { handler: "put" }],
        schema: SCHEMA,
      },
      { kind: "classic", name: CLASSIC, series: [{ handler: "get" }], bounds: [0.25, 0.5, 1, 2] },
    ]);
    data = await tempDir("native-data");
    server = await startPrometheus(data, {
      scrape: { job: "rpc", targets: [endpoint.target], interval: "1s" },
      features: ["native-histograms"],
    });
    // Two scrapes of empty histograms first, so the observations are an increase.
    await untilAnswer(`count(histogram_count(${NATIVE}) == 0)`, "2");
    const before = endpoint.scrapes();
    while (endpoint.scrapes() < before + 2) await sleep(100);
    endpoint.observe(NATIVE, { handler: "get" }, GET);
    endpoint.observe(NATIVE, { handler: "put" }, PUT);
    endpoint.observe(CLASSIC, { handler: "get" }, GET);
    await untilAnswer(`sum(histogram_count(${NATIVE}))`, "125");
    await untilAnswer(`sum(${CLASSIC}_count)`, "100");
    at = Date.now();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  async function countOne(
    indicator: Indicator,
    overrides: Partial<SloSpec> = {},
  ): Promise<CountResult> {
    const source = createPrometheusSource(spec(server.url));
    const request: CountRequest = {
      slo: sloSpec("latency", indicator, overrides),
      windows: [
        { key: "5m", startMs: at - 5 * 60_000, endMs: at },
        { key: "1d", startMs: at - 86_400_000, endMs: at },
      ],
      series: [{ key: "burnDown", startMs: at - 10 * 60_000, stepMs: 60_000, count: 10 }],
    };
    const [result] = await source.count([request]);
    if (result instanceof SloError) throw result;
    return result!;
  }

  const sli = (c: { good: number; total: number }) => c.good / c.total;

  it("hand counts: 1s is a bucket bound, 1.5s and 0.3s split a bucket", () => {
    expect(handCount([...GET, ...PUT], 1)).toBe(75);
    expect(handCount([...GET, ...PUT], 1.5)).toBe(75 + 17.5);
    expect(handCount([...GET, ...PUT], 0.3)).toBeCloseTo(5 + 10 + 20 * (0.05 / 0.25), 12);
  });

  it.each([
    [1, false],
    [1.5, true],
    [0.3, true],
  ])("native, threshold %ss: the SLI is the hand count over both series", async (le, split) => {
    const result = await countOne(latency(`${NATIVE}{job="rpc"}`, le));
    const expected = handCount([...GET, ...PUT], le) / 125;
    for (const key of ["5m", "1d"]) expect(sli(result.windows[key]!), key).toBeCloseTo(expected, 9);
    // Prometheus extrapolates the increase a little past the scrapes; never below the events.
    expect(result.windows["5m"]!.total).toBeGreaterThanOrEqual(125 - 1e-6);
    const buckets = result.series.burnDown!;
    const good = buckets.reduce((a, b) => a + b.good, 0);
    const total = buckets.reduce((a, b) => a + b.total, 0);
    expect(good / total).toBeCloseTo(expected, 9);
    const notes = result.diagnostics.warnings ?? [];
    expect(
      notes.some((n) => n.includes("linear interpolation")),
      notes.join("\n"),
    ).toBe(split);
  });

  it("groupBy handler: each handler's SLI is its own hand count, in every window", async () => {
    const result = await countOne(latency(`${NATIVE}{job="rpc"}`, 1.5), {
      grouping: { by: ["handler"], limit: 100 },
    });
    const groups = new Map((result.groups ?? []).map((g) => [g.values.join(","), g]));
    expect([...groups.keys()].sort()).toEqual(["get", "put"]);
    for (const [handler, values] of [
      ["get", GET],
      ["put", PUT],
    ] as const) {
      const group = groups.get(handler)!;
      for (const key of ["5m", "1d"]) {
        expect(sli(group.windows[key]!), `${handler} ${key}`).toBeCloseTo(
          handCount(values, 1.5) / values.length,
          9,
        );
      }
    }
  });

  it("the note names the bucket the threshold splits and the share of events in it", async () => {
    const result = await countOne(latency(`${NATIVE}{job="rpc"}`, 1.5));
    expect(result.diagnostics.warnings, JSON.stringify(result.diagnostics.warnings)).toContain(
      `native histogram ${NATIVE}{job="rpc"}: the threshold 1.5s (1.5) is not a bucket bound; 28% of the 1d window's events are in the bucket (1, 2] it splits, counted by linear interpolation, so the SLI is an estimate`,
    );
  });

  it("breaks the bad events down by a label: those above the threshold, per handler", async () => {
    const source = createPrometheusSource(spec(server.url));
    const [result] = (await source.count([
      {
        slo: sloSpec("latency", latency(`${NATIVE}{job="rpc"}`, 1)),
        windows: [{ key: "5m", startMs: at - 5 * 60_000, endMs: at }],
        series: [],
        breakdown: { by: "handler", limit: 5 },
      },
    ])) as CountResult[];
    expect(result!.breakdown.map((b) => ("value" in b ? b.value : b.bucket))).toEqual([
      "get",
      "put",
    ]);
    // 40 above 1s on get, 10 on put; both scaled alike by Prometheus' extrapolation.
    const [get, put] = result!.breakdown.map((b) => b.count);
    expect(get! / put!).toBeCloseTo(40 / 10, 6);
  });

  it("a classic histogram is still counted exactly at its le bucket", async () => {
    const result = await countOne(latency(`${CLASSIC}{handler="get"}`, 1));
    expect(sli(result.windows["5m"]!)).toBeCloseTo(60 / 100, 9);
    expect(result.diagnostics.warnings ?? []).toEqual([]);
  });

  it("the kind is asked once per run: two SLOs on one histogram, one question", async () => {
    const source = createPrometheusSource(spec(server.url));
    const request = (name: string): CountRequest => ({
      slo: sloSpec(name, latency(`${NATIVE}{job="rpc"}`, 1)),
      windows: [{ key: "5m", startMs: at - 5 * 60_000, endMs: at }],
      series: [],
    });
    const [first, second] = (await source.count([request("a"), request("b")])) as CountResult[];
    const given = createPrometheusSource(spec(server.url));
    const [told] = (await given.count([
      {
        ...request("c"),
        slo: sloSpec("c", latency(`${NATIVE}{job="rpc"}`, 1, { histogramType: "native" })),
      },
    ])) as CountResult[];
    // Asked: le values, names, the native probe (3), then total, good, the bucket note (3).
    expect(first!.diagnostics.queries! + second!.diagnostics.queries!).toBe(
      3 + 2 * told!.diagnostics.queries!,
    );
    expect(sli(told!.windows["5m"]!)).toBeCloseTo(75 / 125, 9);
  });

  it("histogramType: classic on a native histogram finds no buckets: no data, said", async () => {
    const result = await countOne(latency(`${NATIVE}{job="rpc"}`, 1, { histogramType: "classic" }));
    expect(result.windows["5m"]).toEqual({ good: 0, total: 0 });
    expect(result.diagnostics.warnings?.join("\n")).toContain("has no buckets");
  });

  it("slo rules' native records, evaluated by this Prometheus, give the hand-counted error ratio", async () => {
    const { services, errors } = loadText(
      "rules.yaml",
      `service: rpc
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
slos:
  - name: native
    objective: 99%
    window: 30d
    indicator:
      latency: { source: prom, histogram: '${NATIVE}{job="rpc"}', histogramType: native, threshold: 1500ms }
`,
      {},
    );
    expect(errors).toEqual([]);
    const rules = buildRules({ files: ["rules.yaml"], services }).services[0]!.groups[0]!.rules;
    const expr = (record: string) =>
      rules.find((r): r is RecordingRule => "record" in r && r.record === record)!.expr;
    const [ratio] = await query(expr("slo:error_ratio:5m"), at);
    expect(Number(ratio!.value[1])).toBeCloseTo(1 - 92.5 / 125, 9);
    const [events] = await query(expr("slo:events:5m"), at);
    expect(Number(events!.value[1])).toBeGreaterThanOrEqual(125 - 1e-6);
  });

  it("a histogram of neither kind is no data, and the note says what was looked for", async () => {
    const result = await countOne(latency('rpc_duration_seconds{job="nope"}', 1));
    expect(result.windows["5m"]).toEqual({ good: 0, total: 0 });
    expect(result.diagnostics.warnings?.join("\n")).toContain(
      "neither classic (_bucket series with le) nor native (series of its own name): no data; is the metric name or a label misspelt?",
    );
  });

  describe("slo check", () => {
    let dir: string;
    let report: SloReport;
    let code: number;

    beforeAll(async () => {
      dir = await tempDir("native-slos");
      const slo = (name: string, threshold: string) => `  - name: ${name}
    objective: 10%
    window: 1d
    indicator:
      latency: { source: prom, histogram: '${NATIVE}{job="rpc"}', threshold: ${threshold} }
`;
      await writeFile(
        join(dir, "slos.yaml"),
        `service: rpc
sources:
  prom: { type: prometheus, url: "\${PROMETHEUS_URL}" }
slos:
${slo("at-bound", "1s")}${slo("inside", "1500ms")}`,
      );
      const r = await runCli(
        ["check", join(dir, "slos.yaml"), "--at", new Date(at).toISOString(), "--format", "json"],
        { env: { PROMETHEUS_URL: server.url } },
      );
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
      code = r.code;
      report = JSON.parse(r.stdout) as SloReport;
    }, 60_000);

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const entry = (name: string): SloReportEntry => report.slos.find((s) => s.name === name)!;

    it("reports the hand-counted SLI, and the interpolation where there is one", () => {
      // Counted, not failed: 40% bad events burn a 1d window's alerts, so the gate fails (1), not 3.
      expect(report.slos.map((s) => s.error)).toEqual([null, null]);
      expect(code).toBe(1);
      expect(entry("at-bound").sli).toBeCloseTo(75 / 125, 9);
      expect(entry("inside").sli).toBeCloseTo(92.5 / 125, 9);
      expect(entry("at-bound").diagnostics?.notes.join("\n") ?? "").not.toContain("interpolation");
      expect(entry("inside").diagnostics?.notes.join("\n")).toContain(
        "is not a bucket bound; 28% of the 1d window's events are in the bucket (1, 2] it splits",
      );
    });
  });
});
