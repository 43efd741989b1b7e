/**
 * The same SLOs over the same log lines, once from an NDJSON file (the logs
 * source, which evaluates LogQL itself) and once pushed to Loki (the loki
 * source, which sends `sum(count_over_time(...))`), through the real CLI:
 * identical counts, windows, burn rates, timeslices and breakdowns.
 *
 * Loki is the real Grafana Loki 2.7.5 (test/support/loki.ts), multi-tenant
 * (auth_enabled), so the source's tenant must be sent; a recording proxy in
 * front of it shows the queries slo sends. Among the events: lines that are
 * not JSON and statuses that are not numbers, which a metric query on Loki
 * fails on unless slo drops them as the logs source does; and lines exactly
 * at --at and at window starts.
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
import { type RunningLoki, requireLoki, startLoki } from "../support/loki.js";
import { type RecordingProxy, startRecordingProxy } from "../support/recording-proxy.js";
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
  /** a number, or text that is none */
  status: number | string;
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
      status: incident || k % 37 === 0 ? 500 : k % 53 === 0 ? 503 : k % 61 === 0 ? "abc" : 200,
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

/** Lines that are not JSON, one every 29 hours over the last 30 days: a log file's malformed lines. */
const NOT_JSON: { t: number; text: string }[] = Array.from({ length: 24 }, (_, i) => ({
  t: AT_MS - (i + 1) * 29 * HOUR - 7 * MINUTE,
  text: `panic: runtime error: index out of range [${i}]`,
}));

const TOTAL = '{app="ctrl"} | json | msg = "http-response"';
/** On Loki `| json` alone skips parsing and counts the lines that are not JSON too. */
const JSON_LINES = '{app="ctrl"} | json';
const BAD = `${TOTAL} | status >= 500`;

/** Four SLOs on a source: a ratio, a latency on a calendar quarter, timeslices, every JSON line. */
function slosOn(source: string): string {
  return `
  - name: json-lines-${source}
    objective: 99%
    window: 30d
    indicator: { ratio: { source: ${source}, total: '${JSON_LINES}', bad: '${JSON_LINES} | status >= 500' } }
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

const binary = await requireLoki("the same SLOs on a log file and on Loki");

let server: RunningLoki | undefined;
let loki: RecordingProxy | undefined;
let dir = "";
let report: SloReport;
let stdout = "";
let stderr = "";

beforeAll(async () => {
  if (!binary) return;
  server = await startLoki(binary, { authEnabled: true });
  loki = await startRecordingProxy(server.url);
  const lines = [...EVENTS.map((e) => ({ t: e.t, text: line(e) })), ...NOT_JSON].sort(
    (a, b) => a.t - b.t,
  );
  await server.push(
    [{ stream: { app: "ctrl" }, values: lines.map((l) => [lokiTime(l.t), l.text]) }],
    TENANT,
  );
  dir = await mkdtemp(join(tmpdir(), "slo-loki-vs-logs-"));
  await writeFile(join(dir, "events.ndjson"), `${lines.map((l) => l.text).join("\n")}\n`);
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
  await server?.stop();
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
const isServerError = (e: Event) => typeof e.status === "number" && e.status >= 500;

describe.skipIf(!binary)("the same SLOs on a log file and on Loki", () => {
  it("both are evaluated without error, and the report is valid", () => {
    expect(reportSchemaErrors(report)).toEqual([]);
    for (const s of report.slos) expect(s.error, `${s.name}: ${s.error?.message}`).toBeNull();
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it.each(["availability", "latency", "slices", "json-lines"])(
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
    const bad = count(AT_MS - 30 * DAY, AT_MS, (x) => isTotal(x) && isServerError(x));
    expect(e.events).toEqual({ good: total - bad, bad, total });
    // The 1h window leaves out the event at AT - 1h and keeps the one at AT.
    const lastHour = count(AT_MS - HOUR, AT_MS, isTotal);
    const lastHourBad = count(AT_MS - HOUR, AT_MS, (x) => isTotal(x) && isServerError(x));
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
    const queries = loki!.requests.filter((q) => q.path.startsWith("/loki/api/v1/query"));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.tenant === TENANT && q.status === 200)).toBe(true);
    const ranges = queries
      .map((q) => /\[(\d+)h\]\)\)$/.exec(q.params.query ?? "")?.[1])
      .map(Number);
    expect(Math.max(...ranges.filter(Number.isFinite))).toBe(721);
    expect(queries.some((q) => q.path === "/loki/api/v1/query_range")).toBe(true);
  });

  it("every JSON line, lines that are not JSON left out: the same count, and both say how many", () => {
    const fromLoki = entry("json-lines-loki");
    const json = count(AT_MS - 30 * DAY, AT_MS, () => true);
    const bad = count(AT_MS - 30 * DAY, AT_MS, isServerError);
    expect(fromLoki.events).toEqual({ good: json - bad, bad, total: json });
    expect(count(AT_MS - 30 * DAY, AT_MS, (x) => x.status === "abc")).toBeGreaterThan(0);
    // The file's lines that are not JSON all lie in the 30 days: the same number on both.
    expect(entry("json-lines-logs").diagnostics.malformed).toBe(NOT_JSON.length);
    expect(fromLoki.diagnostics.malformed).toBe(NOT_JSON.length);
    expect(fromLoki.diagnostics.notes.join("\n")).toContain(
      `${NOT_JSON.length} line(s) Loki marked with __error__`,
    );
    // `msg = "http-response"` drops a line that is not JSON without marking it: none to report.
    expect(entry("availability-loki").diagnostics.malformed).toBeUndefined();
    expect(entry("availability-logs").diagnostics.malformed).toBe(NOT_JSON.length);
  });

  it("timeslices: the bad hour is a bad slice on both", () => {
    const slices = entry("slices-loki").timeslices!;
    expect(slices.total).toBe(7 * 24);
    expect(slices.good).toBeLessThan(slices.total);
    expect(entry("slices-logs").timeslices).toEqual(slices);
  });
});
