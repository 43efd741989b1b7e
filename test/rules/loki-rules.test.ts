/**
 * `slo rules --format loki`: a rule file for Loki's ruler, built from the
 * queries the Loki source itself sends (so both count the same events),
 * records for every alert window but not the period, the same alerts as
 * `slo rules` for Prometheus, and every expression checked with the LogQL
 * grammar before anything is written: one bad file stops a tenant's rules.
 * That the ruler loads the file and fires with `slo check` is proven on a
 * real Loki in loki-ruler.test.ts.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ALERT_NAME } from "../../src/conventions.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet, SloSpec } from "../../src/definition/model.js";
import { alertFactor } from "../../src/engine/alert-policy.js";
import type { AlertingRule, RecordingRule, RuleGroup } from "../../src/rules/build.js";
import { logqlRuleError } from "../../src/rules/logql-check.js";
import { buildLokiRules } from "../../src/rules/loki.js";
import { countQuery, lokiEventQueries } from "../../src/sources/loki.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const FIXTURE = "test/fixtures/rules/loki.yaml";

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function sloNamed(set: SloSet, name: string): SloSpec {
  const slo = set.services.flatMap((s) => s.slos).find((s) => s.name === name);
  if (!slo) throw new Error(`no SLO ${name}`);
  return slo;
}

function groupsOf(set: SloSet): RuleGroup[] {
  const result = buildLokiRules(set, lokiEventQueries);
  expect(result.errors).toEqual([]);
  return result.services.flatMap((s) => s.groups);
}

function groupOf(set: SloSet, name: string) {
  const group = groupsOf(set).find((g) => g.name.endsWith(`-${name}`));
  if (!group) throw new Error(`no group for ${name}`);
  return {
    records: group.rules.filter((r): r is RecordingRule => "record" in r),
    alerts: group.rules.filter((r): r is AlertingRule => "alert" in r),
  };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe("Loki rules for one SLO", () => {
  it("records events and error ratio for every alert window, and nothing over the period", async () => {
    const set = await load([FIXTURE]);
    const { records } = groupOf(set, "checkout-errors");
    const names = records.map((r) => r.record);
    for (const w of ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]) {
      expect(names).toContain(`slo:events:${w}`);
      expect(names).toContain(`slo:error_ratio:${w}`);
    }
    // The 30-day period would be read whole at every evaluation: slo check computes it.
    expect(names.filter((n) => n.includes("30d"))).toEqual([]);
    expect(names).not.toContain("slo:period_error_budget_remaining:ratio");
    expect(names).toEqual(
      expect.arrayContaining(["slo:objective:ratio", "slo:error_budget:ratio", "slo:info"]),
    );
    expect(records[0]!.labels).toEqual({ team: "shop", service: "shop", slo: "checkout-errors" });
  });

  it("counts with the Loki source's own queries, bad events 0 when none matched", async () => {
    const set = await load([FIXTURE]);
    const slo = sloNamed(set, "checkout-errors");
    const ind = slo.indicator as { bad: string; total: string };
    const { records } = groupOf(set, "checkout-errors");
    const byName = Object.fromEntries(records.map((r) => [r.record, r.expr]));
    expect(byName["slo:events:1h"]).toBe(countQuery(ind.total, HOUR));
    expect(byName["slo:error_ratio:1h"]).toBe(
      `(${countQuery(ind.bad, HOUR)} or vector(0))\n/\n${countQuery(ind.total, HOUR)}`,
    );
  });

  it("good/total: bad = total - good; latency: total = good + bad, no series when both have none", async () => {
    const set = await load([FIXTURE]);
    const okQueries = lokiEventQueries(sloNamed(set, "search-ok"));
    const ok = Object.fromEntries(groupOf(set, "search-ok").records.map((r) => [r.record, r.expr]));
    expect(ok["slo:error_ratio:5m"]).toBe(
      `(${okQueries.total!(5 * MINUTE)} - (${okQueries.good!(5 * MINUTE)} or vector(0)))\n/\n${okQueries.total!(5 * MINUTE)}`,
    );
    const latency = lokiEventQueries(sloNamed(set, "search-latency"));
    const [good, bad] = [latency.good!(2 * HOUR), latency.bad!(2 * HOUR)];
    const lat = Object.fromEntries(
      groupOf(set, "search-latency").records.map((r) => [r.record, r.expr]),
    );
    expect(lat["slo:events:2h"]).toBe(`((${good} or vector(0)) + (${bad} or vector(0)) > 0)`);
    expect(lat["slo:error_ratio:2h"]).toBe(
      `(${bad} or vector(0))\n/\n((${good} or vector(0)) + (${bad} or vector(0)) > 0)`,
    );
  });

  it("alerts: long and short windows above the factor, with minEvents, as slo rules writes for Prometheus", async () => {
    const set = await load([FIXTURE]);
    const slo = sloNamed(set, "checkout-errors");
    const ind = slo.indicator as { bad: string; total: string };
    const { alerts } = groupOf(set, "checkout-errors");
    expect(
      alerts.map((a) => [a.labels.severity, a.labels.long_window, a.labels.short_window]),
    ).toEqual([
      ["page", "1h", "5m"],
      ["page", "6h", "30m"],
      ["ticket", "1d", "2h"],
      ["ticket", "3d", "6h"],
    ]);
    const page = alerts[0]!;
    expect(page.alert).toBe(ALERT_NAME);
    const ratio = (ms: number) =>
      `(${countQuery(ind.bad, ms)} or vector(0))\n/\n${countQuery(ind.total, ms)}`;
    const budget = 1 - 0.995;
    const factor = alertFactor(0.02, 30 * 24 * HOUR, HOUR);
    expect(page.expr).toBe(
      [
        `((${ratio(HOUR)}) / ${budget} > ${factor})`,
        `((${ratio(5 * MINUTE)}) / ${budget} > ${factor})`,
        `(${countQuery(ind.total, HOUR)} >= 10)`,
      ].join("\nand\n"),
    );
    expect(page.labels).toMatchObject({
      team: "shop",
      route: "oncall",
      service: "shop",
      slo: "checkout-errors",
      severity: "page",
    });
    expect(page.annotations.description).toBe(
      'Checkout answers without a server error ({{ "{{" }} not a template }})',
    );
    expect(page.annotations.runbook_url).toBe("https://runbooks.example/checkout");
    expect(page.annotations.burn_rate_threshold).toBe("14.4");
  });

  it("a disabled severity has no alert; minEvents 0 adds no events test", async () => {
    const set = await load([FIXTURE]);
    expect(groupOf(set, "search-ok").alerts.map((a) => a.labels.severity)).toEqual([
      "page",
      "page",
    ]);
    const [latency] = groupOf(set, "search-latency").alerts;
    expect(latency!.expr.split("\nand\n")).toHaveLength(2);
  });

  it("every expression written parses as a LogQL metric query", async () => {
    const sets = await Promise.all(
      [FIXTURE, "test/fixtures/openslo/roundtrip/native-rich.yaml"].map((f) => load([f])),
    );
    const exprs = sets.flatMap(groupsOf).flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.length).toBeGreaterThan(40);
    for (const expr of exprs) expect(logqlRuleError(expr), expr).toBeNull();
  });
});

describe("the LogQL check before writing", () => {
  it("takes label filters side by side, as Loki's ruler does, and still refuses what Loki refuses", () => {
    expect(
      logqlRuleError('sum(count_over_time({app="x"} | logfmt | a="1" b="2" | __error__="" [5m]))'),
    ).toBeNull();
    expect(logqlRuleError('sum(count_over_time({app="x"} | logfmt | a="1" b [5m]))')).toMatchObject(
      { message: expect.stringMatching(/syntax error/) },
    );
  });

  it("refuses a log query, PromQL and broken LogQL, with the offset", () => {
    expect(logqlRuleError('sum(count_over_time({app="x"} [5m]))')).toBeNull();
    expect(logqlRuleError('{app="x"} | json')).toMatchObject({
      message: expect.stringMatching(/not a metric query/),
      offset: 0,
    });
    expect(logqlRuleError("up == 0")).toMatchObject({ offset: 0 });
    expect(logqlRuleError('sum(count_over_time({app="x"} [5m])) > > 1')).toMatchObject({
      offset: 39,
    });
  });

  it("an SLO whose rule would not parse gets an error naming it and the rule, and no group", async () => {
    const set = await load([FIXTURE]);
    const broken = buildLokiRules(set, (slo) => ({
      ...lokiEventQueries(slo),
      ...(slo.name === "checkout-errors" ? { bad: () => "sum(count_over_time({app=})" } : {}),
    }));
    expect(broken.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^SLO 'checkout-errors': its Loki rule slo:error_ratio:5m is not valid LogQL: .* at offset \d+/,
      ),
    ]);
    expect(broken.errors[0]!.line).toBe(10);
    expect(broken.services.flatMap((s) => s.groups.map((g) => g.name))).not.toContain(
      "slo-shop-checkout-errors",
    );
  });
});

describe("slo rules --format loki", () => {
  it("writes a Loki rule file for the Loki SLOs and names the others on stderr", async () => {
    const result = await runCli(["rules", FIXTURE, "--format", "loki"]);
    expect(result.code, result.stderr).toBe(0);
    const file = parse(result.stdout) as { groups: { name: string; rules: unknown[] }[] };
    expect(file.groups.map((g) => g.name)).toEqual([
      "slo-shop-checkout-errors",
      "slo-shop-search-ok",
      "slo-shop-search-latency",
    ]);
    expect(result.stderr).toMatch(
      /note: no rules for shop\/from-prometheus: it reads a prometheus source; Loki rules need a loki source/,
    );
  });

  it("a file with no Loki SLO writes nothing and exits 2; Prometheus formats point Loki SLOs to --format loki", async () => {
    const [none, prom] = await Promise.all([
      runCli(["rules", "test/fixtures/rules/api.yaml", "--format", "loki"]),
      runCli(["rules", FIXTURE]),
    ]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(
      /no rules to write: none of the SLOs in .*api\.yaml reads a loki source/,
    );
    expect(prom.code, prom.stderr).toBe(0);
    expect(prom.stderr).toMatch(
      /note: no rules for shop\/checkout-errors: it reads a loki source; .*\(slo rules --format loki writes Loki.s\)/,
    );
    for (const r of [none, prom]) expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("SLOs on two different Lokis are refused: one rule file belongs to one ruler", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-loki-rules-"));
    const file = join(dir, "two.yaml");
    writeFileSync(
      file,
      `service: two
sources:
  east: { type: loki, url: "http://127.0.0.1:3100" }
  west: { type: loki, url: "http://127.0.0.1:3100", tenant: west }
slos:
  - { name: a, objective: 99%, window: 30d, indicator: { ratio: { source: east, bad: '{app="a"} |= "ERROR"', total: '{app="a"}' } } }
  - { name: b, objective: 99%, window: 30d, indicator: { ratio: { source: west, bad: '{app="b"} |= "ERROR"', total: '{app="b"}' } } }
`,
    );
    const result = await runCli(["rules", file, "--format", "loki"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/more than one Loki \(two\/east, two\/west\)/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe("Loki rules for a grouped SLO (groupBy)", () => {
  function grouped(set: SloSet, by: string[]): SloSet {
    return {
      ...set,
      services: set.services.map((s) => ({
        ...s,
        slos: s.slos.map((slo) => ({ ...slo, grouping: { by, limit: 100 } })),
      })),
    };
  }

  it("counts by the group labels, takes 0 per group from the other count, and joins the windows on them", async () => {
    const set = grouped(await load([FIXTURE]), ["action"]);
    const slo = sloNamed(set, "checkout-errors");
    const ind = slo.indicator as { bad: string; total: string };
    const byAction = (query: string, ms: number) =>
      `sum by (action) ${countQuery(query, ms).slice("sum".length)}`;
    const { records, alerts } = groupOf(set, "checkout-errors");
    const byName = Object.fromEntries(records.map((r) => [r.record, r.expr]));
    expect(byName["slo:events:1h"]).toBe(byAction(ind.total, HOUR));
    expect(byName["slo:error_ratio:1h"]).toBe(
      `(${byAction(ind.bad, HOUR)} or 0 * ${byAction(ind.total, HOUR)})\n/\n${byAction(ind.total, HOUR)}`,
    );
    expect(alerts[0]!.expr.split("\n").filter((l) => l.startsWith("and"))).toEqual([
      "and on (action)",
      "and on (action)",
    ]);
    const latency = Object.fromEntries(
      groupOf(set, "search-latency").records.map((r) => [r.record, r.expr]),
    );
    expect(latency["slo:events:2h"]).toMatch(
      /^\(\(sum by \(action\) \(.* or 0 \* sum by \(action\) /s,
    );
    expect(latency["slo:events:2h"]).not.toContain("vector(0)");
  });

  it("every grouped expression parses as LogQL, and a label the rules set is refused as a group", async () => {
    const set = grouped(await load([FIXTURE]), ["action", "region"]);
    const exprs = groupsOf(set).flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.length).toBeGreaterThan(20);
    for (const expr of exprs) expect(logqlRuleError(expr), expr).toBeNull();
    const clash = buildLokiRules(grouped(await load([FIXTURE]), ["slo"]), lokiEventQueries);
    expect(clash.errors.map((e) => e.message).join("\n")).toContain(
      "groupBy label 'slo' is also a label slo rules sets",
    );
  });
});
