/**
 * `deploys:` in a native file: where a service's deploys show up in one of
 * its sources. A good file loads into the model's DeploySpec; each mistake
 * is an error at its line:col, as for every other field.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { convertServices } from "../../src/definition/write/convert.js";
import { exitCodeFor } from "../../src/errors.js";
import { hasStackTrace, runCli } from "../support/cli.js";

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-deploys-"));
  const file = join(dir, "slo.yaml");
  writeFileSync(file, text);
  return file;
}

/** The file with `deploys` (lines 9 on) in it. */
function fileWith(deploys: string): string {
  return `service: ctrl
sources:
  logs: { type: logs, paths: [a.ndjson] }
  loki: { type: loki, url: "http://127.0.0.1:3100" }
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
slos:
  - { name: avail, objective: 99%, window: 28d, indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } } }
deploys:
${deploys}`;
}

async function load(deploys: string) {
  return loadSpec([write(fileWith(deploys))], { env: {} });
}

async function errorsOf(deploys: string): Promise<[number, number, string][]> {
  const { errors } = await load(deploys);
  return errors.map((e) => [e.line ?? 0, e.col ?? 0, e.format()]);
}

describe("deploys: in a native file", () => {
  it("a logs source's deploys: the lines a LogQL log query selects, and the version field", async () => {
    const { set, errors } = await load(`  source: logs
  query: '{app="ctrl"} | json | msg = "deploy-finished"'
  version: version
`);
    expect(errors).toEqual([]);
    expect(set.services[0]!.deploys).toEqual({
      kind: "log-lines",
      source: "logs",
      query: '{app="ctrl"} | json | msg = "deploy-finished"',
      version: "version",
      at: expect.objectContaining({ line: 9, col: 3 }),
    });
  });

  it("a prometheus source's deploys: a series and its version label", async () => {
    const { set, errors } = await load(`  source: prom
  series: build_info{job="ctrl"}
  versionLabel: version
`);
    expect(errors).toEqual([]);
    expect(set.services[0]!.deploys).toEqual({
      kind: "version-label",
      source: "prom",
      series: 'build_info{job="ctrl"}',
      versionLabel: "version",
      at: expect.objectContaining({ line: 9, col: 3 }),
    });
  });

  it("a file without deploys: has none", async () => {
    const text = fileWith("").replace("deploys:\n", "");
    const { set, errors } = await loadSpec([write(text)], { env: {} });
    expect(errors).toEqual([]);
    expect(set.services[0]!.deploys).toBeUndefined();
  });

  it("a source that is not defined: at the name, with the sources there are", async () => {
    const found = await errorsOf(`  source: nope
  query: '{app="ctrl"}'
  version: version
`);
    expect(found).toHaveLength(1);
    expect(found[0]!.slice(0, 2)).toEqual([9, 11]);
    expect(found[0]![2]).toContain("source 'nope' is not defined in this file");
    expect(found[0]![2]).toContain("logs, loki, prom");
  });

  it("a logs source that reads standard input: refused at source, the counts read it", async () => {
    const text = fileWith(`  source: stdin
  query: '| json | msg = "deploy-finished"'
  version: version
`).replace("sources:\n", 'sources:\n  stdin: { type: logs, paths: ["-"] }\n');
    const { errors } = await loadSpec([write(text)], { env: {} });
    expect(errors.map((e) => [e.line, e.col])).toEqual([[10, 3]]);
    expect(errors[0]!.format()).toContain("standard input (-)");
  });

  it("versionLabel on a logs source: at the key, saying to write version", async () => {
    const found = await errorsOf(`  source: logs
  query: '{app="ctrl"} | json'
  versionLabel: version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([
      [9, 3],
      [11, 3],
    ]);
    expect(found[0]![2]).toContain("deploys on a logs source need version: <the field");
    expect(found[1]![2]).toContain(
      "versionLabel is for a prometheus source; on a logs source write version: <the field",
    );
  });

  it("query and version on a prometheus source: at each key, saying what to write", async () => {
    const found = await errorsOf(`  source: prom
  query: 'build_info{job="ctrl"}'
  version: version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([
      [9, 3],
      [10, 3],
      [11, 3],
    ]);
    expect(found[0]![2]).toContain(
      "deploys on a prometheus source need series: <a series selector> and versionLabel",
    );
    expect(found[1]![2]).toContain("query is for a logs or loki source");
    expect(found[1]![2]).toContain("series:");
    expect(found[2]![2]).toContain("version is for a logs or loki source");
    expect(found[2]![2]).toContain("versionLabel:");
  });

  it("version missing on a loki source: at deploys", async () => {
    const found = await errorsOf(`  source: loki
  query: '{app="ctrl"} | json | msg = "deploy-finished"'
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([[9, 3]]);
    expect(found[0]![2]).toContain("deploys on a loki source need version");
  });

  it("a metric query: where it is, saying deploys take a log query", async () => {
    const found = await errorsOf(`  source: loki
  query: 'count_over_time({app="ctrl"}[5m])'
  version: version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([[10, 11]]);
    expect(found[0]![2]).toContain("metric queries are not supported");
    expect(found[0]![2]).toContain("the lines it selects are the deploys");
  });

  it("a LogQL syntax error: at the character where it stops", async () => {
    const found = await errorsOf(`  source: logs
  query: '{app="ctrl"} | json | msg = = "x"'
  version: version
`);
    expect(found).toHaveLength(1);
    expect(found[0]!.slice(0, 2)).toEqual([10, 11 + '{app="ctrl"} | json | msg = '.length]);
    expect(found[0]![2]).toContain("LogQL:");
  });

  it("a loki query without a stream selector: as for the indicators", async () => {
    const found = await errorsOf(`  source: loki
  query: '| json | msg = "deploy-finished"'
  version: version
`);
    expect(found).toHaveLength(1);
    expect(found[0]!.slice(0, 2)).toEqual([10, 11]);
    expect(found[0]![2]).toContain("needs a stream selector");
  });

  it("a loki version that is not a label name: with the name to write", async () => {
    const found = await errorsOf(`  source: loki
  query: '{app="ctrl"} | json'
  version: build.version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([[11, 12]]);
    expect(found[0]![2]).toContain("build_version");
  });

  it("a series that is a query, not a selector: at the series", async () => {
    const found = await errorsOf(`  source: prom
  series: 'count by (version) (build_info{job="ctrl"})'
  versionLabel: version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([[10, 11]]);
    expect(found[0]![2]).toContain("series takes a series selector");
  });

  it("a PromQL syntax error in the series: where it stops", async () => {
    const found = await errorsOf(`  source: prom
  series: 'build_info{job="ctrl"'
  versionLabel: version
`);
    expect(found).toHaveLength(1);
    expect(found[0]![0]).toBe(10);
    expect(found[0]![2]).toContain("PromQL:");
  });

  it("a versionLabel that is not a label name: at it", async () => {
    const found = await errorsOf(`  source: prom
  series: build_info
  versionLabel: app-version
`);
    expect(found.map(([l, c]) => [l, c])).toEqual([[11, 17]]);
    expect(found[0]![2]).toContain("not a Prometheus label name");
  });

  it("an unknown key and a missing source: the schema's errors, exit 2", async () => {
    const { errors } = await load(`  query: '{app="ctrl"}'
  versoin: version
`);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.format()).join("\n")).toMatch(/versoin/);
    for (const e of errors) expect(exitCodeFor(e)).toBe(2);
  });

  it("slo convert --to native writes deploys back as they were", async () => {
    const { set, errors } = await load(`  source: prom
  series: build_info{job="ctrl"}
  versionLabel: version
`);
    expect(errors).toEqual([]);
    const [file] = convertServices(set.services, "native", {
      outDir: tmpdir(),
      defaults: new Map(),
      header: [],
    });
    const again = await loadSpec([write(file!.text)], { env: {} });
    expect(again.errors).toEqual([]);
    const { at: _a, ...written } = again.set.services[0]!.deploys!;
    const { at: _b, ...original } = set.services[0]!.deploys!;
    expect(written).toEqual(original);
  });

  it("slo convert --to openslo keeps deploys: in the Service's slo/deploys, and reads it back", async () => {
    for (const deploys of [
      `  source: logs\n  query: '{app="ctrl"} | json | msg = "deploy-finished"'\n  version: version\n`,
      `  source: prom\n  series: build_info{job="ctrl"}\n  versionLabel: version\n`,
    ]) {
      const text = fileWith(deploys).replace(
        "slos:\n",
        "slos:\n  - { name: up, objective: 99%, window: 28d, indicator: { ratio: { source: prom, total: 'http_requests_total', bad: 'http_requests_total{code=~\"5..\"}' } } }\n",
      );
      const { set, errors } = await loadSpec([write(text)], { env: {} });
      expect(errors).toEqual([]);
      const [file] = convertServices(set.services, "openslo", {
        outDir: tmpdir(),
        defaults: new Map(),
        header: [],
      });
      expect(file!.text).toContain("slo/deploys:");
      const again = await loadSpec([write(file!.text)], { env: {} });
      expect(again.errors).toEqual([]);
      const { at: _a, source: readSource, ...read } = again.set.services[0]!.deploys!;
      const { at: _b, source: _c, ...original } = set.services[0]!.deploys!;
      expect(read).toEqual(original);
      // the source is the DataSource the SLOs read, under its OpenSLO name
      expect(Object.keys(again.set.services[0]!.sources)).toContain(readSource);
    }
  });

  it("a slo/deploys annotation that is not the object it should be: an error at the annotation", async () => {
    const openslo = (annotation: string) => `apiVersion: openslo/v1
kind: Service
metadata:
  name: ctrl
  annotations:
    slo/deploys: '${annotation}'
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: up }
spec:
  service: ctrl
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.99 }]
  indicator:
    metadata: { name: up }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, metricSourceRef: prom, spec: { query: 'http_requests_total{code!~"5.."}' } } }
        total: { metricSource: { type: Prometheus, metricSourceRef: prom, spec: { query: http_requests_total } } }
---
apiVersion: openslo/v1
kind: DataSource
metadata: { name: prom }
spec: { type: Prometheus, connectionDetails: { url: "http://127.0.0.1:9090" } }
`;
    const notJson = await loadSpec([write(openslo("build_info"))], { env: {} });
    expect(notJson.errors.map((e) => [e.line, e.format()])).toEqual([
      [6, expect.stringContaining("slo/deploys: expected a JSON object")],
    ]);
    const elsewhere = await loadSpec(
      [write(openslo('{"source": "logs", "series": "build_info", "versionLabel": "version"}'))],
      { env: {} },
    );
    expect(elsewhere.errors.map((e) => e.format())).toEqual([
      expect.stringContaining("names DataSource 'logs', which none of its SLOs reads"),
    ]);
    const wrongKind = await loadSpec(
      [write(openslo('{"source": "prom", "query": "{app=\\"x\\"}", "version": "v"}'))],
      { env: {} },
    );
    expect(wrongKind.errors.map((e) => e.format()).join("\n")).toContain(
      "deploys on a prometheus source need series",
    );
  });

  it("slo validate: every deploys: mistake at its line:col, exit 2", async () => {
    const file = write(
      fileWith(`  source: logs
  query: 'sum(count_over_time({app="ctrl"}[5m]))'
  versionLabel: version
`),
    );
    const r = await runCli(["validate", file]);
    expect(r.code, r.stderr).toBe(2);
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect(r.stderr).toContain("slo.yaml:9:3: deploys on a logs source need version");
    expect(r.stderr).toContain("slo.yaml:10:11: LogQL: metric queries are not supported");
    expect(r.stderr).toContain("slo.yaml:11:3: versionLabel is for a prometheus source");
  });
});
