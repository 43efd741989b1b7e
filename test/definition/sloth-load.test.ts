/**
 * Sloth loads as it is: the prometheus/v1 spec and the Kubernetes
 * PrometheusServiceLevel resource, written from Sloth's published spec in
 * test/fixtures/sloth/valid; each file in test/fixtures/sloth/broken names
 * its problem at file:line:col (`# expect: LINE:COL text` on its first line).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { SloSpec } from "../../src/definition/model.js";
import { checkPromQL, windowQuery } from "../../src/definition/promql.js";
import {
  ratesToIncreases,
  rawRatioQueries,
  unwrapSummedSelector,
} from "../../src/definition/ratio-queries.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const VALID = join(ROOT, "test", "fixtures", "sloth", "valid");
const BROKEN = join(ROOT, "test", "fixtures", "sloth", "broken");

async function load(paths: string[], env: Record<string, string> = {}) {
  const result = await loadSpec(paths, { env, cwd: ROOT });
  expect(result.errors.map((e) => e.format())).toEqual([]);
  return result.set;
}

function slo(set: Awaited<ReturnType<typeof load>>, name: string): SloSpec {
  const found = set.services.flatMap((s) => s.slos).find((s) => s.name === name);
  if (!found) throw new Error(`no SLO ${name}`);
  return found;
}

describe("Sloth prometheus/v1 specs", () => {
  it("map to 30-day ratio SLOs on Prometheus with Sloth's alert table", async () => {
    const set = await load([join(VALID, "payments.yaml")]);
    const [service] = set.services;
    expect(service!.service).toBe("payments");
    expect(service!.labels).toEqual({ owner: "payments-team", tier: "1" });
    expect(service!.sources).toEqual({
      prometheus: expect.objectContaining({ type: "prometheus", url: "http://localhost:9090" }),
    });

    const a = slo(set, "authorize-availability");
    expect(a.objective).toBe(0.999);
    expect(a.description).toBe("Authorize answers without a server error.");
    expect(a.window).toEqual({ kind: "rolling", durationMs: 30 * 86_400_000, label: "30d" });
    expect(a.labels).toEqual({ owner: "payments-team", tier: "1", category: "availability" });
    expect(a.alerting.windows).toEqual(DEFAULT_BURN_RATE_WINDOWS);
    // rate over the window is read as increase: the same ratio, in events.
    expect(a.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      bad: 'sum(increase(payments_requests_total{handler="authorize",code=~"(5..|429)"}[{{window}}]))',
      total: 'sum(increase(payments_requests_total{handler="authorize"}[{{window}}]))',
    });
    // alerting.labels and annotations reach both alerts; each alert's own win; the name is a label.
    expect(a.alerting.page).toEqual({
      disable: false,
      labels: {
        category: "availability",
        alertname: "PaymentsAuthorizeErrors",
        severity: "critical",
        routing_key: "payments",
      },
      annotations: { runbook: "https://runbooks.example/payments/authorize" },
    });
    expect(a.alerting.ticket.labels).toMatchObject({
      severity: "warning",
      channel: "#payments-alerts",
    });
    expect(a.alerting.ticket.annotations).toEqual({
      runbook: "https://runbooks.example/payments/authorize",
      summary: "Authorize is slowly eating its error budget",
    });

    const raw = slo(set, "settlement-freshness");
    expect(raw.objective).toBe(0.99);
    expect(raw.alerting.page.disable).toBe(true);
    expect(raw.alerting.ticket.disable).toBe(false);
    expect(raw.indicator.kind === "ratio" && raw.indicator.bad).toContain(
      "settlement_batches_on_time_total",
    );

    const latency = slo(set, "authorize-latency");
    expect(latency.alerting.page.disable && latency.alerting.ticket.disable).toBe(true);
    expect(latency.indicator.kind === "ratio" && latency.indicator.bad).toContain(
      'sum(increase(payments_request_duration_seconds_bucket{handler="authorize",le="0.3"}[{{window}}]))',
    );
  });

  it("the Kubernetes PrometheusServiceLevel resource reads the same, in camelCase", async () => {
    const set = await load([join(VALID, "kubernetes.yaml")]);
    expect(set.services.map((s) => s.service)).toEqual(["ledger", "ledger-reads"]);
    const w = slo(set, "writes-availability");
    expect(w.objective).toBe(0.9995);
    expect(w.indicator).toMatchObject({
      bad: 'sum(increase(ledger_writes_total{result="error"}[{{window}}]))',
    });
    expect(w.alerting.page.labels).toEqual({
      category: "availability",
      alertname: "LedgerWriteErrors",
      severity: "critical",
    });
    expect(w.alerting.ticket.disable).toBe(true);
    const r = slo(set, "reads-ratio");
    expect(r.indicator.kind === "ratio" && r.indicator.bad).toContain(
      "slo:ledger_read_errors:ratio_rate{{window}}",
    );
  });

  it("Prometheus is where PROMETHEUS_URL says", async () => {
    const set = await load([join(VALID, "payments.yaml")], {
      PROMETHEUS_URL: "https://prom.example/",
    });
    expect(set.services[0]!.sources.prometheus).toMatchObject({ url: "https://prom.example" });
  });
});

describe("query rewrites", () => {
  it("rate over the window becomes increase; other ranges, irate and text are left alone", () => {
    expect(
      ratesToIncreases(
        'sum(rate(x{path="rate(y)"}[{{.window}}])) / sum(rate(z[{{ .window }}] offset 1h)) + sum(irate(w[5m])) + rate(v[5m])',
      ),
    ).toBe(
      'sum(increase(x{path="rate(y)"}[{{window}}])) / sum(increase(z[{{window}}] offset 1h)) + sum(irate(w[5m])) + rate(v[5m])',
    );
    // Not PromQL: left for the checker to report.
    expect(ratesToIncreases("sum(rate(x[{{.window}}])")).toBe("sum(rate(x[{{window}}])");
  });

  it("sum(selector) of a counter unwraps to the selector; anything else does not", () => {
    expect(unwrapSummedSelector('sum(http_requests_total{code="200"})')).toBe(
      'http_requests_total{code="200"}',
    );
    expect(unwrapSummedSelector("(sum by (job) (x))")).toBe("x");
    expect(unwrapSummedSelector("sum(rate(x[5m]))")).toBeNull();
    expect(unwrapSummedSelector("max(x)")).toBeNull();
    expect(unwrapSummedSelector("sum(x) + sum(y)")).toBeNull();
  });

  it("a raw ratio is weighed by minutes: each window's SLI is the ratio itself", () => {
    const { numerator, total } = rawRatioQueries(
      "slo:errors:ratio_rate{{.window}} # recorded by Sloth",
    );
    for (const q of [numerator, total]) {
      expect(checkPromQL(q)).toEqual({ ok: true });
      expect(checkPromQL(windowQuery(q, 3_600_000)!)).toEqual({ ok: true });
    }
    expect(windowQuery(numerator, 3_600_000)).toBe(
      "avg((slo:errors:ratio_rate1h # recorded by Sloth\n) >= 0) * scalar(count_over_time(vector(1)[1h:1m]))",
    );
    expect(windowQuery(total, 3_600_000)).toBe(
      "count(avg((slo:errors:ratio_rate1h # recorded by Sloth\n) >= 0)) * scalar(count_over_time(vector(1)[1h:1m]))",
    );
  });
});

const LENIENT = "test/fixtures/sloth/lenient";

describe("keys Sloth ignores", () => {
  it("load with a warning at each key, and are ignored as Sloth ignores them", async () => {
    const result = await loadSpec([LENIENT], { env: {}, cwd: ROOT });
    expect(result.errors.map((e) => e.format())).toEqual([]);
    expect(result.warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`)).toEqual([
      `${LENIENT}/ignored-keys.yaml:5:1: Sloth spec: owner: unknown key 'owner': Sloth ignores it, and so does slo`,
      `${LENIENT}/ignored-keys.yaml:11:5: Sloth spec, SLO 'requests-availability': slos[0].descripton: unknown key 'descripton': Sloth ignores it, and so does slo`,
      `${LENIENT}/ignored-keys.yaml:19:7: Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert: unknown key 'pageAlert': Sloth ignores it, and so does slo`,
      `${LENIENT}/kubernetes-ignored-keys.yaml:19:9: PrometheusServiceLevel 'cart', SLO 'availability': spec.slos[0].alerting.ticket_alert: unknown key 'ticket_alert': Sloth ignores it, and so does slo`,
      `${LENIENT}/kubernetes-ignored-keys.yaml:21:9: PrometheusServiceLevel 'cart', SLO 'availability': spec.slos[0].alerting.owner: unknown key 'owner': Sloth ignores it, and so does slo`,
    ]);
    expect(result.warnings.map((w) => w.hint)).toEqual([
      undefined,
      "did you mean 'description'?",
      "did you mean 'page_alert'?",
      "did you mean 'ticketAlert'?",
      undefined,
    ]);
    const checkout = slo(result.set, "requests-availability");
    // Ignored means ignored: no description, and the page alert keeps its defaults.
    expect(checkout.description).toBeUndefined();
    expect(checkout.alerting.page.labels).toEqual({ alertname: "CheckoutErrors" });
    expect(checkout.alerting.ticket.labels).toEqual({
      alertname: "CheckoutErrors",
      severity: "ticketteam",
    });
    // ticket_alert is not the resource's spelling: its disable is not read.
    expect(slo(result.set, "availability").alerting.ticket.disable).toBe(false);
  });

  it("slo check prints them on stderr, never in the report", { timeout: 60_000 }, async () => {
    const r = await runCli(["check", "--format", "json", `${LENIENT}/ignored-keys.yaml`], {
      env: { PROMETHEUS_URL: "http://127.0.0.1:9" },
    });
    expect(r.stderr).toContain(
      `warning: ${LENIENT}/ignored-keys.yaml:19:7: Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert: unknown key 'pageAlert'`,
    );
    expect(r.stdout).toContain('"requests-availability"');
    expect(r.stdout).not.toContain("pageAlert");
  });

  it("slo convert, rules, report, alerts and verify print them too: what slo ignores is never silent", async () => {
    const file = `${LENIENT}/ignored-keys.yaml`;
    const warning = `warning: ${file}:19:7: Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert`;
    for (const args of [
      ["convert", "--to", "native", file],
      ["rules", file],
      ["report", "--format", "json", file],
      ["alerts", "--dry-run", "--webhook", "https://hooks.example.com/x", file],
      ["verify", "--deploy", "v1@2026-11-24T10:00:00Z", "--at", "2026-11-24T11:00:00Z", file],
    ]) {
      const r = await runCli(args, { env: { PROMETHEUS_URL: "http://127.0.0.1:9" } });
      expect(r.stderr, args[0]).toContain(warning);
    }
  }, 120_000);

  it("a key named like an object's own property is only an unknown key", () => {
    const text = readFileSync(join(ROOT, LENIENT, "ignored-keys.yaml"), "utf8");
    for (const key of ["toString", "__proto__", "constructor"]) {
      const { services, errors, warnings } = loadText(
        "s.yaml",
        text.replace("owner:", `${key}:`),
        {},
      );
      expect(errors.map((e) => e.format())).toEqual([]);
      expect(services).toHaveLength(1);
      expect(warnings[0]!.message).toBe(
        `Sloth spec: ${key}: unknown key '${key}': Sloth ignores it, and so does slo`,
      );
    }
  });

  it("slo validate prints them with file:line:col and exits 0", { timeout: 60_000 }, async () => {
    const r = await runCli(["validate", LENIENT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 file(s), 2 SLO(s): valid");
    expect(r.stderr).toContain(
      `warning: ${LENIENT}/ignored-keys.yaml:19:7: Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert: unknown key 'pageAlert': Sloth ignores it, and so does slo\n  hint: did you mean 'page_alert'?`,
    );
    expect(r.stderr.match(/^warning: /gm)).toHaveLength(5);
    expect(r.stderr).not.toContain("error");
  });
});

const brokenFixtures = readBrokenFixtures(BROKEN);

describe("broken Sloth specs", () => {
  it("cover every kind of mistake (at least 15)", () => {
    expect(brokenFixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(brokenFixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(BROKEN, fixture),
  );

  it("slo validate exits 2 with file:line:col and no stack trace", {
    timeout: 120_000,
  }, async () => {
    const some = brokenFixtures.filter((f) => /^(05|06|07|11)-/.test(f.name));
    expect(some).toHaveLength(4);
    const results = await Promise.all(
      some.map(async (f) => ({
        f,
        r: await runCli(["validate", `test/fixtures/sloth/broken/${f.name}`]),
      })),
    );
    for (const { f, r } of results) {
      expect(r.code, `${f.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`test/fixtures/sloth/broken/${f.name}:${f.line}:${f.col}: `);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    }
  });
});
