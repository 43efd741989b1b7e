/**
 * OpenSLO leaves a DataSource's connectionDetails to the implementation:
 * "everything that is valid YAML". The Go SDK writes it as a list of
 * mappings, some examples as {name, value} pairs, most as a mapping; all
 * read the same. A Service's spec holds only a description, so a Service
 * without one is valid.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import type { SourceSpec } from "../../src/definition/model.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { ROOT } from "../support/cli.js";

const BROKEN = join(ROOT, "test", "fixtures", "openslo", "sdk-shapes", "broken");

const SLO = `---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-availability
spec:
  service: web
  indicator:
    metadata:
      name: web-errors
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {metricSourceRef: main, spec: {query: 'http_requests_total{code!~"5.."}'}}}
        total: {metricSource: {metricSourceRef: main, spec: {query: http_requests_total}}}
  timeWindow:
  - duration: 28d
    isRolling: true
  budgetingMethod: Occurrences
  objectives:
  - target: 0.99
`;

function dataSource(type: string, connectionDetails: string): string {
  return `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: main
spec:
  type: ${type}
  connectionDetails:
${connectionDetails}
`;
}

function sourceOf(text: string): SourceSpec {
  const { services, errors } = loadText("slo.yaml", text, {});
  expect(errors.map((e) => e.format())).toEqual([]);
  const source = services[0]?.sources.main;
  if (!source) throw new Error("no source 'main'");
  return source;
}

describe("OpenSLO connectionDetails: any YAML", () => {
  const prometheus = {
    type: "prometheus",
    url: "http://prom.internal:9090",
    timeoutMs: 2000,
    retries: 0,
    headers: { "X-Scope-OrgID": "team-a" },
  };

  it.each([
    [
      "a mapping",
      `    url: http://prom.internal:9090
    timeout: 2s
    retries: 0
    headers: {X-Scope-OrgID: team-a}`,
    ],
    [
      "a list of mappings (as the Go SDK writes it)",
      `    - url: http://prom.internal:9090
    - timeout: 2s
      retries: 0
    - headers:
        X-Scope-OrgID: team-a`,
    ],
    [
      "a list of {name, value} pairs",
      `    - name: url
      value: http://prom.internal:9090
    - name: timeout
      value: 2s
    - name: retries
      value: 0
    - name: headers
      value: {X-Scope-OrgID: team-a}`,
    ],
    [
      "pairs and mappings mixed",
      `    - {name: url, value: "http://prom.internal:9090"}
    - timeout: 2s
    - {name: retries, value: 0}
    - headers: {X-Scope-OrgID: team-a}`,
    ],
  ])("Prometheus: %s", (_, details) => {
    expect(sourceOf(dataSource("Prometheus", details) + SLO)).toMatchObject(prometheus);
  });

  it("a Logs DataSource reads its paths, timestamp and labels from {name, value} pairs", () => {
    const logs = dataSource(
      "Logs",
      `    - name: paths
      value: [logs/a.ndjson, logs/b.ndjson]
    - name: timestamp
      value: {field: time, format: RFC3339}
    - name: labels
      value: {app: web}`,
    );
    const text =
      logs +
      SLO.replace(/query: http_requests_total\b/, "query: '| json'").replace(
        /query: 'http_requests_total\{code!~"5.."\}'/,
        `query: '| json | status < 500'`,
      );
    expect(sourceOf(text)).toMatchObject({
      type: "logs",
      paths: ["logs/a.ndjson", "logs/b.ndjson"],
      labels: { app: "web" },
    });
  });

  it("a DataSource slo cannot query keeps whatever connectionDetails it has, unread", () => {
    const text = `${dataSource("Datadog", "    - accessKeyID: abc\n    - region: [eu, us]")}---
${dataSource("CloudWatch", "    just a string").replace("name: main", "name: cw")}`;
    const { errors } = loadText("slo.yaml", text, {});
    expect(errors.map((e) => e.format())).toEqual([]);
  });
});

describe("OpenSLO Service", () => {
  const service = (spec: string) => `apiVersion: openslo/v1
kind: Service
metadata:
  name: web
  labels: {team: [search]}
${spec}---
${dataSource("Prometheus", "    url: http://127.0.0.1:9090")}${SLO}`;

  it.each([
    ["without spec", ""],
    ["with spec: {}", "spec: {}\n"],
    ["with a description", "spec:\n  description: The web frontend\n"],
  ])("%s is valid, and gives its labels to its SLOs", (_, spec) => {
    const { services, errors } = loadText("slo.yaml", service(spec), {});
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(services.map((s) => [s.service, s.labels])).toEqual([["web", { team: "search" }]]);
  });
});

describe("broken connectionDetails and Services", () => {
  const fixtures = readBrokenFixtures(BROKEN).filter((f) =>
    /connection-details|service-spec/.test(f.name),
  );

  it("there are some", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(BROKEN, fixture),
  );
});
