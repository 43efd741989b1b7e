/**
 * The loki source against the real Grafana Loki 2.7.5 (test/support/loki.ts),
 * multi-tenant, behind a recording proxy that shows the queries slo sends.
 * Expected counts are computed in this file straight from the generated
 * events, not by any LogQL code. Faults a real Loki will not produce on
 * demand (hangs, garbage, 5xx) come from test/support/loki-standin.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Indicator, LokiSourceSpec } from "../../src/definition/model.js";
import { SloError } from "../../src/errors.js";
import { MAX_LOKI_ERROR_LINES } from "../../src/limits.js";
import {
  countable,
  countQuery,
  createLokiSource,
  lokiEndTime,
  lokiTime,
} from "../../src/sources/loki.js";
import { splitRange } from "../../src/sources/query-api/series.js";
import type { CountRequest, CountResult } from "../../src/sources/types.js";
import {
  nanos,
  type PushStream,
  type RunningLoki,
  requireLoki,
  startLoki,
} from "../support/loki.js";
import { type LokiFault, startLokiFault } from "../support/loki-standin.js";
import { refusingUrl } from "../support/misbehaving-server.js";
import { type RecordingProxy, startRecordingProxy } from "../support/recording-proxy.js";
import { sloSpec, standardWindows } from "../support/slo-spec.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const AT = Date.parse("2026-11-24T12:00:00Z");

interface Event {
  t: number;
  app: string;
  msg: string;
  action: string;
  status: number;
  /** ms; a string that is not a number, or absent */
  duration?: number | string;
}

/** 95 days of events every 10 minutes (minus 17 s), and a few exactly on window edges. */
function makeEvents(): Event[] {
  const events: Event[] = [];
  for (let k = 0; k * 10 * MINUTE < 95 * DAY; k++) {
    const e: Event = {
      t: AT - k * 10 * MINUTE - 17_000,
      app: k % 5 === 0 ? "other" : "ctrl",
      msg: k % 13 === 0 ? "cache-miss" : "brkr-somesystem-http-response",
      action: k % 3 === 0 ? "Transfer" : "CheckBalance",
      status: k % 17 === 0 ? 500 : k % 29 === 0 ? 503 : 200,
    };
    if (k % 11 !== 0) e.duration = k % 23 === 0 ? "fast" : (k * 37) % 600;
    events.push(e);
  }
  // On the edges: (AT - 1h, AT] leaves out the first and keeps the second.
  const edge = {
    app: "ctrl",
    msg: "brkr-somesystem-http-response",
    action: "Transfer",
    status: 502,
    duration: 999,
  };
  events.push({ t: AT - HOUR, ...edge }, { t: AT, ...edge });
  return events;
}

const EVENTS = makeEvents();

const TOTAL = '{app="ctrl"} | json | msg = "brkr-somesystem-http-response"';
const BAD = `${TOTAL} | status >= 500`;
const GOOD = `${TOTAL} | status < 500`;

const isTotal = (e: Event) => e.app === "ctrl" && e.msg === "brkr-somesystem-http-response";
const isBad = (e: Event) => isTotal(e) && e.status >= 500;

function countIn(startMs: number, endMs: number, match: (e: Event) => boolean): number {
  return EVENTS.filter((e) => e.t > startMs && e.t <= endMs && match(e)).length;
}

const TENANT = "team-a";

function spec(url: string, overrides: Partial<LokiSourceSpec> = {}): LokiSourceSpec {
  return {
    type: "loki",
    name: "loki",
    url,
    headers: {},
    timeoutMs: 20_000,
    retries: 1,
    tenant: TENANT,
    ...overrides,
  };
}

function ratio(parts: { good?: string; bad?: string; total: string }): Indicator {
  return { kind: "ratio", source: "loki", ...parts };
}

async function countOne(
  source: ReturnType<typeof createLokiSource>,
  request: CountRequest,
): Promise<CountResult> {
  const [result] = await source.count([request]);
  if (result instanceof SloError) throw result;
  return result!;
}

const binary = await requireLoki("loki source");

let server: RunningLoki | undefined;
let loki: RecordingProxy;

beforeAll(async () => {
  if (!binary) return;
  server = await startLoki(binary, { authEnabled: true });
  loki = await startRecordingProxy(server.url);
  await server.push([...eventStreams(), ...edgeStreams(), ...errorStreams()], TENANT);
}, 60_000);

afterAll(async () => {
  await loki?.close();
  await server?.stop();
});

/** The metric queries (counts, not lines) sent through the proxy since `before`. */
function metricQueries(before: number) {
  return loki.requests
    .slice(before)
    .filter((r) => r.path.startsWith("/loki/api/v1/query") && r.params.query?.startsWith("sum"));
}

function eventStreams(): PushStream[] {
  return ["ctrl", "other"].map((app) => ({
    stream: { app, env: "prod" },
    values: EVENTS.filter((e) => e.app === app).map((e): [string, string] => {
      const { t, app: _app, ...fields } = e;
      return [lokiTime(t), JSON.stringify(fields)];
    }),
  }));
}

/**
 * Lines around the 1h window (AT - 1h, AT], to the nanosecond: Loki's own
 * instant query at time=AT counts (AT - 1h, AT) and would miss the line at AT.
 */
const EDGE_LINES: [ns: string, inWindow: boolean][] = [
  [nanos(AT - HOUR - 1), false],
  [nanos(AT - HOUR), false],
  [nanos(AT - HOUR + 1), true],
  [nanos(AT - 1), true],
  [nanos(AT, -1), true],
  [nanos(AT), true],
  [nanos(AT, 1), false],
  [nanos(AT + 1), false],
];
/** The one line Loki cannot count in (AT - 1h, AT]: LogQL ranges are whole milliseconds (docs/sources.md). */
const EDGE_JUST_AFTER_START = nanos(AT - HOUR, 1);

function edgeStreams(): PushStream[] {
  const values = EDGE_LINES.map(([ns], i): [string, string] => [
    ns,
    JSON.stringify({ status: 500, i }),
  ]);
  return [
    { stream: { app: "edge" }, values },
    { stream: { app: "edge-start" }, values: [[EDGE_JUST_AFTER_START, '{"status":500}']] },
  ];
}

/** Among good JSON lines: text that is not JSON, and a status that is not a number. */
const MIXED_LINES = [
  '{"status":200,"path":"/a"}',
  "panic: runtime error: index out of range",
  '{"status":500,"path":"/b"}',
  '{"status":"abc","path":"/c"}',
  '{"status":200,"path":"/d"}',
  "level=error status=503 msg=logfmt",
  '{"status":503,"path":"/e"}',
  '{"status":200,"path":"/f"}',
];

function errorStreams(): PushStream[] {
  const mixed = MIXED_LINES.map((text, i): [string, string] => [
    nanos(AT - 50 * MINUTE + i * MINUTE),
    text,
  ]);
  // One more line with __error__ than slo reads to count them.
  const noisy = Array.from({ length: MAX_LOKI_ERROR_LINES + 1 }, (_, i): [string, string] => [
    nanos(AT - 30 * MINUTE, i),
    `not json ${i}`,
  ]);
  noisy.push([nanos(AT - 20 * MINUTE), '{"status":200}']);
  return [
    { stream: { app: "mixed" }, values: mixed },
    { stream: { app: "noisy" }, values: noisy },
  ];
}

describe.skipIf(!binary)("loki source: counts", () => {
  it("counts every window of a ratio exactly, windows left-open and right-closed", async () => {
    const source = createLokiSource(spec(loki.url));
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows,
      series: [],
    });
    for (const w of windows) {
      const total = countIn(w.startMs, w.endMs, isTotal);
      const bad = countIn(w.startMs, w.endMs, isBad);
      expect(result.windows[w.key], w.key).toEqual({ good: total - bad, total });
    }
    // The edge event at AT - 1h is in 2h but not in 1h.
    expect(result.windows["1h"]!.total).toBe(countIn(AT - HOUR, AT, isTotal));
    expect(countIn(AT - HOUR, AT, (e) => e.t === AT - HOUR)).toBe(0);
    expect(result.windows["1h"]!.total).toBe(countIn(AT - HOUR, AT, isTotal));
    // One query per window and numerator/denominator, and one for lines with __error__.
    expect(result.diagnostics.queries).toBe(windows.length * 2 + 1);
  });

  it('sends the LogQL as written inside sum(count_over_time(... | __error__="")), 1 ns after the window\'s end', async () => {
    const before = loki.requests.length;
    const source = createLokiSource(spec(loki.url));
    await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
      series: [],
    });
    const sent = metricQueries(before);
    expect(sent.map((q) => q.params.query).sort()).toEqual(
      [
        `sum(count_over_time(${BAD} | __error__="" [1h]))`,
        `sum(count_over_time(${TOTAL} | __error__="" [1h]))`,
      ].sort(),
    );
    // Loki's instant query at time=t counts (t - W, t): a line exactly at the window's end needs t + 1ns.
    expect(sent.every((q) => q.params.time === `${AT}000001`)).toBe(true);
    expect(sent.every((q) => q.path === "/loki/api/v1/query" && q.status === 200)).toBe(true);
  });

  it("counts a line exactly at the window's end and none at its start, to the nanosecond", async () => {
    const source = createLokiSource(spec(loki.url));
    const edges = '{app="edge"} | json';
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: edges, bad: `${edges} | status >= 500` })),
      windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
      series: [],
    });
    const inside = EDGE_LINES.filter(([, inWindow]) => inWindow).length;
    expect(result.windows["1h"]).toEqual({ good: 0, total: inside });
  });

  it("the documented difference: a line 1 ns after the window's start is the one Loki leaves out", async () => {
    // LogQL ranges are whole milliseconds and Loki's are open at both ends, so (T - W, T] is
    // asked as (T - W + 1ns, T + 1ns). EDGE_JUST_AFTER_START lies in (AT - 1h, AT] but not there.
    const source = createLokiSource(spec(loki.url));
    const onlyIt = '{app="edge-start"}';
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: onlyIt, bad: onlyIt })),
      windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
      series: [],
    });
    expect(BigInt(EDGE_JUST_AFTER_START)).toBeGreaterThan(BigInt(nanos(AT - HOUR)));
    expect(result.windows["1h"]!.total).toBe(0);
  });

  it("counts the edges of query_range buckets like windows: (start, end], the last one too", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: '{app=~"edge.*"}', bad: '{app=~"edge.*"}' })),
      windows: [],
      series: [{ key: "halves", startMs: AT - 2 * HOUR, stepMs: HOUR, count: 2 }],
    });
    const inside = EDGE_LINES.filter(([, inWindow]) => inWindow).length;
    // (AT - 2h, AT - 1h] holds the lines at AT - 1h - 1ns and AT - 1h; (AT - 1h, AT] the others,
    // the line 1 ns after AT - 1h included (each query_range point but the last is closed at its end).
    expect(result.series.halves!.map((b) => b.total)).toEqual([2, inside + 1]);
  });

  it("a comment at the end of a query does not swallow what slo adds after it", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec(
        "availability",
        ratio({ total: `${TOTAL} # all responses`, bad: `${BAD} # errors` }),
      ),
      windows: [{ key: "1d", startMs: AT - DAY, endMs: AT }],
      series: [],
    });
    const total = countIn(AT - DAY, AT, isTotal);
    expect(result.windows["1d"]).toEqual({ good: total - countIn(AT - DAY, AT, isBad), total });
  });

  it("counts good from good and total", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, good: GOOD })),
      windows: [{ key: "30d", startMs: AT - 30 * DAY, endMs: AT }],
      series: [],
    });
    const total = countIn(AT - 30 * DAY, AT, isTotal);
    expect(result.windows["30d"]).toEqual({
      good: total - countIn(AT - 30 * DAY, AT, isBad),
      total,
    });
  });

  it("splits a window longer than 721h into consecutive parts and sums them", async () => {
    const before = loki.requests.length;
    const source = createLokiSource(spec(loki.url));
    const start = AT - 90 * DAY;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "quarter", startMs: start, endMs: AT }],
      series: [],
    });
    const total = countIn(start, AT, isTotal);
    expect(result.windows.quarter).toEqual({ good: total - countIn(start, AT, isBad), total });
    const sent = metricQueries(before);
    // 90 days = 2160h: 721h + 721h + 718h, for each of the two queries.
    expect(sent).toHaveLength(6);
    expect(sent.filter((q) => q.params.query!.includes("[721h]"))).toHaveLength(4);
    expect(sent.filter((q) => q.params.query!.includes("[718h]"))).toHaveLength(2);
  });

  it("counts latency: good at or under the threshold, events without a numeric field left out and reported", async () => {
    const source = createLokiSource(spec(loki.url));
    const latency: Indicator = {
      kind: "latency",
      source: "loki",
      events: TOTAL,
      field: "duration",
      unit: "ms",
      threshold: 300,
      thresholdText: "300ms",
    };
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("latency", latency),
      windows,
      series: [],
    });
    const numeric = (e: Event) => isTotal(e) && typeof e.duration === "number";
    for (const w of windows) {
      const total = countIn(w.startMs, w.endMs, numeric);
      const good = countIn(w.startMs, w.endMs, (e) => numeric(e) && (e.duration as number) <= 300);
      expect(result.windows[w.key], w.key).toEqual({ good, total });
    }
    const without = countIn(AT - 30 * DAY, AT, (e) => isTotal(e) && typeof e.duration !== "number");
    expect(without).toBeGreaterThan(0);
    expect(result.diagnostics.missingField).toBe(without);
  });

  it("compares any number with the op given: good at or above, with gte, the bad query its negation", async () => {
    const source = createLokiSource(spec(loki.url));
    const atLeast: Indicator = {
      kind: "latency",
      source: "loki",
      events: TOTAL,
      field: "duration",
      op: "gte",
      unit: "ms",
      threshold: 301,
      thresholdText: "301",
    };
    const windows = standardWindows(AT);
    const result = await countOne(source, {
      slo: sloSpec("at-least", atLeast),
      windows,
      series: [],
    });
    const numeric = (e: Event) => isTotal(e) && typeof e.duration === "number";
    // 301 itself is among the values: the bound is good with gte.
    expect(EVENTS.some((e) => numeric(e) && e.duration === 301)).toBe(true);
    for (const w of windows) {
      const total = countIn(w.startMs, w.endMs, numeric);
      const good = countIn(w.startMs, w.endMs, (e) => numeric(e) && (e.duration as number) >= 301);
      expect(result.windows[w.key], w.key).toEqual({ good, total });
    }
  });

  it("counts series buckets with query_range", async () => {
    const source = createLokiSource(spec(loki.url));
    const step = (30 * DAY) / 120;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [],
      series: [{ key: "burnDown", startMs: AT - 30 * DAY, stepMs: step, count: 120 }],
    });
    const buckets = result.series.burnDown!;
    expect(buckets).toHaveLength(120);
    buckets.forEach((b, i) => {
      const s = AT - 30 * DAY + i * step;
      const total = countIn(s, s + step, isTotal);
      expect(b, `bucket ${i}`).toEqual({ good: total - countIn(s, s + step, isBad), total });
    });
  });

  it("splits a long series under Loki's limits: 11,000 points and 721h", async () => {
    const before = loki.requests.length;
    const source = createLokiSource(spec(loki.url));
    // 10-minute buckets over 90 days: 12,960 points spanning 2160h.
    const step = 10 * MINUTE;
    const count = (90 * DAY) / step;
    const start = AT - 90 * DAY;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [],
      series: [{ key: "slices", startMs: start, stepMs: step, count }],
    });
    const buckets = result.series.slices!;
    expect(buckets).toHaveLength(count);
    expect(buckets.reduce((a, b) => a + b.total, 0)).toBe(countIn(start, AT, isTotal));
    for (const i of [0, 1, 4325, 4326, 8000, count - 1]) {
      const s = start + i * step;
      expect(buckets[i]!.total, `bucket ${i}`).toBe(countIn(s, s + step, isTotal));
    }
    const ranges = metricQueries(before);
    expect(ranges.every((q) => q.path === "/loki/api/v1/query_range")).toBe(true);
    expect(ranges.length).toBeGreaterThanOrEqual(6);
  });

  it("breaks the bad events of the longest window down by a field", async () => {
    const source = createLokiSource(spec(loki.url));
    for (const indicator of [
      ratio({ total: TOTAL, bad: BAD }),
      ratio({ total: TOTAL, good: GOOD }),
    ]) {
      const result = await countOne(source, {
        slo: sloSpec("availability", indicator),
        windows: standardWindows(AT),
        series: [],
        breakdown: { by: "action", limit: 10 },
      });
      const bad = (action: string) =>
        countIn(AT - 30 * DAY, AT, (e) => isBad(e) && e.action === action);
      expect(result.breakdown).toEqual(
        [
          { value: "CheckBalance", count: bad("CheckBalance") },
          { value: "Transfer", count: bad("Transfer") },
        ].sort((a, b) => b.count - a.count),
      );
    }
  });

  it("a breakdown that fails costs the SLO nothing but a warning", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
      series: [],
      breakdown: { by: "not a label", limit: 10 },
    });
    expect(result.windows["1h"]!.total).toBeGreaterThan(0);
    expect(result.breakdown).toEqual([]);
    expect((result.diagnostics as { warnings?: string[] }).warnings?.[0]).toMatch(
      /not a LogQL label name/,
    );
  });
});

describe.skipIf(!binary)("loki source: lines Loki marks with __error__", () => {
  const MIXED = '{app="mixed"} | json';
  const jsonLines = MIXED_LINES.filter((l) => l.startsWith("{"));
  const window = { key: "1h", startMs: AT - HOUR, endMs: AT };

  it("a line that is not JSON or a status that is not a number fails no query: both count as the logs source does", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: MIXED, bad: `${MIXED} | status >= 500` })),
      windows: [window],
      series: [{ key: "minutes", startMs: AT - HOUR, stepMs: 10 * MINUTE, count: 6 }],
    });
    // total: the JSON lines ("abc" too); bad: 500 and 503; "abc" is not a number, so not bad.
    expect(result.windows["1h"]).toEqual({ good: jsonLines.length - 2, total: jsonLines.length });
    const series = result.series.minutes!;
    expect(series.reduce((a, b) => a + b.total, 0)).toBe(jsonLines.length);
    expect(series.reduce((a, b) => a + b.total - b.good, 0)).toBe(2);
  });

  it("good as well as total: a status that is not a number is not good either", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: MIXED, good: `${MIXED} | status < 500` })),
      windows: [window],
      series: [],
    });
    expect(result.windows["1h"]).toEqual({ good: 3, total: jsonLines.length });
  });

  it("says how many lines of the events Loki left out with __error__, and the first of them", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: MIXED, bad: `${MIXED} | status >= 500` })),
      windows: [window],
      series: [],
    });
    const errors = result.diagnostics.errorLines!;
    expect(errors.count).toBe(MIXED_LINES.length - jsonLines.length);
    expect(errors.atLeast).toBe(false);
    expect(errors.first).toEqual({
      atMs: AT - 50 * MINUTE + MINUTE,
      stream: '{app="mixed"}',
      error: "JSONParserErr",
    });
  });

  it("the latency denominator leaves out lines that are not JSON, and says how many", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec("latency", {
        kind: "latency",
        source: "loki",
        events: MIXED,
        field: "status",
        unit: "ms",
        threshold: 300,
        thresholdText: "300ms",
      }),
      windows: [window],
      series: [],
    });
    // numeric statuses: 200, 500, 200, 503, 200; good at most 300: the three 200s.
    expect(result.windows["1h"]).toEqual({ good: 3, total: 5 });
    expect(result.diagnostics.missingField).toBe(1);
    expect(result.diagnostics.errorLines?.count).toBe(2);
  });

  it(`stops counting them at ${MAX_LOKI_ERROR_LINES} and says "at least"`, async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec(
        "availability",
        ratio({ total: '{app="noisy"} | json', bad: '{app="noisy"} | json | status >= 500' }),
      ),
      windows: [window],
      series: [],
    });
    expect(result.windows["1h"]).toEqual({ good: 1, total: 1 });
    expect(result.diagnostics.errorLines).toMatchObject({
      count: MAX_LOKI_ERROR_LINES,
      atLeast: true,
    });
  });

  it("no note when no line has an error", async () => {
    const source = createLokiSource(spec(loki.url));
    const result = await countOne(source, {
      slo: sloSpec(
        "availability",
        ratio({ total: '{app="edge"} | json', bad: '{app="edge"} | json | status >= 500' }),
      ),
      windows: [window],
      series: [],
    });
    expect(result.diagnostics.errorLines).toBeUndefined();
  });
});

describe.skipIf(!binary)("loki source: tenants and errors", () => {
  it("sends X-Scope-OrgID when a tenant is set, and a multi-tenant Loki answers only then", async () => {
    const before = loki.requests.length;
    const request: CountRequest = {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "1d", startMs: AT - DAY, endMs: AT }],
      series: [],
    };
    const withTenant = await countOne(createLokiSource(spec(loki.url)), request);
    expect(withTenant.windows["1d"]!.total).toBe(countIn(AT - DAY, AT, isTotal));
    expect(loki.requests.slice(before).every((q) => q.tenant === TENANT)).toBe(true);

    const other = await countOne(createLokiSource(spec(loki.url, { tenant: "team-b" })), request);
    expect(other.windows["1d"]).toEqual({ good: 0, total: 0 });

    const [error] = await createLokiSource(spec(loki.url, { tenant: undefined })).count([request]);
    expect(error).toBeInstanceOf(SloError);
    expect((error as SloError).message).toMatch(
      /^loki source 'loki' at http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/query: HTTP 401 Unauthorized: no org id/,
    );
    expect((error as SloError).hint).toMatch(/tenant/);
  });

  it("one SLO whose query Loki refuses gets an error; the others their counts", async () => {
    const source = createLokiSource(spec(loki.url));
    // Loki refuses a selector that every stream matches.
    const broken = ratio({ total: '{app=~".*"}', bad: '{app=~".*"} |= "error"' });
    const [good, bad] = await source.count([
      {
        slo: sloSpec("fine", ratio({ total: TOTAL, bad: BAD })),
        windows: [{ key: "30d", startMs: AT - 30 * DAY, endMs: AT }],
        series: [],
      },
      {
        slo: sloSpec("broken", broken),
        windows: [{ key: "30d", startMs: AT - 30 * DAY, endMs: AT }],
        series: [],
      },
    ]);
    expect(good).not.toBeInstanceOf(SloError);
    expect(bad).toBeInstanceOf(SloError);
    const error = bad as SloError;
    expect(error.code).toBe("source");
    expect(error.message).toMatch(/HTTP 400 Bad Request: .*empty-compatible/);
    expect(error.message).toContain("; query: sum(count_over_time(");
  });

  it("a field that is not a label name is an error for that SLO", async () => {
    const source = createLokiSource(spec(loki.url));
    const [error] = await source.count([
      {
        slo: sloSpec("latency", {
          kind: "latency",
          source: "loki",
          events: TOTAL,
          field: "http.duration",
          unit: "ms",
          threshold: 300,
          thresholdText: "300ms",
        }),
        windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
        series: [],
      },
    ]);
    expect((error as SloError).message).toMatch(/field 'http.duration' is not a LogQL label name/);
  });

  it("names the source and the redacted url when Loki is down", async () => {
    const down = await refusingUrl();
    const source = createLokiSource(
      spec(`${down.replace("http://", "http://user:hunter2@")}/loki?token=abc123`, {
        retries: 0,
        timeoutMs: 500,
      }),
    );
    const [error] = await source.count([
      {
        slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
        windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
        series: [],
      },
    ]);
    expect(error).toBeInstanceOf(SloError);
    const message = (error as SloError).message;
    expect(
      message.startsWith(
        `loki source 'loki' at ${down}/loki/loki/api/v1/query?token=***: connection refused;`,
      ),
    ).toBe(true);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("abc123");
  });
});

describe("loki source: faults a real Loki will not produce on demand", () => {
  const request: CountRequest = {
    slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
    windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
    series: [],
  };

  async function errorFrom(fault: LokiFault): Promise<SloError> {
    const faulty = await startLokiFault(fault);
    try {
      const source = createLokiSource(spec(faulty.url, { retries: 0, timeoutMs: 300 }));
      const [answer] = await source.count([request]);
      expect(answer).toBeInstanceOf(SloError);
      return answer as SloError;
    } finally {
      await faulty.close();
    }
  }

  it.each<[LokiFault, RegExp]>([
    ["hang", /did not answer within 300ms|timed out/],
    ["garbage", /malformed JSON in the response \(HTTP 200, text\/html\)/],
    ["unavailable", /HTTP 503 Service Unavailable: empty ring/],
    ["internal", /HTTP 500 Internal Server Error: rpc error/],
  ])("%s: a source error for the SLO that names Loki", async (fault, reason) => {
    const error = await errorFrom(fault);
    expect(error.code).toBe("source");
    expect(error.message).toMatch(
      /^loki source 'loki' at http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/query/,
    );
    expect(error.message).toMatch(reason);
  });
});

describe("loki helpers", () => {
  it('countable ends a query with | __error__="" only where a stage can set it, and once', () => {
    expect(countable('{app="x"} |= "GET" !~ "health"')).toBe('{app="x"} |= "GET" !~ "health"');
    expect(countable('{app="x"} | json')).toBe('{app="x"} | json | __error__=""');
    expect(countable('{app="x"} | logfmt | level = "error"')).toBe(
      '{app="x"} | logfmt | level = "error" | __error__=""',
    );
    expect(countable('{app="x"} | json | __error__=""')).toBe('{app="x"} | json | __error__=""');
    expect(countable('{app="x"} | json # all\n')).toBe('{app="x"} | json # all\n | __error__=""');
    expect(countQuery('{app="x"} | json | status >= 500', 5 * MINUTE)).toBe(
      'sum(count_over_time({app="x"} | json | status >= 500 | __error__="" [5m]))',
    );
  });

  it("lokiTime is exact nanoseconds; lokiEndTime 1 ns later", () => {
    expect(lokiEndTime(AT)).toBe(`${AT}000001`);
    expect(lokiTime(AT)).toBe(`${AT}000000`);
    expect(lokiTime(1.5)).toBe("1500000");
  });

  it("splitRange covers (start, end] in consecutive parts ending at end", () => {
    expect(splitRange(0, 10, 4)).toEqual([
      { startMs: 0, endMs: 2 },
      { startMs: 2, endMs: 6 },
      { startMs: 6, endMs: 10 },
    ]);
    expect(splitRange(0, 8, 8)).toEqual([{ startMs: 0, endMs: 8 }]);
  });
});
