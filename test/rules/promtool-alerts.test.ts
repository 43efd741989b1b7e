/**
 * The generated rules alert when the evaluator does, proven with
 * `promtool test rules` on synthetic counters: the page alert fires during a
 * fast burn at the minute worked out by hand and stays silent on a healthy
 * service; and at every minute of every scenario the alerts promtool
 * expects are exactly those the engine (what `slo alerts` sends) finds
 * firing on the same counters. The same holds for OpenSLO conditions with
 * every op and an alertAfter (the rules' `for:`): the engine judges whether
 * a condition held at one-minute steps, as Prometheus evaluates it.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ALERT_NAME } from "../../src/conventions.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { type AlertingRule, buildRules, type RecordingRule } from "../../src/rules/build.js";
import { renderRules } from "../../src/rules/render.js";
import { ROOT } from "../support/cli.js";
import { requireBinaries, run } from "../support/servers.js";
import { counterSource } from "./synthetic-source.js";

const MINUTE = 60_000;
const TOTAL = 'http_requests_total{job="api"}';
const BAD = 'http_requests_total{job="api",code="500"}';

/** Requests and failures per minute; the counters are their running sums, sampled each minute. */
interface Scenario {
  name: string;
  minutes: number;
  requests: (minute: number) => number;
  failures: (minute: number) => number;
}

function counters(s: Scenario): { ok: number[]; failed: number[] } {
  const ok = [0];
  const failed = [0];
  for (let m = 1; m <= s.minutes; m++) {
    ok.push(ok[m - 1]! + s.requests(m) - s.failures(m));
    failed.push(failed[m - 1]! + s.failures(m));
  }
  return { ok, failed };
}

const BURN_START = 240;
const scenarios: Scenario[] = [
  {
    // 60 requests a minute; from minute 240 one in five fails: a burn rate of 20 at a 99% objective.
    name: "fast burn",
    minutes: 600,
    requests: () => 60,
    failures: (m) => (m > BURN_START ? 12 : 0),
  },
  {
    // One failure every five minutes: 0.33% of requests, a third of the budget's pace.
    name: "healthy",
    minutes: 900,
    requests: () => 60,
    failures: (m) => (m % 5 === 0 ? 1 : 0),
  },
  {
    // A quiet service where every request fails: the long window needs minEvents (10) events.
    name: "quiet",
    minutes: 480,
    requests: (m) => (m % 10 === 0 ? 1 : 0),
    failures: (m) => (m % 10 === 0 ? 1 : 0),
  },
];

interface Firing {
  minute: number;
  alerts: { severity: string; long: string; short: string }[];
}

/** The engine at each minute, on the same counters promtool gets. */
async function engineFiring(set: SloSet, s: Scenario): Promise<Firing[]> {
  const { ok, failed } = counters(s);
  const at = (series: number[]) => (m: number) => series[Math.min(m, s.minutes)]!;
  const source = counterSource(Object.values(set.services[0]!.sources)[0]!, {
    [TOTAL]: (m) => at(ok)(m) + at(failed)(m),
    [BAD]: at(failed),
  });
  const out: Firing[] = [];
  for (let minute = 1; minute <= s.minutes; minute++) {
    const report = await evaluateSet(set, { atMs: minute * MINUTE, sourceFactory: () => source });
    const alerts = report.slos[0]!.alerts.filter((a) => a.firing);
    out.push({
      minute,
      alerts: alerts.map((a) => ({ severity: a.severity, long: a.long, short: a.short })),
    });
  }
  return out;
}

/** What Prometheus renders from our escaped text: `{{ "{{" }}` is a literal `{{`. */
function rendered(text: string): string {
  return text.replaceAll('{{ "{{" }}', "{{");
}

function promtoolTest(set: SloSet, s: Scenario, firing: Firing[]): string {
  const { services } = buildRules(set);
  const rules = services[0]!.groups[0]!.rules;
  const seriesLabels = (rules.find((r) => "record" in r) as RecordingRule).labels;
  const alertRules = rules.filter((r): r is AlertingRule => "alert" in r);
  const { ok, failed } = counters(s);
  return stringify(
    {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: 'http_requests_total{job="api",code="200"}', values: ok.join(" ") },
            { series: BAD, values: failed.join(" ") },
          ],
          alert_rule_test: firing.map((f) => ({
            eval_time: `${f.minute}m`,
            alertname: ALERT_NAME,
            exp_alerts: f.alerts.map((a) => {
              const rule = alertRules.find(
                (r) =>
                  r.labels.slo_severity === a.severity &&
                  r.labels.long_window === a.long &&
                  r.labels.short_window === a.short,
              )!;
              return {
                exp_labels: { ...seriesLabels, ...rule.labels },
                exp_annotations: Object.fromEntries(
                  Object.entries(rule.annotations).map(([k, v]) => [k, rendered(v)]),
                ),
              };
            }),
          })),
        },
      ],
    },
    { lineWidth: 0 },
  );
}

// Missing promtool: its tests are skipped with a loud message here, a failure under CI=true.
const promtool = await requireBinaries(["promtool"], "promtool test rules");

describe("promtool test rules: the rules fire when the evaluator does", () => {
  let set: SloSet;
  beforeAll(async () => {
    const loaded = await loadSpec(["test/fixtures/rules/api.yaml"], { env: {}, cwd: ROOT });
    expect(loaded.errors).toEqual([]);
    set = loaded.set;
  });

  it("the engine pages at the minute worked out by hand, and never on a healthy or quiet service", async () => {
    const [fast, healthy, quiet] = await Promise.all(scenarios.map((s) => engineFiring(set, s)));
    // 1h window: 3600 requests, 12 failures a minute: above 14.4% after 44 minutes (43.2).
    const firstPage = fast!.find((f) => f.alerts.some((a) => a.long === "1h"))!;
    expect(firstPage.minute).toBe(BURN_START + 44);
    expect(firstPage.alerts).toContainEqual({ severity: "page", long: "1h", short: "5m" });
    // 6h window: the service is younger than 6h, so it holds 60 × (240 + m) requests and 12m
    // failures: above 6% when 12m > 3.6 × (240 + m), after 103 minutes (102.9).
    expect(fast!.find((f) => f.alerts.some((a) => a.long === "6h"))!.minute).toBe(BURN_START + 103);
    expect(fast!.filter((f) => f.minute < BURN_START).every((f) => f.alerts.length === 0)).toBe(
      true,
    );
    expect(healthy!.every((f) => f.alerts.length === 0)).toBe(true);
    // Every request fails, but an hour holds 6 of them: below minEvents, the 1h page stays silent.
    expect(quiet!.some((f) => f.alerts.some((a) => a.long === "1h"))).toBe(false);
    expect(quiet!.some((f) => f.alerts.some((a) => a.long === "6h"))).toBe(true);
  });

  it.skipIf(!promtool).each(scenarios.map((s) => [s.name, s] as const))(
    "%s: at every minute promtool fires exactly the engine's alerts",
    { timeout: 240_000 },
    async (_, scenario) => {
      const firing = await engineFiring(set, scenario);
      const dir = mkdtempSync(join(tmpdir(), "slo-promtool-"));
      writeFileSync(
        join(dir, "rules.yaml"),
        renderRules(buildRules(set).services, "prometheus", []),
      );
      writeFileSync(join(dir, "test.yaml"), promtoolTest(set, scenario, firing));
      const result = await run("promtool", ["test", "rules", "test.yaml"], {
        cwd: dir,
        timeoutMs: 180_000,
      });
      expect(result.output, result.output.slice(0, 4000)).toContain("SUCCESS");
      expect(result.code).toBe(0);
    },
  );

  it.skipIf(!promtool)(
    "promtool notices when the expectation is wrong (a control for the test above)",
    {
      timeout: 240_000,
    },
    async () => {
      const scenario = scenarios[0]!;
      const firing = await engineFiring(set, scenario);
      // Claim the page fires one minute before it does.
      const early = firing.map((f) =>
        f.minute === BURN_START + 43
          ? { ...f, alerts: [{ severity: "page", long: "1h", short: "5m" }] }
          : f,
      );
      const dir = mkdtempSync(join(tmpdir(), "slo-promtool-"));
      writeFileSync(
        join(dir, "rules.yaml"),
        renderRules(buildRules(set).services, "prometheus", []),
      );
      writeFileSync(
        join(dir, "test.yaml"),
        promtoolTest(
          set,
          scenario,
          early.filter((f) => f.minute <= BURN_START + 45),
        ),
      );
      const result = await run("promtool", ["test", "rules", "test.yaml"], {
        cwd: dir,
        timeoutMs: 180_000,
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain("FAILED");
      expect(result.output).toContain("time: 4h43m"); // minute 283
      expect(result.output).toContain('long_window="1h"');
    },
  );
});

describe("promtool test rules: OpenSLO conditions with each op and alertAfter fire when the evaluator does", () => {
  let set: SloSet;
  beforeAll(async () => {
    const loaded = await loadSpec(["test/fixtures/openslo/alerting/conditions.yaml"], {
      env: {},
      cwd: ROOT,
    });
    expect(loaded.errors).toEqual([]);
    set = loaded.set;
  });

  it("the engine pages alertAfter after the condition first holds, and the too-quiet alerts (lt, lte) fire on a healthy service", async () => {
    const [fast, healthy] = await Promise.all(
      scenarios.slice(0, 2).map((s) => engineFiring(set, s)),
    );
    // The 1h condition holds from minute 284 (as above); alertAfter 5m: the page fires at 289.
    const firstPage = fast!.find((f) => f.alerts.some((a) => a.long === "1h"))!;
    expect(firstPage.minute).toBe(BURN_START + 44 + 5);
    // op lt 0.5 over 3d/6h, alertAfter 5m: a third of the budget's pace is below half of it.
    expect(healthy!.some((f) => f.alerts.some((a) => a.long === "3d"))).toBe(true);
    expect(healthy!.some((f) => f.alerts.some((a) => a.long === "1h"))).toBe(false);
  });

  it.skipIf(!promtool).each(scenarios.map((s) => [s.name, s] as const))(
    "%s: at every minute promtool fires exactly the engine's alerts",
    { timeout: 240_000 },
    async (_, scenario) => {
      const firing = await engineFiring(set, scenario);
      expect(firing.some((f) => f.alerts.length > 0)).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), "slo-promtool-"));
      const rules = renderRules(buildRules(set).services, "prometheus", []);
      expect(rules).toContain("for: 5m");
      writeFileSync(join(dir, "rules.yaml"), rules);
      writeFileSync(join(dir, "test.yaml"), promtoolTest(set, scenario, firing));
      const result = await run("promtool", ["test", "rules", "test.yaml"], {
        cwd: dir,
        timeoutMs: 180_000,
      });
      expect(result.output, result.output.slice(0, 4000)).toContain("SUCCESS");
      expect(result.code).toBe(0);
    },
  );
});
