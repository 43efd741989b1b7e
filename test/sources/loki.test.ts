/**
 * The loki source against the stand-in Loki of test/support/loki-standin.ts
 * (Grafana Loki cannot be installed here). Expected counts are computed in
 * this file straight from the generated events, not by any LogQL code.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Indicator, LokiSourceSpec } from "../../src/definition/model.js";
import { SloError } from "../../src/errors.js";
import { createLokiSource, lokiTime } from "../../src/sources/loki.js";
import { splitRange } from "../../src/sources/query-api/series.js";
import type { CountRequest, CountResult } from "../../src/sources/types.js";
import { type LokiStandIn, startLokiStandIn } from "../support/loki-standin.js";
import { refusingUrl } from "../support/misbehaving-server.js";
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

function spec(url: string, overrides: Partial<LokiSourceSpec> = {}): LokiSourceSpec {
  return {
    type: "loki",
    name: "loki",
    url,
    headers: {},
    timeoutMs: 5000,
    retries: 1,
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

let loki: LokiStandIn;

beforeAll(async () => {
  loki = await startLokiStandIn();
  await pushEvents(loki);
});

afterAll(async () => {
  await loki?.close();
});

async function pushEvents(target: LokiStandIn, tenant?: string): Promise<void> {
  for (const app of ["ctrl", "other"]) {
    const values = EVENTS.filter((e) => e.app === app).map((e): [string, string] => {
      const { t, app: _app, ...fields } = e;
      return [lokiTime(t), JSON.stringify(fields)];
    });
    await target.push([{ stream: { app, env: "prod" }, values }], tenant);
  }
}

describe("loki source: counts", () => {
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
    // One query per window and numerator/denominator.
    expect(result.diagnostics.queries).toBe(windows.length * 2);
  });

  it("sends the LogQL as written inside sum(count_over_time(...)), at the window's end in nanoseconds", async () => {
    const before = loki.queries.length;
    const source = createLokiSource(spec(loki.url));
    await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "1h", startMs: AT - HOUR, endMs: AT }],
      series: [],
    });
    const sent = loki.queries.slice(before);
    expect(sent.map((q) => q.query).sort()).toEqual(
      [`sum(count_over_time(${BAD} [1h]))`, `sum(count_over_time(${TOTAL} [1h]))`].sort(),
    );
    expect(sent.every((q) => q.params.time === `${AT}000000`)).toBe(true);
    expect(sent.every((q) => q.path === "/loki/api/v1/query")).toBe(true);
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
    const before = loki.queries.length;
    const source = createLokiSource(spec(loki.url));
    const start = AT - 90 * DAY;
    const result = await countOne(source, {
      slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
      windows: [{ key: "quarter", startMs: start, endMs: AT }],
      series: [],
    });
    const total = countIn(start, AT, isTotal);
    expect(result.windows.quarter).toEqual({ good: total - countIn(start, AT, isBad), total });
    const sent = loki.queries.slice(before);
    // 90 days = 2160h: 721h + 721h + 718h, for each of the two queries.
    expect(sent).toHaveLength(6);
    expect(sent.filter((q) => q.query.includes("[721h]"))).toHaveLength(4);
    expect(sent.filter((q) => q.query.includes("[718h]"))).toHaveLength(2);
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
    const before = loki.queries.length;
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
    const ranges = loki.queries.slice(before);
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

describe("loki source: tenants and errors", () => {
  it("sends X-Scope-OrgID when a tenant is set, and a multi-tenant Loki answers only then", async () => {
    const multi = await startLokiStandIn({ multiTenant: true });
    try {
      await pushEvents(multi, "team-a");
      const request: CountRequest = {
        slo: sloSpec("availability", ratio({ total: TOTAL, bad: BAD })),
        windows: [{ key: "1d", startMs: AT - DAY, endMs: AT }],
        series: [],
      };
      const withTenant = await countOne(
        createLokiSource(spec(multi.url, { tenant: "team-a" })),
        request,
      );
      expect(withTenant.windows["1d"]!.total).toBe(countIn(AT - DAY, AT, isTotal));
      expect(multi.queries.every((q) => q.tenant === "team-a")).toBe(true);

      const [error] = await createLokiSource(spec(multi.url)).count([request]);
      expect(error).toBeInstanceOf(SloError);
      expect((error as SloError).message).toMatch(
        /^loki source 'loki' at http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/query: HTTP 401 Unauthorized: no org id/,
      );
      expect((error as SloError).hint).toMatch(/tenant/);
    } finally {
      await multi.close();
    }
  });

  it("one SLO whose query Loki refuses gets an error; the others their counts", async () => {
    const source = createLokiSource(spec(loki.url));
    // `duration > 100` on a line whose duration is "fast" sets __error__: a metric query fails on it.
    const broken = ratio({ total: TOTAL, bad: `${TOTAL} | duration > 100` });
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
    expect(error.message).toMatch(/HTTP 400 Bad Request: pipeline error: 'LabelFilterErr'/);
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

describe("loki helpers", () => {
  it("lokiTime is exact nanoseconds", () => {
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
