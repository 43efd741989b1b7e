/**
 * Deploys as a version label's new values, on a real Prometheus (backfilled
 * with promtool) and a real VictoriaMetrics, both holding the same two days
 * of `build_info` scraped every 15 s: v1, then v2 from a known minute (two
 * instances, the second a few minutes later), v3 later, then v2 again (a
 * rollback), with a gap in the data (the target down) while v3 runs, and
 * another job whose versions change too. findDeploys returns each deploy at
 * its first sample, to the scrape; not v1, which was there at the start.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deploy, DeploySpec, PrometheusSourceSpec } from "../../../src/definition/model.js";
import { createPrometheusSource } from "../../../src/sources/prometheus.js";
import type { Source } from "../../../src/sources/types.js";
import {
  createBlocks,
  loadVictoriaMetrics,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  startVictoriaMetrics,
  tempDir,
} from "../../support/servers.js";

const AT = Date.parse("2025-06-01T00:00:00Z");
const SCRAPE_MS = 15_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FROM = AT - 2 * DAY;

/** The deploys of job ctrl: instance a first, b three minutes later. */
const T2 = AT - DAY + 7 * MINUTE;
const T3 = AT - 6 * HOUR + 30_000;
const T4 = AT - 2 * HOUR - 45_000;
/** instance a and b down: no build_info at all */
const GAP = { from: AT - 4 * HOUR, to: AT - 3 * HOUR - 20 * MINUTE };

interface Series {
  labels: Record<string, string>;
  timesMs: number[];
}

/** The version an instance runs at `t`, or null while it is not scraped. */
function ctrlVersion(instance: "a" | "b", t: number): string | null {
  if (t >= GAP.from && t < GAP.to) return null;
  const lag = instance === "b" ? 3 * MINUTE : 0;
  if (t < T2 + lag) return "v1";
  if (t < T3 + lag) return "v2";
  if (t < T4 + lag) return "v3";
  return "v2";
}

function history(): Series[] {
  const series = new Map<string, Series>();
  const add = (labels: Record<string, string>, t: number) => {
    const key = JSON.stringify(labels);
    let s = series.get(key);
    if (!s) {
      s = { labels, timesMs: [] };
      series.set(key, s);
    }
    s.timesMs.push(t);
  };
  for (let t = FROM; t <= AT; t += SCRAPE_MS) {
    for (const instance of ["a", "b"] as const) {
      const version = ctrlVersion(instance, t);
      if (version) add({ job: "ctrl", instance, version }, t);
    }
    // another job, deploying on its own: never a deploy of ctrl
    add({ job: "other", instance: "a", version: `o${Math.floor((t - FROM) / (5 * HOUR))}` }, t);
  }
  return [...series.values()];
}

const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

function openMetrics(all: Series[]): string {
  const lines = ["# TYPE build_info gauge"];
  for (const s of all) {
    for (const t of s.timesMs) lines.push(`build_info${labelText(s.labels)} 1 ${t / 1000}`);
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

function promText(all: Series[]): string[] {
  return all.map((s) => s.timesMs.map((t) => `build_info${labelText(s.labels)} 1 ${t}\n`).join(""));
}

const SPEC: DeploySpec = {
  kind: "version-label",
  source: "prom",
  series: 'build_info{job="ctrl"}',
  versionLabel: "version",
  at: { file: "slo.yaml", line: 1, col: 1 },
};

const deploy = (atMs: number, version: string): Deploy => ({ atMs, version, origin: "source" });

function sourceAt(url: string, name: string): Source {
  const spec: PrometheusSourceSpec = {
    type: "prometheus",
    name,
    url,
    headers: {},
    timeoutMs: 20_000,
    retries: 1,
  };
  return createPrometheusSource(spec);
}

/** The same expectations of any server holding the history. */
function deploysOn(server: () => Source) {
  it("v2 and v3 at their first samples, then v2 again (a rollback); not v1, there at the start", async () => {
    const found = await server().findDeploys!(SPEC, { startMs: AT - 36 * HOUR, endMs: AT });
    expect(found).toEqual([deploy(T2, "v2"), deploy(T3, "v3"), deploy(T4, "v2")]);
  });

  it("(start, end]: a deploy exactly at the end is in, one exactly at the start is out", async () => {
    const source = server();
    expect(await source.findDeploys!(SPEC, { startMs: T2 - HOUR, endMs: T3 })).toEqual([
      deploy(T2, "v2"),
      deploy(T3, "v3"),
    ]);
    expect(await source.findDeploys!(SPEC, { startMs: T3, endMs: AT })).toEqual([deploy(T4, "v2")]);
  });

  it("a range with no new version, and one before any data: no deploys", async () => {
    const source = server();
    expect(await source.findDeploys!(SPEC, { startMs: T2 + HOUR, endMs: T3 - HOUR })).toEqual([]);
    expect(await source.findDeploys!(SPEC, { startMs: FROM - DAY, endMs: FROM - HOUR })).toEqual(
      [],
    );
  });

  it("a long range, at a coarse step: the same deploys, still to the sample", async () => {
    const found = await server().findDeploys!(SPEC, { startMs: AT - 400 * DAY, endMs: AT });
    // v1 is new in this range: its first sample, the first of the history
    expect(found).toEqual([
      deploy(FROM, "v1"),
      deploy(T2, "v2"),
      deploy(T3, "v3"),
      deploy(T4, "v2"),
    ]);
  });
}

const available = await requireBinaries(["prometheus", "promtool"], "deploys on a real Prometheus");

describe.skipIf(!available)("deploys as a version label on a real Prometheus", () => {
  let server: RunningServer | undefined;
  let source: Source;

  beforeAll(async () => {
    const data = await tempDir("prometheus-deploys");
    await createBlocks(openMetrics(history()), data);
    server = await startPrometheus(data);
    source = sourceAt(server.url, "prom");
  });

  afterAll(async () => {
    await server?.stop();
  });

  deploysOn(() => source);
});

const vmAvailable = await requireBinaries(
  ["victoria-metrics"],
  "deploys on a real VictoriaMetrics",
);

describe.skipIf(!vmAvailable)("deploys as a version label on a real VictoriaMetrics", () => {
  let server: RunningServer | undefined;
  let source: Source;

  beforeAll(async () => {
    server = await startVictoriaMetrics(await tempDir("victoria-metrics-deploys"));
    await loadVictoriaMetrics(server.url, promText(history()), {
      query: 'build_info{job="ctrl",version="v3"}',
      atMs: T3 + HOUR,
    });
    source = sourceAt(server.url, "vm");
  });

  afterAll(async () => {
    await server?.stop();
  });

  deploysOn(() => source);
});
