/**
 * `slo rules` for a grouped SLO (`groupBy`): every count is a `sum by` the
 * group labels, the alert's windows hold together per group, and the
 * alert carries the group's labels. Proven with `promtool test rules` on
 * two groups of synthetic counters: the group that burns pages at the
 * minutes the evaluator pages an SLO of its counters alone, the healthy
 * group never does.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ALERT_NAME } from "../../src/conventions.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet, SloSpec } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { type AlertingRule, buildRules, type RecordingRule } from "../../src/rules/build.js";
import { renderRules } from "../../src/rules/render.js";
import { ROOT } from "../support/cli.js";
import { requireBinaries, run } from "../support/servers.js";
import { counterSource } from "./synthetic-source.js";

const MINUTE = 60_000;
const MINUTES = 420;
const BURN_START = 240;
const TOTAL = 'http_requests_total{job="api"}';
const BAD = 'http_requests_total{job="api",code="500"}';

/** Per group: requests and failures per minute. CheckBalance burns (a fifth fails), Transfer is healthy. */
const GROUPS = {
  CheckBalance: { requests: () => 60, failures: (m: number) => (m > BURN_START ? 12 : 0) },
  Transfer: { requests: () => 60, failures: (m: number) => (m % 5 === 0 ? 1 : 0) },
} as const;
type GroupName = keyof typeof GROUPS;

function counters(group: GroupName): { ok: number[]; failed: number[] } {
  const g = GROUPS[group];
  const ok = [0];
  const failed = [0];
  for (let m = 1; m <= MINUTES; m++) {
    ok.push(ok[m - 1]! + g.requests() - g.failures(m));
    failed.push(failed[m - 1]! + g.failures(m));
  }
  return { ok, failed };
}

function grouped(set: SloSet, by: string[]): SloSet {
  const slo = set.services[0]!.slos[0]!;
  const spec: SloSpec = { ...slo, grouping: { by, limit: 100 } };
  return { ...set, services: [{ ...set.services[0]!, slos: [spec] }] };
}

interface Firing {
  minute: number;
  group: GroupName;
  alerts: { severity: string; long: string; short: string }[];
}

/** What the evaluator fires on one group's counters alone, at each checked minute. */
async function engineFiring(set: SloSet, group: GroupName, minutes: number[]): Promise<Firing[]> {
  const { ok, failed } = counters(group);
  const at = (series: number[]) => (m: number) => series[Math.min(m, MINUTES)]!;
  const source = counterSource(Object.values(set.services[0]!.sources)[0]!, {
    [TOTAL]: (m) => at(ok)(m) + at(failed)(m),
    [BAD]: at(failed),
  });
  const out: Firing[] = [];
  for (const minute of minutes) {
    const report = await evaluateSet(set, { atMs: minute * MINUTE, sourceFactory: () => source });
    const alerts = report.slos[0]!.alerts.filter((a) => a.firing);
    out.push({
      minute,
      group,
      alerts: alerts.map((a) => ({ severity: a.severity, long: a.long, short: a.short })),
    });
  }
  return out;
}

/** What Prometheus renders from our escaped text: `{{ "{{" }}` is a literal `{{`. */
function rendered(text: string): string {
  return text.replaceAll('{{ "{{" }}', "{{");
}

function summaryOf(rule: AlertingRule, action: string): string {
  return rule.annotations.summary!.replace(
    '{action={{ printf "%q" $labels.action }}}',
    `{action="${action}"}`,
  );
}

function promtoolTest(set: SloSet, firing: Firing[]): string {
  const rules = buildRules(set).services[0]!.groups[0]!.rules;
  const seriesLabels = (rules.find((r) => "record" in r) as RecordingRule).labels;
  const alertRules = rules.filter((r): r is AlertingRule => "alert" in r);
  const input = (Object.keys(GROUPS) as GroupName[]).flatMap((group) => {
    const { ok, failed } = counters(group);
    return [
      {
        series: `http_requests_total{job="api",code="200",action="${group}"}`,
        values: ok.join(" "),
      },
      {
        series: `http_requests_total{job="api",code="500",action="${group}"}`,
        values: failed.join(" "),
      },
    ];
  });
  const minutes = [...new Set(firing.map((f) => f.minute))];
  return stringify(
    {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: input,
          alert_rule_test: minutes.map((minute) => ({
            eval_time: `${minute}m`,
            alertname: ALERT_NAME,
            exp_alerts: firing
              .filter((f) => f.minute === minute)
              .flatMap((f) =>
                f.alerts.map((a) => {
                  const rule = alertRules.find(
                    (r) =>
                      r.labels.slo_severity === a.severity &&
                      r.labels.long_window === a.long &&
                      r.labels.short_window === a.short,
                  )!;
                  return {
                    exp_labels: { ...seriesLabels, ...rule.labels, action: f.group },
                    exp_annotations: Object.fromEntries(
                      Object.entries({
                        ...rule.annotations,
                        summary: summaryOf(rule, f.group),
                      }).map(([k, v]) => [k, rendered(v)]),
                    ),
                  };
                }),
              ),
          })),
        },
      ],
    },
    { lineWidth: 0 },
  );
}

const promtool = await requireBinaries(["promtool"], "promtool test rules (groupBy)");

describe("slo rules for a grouped SLO", () => {
  let plain: SloSet;
  let set: SloSet;
  beforeAll(async () => {
    const loaded = await loadSpec(["test/fixtures/rules/api.yaml"], { env: {}, cwd: ROOT });
    expect(loaded.errors).toEqual([]);
    plain = loaded.set;
    set = grouped(plain, ["action"]);
  });

  it("sums by the group labels, takes 0 bad events per group from the total, and joins the windows on them", () => {
    const result = buildRules(set);
    expect(result.errors).toEqual([]);
    const rules = result.services[0]!.groups[0]!.rules;
    const records = rules.filter((r): r is RecordingRule => "record" in r);
    const ratio = records.find((r) => r.record === "slo:error_ratio:1h")!;
    const total = 'sum by (action) (increase(http_requests_total{job="api"}[1h]))';
    expect(ratio.expr).toBe(
      `(sum by (action) (increase(http_requests_total{job="api", code="500"}[1h])) or 0 * ${total})\n/\n${total}`,
    );
    expect(records.find((r) => r.record === "slo:events:1h")!.expr).toBe(total);
    const alert = rules.find((r): r is AlertingRule => "alert" in r)!;
    expect(alert.expr.split("\n").filter((l) => l.startsWith("and"))).toEqual([
      "and on (action)",
      "and on (action)",
    ]);
    expect(alert.annotations.summary).toMatch(
      /^api\/availability\{action=\{\{ printf "%q" \$labels.action \}\}\} is burning/,
    );
    // A native histogram sums per group too.
    const native = structuredClone(set);
    native.services[0]!.slos[0]!.indicator = {
      kind: "latency",
      source: native.services[0]!.slos[0]!.indicator.source,
      histogram: 'rpc_duration_seconds{job="api"}',
      histogramType: "native",
      unit: "s",
      threshold: 0.3,
      thresholdText: "300ms",
    };
    const nativeRules = buildRules(native).services[0]!.groups[0]!.rules;
    expect(nativeRules.find((r) => "record" in r && r.record === "slo:events:5m")!.expr).toBe(
      'sum by (action) (histogram_count(increase(rpc_duration_seconds{job="api"}[5m])))',
    );
    // Several labels: in groupBy's order.
    const two = buildRules(grouped(plain, ["action", "region"])).services[0]!.groups[0]!.rules;
    expect(two.find((r) => "record" in r && r.record === "slo:events:5m")!.expr).toBe(
      'sum by (action, region) (increase(http_requests_total{job="api"}[5m]))',
    );
  });

  it("refuses a group label that the rules' own labels would overwrite, or that is no label name", () => {
    for (const [by, words] of [
      [["service"], "groupBy label 'service' is also a label slo rules sets"],
      [["team"], "groupBy label 'team' is also a label slo rules sets"],
      // Labels only the alerts set: two groups' alerts would be one labelset.
      [["action", "severity"], "groupBy label 'severity' is also a label slo rules sets"],
      [["long_window"], "groupBy label 'long_window' is also a label slo rules sets"],
      [["user.id"], "groupBy 'user.id' is not a label name"],
    ] as const) {
      const result = buildRules(grouped(plain, [...by]));
      expect(result.services).toEqual([]);
      expect(result.errors.map((e) => e.message).join("\n")).toContain(words);
    }
  });

  it.skipIf(!promtool)(
    "promtool: the burning group pages when the evaluator pages its counters alone; the healthy group never alerts",
    { timeout: 240_000 },
    async () => {
      const minutes = [];
      for (let m = 5; m <= MINUTES; m += 5) minutes.push(m);
      minutes.push(BURN_START + 43, BURN_START + 44);
      const firing = [
        ...(await engineFiring(plain, "CheckBalance", minutes)),
        ...(await engineFiring(plain, "Transfer", minutes)),
      ];
      // The hand-worked minute of the ungrouped test: a 1h page 44 minutes into the burn.
      const page = firing.filter((f) => f.alerts.some((a) => a.long === "1h"));
      expect(Math.min(...page.map((f) => f.minute))).toBe(BURN_START + 44);
      expect(firing.filter((f) => f.group === "Transfer").every((f) => f.alerts.length === 0)).toBe(
        true,
      );
      const dir = mkdtempSync(join(tmpdir(), "slo-promtool-grouped-"));
      writeFileSync(
        join(dir, "rules.yaml"),
        renderRules(buildRules(set).services, "prometheus", []),
      );
      writeFileSync(join(dir, "test.yaml"), promtoolTest(set, firing));
      const result = await run("promtool", ["test", "rules", "test.yaml"], {
        cwd: dir,
        timeoutMs: 180_000,
      });
      expect(result.output, result.output.slice(0, 4000)).toContain("SUCCESS");
      expect(result.code).toBe(0);
    },
  );
});
