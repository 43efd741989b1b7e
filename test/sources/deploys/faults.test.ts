/**
 * When deploys cannot be found: a server that fails (a real local HTTP
 * server answering 503, or a Prometheus answer that is not a matrix), a log
 * file that is not there. Each is an SloError naming the source, exit 3, no
 * secret in it; a spec of the other kind is the user's mistake, exit 2.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type {
  DeploySpec,
  LokiSourceSpec,
  PrometheusSourceSpec,
} from "../../../src/definition/model.js";
import { exitCodeFor, SloError } from "../../../src/errors.js";
import { createLogsSource } from "../../../src/sources/logs/index.js";
import { createLokiSource } from "../../../src/sources/loki.js";
import { createPrometheusSource } from "../../../src/sources/prometheus.js";
import type { Source } from "../../../src/sources/types.js";
import { json, startTestServer, type TestServer } from "../../support/misbehaving-server.js";

const AT = { file: "slo.yaml", line: 9, col: 3 };
const LINES: DeploySpec = {
  kind: "log-lines",
  source: "x",
  query: '{app="ctrl"} | json | msg = "deploy-finished"',
  version: "version",
  at: AT,
};
const LABEL: DeploySpec = {
  kind: "version-label",
  source: "x",
  series: 'build_info{job="ctrl"}',
  versionLabel: "version",
  at: AT,
};
const RANGE = {
  startMs: Date.parse("2026-11-01T00:00:00Z"),
  endMs: Date.parse("2026-11-02T00:00:00Z"),
};
const SECRET = "s3cret-token-9f8e";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(reply: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(reply);
  servers.push(s);
  return s;
}

async function failure(source: Source, spec: DeploySpec): Promise<SloError> {
  const error = await source.findDeploys!(spec, RANGE).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SloError);
  return error as SloError;
}

const http = { headers: {}, timeoutMs: 2_000, retries: 1, bearerToken: SECRET };

describe("findDeploys when it cannot", () => {
  it("prometheus answering 503: the source named, the status, exit 3, no token", async () => {
    const s = await serve(() => ({ status: 503, body: "upstream overloaded" }));
    const spec: PrometheusSourceSpec = { type: "prometheus", name: "prom", url: s.url, ...http };
    const error = await failure(createPrometheusSource(spec), LABEL);
    expect(error.message).toContain("prometheus source 'prom'");
    expect(error.message).toContain("HTTP 503");
    expect(exitCodeFor(error)).toBe(3);
    expect(error.format()).not.toContain(SECRET);
    expect(s.requests.length).toBeGreaterThanOrEqual(1);
  });

  it("prometheus answering a vector where a matrix belongs: said, exit 3", async () => {
    const s = await serve(() =>
      json({ status: "success", data: { resultType: "vector", result: [] } }),
    );
    const spec: PrometheusSourceSpec = { type: "prometheus", name: "prom", url: s.url, ...http };
    const error = await failure(createPrometheusSource(spec), LABEL);
    expect(error.message).toContain("prometheus source 'prom'");
    expect(error.message).toContain("expected a matrix, got vector");
    expect(exitCodeFor(error)).toBe(3);
  });

  it("loki answering 503: the source named, exit 3, no token", async () => {
    const s = await serve(() => ({ status: 503, body: "too many outstanding requests" }));
    const spec: LokiSourceSpec = { type: "loki", name: "loki", url: s.url, ...http };
    const error = await failure(createLokiSource(spec), LINES);
    expect(error.message).toContain("loki source 'loki'");
    expect(error.message).toContain("HTTP 503");
    expect(exitCodeFor(error)).toBe(3);
    expect(error.format()).not.toContain(SECRET);
    // the log query slo sent: backward, its range 1 ns after each end
    const sent = s.requests[0]!.params;
    expect(sent.get("direction")).toBe("backward");
    expect(sent.get("start")).toBe(`${RANGE.startMs}000001`);
    expect(sent.get("end")).toBe(`${RANGE.endMs}000001`);
  });

  it("a log file that is not there: the source and the path, exit 3", async () => {
    const dir = await mkdtemp(join(tmpdir(), "slo-deploys-faults-"));
    try {
      const source = createLogsSource({
        type: "logs",
        name: "logs",
        paths: ["missing.ndjson"],
        timestamp: "t",
        labels: { app: "ctrl" },
        baseDir: dir,
      });
      const error = await failure(source, LINES);
      expect(error.message).toContain("logs source 'logs': no file matches 'missing.ndjson'");
      expect(exitCodeFor(error)).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a spec of the other kind: the user's mistake, at deploys:, exit 2", async () => {
    const spec: PrometheusSourceSpec = {
      type: "prometheus",
      name: "prom",
      url: "http://127.0.0.1:9",
      ...http,
    };
    const error = await failure(createPrometheusSource(spec), LINES);
    expect(error.message).toContain("series and versionLabel, not query and version");
    expect([error.line, error.col]).toEqual([9, 3]);
    expect(exitCodeFor(error)).toBe(2);
  });
});
