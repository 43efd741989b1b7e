/**
 * The prometheus source against a real Prometheus (Debian's 2.42, installed
 * when missing) holding 31 days of backfilled 1-minute data with known
 * incidents; and against misbehaving servers, for every fault.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Indicator, PrometheusSourceSpec } from "../../src/definition/model.js";
import { SloError } from "../../src/errors.js";
import { createPrometheusSource } from "../../src/sources/prometheus.js";
import { MAX_POINTS_PER_QUERY } from "../../src/sources/query-api/series.js";
import type { CountRequest, CountResult, Source } from "../../src/sources/types.js";
import {
  AT,
  DAY_MS,
  generateHistory,
  HOUR_MS,
  MINUTE_MS,
  toOpenMetrics,
  trueIncrease,
} from "../support/metrics-history.js";
import {
  json,
  malformedJson,
  promError,
  promVector,
  type Reply,
  refusingUrl,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";
import { sloSpec, standardWindows } from "../support/slo-spec.js";

const TOTAL = 'http_requests_total{job="ctrl"}';
const BAD = 'http_requests_total{job="ctrl",code=~"5.."}';
const GOOD = 'http_requests_total{job="ctrl",code!~"5.."}';

function spec(url: string, overrides: Partial<PrometheusSourceSpec> = {}): PrometheusSourceSpec {
  return {
    type: "prometheus",
    name: "prom",
    url,
    headers: {},
    timeoutMs: 10_000,
    retries: 1,
    ...overrides,
  };
}

function ratio(parts: { good?: string; bad?: string; total: string }): Indicator {
  return { kind: "ratio", source: "prom", ...parts };
}

function latency(threshold: number, unit: "ms" | "s", text: string): Indicator {
  return {
    kind: "latency",
    source: "prom",
    histogram: 'http_request_duration_seconds{job="ctrl"}',
    unit,
    threshold,
    thresholdText: text,
  };
}

async function countOne(source: Source, request: CountRequest): Promise<CountResult> {
  const [result] = await source.count([request]);
  if (result instanceof SloError) throw result;
  return result!;
}

const errorRatio = (c: { good: number; total: number }) => (c.total - c.good) / c.total;

const available = await requireBinaries(["prometheus", "promtool"], "Prometheus integration tests");

describe.skipIf(!available)("prometheus source against a real Prometheus", () => {
  const history = generateHistory();
  let server: RunningServer | undefined;
  let url = "";

  beforeAll(async () => {
    const data = await tempDir("prometheus-data");
    await createBlocks(toOpenMetrics(history), data);
    server = await startPrometheus(data);
    url = server.url;
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** What the server itself answers, a single number. */
  async function serverValue(query: string, atMs = AT): Promise<number> {
    const params = new URLSearchParams({ query, time: String(atMs / 1000) });
    const body = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    return Number(body.data.result[0]!.value[1]);
  }

  it("each window's error ratio is the server's own PromQL ratio, and the SLI is the server's", async () => {
    const source = createPrometheusSource(spec(url));
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows,
      series: [],
    });
    const range: Record<string, string> = Object.fromEntries(windows.map((w) => [w.key, w.key]));
    for (const w of windows) {
      const theirs = await serverValue(
        `sum(increase(${BAD}[${range[w.key]}])) / sum(increase(${TOTAL}[${range[w.key]}]))`,
      );
      expect(errorRatio(result.windows[w.key]!), w.key).toBeCloseTo(theirs, 9);
      // And the counts are the events really there (Prometheus 2.x: exact at sample-aligned times).
      const total = trueIncrease(
        history,
        "http_requests_total",
        (l) => l.job === "ctrl",
        w.startMs,
        w.endMs,
      );
      expect(result.windows[w.key]!.total / total, w.key).toBeCloseTo(1, 6);
    }
    const sli = result.windows["30d"]!.good / result.windows["30d"]!.total;
    const serverSli = await serverValue(
      `1 - sum(increase(${BAD}[30d])) / sum(increase(${TOTAL}[30d]))`,
    );
    expect(Math.abs(sli - serverSli)).toBeLessThan(1e-9);
    // The incidents are in there: the last hour burns, the month less so.
    expect(errorRatio(result.windows["1h"]!)).toBeGreaterThan(0.001);
    expect(result.diagnostics.queries).toBe(windows.length * 2);
  });

  it("a full query with {{window}}, and good instead of bad, give the same counts", async () => {
    const source = createPrometheusSource(spec(url));
    const windows = standardWindows(AT);
    const [bySelector, byQuery, byGood] = await source.count(
      [
        ratio({ total: TOTAL, bad: BAD }),
        ratio({
          total: `sum(increase(${TOTAL}[{{window}}]))`,
          bad: `sum(increase(${BAD}[{{.window}}]))`,
        }),
        ratio({ total: TOTAL, good: GOOD }),
      ].map((indicator) => ({ slo: sloSpec("availability", indicator), windows, series: [] })),
    );
    for (const w of windows) {
      const expected = (bySelector as CountResult).windows[w.key]!;
      expect((byQuery as CountResult).windows[w.key], w.key).toEqual(expected);
      expect((byGood as CountResult).windows[w.key]!.good, w.key).toBeCloseTo(expected.good, 6);
    }
  });

  it("a window of odd length (a calendar month with a DST hour) is asked for as such", async () => {
    const source = createPrometheusSource(spec(url));
    const length = 30 * DAY_MS - HOUR_MS;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "month", startMs: AT - length, endMs: AT }],
      series: [],
    });
    const theirs = await serverValue(`sum(increase(${BAD}[719h])) / sum(increase(${TOTAL}[719h]))`);
    expect(errorRatio(result.windows.month!)).toBeCloseTo(theirs, 9);
  });

  it("latency from a histogram: good is the le bucket at the threshold, total is _count", async () => {
    const source = createPrometheusSource(spec(url));
    const windows = standardWindows(AT);
    const [inMs, inSeconds] = await source.count([
      { slo: sloSpec("latency", latency(300, "ms", "300ms")), windows, series: [] },
      { slo: sloSpec("latency", latency(0.3, "s", "0.3s")), windows, series: [] },
    ]);
    const sel = 'http_request_duration_seconds_bucket{job="ctrl",le="0.3"}';
    const count = 'http_request_duration_seconds_count{job="ctrl"}';
    for (const w of windows) {
      const theirs = await serverValue(
        `sum(increase(${sel}[${w.key}])) / sum(increase(${count}[${w.key}]))`,
      );
      const ours = (inMs as CountResult).windows[w.key]!;
      expect(ours.good / ours.total, w.key).toBeCloseTo(theirs, 9);
      expect((inSeconds as CountResult).windows[w.key], w.key).toEqual(ours);
    }
    // The slow last 40 minutes: 60% good then, 95% before.
    expect(
      (inMs as CountResult).windows["30m"]!.good / (inMs as CountResult).windows["30m"]!.total,
    ).toBeCloseTo(0.6, 6);
  });

  it("a threshold that is not a bucket bound is an error listing the buckets there are", async () => {
    const source = createPrometheusSource(spec(url));
    const [error] = await source.count([
      {
        slo: sloSpec("latency", latency(350, "ms", "350ms")),
        windows: standardWindows(AT),
        series: [],
      },
    ]);
    expect(error).toBeInstanceOf(SloError);
    expect((error as SloError).message).toBe(
      `SLO 'latency': histogram http_request_duration_seconds{job="ctrl"} has no bucket at the threshold 350ms (le="0.35", in s); its buckets are le = 0.1, 0.25, 0.3, 0.5, 1, +Inf`,
    );
  });

  it("series buckets match the server's own increase at each bucket's end", async () => {
    const source = createPrometheusSource(spec(url));
    const step = (30 * DAY_MS) / 120;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [],
      series: [{ key: "burnDown", startMs: AT - 30 * DAY_MS, stepMs: step, count: 120 }],
    });
    const buckets = result.series.burnDown!;
    expect(buckets).toHaveLength(120);
    for (const i of [0, 40, 79, 119]) {
      const end = AT - 30 * DAY_MS + (i + 1) * step;
      expect(buckets[i]!.total, `bucket ${i}`).toBeCloseTo(
        await serverValue(`sum(increase(${TOTAL}[6h]))`, end),
        6,
      );
    }
    const sum = buckets.reduce((a, b) => a + b.total, 0);
    expect(sum / (await serverValue(`sum(increase(${TOTAL}[30d]))`))).toBeCloseTo(1, 9);
    expect(result.diagnostics.queries).toBe(2);
  });

  it("splits a series of more than 11,000 points into several query_range calls", async () => {
    const source = createPrometheusSource(spec(url));
    const count = 10 * 24 * 60; // 1-minute buckets over 10 days: 14,400 points
    const start = AT - 10 * DAY_MS;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [],
      series: [{ key: "slices", startMs: start, stepMs: MINUTE_MS, count }],
    });
    const buckets = result.series.slices!;
    expect(buckets).toHaveLength(count);
    expect(result.diagnostics.queries).toBe(2 * Math.ceil(count / MAX_POINTS_PER_QUERY));
    const bad = buckets.reduce((a, b) => a + b.total - b.good, 0);
    const expected = trueIncrease(
      history,
      "http_requests_total",
      (l) => l.job === "ctrl" && l.code !== "200",
      start,
      AT,
    );
    expect(bad).toBeCloseTo(expected, 6);
    // Incident A, 10 days before AT for two hours, lands in the first buckets, minute by minute.
    for (const i of [0, 60, 119, 120, 7000]) {
      const s = start + i * MINUTE_MS;
      const bad = trueIncrease(
        history,
        "http_requests_total",
        (l) => l.job === "ctrl" && l.code !== "200",
        s,
        s + MINUTE_MS,
      );
      expect(buckets[i]!.total - buckets[i]!.good, `bucket ${i}`).toBeCloseTo(bad, 6);
    }
    expect(buckets[60]!.total - buckets[60]!.good).toBeGreaterThanOrEqual(200);
  });

  it("breaks the longest window's bad events down by a label", async () => {
    const source = createPrometheusSource(spec(url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, good: GOOD })),
      windows: standardWindows(AT),
      series: [],
      breakdown: { by: "code", limit: 10 },
    });
    expect(result.breakdown).toMatchObject([{ value: "500" }, { value: "503" }]);
    expect(result.breakdown[0]!.count).toBeCloseTo(
      await serverValue(`sum(increase(${TOTAL.replace("}", ',code="500"}')}[30d]))`),
      6,
    );
  });

  it("an empty answer is no data, and a metric that does not exist is flagged", async () => {
    const source = createPrometheusSource(spec(url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: 'http_requestz_total{job="ctrl"}', bad: BAD })),
      windows: standardWindows(AT),
      series: [],
    });
    expect(result.windows["30d"]).toEqual({ good: 0, total: 0 });
    const { warnings } = result.diagnostics as { warnings?: string[] };
    expect(warnings?.[0]).toMatch(
      /^prometheus source 'prom' at http:\/\/127\.0\.0\.1:\d+: http_requestz_total\{job="ctrl"\} has no series between .* misspelt\?$/,
    );
  });
});

// ---------------------------------------------------------------------------
// Faults, against servers that misbehave on purpose

describe("prometheus source faults", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const request = (indicator = ratio({ total: TOTAL, bad: BAD })): CountRequest => ({
    slo: sloSpec("availability", indicator),
    windows: [{ key: "1h", startMs: AT - HOUR_MS, endMs: AT }],
    series: [],
  });

  async function serve(responder: (query: string, path: string) => Reply): Promise<TestServer> {
    server = await startTestServer((req) => {
      const query = req.params.get("query") ?? new URLSearchParams(req.body).get("query") ?? "";
      return responder(query, req.path);
    });
    return server;
  }

  async function errorOf(source: Source, r = request()): Promise<SloError> {
    const [result] = await source.count([r]);
    expect(result).toBeInstanceOf(SloError);
    return result as SloError;
  }

  it("connection refused: names the source and the url, without credentials", async () => {
    const down = await refusingUrl();
    const source = createPrometheusSource(
      spec(down.replace("http://", "http://admin:secret-pw@"), {
        retries: 2,
        bearerToken: "tok-abcdef",
      }),
    );
    const start = performance.now();
    const error = await errorOf(source);
    expect(error.code).toBe("source");
    expect(error.message).toMatch(
      new RegExp(
        `^prometheus source 'prom' at ${down}/api/v1/query: connection refused \\(gave up after 3 attempts\\); query: sum\\(increase\\(`,
      ),
    );
    expect(error.message).not.toMatch(/secret-pw|admin|tok-abcdef/);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it("a server that hangs: each query times out, retried a bounded number of times", async () => {
    const s = await serve(() => ({ hang: true }));
    const source = createPrometheusSource(spec(s.url, { timeoutMs: 200, retries: 1 }));
    const start = performance.now();
    const error = await errorOf(source);
    expect(error.message).toMatch(
      /api\/v1\/query: timed out after 0\.20s \(gave up after 2 attempts\)/,
    );
    // Two queries (total, bad), each tried twice.
    expect(s.requests).toHaveLength(4);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it("HTTP 503: retried, then the status and an excerpt", async () => {
    const s = await serve(() => ({
      status: 503,
      body: "upstream connect error or disconnect/reset before headers",
    }));
    const error = await errorOf(createPrometheusSource(spec(s.url, { retries: 2 })));
    expect(error.message).toMatch(
      /HTTP 503 Service Unavailable: upstream connect error or disconnect\/reset before headers \(gave up after 3 attempts\)/,
    );
    // Two queries, three attempts each at most; when one fails the other is abandoned.
    expect(s.requests.length).toBeGreaterThanOrEqual(3);
    expect(s.requests.length).toBeLessThanOrEqual(6);
  });

  it("a query the server rejects: its error, and the query, not retried", async () => {
    const s = await serve(() =>
      promError(400, "bad_data", 'invalid parameter "query": 1:14: parse error'),
    );
    const error = await errorOf(createPrometheusSource(spec(s.url)));
    expect(error.message).toMatch(
      /HTTP 400 Bad Request: bad_data: invalid parameter "query": 1:14: parse error; query: sum\(increase/,
    );
    expect(error.message).not.toContain("gave up");
    expect(s.requests.length).toBeLessThanOrEqual(2);
  });

  it("malformed JSON: said plainly", async () => {
    const s = await serve(() => malformedJson);
    const error = await errorOf(createPrometheusSource(spec(s.url)));
    expect(error.message).toMatch(
      /: malformed JSON in the response \(HTTP 200, text\/html\): Sign in/,
    );
  });

  it("an empty result is zero events, no data", async () => {
    const s = await serve((_query, path) =>
      path.includes("/label/")
        ? json({ status: "success", data: ["http_requests_total"] })
        : promVector(),
    );
    const [result] = await createPrometheusSource(spec(s.url)).count([request()]);
    expect((result as CountResult).windows["1h"]).toEqual({ good: 0, total: 0 });
    expect((result as CountResult).diagnostics).toEqual({ queries: 3 });
  });

  it("asks at the window's end exactly, never at now", async () => {
    const s = await serve(() => promVector("10"));
    await createPrometheusSource(spec(s.url)).count([request()]);
    expect(s.requests.map((r) => r.params.get("time"))).toEqual([
      "1740787200.000",
      "1740787200.000",
    ]);
  });

  it.each([
    ["NaN", /returned NaN for window 1h, not an event count/],
    ["+Inf", /returned \+Inf for window 1h, not an event count/],
    ["-3", /returned -3 for window 1h, not an event count/],
  ])("a value of %s is an error, not a count", async (value, message) => {
    const s = await serve(() => promVector(value));
    const error = await errorOf(createPrometheusSource(spec(s.url)));
    expect(error.message).toMatch(message);
  });

  it("a full query that returns several series must be summed", async () => {
    const s = await serve(() =>
      promVector({ metric: { code: "500" }, value: "1" }, { metric: { code: "503" }, value: "2" }),
    );
    const error = await errorOf(
      createPrometheusSource(spec(s.url)),
      request(ratio({ total: "increase(x[{{window}}])", bad: "increase(y[{{window}}])" })),
    );
    expect(error.message).toMatch(/the query returned 2 series for window 1h; wrap it in sum\(\)/);
  });

  it("a full query without {{window}} is refused before anything is sent", async () => {
    const s = await serve(() => promVector("1"));
    const error = await errorOf(
      createPrometheusSource(spec(s.url)),
      request(ratio({ total: "sum(increase(x[30d]))", bad: BAD })),
    );
    expect(error.message).toMatch(
      /the total query is neither a series selector nor a query with \{\{window\}\}/,
    );
    expect(s.requests).toHaveLength(0);
  });

  it("one SLO that fails does not fail the others", async () => {
    const s = await serve((query) =>
      query.includes("broken_metric") ? promError(422, "execution", "boom") : promVector("5"),
    );
    const [fine, broken] = await createPrometheusSource(spec(s.url)).count([
      request(),
      request(ratio({ total: "broken_metric", bad: BAD })),
    ]);
    expect((fine as CountResult).windows["1h"]).toEqual({ good: 0, total: 5 });
    expect(broken).toBeInstanceOf(SloError);
    expect((broken as SloError).message).toMatch(/HTTP 422 Unprocessable Entity: execution: boom/);
  });

  it("once one query of an SLO fails, its other queries are abandoned, not retried in the background", async () => {
    const s = await serve((query) =>
      query.includes("code=~") ? { status: 503, body: "busy" } : promError(400, "bad_data", "no"),
    );
    // The waits between attempts are setTimeouts: faked, a retry can only happen when the
    // clock is moved, so "no retry" is checked once every wait has surely passed, not after
    // a guessed real-time pause. Counting fetch calls sees a retry the moment it is made,
    // before any byte reaches the server.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const fetches = vi.spyOn(globalThis, "fetch");
    try {
      const [result] = await createPrometheusSource(spec(s.url, { retries: 3 })).count([request()]);
      expect(result).toBeInstanceOf(SloError);
      // Unabandoned, the 503 query would be tried 3 more times, waiting at most 250, 500 and 1000 ms.
      await vi.advanceTimersByTimeAsync(1750);
      const badQueries = fetches.mock.calls.filter(([url]) =>
        (new URL(String(url)).searchParams.get("query") ?? "").includes("code=~"),
      );
      expect(badQueries).toHaveLength(1);
    } finally {
      fetches.mockRestore();
      vi.useRealTimers();
    }
  });

  it("a very long query goes in a POST body", async () => {
    const s = await serve(() => promVector("1"));
    const long = `http_requests_total{job="ctrl",path=~"${"a|".repeat(2000)}b"}`;
    await createPrometheusSource(spec(s.url)).count([request(ratio({ total: long, bad: long }))]);
    expect(s.requests[0]!.method).toBe("POST");
    expect(new URLSearchParams(s.requests[0]!.body).get("time")).toBe("1740787200.000");
  });

  it("histogram buckets written two ways are one bucket", async () => {
    const s = await startTestServer((req) => {
      if (req.path.includes("/label/le/values"))
        return json({ status: "success", data: ["0.3", "0.30", "1", "+Inf"] });
      return promVector("7");
    });
    server = s;
    const [result] = await createPrometheusSource(spec(s.url)).count([
      { ...request(), slo: sloSpec("latency", latency(300, "ms", "300ms")) },
    ]);
    expect(result).not.toBeInstanceOf(SloError);
    const queries = s.requests.map((r) => r.params.get("query")).filter(Boolean);
    expect(queries).toContain(
      'sum(increase(http_request_duration_seconds_bucket{job="ctrl", le=~"0\\\\.3|0\\\\.30"}[1h]))',
    );
  });
});
