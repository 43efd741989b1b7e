/**
 * The same SLOs over the same log lines, once from an NDJSON file (the logs
 * source, which evaluates LogQL itself) and once pushed to Loki (the loki
 * source, which sends `sum(count_over_time(...))`), through the real CLI:
 * identical counts, windows, burn rates, timeslices and breakdowns.
 *
 * Grafana Loki cannot be installed here: "Loki" is the stand-in of
 * test/support/loki-standin.ts, which implements Loki's push and query API
 * and evaluates queries with Loki's semantics, independently of the logs
 * source. It runs multi-tenant, so the source's tenant must be sent.
 *
 * The windows: 30 days; a calendar quarter in Berlin (54 days now, 92 the
 * quarter before: both longer than Loki's 721h limit, so split and summed);
 * and 7 days in 1-hour timeslices (query_range).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { lokiTime } from "../../src/sources/loki.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type LokiStandIn, startLokiStandIn } from "../support/loki-standin.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-11-24T12:00:00Z";
const AT_MS = Date.parse(AT);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TENANT = "team-a";
const TOKEN = "tok-loki-5a4b3c2d1e";

interface Event {
  t: number;
  msg: string;
  action: string;
  status: number;
  /** ms: a number, numeric text, text that is no number, or absent */
  duration?: number | string;
}

/** 150 days of events 13 minutes apart, with a bad hour, and a few exactly on window edges. */
function makeEvents(): Event[] {
  const events: Event[] = [];
  for (let k = 0; k * 13 * MINUTE < 150 * DAY; k++) {
    const t = AT_MS - k * 13 * MINUTE;
    const incident = t > AT_MS - 3 * DAY - HOUR && t <= AT_MS - 3 * DAY;
    const e: Event = {
      t,
      msg: k % 11 === 0 ? "cache-miss" : "http-response",
      action: k % 3 === 0 ? "Transfer" : "CheckBalance",
      status: incident || k % 37 === 0 ? 500 : k % 53 === 0 ? 503 : 200,
    };
    if (k % 7 !== 0) {
      const ms = incident ? 900 : (k * 41) % 420;
      e.duration = k % 19 === 0 ? "slow" : k % 5 === 0 ? String(ms) : k % 9 === 0 ? ms + 0.5 : ms;
    }
    events.push(e);
  }
  const edge = { msg: "http-response", action: "Transfer", status: 502, duration: 300 };
  for (const t of [AT_MS - HOUR, AT_MS - 30 * DAY, AT_MS - 7 * DAY]) events.push({ t, ...edge });
  return events.sort((a, b) => a.t - b.t);
}

const EVENTS = makeEvents();
const line = (e: Event) => {
  const { t, ...fields } = e;
  return JSON.stringify({ t: new Date(t).toISOString(), ...fields });
};

const TOTAL = '{app="ctrl"} | json | msg = "http-response"';
const BAD = `${TOTAL} | status >= 500`;

/** Three SLOs on a source: a ratio, a latency on a calendar quarter, timeslices. */
function slosOn(source: string): string {
  return `
  - name: availability-${source}
    objective: 99%
    window: 30d
    breakdownBy: status
    indicator: { ratio: { source: ${source}, total: '${TOTAL}', bad: '${BAD}' } }
  - name: latency-${source}
    objective: 95%
    window: { calendar: quarter, timezone: Europe/Berlin }
    breakdownBy: action
    indicator:
      latency: { source: ${source}, events: '${TOTAL}', field: duration, unit: ms, threshold: 300ms }
  - name: slices-${source}
    objective: 99%
    window: 7d
    budgetingMethod: timeslices
    timesliceWindow: 1h
    timesliceTarget: 95%
    indicator: { ratio: { source: ${source}, total: '${TOTAL}', bad: '${BAD}' } }`;
}

const SLO_FILE = `service: ctrl
sources:
  logs: { type: logs, paths: [events.ndjson], labels: { app: ctrl } }
  loki:
    type: loki
    url: \${LOKI_URL}
    tenant: ${TENANT}
    bearerToken: \${LOKI_TOKEN}
    timeout: 20s
slos:${slosOn("logs")}${slosOn("loki")}
`;

let loki: LokiStandIn | undefined;
let dir = "";
let report: SloReport;
let stdout = "";
let stderr = "";

beforeAll(async () => {
  loki = await startLokiStandIn({ multiTenant: true });
  await loki.push(
    [{ stream: { app: "ctrl" }, values: EVENTS.map((e) => [lokiTime(e.t), line(e)]) }],
    TENANT,
  );
  dir = await mkdtemp(join(tmpdir(), "slo-loki-vs-logs-"));
  await writeFile(join(dir, "events.ndjson"), `${EVENTS.map(line).join("\n")}\n`);
  await writeFile(join(dir, "slos.yaml"), SLO_FILE);
  const r = await runCli(["check", join(dir, "slos.yaml"), "--at", AT, "--format", "json"], {
    env: { LOKI_URL: loki.url, LOKI_TOKEN: TOKEN },
  });
  ({ stdout, stderr } = r);
  expect(hasStackTrace(stdout + stderr), stderr).toBe(false);
  report = JSON.parse(stdout) as SloReport;
});

afterAll(async () => {
  await loki?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function entry(name: string): SloReportEntry {
  const found = report.slos.find((s) => s.name === name);
  if (!found) throw new Error(`no SLO ${name} in the report: ${stdout}\n${stderr}`);
  return found;
}

/** Everything the numbers say; what tells the two sources apart is left out. */
function numbers(e: SloReportEntry) {
  const { name: _n, definedAt: _d, diagnostics, ...rest } = e;
  return { ...rest, missingField: diagnostics.missingField };
}

const count = (from: number, to: number, match: (e: Event) => boolean) =>
  EVENTS.filter((e) => e.t > from && e.t <= to && match(e)).length;
const isTotal = (e: Event) => e.msg === "http-response";

describe("the same SLOs on a log file and on Loki", () => {
  it("both are evaluated without error, and the report is valid", () => {
    expect(reportSchemaErrors(report)).toEqual([]);
    for (const s of report.slos) expect(s.error, `${s.name}: ${s.error?.message}`).toBeNull();
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it.each(["availability", "latency", "slices"])(
    "%s: identical events, SLI, budget, burn rates, alerts, burn-down and breakdown",
    (slo) => {
      const fromLogs = entry(`${slo}-logs`);
      const fromLoki = entry(`${slo}-loki`);
      expect(fromLogs.events.total).toBeGreaterThan(0);
      expect(fromLogs.events.bad).toBeGreaterThan(0);
      expect(numbers(fromLoki)).toEqual(numbers(fromLogs));
    },
  );

  it("the counts are the lines' own, windows left-open and right-closed", () => {
    const e = entry("availability-loki");
    const total = count(AT_MS - 30 * DAY, AT_MS, isTotal);
    const bad = count(AT_MS - 30 * DAY, AT_MS, (x) => isTotal(x) && x.status >= 500);
    expect(e.events).toEqual({ good: total - bad, bad, total });
    // The 1h window leaves out the event at AT - 1h and keeps the one at AT.
    const lastHour = count(AT_MS - HOUR, AT_MS, isTotal);
    const lastHourBad = count(AT_MS - HOUR, AT_MS, (x) => isTotal(x) && x.status >= 500);
    expect(e.burnRates["1h"]).toBeCloseTo(lastHourBad / lastHour / 0.01, 9);
    // What spent the budget, by status.
    const byStatus = (status: number) =>
      count(AT_MS - 30 * DAY, AT_MS, (x) => isTotal(x) && x.status === status);
    expect(e.breakdown).toEqual(
      [500, 502, 503]
        .map((status) => ({ value: String(status), count: byStatus(status) }))
        .filter((b) => b.count > 0)
        .sort((a, b) => b.count - a.count),
    );
  });

  it("latency: events without a numeric field are not counted, and both say how many", () => {
    const e = entry("latency-loki");
    expect(e.window.kind).toBe("calendar");
    expect(e.window.start).toBe("2026-09-30T22:00:00.000Z");
    const numeric = (x: Event) =>
      isTotal(x) && x.duration !== undefined && Number.isFinite(Number(x.duration));
    const from = Date.parse(e.window.start);
    expect(e.events.total).toBe(count(from, AT_MS, numeric));
    expect(e.events.good).toBe(count(from, AT_MS, (x) => numeric(x) && Number(x.duration) <= 300));
    const without = count(from, AT_MS, (x) => isTotal(x) && !numeric(x));
    expect(without).toBeGreaterThan(0);
    expect(e.diagnostics.missingField).toBe(without);
    expect(entry("latency-logs").diagnostics.missingField).toBe(without);
    // The quarter before (92 days) is split at 721h too.
    expect(e.previous?.events).toEqual(entry("latency-logs").previous?.events);
    expect(e.previous!.events.total).toBeGreaterThan(0);
  });

  it("sent the tenant, and split windows longer than 721h", () => {
    const queries = loki!.queries;
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.tenant === TENANT)).toBe(true);
    const ranges = queries.map((q) => /\[(\d+)h\]\)\)$/.exec(q.query)?.[1]).map(Number);
    expect(Math.max(...ranges.filter(Number.isFinite))).toBe(721);
    expect(queries.some((q) => q.path === "/loki/api/v1/query_range")).toBe(true);
  });

  it("timeslices: the bad hour is a bad slice on both", () => {
    const slices = entry("slices-loki").timeslices!;
    expect(slices.total).toBe(7 * 24);
    expect(slices.good).toBeLessThan(slices.total);
    expect(entry("slices-logs").timeslices).toEqual(slices);
  });
});
