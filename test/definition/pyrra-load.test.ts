/**
 * Pyrra's ServiceLevelObjective resources load as they are: as applied with
 * kubectl (several `---` documents), as exported (`kind: List`) and as
 * Pyrra's filesystem mode reads them, written from Pyrra's Go types in
 * test/fixtures/pyrra/valid; each file in test/fixtures/pyrra/broken names
 * its problem at file:line:col (`# expect: LINE:COL text` on its first line).
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet, SloSpec } from "../../src/definition/model.js";
import { pyrraBurnRateWindows } from "../../src/definition/pyrra/index.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const DIR = join(ROOT, "test", "fixtures", "pyrra");
const VALID = join(DIR, "valid");
const BROKEN = join(DIR, "broken");
const LENIENT = join(DIR, "lenient");
const DAY = 86_400_000;

async function load(paths: string[], env: Record<string, string> = {}): Promise<SloSet> {
  const result = await loadSpec(paths, { env, cwd: ROOT });
  expect(result.errors.map((e) => e.format())).toEqual([]);
  expect(result.warnings.map((e) => e.format())).toEqual([]);
  return result.set;
}

function windowMs(s: SloSpec): number {
  return s.window.kind === "rolling" ? s.window.durationMs : Number.NaN;
}

function slo(set: SloSet, name: string): SloSpec {
  const found = set.services.flatMap((s) => s.slos).find((s) => s.name === name);
  if (!found) throw new Error(`no SLO ${name}`);
  return found;
}

describe("Pyrra ServiceLevelObjective resources", () => {
  it("a ratio maps to an SLO on Prometheus whose counts are Pyrra's sum(rate(...)) ratio", async () => {
    const set = await load([join(VALID, "shop.yaml")]);
    expect(set.services.map((s) => s.service)).toEqual(["shop"]);
    expect(set.services[0]!.sources).toEqual({
      prometheus: expect.objectContaining({ type: "prometheus", url: "http://localhost:9090" }),
    });
    const s = slo(set, "checkout-errors");
    expect(s.service).toBe("shop");
    expect(s.objective).toBe(0.995);
    expect(s.description).toBe("Checkout answers without a server error.");
    expect(s.window).toEqual({ kind: "rolling", durationMs: 28 * DAY, label: "4w" });
    // Pyrra's propagated labels lose their prefix, as on Pyrra's rules; the others are kept.
    expect(s.labels).toEqual({
      prometheus: "k8s",
      role: "alert-rules",
      team: "payments",
      namespace: "shop",
    });
    // A plain selector is counted as sum(increase(sel[window])): the same ratio as Pyrra's rates.
    expect(s.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      bad: 'shop_http_requests_total{handler="checkout",code=~"5.."}',
      total: 'shop_http_requests_total{handler="checkout"}',
    });
    expect(s.alerting.page).toEqual({
      disable: false,
      labels: { alertname: "CheckoutErrorBudgetBurn", severity: "critical" },
      annotations: { runbook: "https://runbooks.example/checkout" },
    });
    expect(s.alerting.ticket.labels).toEqual({
      alertname: "CheckoutErrorBudgetBurn",
      severity: "warning",
    });
    expect(s.at).toMatchObject({ file: "test/fixtures/pyrra/valid/shop.yaml", line: 5 });
  });

  it("a latency on one histogram's bucket and count maps to slo's latency indicator at le", async () => {
    const set = await load([join(VALID, "shop.yaml")]);
    const s = slo(set, "checkout-latency");
    expect(s.objective).toBe(0.99);
    expect(s.indicator).toEqual({
      kind: "latency",
      source: "prometheus",
      histogram: 'shop_request_duration_seconds{handler="checkout"}',
      unit: "s",
      threshold: 0.5,
      thresholdText: "0.5",
    });
    // No alerting.name: slo's alert name is Pyrra's, ErrorBudgetBurn.
    expect(s.alerting.page.labels).toEqual({ severity: "critical" });
  });

  it("burn-rate windows are Pyrra's, scaled to the SLO window, with Pyrra's factors", async () => {
    const s = slo(await load([join(VALID, "shop.yaml")]), "checkout-errors");
    // The factors are kept exactly, not recomputed from a share: a rule says > 14, not > 13.9999999999776.
    const asFactors = s.alerting.windows.map((w) => ({
      severity: w.severity,
      long: w.long,
      short: w.short,
      factor: w.factor,
    }));
    expect(asFactors).toEqual([
      { severity: "page", long: "1h", short: "5m", factor: 14 },
      { severity: "page", long: "6h", short: "30m", factor: 7 },
      { severity: "ticket", long: "1d", short: "2h", factor: 2 },
      { severity: "ticket", long: "4d", short: "6h", factor: 1 },
    ]);
    // Two weeks: Pyrra halves every window, rounded to the minute (2m30s -> 3m, as Go rounds).
    expect(pyrraBurnRateWindows(14 * DAY).map((w) => [w.long, w.short])).toEqual([
      ["30m", "3m"],
      ["3h", "15m"],
      ["12h", "1h"],
      ["2d", "3h"],
    ]);
    // A window so short Pyrra would round a window to 0s: one minute at least.
    expect(pyrraBurnRateWindows(DAY)[0]!.short).toBe("1m");
  });

  it("slo rules alerts at Pyrra's factors exactly on a 4w window", async () => {
    const r = await runCli(["rules", join(VALID, "shop.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    const factors = [...r.stdout.matchAll(/ > (\S+)$/gm)].map((m) => m[1]);
    expect(new Set(factors)).toEqual(new Set(["14", "7", "2", "1"]));
  });

  it("burnRateType: static is Pyrra's default, the static burn rates slo alerts on", async () => {
    const s = slo(await load([join(VALID, "shop.yaml")]), "checkout-errors");
    expect(s.alerting.windows.map((w) => w.factor)).toEqual([14, 7, 2, 1]);
    expect(s.alerting.page.disable).toBe(false);
  });

  it("burnRateType: dynamic with the alerts off changes nothing: a warning, not an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-pyrra-"));
    const file = join(dir, "dynamic-off.yaml");
    const broken = readFileSync(join(BROKEN, "19-burn-rate-dynamic.yaml"), "utf8");
    writeFileSync(
      file,
      broken.replace(
        "    burnRateType: dynamic",
        "    burnrates: false\n    burnRateType: dynamic",
      ),
    );
    const { set, errors, warnings } = await loadSpec([file], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(set.services[0]!.slos[0]!.alerting.page.disable).toBe(true);
    expect(warnings.map((w) => `${w.line}:${w.col} ${w.message}`)).toEqual([
      expect.stringMatching(/^19:19 .*dynamic burn rates .*the alerts are off/),
    ]);
  });

  it("spec.rulenamespace (where Pyrra's operator writes its PrometheusRule) is a warning", async () => {
    const { set, errors, warnings } = await loadSpec([join(LENIENT, "rule-namespace.yaml")], {
      env: {},
      cwd: ROOT,
    });
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(set.services.flatMap((s) => s.slos.map((x) => x.name))).toEqual(["api-errors"]);
    expect(warnings.map((w) => `${w.line}:${w.col} ${w.message}`)).toEqual([
      expect.stringMatching(/^11:3 .*rulenamespace.*PrometheusRule.*ignores it/),
    ]);
  });

  it("the service is the pyrra.dev/service label, else the namespace, else the SLO's name", async () => {
    const set = await load([join(VALID, "search.yaml"), join(VALID, "exported-list.yaml")]);
    expect(set.services.map((s) => [s.service, s.slos.map((x) => x.name)])).toEqual([
      ["search", ["search-availability"]],
      ["cart", ["cart-errors", "cart-latency"]],
    ]);
    const search = slo(set, "search-availability");
    expect(search.labels).toEqual({ service: "search" });
    expect(windowMs(search)).toBe(14 * DAY);
    // alerting.disabled: recording only, as in Pyrra.
    expect(search.alerting.page.disable).toBe(true);
    expect(search.alerting.ticket.disable).toBe(true);
  });

  it("a kubectl List export loads, the server's fields and status ignored", async () => {
    const set = await load([join(VALID, "exported-list.yaml")]);
    const errors = slo(set, "cart-errors");
    expect(errors.objective).toBe(0.9995);
    expect(errors.description).toBeUndefined();
    expect(errors.labels).toEqual({ namespace: "cart" });
    expect(errors.at.line).toBe(16);
    // success and total on different matchers: Pyrra's (total - success) / total, as a ratio.
    const latency = slo(set, "cart-latency");
    expect(latency.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      good: 'cart_request_duration_milliseconds_bucket{route="/cart",le="250"}',
      total: 'cart_request_duration_milliseconds_count{route="/cart",method="GET"}',
    });
    // burnrates: false turns the alerts off, as disabled does.
    expect(latency.alerting.page.disable).toBe(true);
    expect(windowMs(latency)).toBe(7 * DAY);
  });

  it("Prometheus' URL comes from PROMETHEUS_URL, as for Sloth", async () => {
    const set = await load([join(VALID, "search.yaml")], {
      PROMETHEUS_URL: "http://prom.example:9090/",
    });
    expect(set.services[0]!.sources.prometheus).toMatchObject({ url: "http://prom.example:9090" });
  });

  it("what Pyrra warns about, and what slo leaves out, are warnings at their lines", async () => {
    const { set, errors, warnings } = await loadSpec([join(LENIENT, "warnings.yaml")], {
      env: {},
      cwd: ROOT,
    });
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(set.services.flatMap((s) => s.slos.map((x) => x.name))).toEqual([
      "api-errors",
      "api-latency",
    ]);
    const at = warnings.map((w) => `${w.line}:${w.col} ${w.message}`);
    expect(at).toEqual([
      expect.stringMatching(/^9:11 .*target is from 0-100 \(99\.5\), not 0-1 \(0\.995\)/),
      expect.stringMatching(/^11:3 .*partial_response_strategy.*Thanos/),
      expect.stringMatching(/^15:17 .*errors.*job="api"/),
      expect.stringMatching(/^19:5 .*absentName.*no absent alert/),
      expect.stringMatching(/^35:21 .*should usually be a histogram bucket/),
      expect.stringMatching(/^37:21 .*should usually be a histogram count/),
      expect.stringMatching(/^38:5 .*PrometheusRule.*skipped/),
    ]);
    // target 0.995 is 0.995%, as Pyrra reads it.
    expect(slo(set, "api-errors").objective).toBe(0.00995);
  });
});

describe("broken Pyrra resources", () => {
  const fixtures = readBrokenFixtures(BROKEN);

  it.each(fixtures.map((f) => [f.name, f] as const))("%s", async (_, fixture) => {
    await expectNamedAtPosition(BROKEN, fixture);
  });

  it("slo validate exits 2 with file:line:col, no stack trace", async () => {
    const r = await runCli(["validate", join(BROKEN, "11-bool-gauge.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("test/fixtures/pyrra/broken/11-bool-gauge.yaml:11:5");
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("a Kubernetes object that is no SLO names Pyrra among the formats slo reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-pyrra-"));
    writeFileSync(
      join(dir, "deploy.yaml"),
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
    );
    const r = await runCli(["validate", join(dir, "deploy.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pyrra.dev/v1alpha1");
  });
});
