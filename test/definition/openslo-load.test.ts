/**
 * OpenSLO v1 loads as it is: the corpus in test/fixtures/openslo/valid was
 * written from the published spec (every kind, inline and by reference,
 * across files, every budgeting method, window and duration unit); each file
 * in test/fixtures/openslo/broken names its problem at file:line:col
 * (`# expect: LINE:COL text | other text` on its first line).
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSpec } from "../../src/definition/model.js";
import { parseShorthand, toShorthand } from "../../src/definition/openslo/durations.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const DAY = 86_400_000;
const VALID = join(ROOT, "test", "fixtures", "openslo", "valid");
const BROKEN = join(ROOT, "test", "fixtures", "openslo", "broken");

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

const windowsOf = (s: SloSpec) =>
  s.alerting.windows.map((w) => `${w.severity} ${w.long}/${w.short} ${w.share}`);

describe("OpenSLO v1: every kind, inline and by reference", () => {
  it("maps a multi-document file of every kind to the model", async () => {
    const set = await load([join(VALID, "all-kinds.yaml")]);
    expect(set.services).toHaveLength(1);
    const [service] = set.services;
    expect(service!.service).toBe("checkout");
    expect(service!.labels).toEqual({ team: "payments", tier: "1" });
    expect(service!.sources["prom-main"]).toMatchObject({
      type: "prometheus",
      url: "http://prometheus.example:9090",
      bearerToken: "none",
    });

    const byRef = slo(set, "checkout-availability");
    expect(byRef.objective).toBe(0.999);
    expect(byRef.description).toBe("Checkout answers without a server error");
    expect(byRef.window).toEqual({ kind: "rolling", durationMs: 28 * DAY, label: "28d" });
    expect(byRef.labels).toEqual({ team: "payments", tier: "1", journey: "buy,pay" });
    // `sum(selector)` of a counter counts the same events as the selector.
    expect(byRef.indicator).toEqual({
      kind: "ratio",
      source: "prom-main",
      bad: 'http_requests_total{job="checkout",code=~"5.."}',
      total: 'http_requests_total{job="checkout"}',
    });
    // threshold 14.4 over 1h of a 28d window is a 2.14% share; 1 over 3d is 10.7%.
    expect(windowsOf(byRef)).toEqual(["page 1h/5m 0.0214285714286", "ticket 3d/6h 0.107142857143"]);
    expect(byRef.alerting.page.labels).toEqual({ routing: "oncall" });
    // email is not a target slo delivers to: its name goes to Alertmanager as a label.
    expect(byRef.alerting.ticket.labels).toEqual({ notification_target: "payments-email" });
    expect(byRef.notify).toEqual([
      { type: "alertmanager", url: "http://alertmanager.example:9093", severities: ["page"] },
    ]);
    expect(byRef.at).toMatchObject({ line: 115, col: 9 });

    const inline = slo(set, "checkout-availability-inline");
    expect(inline.objective).toBe(0.995);
    expect(inline.window).toEqual({ kind: "rolling", durationMs: 30 * DAY, label: "30d" });
    expect(inline.indicator).toMatchObject({
      good: 'http_requests_total{job="checkout",code!~"5.."}',
    });
    expect(windowsOf(inline)).toEqual(["page 1h/5m 0.02"]);
    expect(inline.alerting.minEvents).toBe(50);
    expect(inline.alerting.page.annotations).toEqual({ summary: "Checkout burns fast" });
    expect(inline.gate).toEqual({ enabled: true, minRemaining: 0.1, warnRemaining: 0.25 });
    expect(inline.runbook).toBe("https://runbooks.example/checkout");
    expect(inline.notify).toEqual([
      { type: "webhook", url: "https://hooks.example/T000/B000", severities: ["page"] },
    ]);
  });

  it("resolves references across files: SLO, SLI, DataSource and alerting each in their own file", async () => {
    const set = await load([join(VALID, "cross-files")]);
    expect(set.files).toHaveLength(4);
    const s = slo(set, "search-availability");
    expect(s.service).toBe("search");
    expect(s.indicator).toMatchObject({
      source: "victoria",
      bad: 'http_requests_total{service="search",code=~"5.."}',
    });
    expect(set.services[0]!.sources.victoria).toMatchObject({
      url: "http://127.0.0.1:8428",
      headers: { "X-Scope-OrgID": "search" },
    });
    expect(windowsOf(s)).toEqual(["page 1h/5m 0.02"]);
    expect(s.notify).toEqual([
      { type: "webhook", url: "https://hooks.example/search", severities: ["page"] },
    ]);
    expect(s.alerting.page.labels).toEqual({ team: "discovery" });
  });

  it("a reference to a file not loaded names what is missing, at the reference", async () => {
    const { errors } = await loadSpec([join(VALID, "cross-files", "1-slos.yaml")], {
      env: {},
      cwd: ROOT,
    });
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(
        /1-slos\.yaml:11:17: SLO 'search-availability': spec\.indicatorRef: no SLI named 'search-errors' in the files loaded\n {2}hint: load the file that defines it too/,
      ),
      expect.stringMatching(/1-slos\.yaml:19:23: .*no AlertPolicy named 'search-page'/),
    ]);
  });

  it("maps budgeting methods, threshold metrics, raw ratios, calendar windows and sources", async () => {
    const set = await load([join(VALID, "methods-and-windows.yaml")]);
    const service = set.services[0]!;
    expect(service.sources.prom).toMatchObject({
      type: "prometheus",
      timeoutMs: 10_000,
      retries: 1,
    });
    expect(service.sources.loki).toMatchObject({ type: "loki", tenant: "team-a" });
    expect(service.sources.files).toMatchObject({
      type: "logs",
      paths: ["logs/*.ndjson"],
      timestamp: "ts",
      labels: { app: "api" },
    });

    // Two objectives: two SLOs, named after each objective; 1Q rolling is 90 days.
    const fast = slo(set, "api-latency-fast");
    const notSlow = slo(set, "api-latency-not-slow");
    expect(fast.window).toEqual({ kind: "rolling", durationMs: 90 * DAY, label: "90d" });
    expect(fast.budgetingMethod).toBe("timeslices");
    expect(fast.timeslice).toEqual({ durationMs: 5 * 60_000, target: 0.95 }); // a bare number is minutes
    expect(fast.indicator).toEqual({
      kind: "latency",
      source: "prom",
      histogram: 'http_request_duration_seconds{job="api"}',
      unit: "s",
      threshold: 0.25,
      thresholdText: "0.25s",
    });
    expect(notSlow.objective).toBe(0.999);
    expect(notSlow.timeslice).toEqual({ durationMs: 3_600_000, target: 0.9 });

    const logs = slo(set, "api-log-latency");
    expect(logs.window).toEqual({
      kind: "calendar",
      count: 1,
      unit: "month",
      timeZone: "Pacific/Auckland",
      start: {
        text: "2024-01-01 00:00:00",
        wallClock: { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 },
      },
      label: "month",
    });
    expect(logs.budgetingMethod).toBe("ratioTimeslices");
    expect(logs.indicator).toMatchObject({
      kind: "latency",
      source: "files",
      field: "duration",
      unit: "ms",
      threshold: 300,
    });

    const loki = slo(set, "api-loki-errors");
    expect(loki.window).toEqual({
      kind: "calendar",
      count: 1,
      unit: "week",
      timeZone: "Europe/Berlin",
      start: {
        text: "2024-01-01 00:00:00",
        wallClock: { year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0 },
      },
      label: "week",
    });
    expect(loki.indicator).toMatchObject({ source: "loki", total: '{app="api"} | json' });

    const raw = slo(set, "api-raw-ratio");
    expect(raw.window).toMatchObject({ durationMs: 365 * DAY, label: "365d" });
    expect(raw.indicator.kind === "ratio" && raw.indicator.bad).toContain(
      "count_over_time(vector(1)[{{window}}:1m])",
    );

    const windowed = slo(set, "api-windowed-query");
    expect(windowed.window).toMatchObject({ durationMs: 30 * DAY, label: "720h" });
    expect(windowed.budgetingMethod).toBe("occurrences");
  });

  it("a metricSource naming only its type reads PROMETHEUS_URL, or localhost:9090", async () => {
    const file = join(VALID, "implicit-source.yaml");
    const set = await load([file], { PROMETHEUS_URL: "http://prom.internal:9090/" });
    expect(set.services[0]!.sources.prometheus).toMatchObject({ url: "http://prom.internal:9090" });
    const fallback = await load([file]);
    expect(fallback.services[0]!.sources.prometheus).toMatchObject({
      url: "http://localhost:9090",
    });
    expect(slo(fallback, "api-minutes-window").window).toMatchObject({
      durationMs: 7 * DAY,
      label: "10080m",
    });
  });

  it("loads OpenSLO, Sloth and native files of one folder together, in file order", async () => {
    const set = await load([
      "slos/ctrl.yaml",
      "test/fixtures/openslo/valid/cross-files",
      "test/fixtures/sloth/valid/payments.yaml",
    ]);
    expect(set.services.map((s) => s.service)).toEqual(["ctrl", "search", "payments"]);
  });
});

describe("OpenSLO durations", () => {
  it.each([
    ["5m", 5 * 60_000, "5m"],
    ["12h", 12 * 3_600_000, "12h"],
    ["28d", 28 * DAY, "28d"],
    ["4w", 28 * DAY, "4w"],
    ["1M", 30 * DAY, "30d"],
    ["1Q", 90 * DAY, "90d"],
    ["1Y", 365 * DAY, "365d"],
  ])("%s is %d ms, labelled %s", (text, ms, label) => {
    expect(parseShorthand(text)).toMatchObject({ ms, label });
  });

  it.each(["1h30m", "30s", "0d", "1.5h", "m", "30 d", "1y"])("%s is not shorthand", (text) => {
    expect(parseShorthand(text)).toBeNull();
  });

  it("writes a duration as the label when it is shorthand, else in whole days, hours or minutes", () => {
    expect(toShorthand(28 * DAY, "4w")).toBe("4w");
    expect(toShorthand(28 * DAY, "28d")).toBe("28d");
    expect(toShorthand(90 * 60_000, "1h30m")).toBe("90m");
    expect(toShorthand(90_000, "90s")).toBeNull();
  });
});

const brokenFixtures = readBrokenFixtures(BROKEN);

describe("broken OpenSLO documents", () => {
  it("cover every kind of mistake (at least 30)", () => {
    expect(brokenFixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(brokenFixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(BROKEN, fixture),
  );

  // The CLI prints what loadSpec returns; a few files show the exit code and the wording.
  it("slo validate exits 2 with file:line:col and no stack trace", {
    timeout: 120_000,
  }, async () => {
    const some = brokenFixtures.filter((f) => /^(04|07|18|24|31)-/.test(f.name));
    expect(some).toHaveLength(5);
    const results = await Promise.all(
      some.map(async (f) => ({
        f,
        r: await runCli(["validate", `test/fixtures/openslo/broken/${f.name}`]),
      })),
    );
    for (const { f, r } of results) {
      expect(r.code, `${f.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`test/fixtures/openslo/broken/${f.name}:${f.line}:${f.col}: `);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    }
  });
});
