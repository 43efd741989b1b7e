/**
 * OpenSLO AlertConditions as the spec and its Go SDK write them
 * (test/fixtures/openslo/alerting/conditions.yaml): every op, alertAfter,
 * free-form severities mapped by slo's table or a `slo/severity`
 * annotation, the severity as written kept for the alert's label; and
 * `slo convert` keeping all of it, with the threshold exactly as written.
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { DEFAULT_SEVERITY_OF, severityKey } from "../../src/defaults.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { buildRules } from "../../src/rules/build.js";
import { renderRules } from "../../src/rules/render.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";

const FIXTURE = join(ROOT, "test", "fixtures", "openslo", "alerting", "conditions.yaml");

const tempDir = () => mkdtempSync(join(tmpdir(), "slo-alert-conditions-"));

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

const windowsOf = (set: SloSet) =>
  set.services[0]!.slos[0]!.alerting.windows.map((w) => ({
    severity: w.severity,
    windows: `${w.long}/${w.short}`,
    op: w.op ?? "gt",
    factor: w.factor,
    alertAfter: w.alertAfter ?? "0",
    alertAfterMs: w.alertAfterMs ?? 0,
    written: w.severityText,
  }));

const EXPECTED = [
  {
    severity: "page",
    windows: "1h/5m",
    op: "gt",
    factor: 14.4,
    alertAfter: "5m",
    alertAfterMs: 300_000,
    written: "sev1",
  },
  {
    severity: "page",
    windows: "6h/30m",
    op: "gte",
    factor: 6,
    alertAfter: "0",
    alertAfterMs: 0,
    written: "critical",
  },
  // High pages by the table; its policy says ticket.
  {
    severity: "ticket",
    windows: "2h/10m",
    op: "gt",
    factor: 2,
    alertAfter: "10m",
    alertAfterMs: 600_000,
    written: "High",
  },
  {
    severity: "ticket",
    windows: "1d/2h",
    op: "lte",
    factor: 0.25,
    alertAfter: "30m",
    alertAfterMs: 1_800_000,
    written: "P3",
  },
  {
    severity: "ticket",
    windows: "3d/6h",
    op: "lt",
    factor: 0.5,
    alertAfter: "5m",
    alertAfterMs: 300_000,
    written: "warning",
  },
];

/** A file with one condition, to try severities and annotations on. */
function oneCondition(
  dir: string,
  condition: { severity: string; annotations?: string; policyAnnotations?: string },
): string {
  const file = join(dir, "one.yaml");
  writeFileSync(
    file,
    `apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast-page
${condition.policyAnnotations ? `  annotations: ${condition.policyAnnotations}\n` : ""}spec:
  conditions:
    - kind: AlertCondition
      metadata:
        name: fast
${condition.annotations ? `        annotations: ${condition.annotations}\n` : ""}      spec:
        severity: ${condition.severity}
        condition: { kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m }
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: checkout
  indicator:
    metadata: { name: checkout-errors }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'errors_total' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'requests_total' } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
  alertPolicies: [{ alertPolicyRef: fast-page }]
`,
  );
  return file;
}

async function severityOf(condition: Parameters<typeof oneCondition>[1]) {
  const dir = tempDir();
  const { set, errors } = await loadSpec([oneCondition(dir, condition)], { env: {}, cwd: ROOT });
  const w = set.services[0]?.slos[0]?.alerting.windows[0];
  return { errors: errors.map((e) => e.format()), severity: w?.severity, written: w?.severityText };
}

describe("OpenSLO burn-rate conditions", () => {
  it("reads each op, the threshold as written, alertAfter and the severity as written", async () => {
    expect(windowsOf(await load([FIXTURE]))).toEqual(EXPECTED);
  });

  it.each([
    ["sev1", "page"],
    ["critical", "page"],
    ["High", "page"],
    ["P3", "ticket"],
    ["warning", "ticket"],
    ["SEV-1", "page"],
    ["Sev 2", "page"],
    ["sev_3", "ticket"],
    ["INFO", "ticket"],
  ])("the severity table: %s is a %s", async (written, severity) => {
    expect(DEFAULT_SEVERITY_OF[severityKey(written)]).toBe(severity);
    expect(await severityOf({ severity: JSON.stringify(written) })).toEqual({
      errors: [],
      severity,
      written,
    });
  });

  it("a severity off the table is refused at its line, naming the table and the annotation", async () => {
    const { errors } = await severityOf({ severity: "blocker" });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /one\.yaml:11:19: .*severity 'blocker' is not in slo's severity table/,
    );
    expect(errors[0]).toContain("docs/interop.md, Severities");
    expect(errors[0]).toContain(
      "'slo/severity: page' (or ticket) to the AlertCondition or its AlertPolicy",
    );
  });

  it("slo/severity on the condition or its policy says what a severity off the table is, and wins over the table", async () => {
    expect(
      await severityOf({ severity: "blocker", annotations: "{ slo/severity: page }" }),
    ).toEqual({ errors: [], severity: "page", written: "blocker" });
    expect(
      await severityOf({ severity: "blocker", policyAnnotations: "{ slo/severity: Ticket }" }),
    ).toEqual({ errors: [], severity: "ticket", written: "blocker" });
    // The condition's own says more than its policy's; either says more than the table.
    expect(
      await severityOf({
        severity: "sev1",
        annotations: "{ slo/severity: ticket }",
        policyAnnotations: "{ slo/severity: page }",
      }),
    ).toEqual({ errors: [], severity: "ticket", written: "sev1" });
  });

  it("slo rules: each alert compares by its op, waits for alertAfter (for:) and carries the severity as written", async () => {
    const set = await load([FIXTURE]);
    const { services } = buildRules(set);
    const alerts = services[0]!.groups[0]!.rules.filter((r) => "alert" in r);
    const sel = '{service="api", slo="availability"}';
    expect(
      alerts.map((a) => ({
        expr: a.expr.split("\n")[0],
        for: "for" in a ? a.for : undefined,
        severity: a.labels.severity,
        slo_severity: a.labels.slo_severity,
      })),
    ).toEqual([
      {
        expr: `slo:error_ratio:1h${sel} / 0.01 > 14.4`,
        for: "5m",
        severity: "sev1",
        slo_severity: "page",
      },
      {
        expr: `slo:error_ratio:6h${sel} / 0.01 >= 6`,
        for: undefined,
        severity: "critical",
        slo_severity: "page",
      },
      {
        expr: `slo:error_ratio:2h${sel} / 0.01 > 2`,
        for: "10m",
        severity: "High",
        slo_severity: "ticket",
      },
      {
        expr: `slo:error_ratio:1d${sel} / 0.01 <= 0.25`,
        for: "30m",
        severity: "P3",
        slo_severity: "ticket",
      },
      {
        expr: `slo:error_ratio:3d${sel} / 0.01 < 0.5`,
        for: "5m",
        severity: "warning",
        slo_severity: "ticket",
      },
    ]);
    const text = renderRules(services, "prometheus", []);
    const written = parseYaml(text).groups[0].rules.filter((r: { alert?: string }) => r.alert);
    expect(written.map((r: { for?: string }) => r.for)).toEqual([
      "5m",
      undefined,
      "10m",
      "30m",
      "5m",
    ]);
  });
});

describe("slo rules --format loki: the same ops and for:", () => {
  it("each alert of a Loki SLO compares by its op and waits for alertAfter", async () => {
    const dir = tempDir();
    const text = readFileSync(FIXTURE, "utf8")
      .replaceAll("type: Prometheus", "type: Loki")
      .replace("url: http://127.0.0.1:9090", "url: http://127.0.0.1:3100")
      .replace(
        'query: http_requests_total{job="api",code="500"}',
        'query: \'{job="api"} | json | code = "500"\'',
      )
      .replace('query: http_requests_total{job="api"}', "query: '{job=\"api\"}'");
    writeFileSync(join(dir, "loki.yaml"), text);
    const r = await runCli(["rules", join(dir, "loki.yaml"), "--format", "loki"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const alerts = parseYaml(r.stdout).groups[0].rules.filter((x: { alert?: string }) => x.alert);
    expect(
      alerts.map((x: { expr: string; for?: string; labels: Record<string, string> }) => [
        x.labels.severity,
        x.for,
        /\/ 0\.010000000000000009 (\S+) (\S+)\)/.exec(x.expr)?.slice(1).join(" "),
      ]),
    ).toEqual([
      ["sev1", "5m", "> 14.4"],
      ["critical", undefined, ">= 6"],
      ["High", "10m", "> 2"],
      ["P3", "30m", "<= 0.25"],
      ["warning", "5m", "< 0.5"],
    ]);
  });
});

describe("slo convert keeps the conditions", () => {
  it("--to openslo writes each op, alertAfter, the severity as written and the threshold exactly", async () => {
    const dir = await convertInto([FIXTURE], "openslo");
    const docs = parseAllDocuments(readFileSync(join(dir, "api.yaml"), "utf8")).map((d) =>
      d.toJS(),
    );
    const slo = docs.find((d) => d.kind === "SLO");
    const conditions = slo.spec.alertPolicies.map(
      (p: { spec: { conditions: unknown[] } }) => p.spec.conditions[0],
    );
    expect(
      conditions.map(
        (c: {
          spec: { severity: string; condition: unknown };
          metadata: { annotations?: unknown };
        }) => ({
          severity: c.spec.severity,
          condition: c.spec.condition,
          annotations: c.metadata.annotations,
        }),
      ),
    ).toEqual([
      {
        severity: "sev1",
        condition: {
          kind: "burnrate",
          op: "gt",
          threshold: 14.4,
          lookbackWindow: "1h",
          alertAfter: "5m",
        },
        annotations: undefined,
      },
      {
        severity: "critical",
        condition: {
          kind: "burnrate",
          op: "gte",
          threshold: 6,
          lookbackWindow: "6h",
          alertAfter: "0m",
        },
        annotations: undefined,
      },
      {
        // The policy's override travels on the condition: the written policy is one per condition.
        severity: "High",
        condition: {
          kind: "burnrate",
          op: "gt",
          threshold: 2,
          lookbackWindow: "2h",
          alertAfter: "10m",
        },
        annotations: { "slo/severity": "ticket" },
      },
      {
        severity: "P3",
        condition: {
          kind: "burnrate",
          op: "lte",
          threshold: 0.25,
          lookbackWindow: "1d",
          alertAfter: "30m",
        },
        annotations: undefined,
      },
      {
        severity: "warning",
        condition: {
          kind: "burnrate",
          op: "lt",
          threshold: 0.5,
          lookbackWindow: "3d",
          alertAfter: "5m",
        },
        annotations: undefined,
      },
    ]);
    expect(windowsOf(await load([dir]))).toEqual(EXPECTED);
  });

  it("--to native says the same (burnRate, op, alertAfter, severityLabel), and back to OpenSLO reads the same", async () => {
    const native = await convertInto([FIXTURE], "native");
    const file = parseYaml(readFileSync(join(native, "api.yaml"), "utf8"));
    expect(file.slos[0].alerting.windows[3]).toEqual({
      severity: "ticket",
      long: "1d",
      short: "2h",
      burnRate: 0.25,
      op: "lte",
      alertAfter: "30m",
      severityLabel: "P3",
    });
    expect(windowsOf(await load([native]))).toEqual(EXPECTED);
    const again = await convertInto([native], "openslo");
    expect(windowsOf(await load([again]))).toEqual(EXPECTED);
    expect(meaning(await evaluate([again]))).toEqual(meaning(await evaluate([FIXTURE])));
  });

  it("a threshold of 2 stays 2 over a 28-day window, where 2 × 1h / 28d is no exact share", async () => {
    const dir = tempDir();
    const file = join(dir, "t.yaml");
    writeFileSync(file, readFileSync(FIXTURE, "utf8").replace("duration: 30d", "duration: 28d"));
    const openslo = await convertInto([file], "openslo");
    const text = readFileSync(join(openslo, "api.yaml"), "utf8");
    expect(text).toContain("threshold: 2\n");
    expect(text).toContain("threshold: 14.4\n");
    const native = await convertInto([openslo], "native");
    expect(readFileSync(join(native, "api.yaml"), "utf8")).toContain("burnRate: 2\n");
  });

  it("a native window needs share or burnRate, one of them", async () => {
    const dir = tempDir();
    const file = join(dir, "both.yaml");
    const windows = (w: string) => `service: api
sources: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
slos:
  - name: availability
    objective: 99%
    window: 30d
    indicator: { ratio: { source: prom, bad: 'errors_total', total: 'requests_total' } }
    alerting:
      windows:
        - ${w}
`;
    writeFileSync(
      file,
      windows("{ severity: page, long: 1h, short: 5m, share: 2%, burnRate: 14.4 }"),
    );
    let r = await runCli(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("both.yaml:10:11: ");
    expect(r.stderr).toContain("give share or burnRate, not both");
    writeFileSync(file, windows("{ severity: page, long: 1h, short: 5m, op: gte }"));
    r = await runCli(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("needs share (the budget share, 2%) or burnRate (the factor, 14.4)");
  });
});
