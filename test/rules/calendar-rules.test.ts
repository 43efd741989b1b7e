/**
 * Calendar windows in `slo rules`: the rules' burn-rate factors follow the
 * calendar period's real length, as `slo check` does (14.88 for the page in
 * a 31-day month, 14.4 in a 30-day one, 13.44 in February), in the period's
 * own time zone where its UTC offset is fixed. Proven with `promtool test
 * rules` at instants of several periods: promtool fires exactly the alerts
 * the evaluator (the pipeline of `slo check`) fires on the same counters,
 * and `slo:time_period:days` is the evaluator's period length.
 *
 * The counters are flat until two hours before each instant, then burn at
 * a constant rate, so every window's increase is exact on both sides.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ALERT_NAME, WINDOW_APPROXIMATION_LABEL } from "../../src/conventions.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { type AlertingRule, buildRules, type RecordingRule } from "../../src/rules/build.js";
import { buildLokiRules } from "../../src/rules/loki.js";
import { renderRules } from "../../src/rules/render.js";
import { lokiEventQueries } from "../../src/sources/loki.js";
import { runCli } from "../support/cli.js";
import { requireBinaries, run } from "../support/servers.js";
import { counterSource } from "./synthetic-source.js";

const MINUTE = 60_000;
const TOTAL = 'http_requests_total{job="api"}';
const BAD = 'http_requests_total{job="api",code="500"}';
/** Requests a minute while burning; the burn sets the failures. */
const RATE = 10_000;
/** Minutes of traffic before each instant: more than the 1h page's long window. */
const BURNING_MINUTES = 120;

async function loadWindow(window: string, objective = "99%"): Promise<SloSet> {
  const dir = mkdtempSync(join(tmpdir(), "slo-calendar-"));
  writeFileSync(
    join(dir, "api.yaml"),
    `service: api
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
slos:
  - name: availability
    objective: ${objective}
    window: ${window}
    indicator:
      ratio:
        source: prom
        bad: '${BAD}'
        total: '${TOTAL}'
`,
  );
  const loaded = await loadSpec([join(dir, "api.yaml")], { env: {}, cwd: dir });
  expect(loaded.errors).toEqual([]);
  return loaded.set;
}

interface Instant {
  /** when, in UTC: promtool's clock starts at 1970-01-01 */
  at: string;
  /** the burn rate of every window at that instant (failures / requests / budget) */
  burn: number;
  /** the error budget, when the objective is not 99% */
  budget?: number;
}

const atMinute = (i: Instant) => Date.parse(i.at) / MINUTE;
const failuresPerMinute = (i: Instant) => Math.round(i.burn * (i.budget ?? 0.01) * RATE);

/** What the evaluator says at the instant: the alerts that fire, and the period's length in days. */
async function engineAt(set: SloSet, instant: Instant) {
  const start = atMinute(instant) - BURNING_MINUTES;
  const counter = (perMinute: number) => (m: number) => Math.max(0, m - start) * perMinute;
  const source = counterSource(Object.values(set.services[0]!.sources)[0]!, {
    [TOTAL]: counter(RATE),
    [BAD]: counter(failuresPerMinute(instant)),
  });
  const report = await evaluateSet(set, {
    atMs: Date.parse(instant.at),
    sourceFactory: () => source,
  });
  const alerts = report.slos[0]!.alerts;
  const page = alerts.find((a) => a.long === "1h")!;
  return {
    firing: alerts
      .filter((a) => a.firing)
      .map((a) => ({ long: a.long, short: a.short, factor: a.factor })),
    pageFactor: page.factor,
    // The page spends 2% of the budget in 1h: factor = 0.02 × days × 24.
    periodDays: Number((page.factor / 0.48).toPrecision(12)),
  };
}

/**
 * What Prometheus renders from our text: `{{ "{{" }}` is a literal `{{`, and
 * a threshold that follows the calendar is the factor of the period, to four
 * significant digits.
 */
function rendered(text: string, factor: number): string {
  return text
    .replace(/\{\{ with query .*? \}\}.*?\{\{ end \}\}/, String(Number(factor.toPrecision(4))))
    .replaceAll('{{ "{{" }}', "{{");
}

async function promtoolTest(set: SloSet, instants: Instant[]): Promise<string> {
  const rules = buildRules(set).services[0]!.groups[0]!.rules;
  const days = rules.find(
    (r): r is RecordingRule => "record" in r && r.record === "slo:time_period:days",
  )!;
  const alertRules = rules.filter((r): r is AlertingRule => "alert" in r);
  const tests = [];
  for (const instant of instants) {
    const engine = await engineAt(set, instant);
    const idle = atMinute(instant) - BURNING_MINUTES;
    const minutes = `${atMinute(instant)}m`;
    tests.push({
      interval: "1m",
      input_series: [
        {
          series: 'http_requests_total{job="api",code="200"}',
          values: `_x${idle} 0+${RATE - failuresPerMinute(instant)}x${BURNING_MINUTES}`,
        },
        { series: BAD, values: `_x${idle} 0+${failuresPerMinute(instant)}x${BURNING_MINUTES}` },
      ],
      promql_exp_test: [
        {
          expr: "slo:time_period:days",
          eval_time: minutes,
          exp_samples: [
            {
              labels: `slo:time_period:days{${Object.entries(days.labels)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(", ")}}`,
              value: engine.periodDays,
            },
          ],
        },
      ],
      alert_rule_test: [
        {
          eval_time: minutes,
          alertname: ALERT_NAME,
          exp_alerts: engine.firing.map((a) => {
            const rule = alertRules.find(
              (r) => r.labels.long_window === a.long && r.labels.short_window === a.short,
            )!;
            return {
              exp_labels: rule.labels,
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations).map(([k, v]) => [k, rendered(v, a.factor)]),
              ),
            };
          }),
        },
      ],
    });
  }
  // Rules are evaluated every 12 hours, which is quick over years of promtool's clock: the
  // instants are at 00:00 or 12:00, and no rule has a for:.
  return stringify(
    { rule_files: ["rules.yaml"], evaluation_interval: "12h", tests },
    { lineWidth: 0 },
  ).replaceAll("promql_exp_test", "promql_expr_test");
}

async function promtool(set: SloSet, instants: Instant[]) {
  const dir = mkdtempSync(join(tmpdir(), "slo-promtool-calendar-"));
  writeFileSync(join(dir, "rules.yaml"), renderRules(buildRules(set).services, "prometheus", []));
  writeFileSync(join(dir, "test.yaml"), await promtoolTest(set, instants));
  return run("promtool", ["test", "rules", "test.yaml"], { cwd: dir, timeoutMs: 180_000 });
}

const hasPromtool = await requireBinaries(["promtool"], "promtool test rules");

describe("calendar windows: the rules' factors are the evaluator's", () => {
  it("at 1970-05-10 12:00 (a 31-day month) a 14.6x burn does not page: the factor is 14.88, not 14.4", async () => {
    const set = await loadWindow("{ calendar: month, timezone: UTC }");
    const engine = await engineAt(set, { at: "1970-05-10T12:00:00Z", burn: 14.6 });
    expect(engine.pageFactor).toBeCloseTo(14.88, 10);
    const firing = engine.firing.map((a) => `${a.long}/${a.short}`);
    expect(firing).not.toContain("1h/5m");
    expect(firing).toContain("6h/30m");
  });

  const cases: [string, string, Instant[], string?][] = [
    [
      "a month in UTC: 31 days (May), 30 (June), 28 (February 1970), 29 (February 1972)",
      "{ calendar: month, timezone: UTC }",
      [
        { at: "1970-05-10T12:00:00Z", burn: 14.6 },
        { at: "1970-06-10T12:00:00Z", burn: 14.6 },
        { at: "1970-02-10T12:00:00Z", burn: 14 },
        { at: "1972-02-10T12:00:00Z", burn: 14.2 },
        // The instant that closes May belongs to May: 31 days.
        { at: "1970-06-01T00:00:00Z", burn: 14.6 },
      ],
    ],
    [
      "a week in UTC",
      "{ calendar: week, timezone: UTC }",
      [{ at: "1970-03-11T12:00:00Z", burn: 3.5 }],
    ],
    [
      "a quarter in UTC: 91 days (Q2), 90 (Q1 1970), 92 (Q4)",
      "{ calendar: quarter, timezone: UTC }",
      [
        { at: "1970-05-10T12:00:00Z", burn: 43.5 },
        { at: "1970-02-10T12:00:00Z", burn: 43.5 },
        { at: "1970-11-10T12:00:00Z", burn: 44 },
      ],
    ],
    [
      "a year in UTC: 365 days (1970), 366 (1972)",
      "{ calendar: year, timezone: UTC }",
      [
        { at: "1970-06-10T12:00:00Z", burn: 175.5, budget: 0.001 },
        { at: "1972-06-10T12:00:00Z", burn: 175.5, budget: 0.001 },
      ],
      "99.9%",
    ],
    [
      "a month in Asia/Kolkata (UTC+05:30): 1970-07-01 00:00 UTC closes June in UTC, but is July there, 31 days",
      "{ calendar: month, timezone: Asia/Kolkata }",
      [{ at: "1970-07-01T00:00:00Z", burn: 14.6 }],
    ],
  ];

  it.skipIf(!hasPromtool).each(cases)(
    "%s: promtool fires exactly the evaluator's alerts",
    { timeout: 240_000 },
    async (_, window, instants, objective) => {
      const set = await loadWindow(window, objective);
      const result = await promtool(set, instants);
      expect(result.output, result.output.slice(0, 4000)).toContain("SUCCESS");
      expect(result.code).toBe(0);
    },
  );

  it("rules on a calendar month in UTC are not marked approximate, but the period's rolling records are", async () => {
    const set = await loadWindow("{ calendar: month, timezone: UTC }");
    const rules = buildRules(set).services[0]!.groups[0]!.rules as RecordingRule[];
    const marked = (record: string) =>
      rules.find((r) => r.record === record)?.labels[WINDOW_APPROXIMATION_LABEL];
    expect(marked("slo:time_period:days")).toBeUndefined();
    expect(marked("slo:error_ratio:30d")).toBe("rolling-30d");
    expect(marked("slo:period_error_budget_remaining:ratio")).toBe("rolling-30d");
    expect(marked("slo:error_ratio:1h")).toBeUndefined();
  });

  it("in a zone with DST the calendar is read at its standard offset, and the period's length is marked so", async () => {
    for (const [zone, shift, mark] of [
      ["Europe/Berlin", "+ 3600", "standard-time+01:00"],
      ["Pacific/Auckland", "+ 43200", "standard-time+12:00"],
      ["America/New_York", "- 18000", "standard-time-05:00"],
    ] as const) {
      const set = await loadWindow(`{ calendar: month, timezone: ${zone} }`);
      const rules = buildRules(set).services[0]!.groups[0]!.rules as RecordingRule[];
      const days = rules.find((r) => r.record === "slo:time_period:days")!;
      expect(days.expr).toBe(`days_in_month(vector(time() ${shift} - 0.001))`);
      expect(days.labels[WINDOW_APPROXIMATION_LABEL]).toBe(mark);
    }
  });

  it("a month counted from the 15th keeps its nominal 30 days, marked; a week needs no mark", async () => {
    const counted = await loadWindow('{ calendar: 1M, start: "2024-01-15", timezone: UTC }');
    const rules = buildRules(counted).services[0]!.groups[0]!.rules;
    const days = rules.find((r) => "record" in r && r.record === "slo:time_period:days")!;
    expect(days.expr).toBe("vector(30)");
    expect(days.labels[WINDOW_APPROXIMATION_LABEL]).toBe("nominal-30d");
    const page = rules.find((r): r is AlertingRule => "alert" in r)!;
    expect(page.expr).toContain("> 14.4");
    const week = await loadWindow("{ calendar: week, timezone: UTC }");
    const weekRules = buildRules(week).services[0]!.groups[0]!.rules;
    const weekDays = weekRules.find((r) => "record" in r && r.record === "slo:time_period:days")!;
    expect(weekDays).toMatchObject({ expr: "vector(7)" });
    expect(weekDays.labels[WINDOW_APPROXIMATION_LABEL]).toBeUndefined();
  });

  it("Loki's rules keep a calendar month's nominal 30 days (LogQL has no date functions), marked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-calendar-loki-"));
    writeFileSync(
      join(dir, "api.yaml"),
      `service: api
sources:
  loki: { type: loki, url: "http://127.0.0.1:3100" }
slos:
  - name: availability
    objective: 99%
    window: { calendar: month, timezone: UTC }
    indicator:
      ratio:
        source: loki
        total: '{app="api"}'
        bad: '{app="api"} | json | status >= 500'
`,
    );
    const loaded = await loadSpec([join(dir, "api.yaml")], { env: {}, cwd: dir });
    expect(loaded.errors).toEqual([]);
    const result = buildLokiRules(loaded.set, lokiEventQueries);
    expect(result.errors).toEqual([]);
    const rules = result.services[0]!.groups[0]!.rules;
    const days = rules.find((r) => "record" in r && r.record === "slo:time_period:days")!;
    expect(days.expr).toBe("vector(30)");
    expect(days.labels[WINDOW_APPROXIMATION_LABEL]).toBe("nominal-30d");
    const page = rules.find((r): r is AlertingRule => "alert" in r)!;
    expect(page.expr).toContain("> 14.4)");
    expect(page.annotations.burn_rate_threshold).toBe("14.4");
  });

  it.skipIf(!hasPromtool)(
    "at 1970-05-10 12:00, 14.6x over the last hour: slo check on log files says ok and pages nothing, and promtool fires what slo check fires",
    { timeout: 240_000 },
    async () => {
      const at = Date.parse("1970-05-10T12:00:00Z");
      const day = 1440;
      // 100 requests a minute for a day; in the last hour, 73 of every 500 fail (14.6%).
      const failures = (m: number) => (m < day - 60 ? 0 : [15, 15, 15, 14, 14][m % 5]!);
      const dir = mkdtempSync(join(tmpdir(), "slo-calendar-logs-"));
      const lines: string[] = [];
      for (let m = 0; m < day; m++) {
        const t = new Date(at - (day - m) * MINUTE + 30_000).toISOString();
        for (let i = 0; i < 100; i++) {
          lines.push(`{"t":"${t}","status":${i < failures(m) ? 500 : 200}}`);
        }
      }
      writeFileSync(join(dir, "api.ndjson"), `${lines.join("\n")}\n`);
      writeFileSync(
        join(dir, "api.yaml"),
        `service: api
sources:
  logs: { type: logs, paths: [api.ndjson], timestamp: t, labels: { app: api } }
slos:
  - name: availability
    objective: 99%
    window: { calendar: month, timezone: UTC }
    indicator:
      ratio:
        source: logs
        total: '{app="api"}'
        bad: '{app="api"} | json | status >= 500'
`,
      );
      const check = await runCli(
        ["check", join(dir, "api.yaml"), "--at", "1970-05-10T12:00:00Z", "--format", "json"],
        { cwd: dir },
      );
      expect(check.code, check.stderr).toBe(0);
      const entry = JSON.parse(check.stdout).slos[0];
      expect(entry.status).toBe("ok");
      const page = entry.alerts.find((a: { long: string }) => a.long === "1h");
      expect(page).toMatchObject({ factor: 14.88, firing: false });
      expect(page.burnRateLong).toBeCloseTo(14.6, 10);
      expect(entry.alerts.filter((a: { firing: boolean }) => a.firing)).toEqual([]);

      // The same minutes as counters, for the rules of the same SLO on Prometheus.
      const set = await loadWindow("{ calendar: month, timezone: UTC }");
      const idle = at / MINUTE - day;
      const running = (perMinute: (m: number) => number) => {
        const values = [0];
        for (let m = 0; m < day; m++) values.push(values[m]! + perMinute(m));
        return `_x${idle} ${values.join(" ")}`;
      };
      const test = stringify(
        {
          rule_files: ["rules.yaml"],
          evaluation_interval: "12h",
          tests: [
            {
              interval: "1m",
              input_series: [
                {
                  series: 'http_requests_total{job="api",code="200"}',
                  values: running((m) => 100 - failures(m)),
                },
                { series: BAD, values: running(failures) },
              ],
              alert_rule_test: [
                { eval_time: `${at / MINUTE}m`, alertname: ALERT_NAME, exp_alerts: [] },
              ],
            },
          ],
        },
        { lineWidth: 0 },
      );
      const rulesDir = mkdtempSync(join(tmpdir(), "slo-promtool-calendar-"));
      writeFileSync(
        join(rulesDir, "rules.yaml"),
        renderRules(buildRules(set).services, "prometheus", []),
      );
      writeFileSync(join(rulesDir, "test.yaml"), test);
      const result = await run("promtool", ["test", "rules", "test.yaml"], {
        cwd: rulesDir,
        timeoutMs: 180_000,
      });
      expect(result.output, result.output.slice(0, 4000)).toContain("SUCCESS");
    },
  );
});
