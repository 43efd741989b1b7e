/**
 * groupBy on a real Prometheus and a real VictoriaMetrics: one SLO grouped
 * by action (`sum by (action)` on every query) against the same SLO written
 * once per action with the action in its selectors, which the ungrouped
 * path already counts as each server answers. Every number must agree,
 * for a selector, a {{window}} query and a classic histogram; past
 * groupLimit, "(other)" must be the merged actions' own SLO.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import {
  createBlocks,
  loadVictoriaMetrics,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  startVictoriaMetrics,
  tempDir,
} from "../support/servers.js";

const AT = "2026-05-10T12:00:00Z";
const AT_MS = Date.parse(AT);
const MINUTE = 60_000;
const SAMPLES = 24 * 60;
const ACTIONS = ["CheckBalance", "Transfer", "Pay"] as const;

/** Events per minute of each action and code; Transfer has no 500 series at all. */
const PER_MINUTE: Record<string, Record<string, number>> = {
  CheckBalance: { "200": 40, "500": 6 },
  Transfer: { "200": 25 },
  Pay: { "200": 3, "500": 1 },
};

interface Series {
  name: string;
  labels: Record<string, string>;
  values: number[];
}

function history(): Series[] {
  const series: Series[] = [];
  for (const action of ACTIONS) {
    for (const [code, rate] of Object.entries(PER_MINUTE[action]!)) {
      // the 500s of CheckBalance all come in the last two hours: a burn
      const step = (i: number) =>
        action === "CheckBalance" && code === "500" && i < SAMPLES - 120 ? 0 : rate;
      let value = 0;
      series.push({
        name: "http_requests_total",
        labels: { job: "bank", action, code },
        values: Array.from({ length: SAMPLES }, (_, i) => (value += step(i))),
      });
    }
    // a classic histogram: a third of the requests above 0.3 s
    const requests = Object.values(PER_MINUTE[action]!).reduce((a, b) => a + b, 0);
    for (const [le, share] of [
      ["0.3", 2 / 3],
      ["+Inf", 1],
    ] as const) {
      let value = 0;
      series.push({
        name: "http_request_duration_seconds_bucket",
        labels: { job: "bank", action, le },
        values: Array.from({ length: SAMPLES }, () => (value += Math.round(requests * share))),
      });
    }
    let count = 0;
    series.push({
      name: "http_request_duration_seconds_count",
      labels: { job: "bank", action },
      values: Array.from({ length: SAMPLES }, () => (count += requests)),
    });
  }
  return series;
}

const timeOf = (i: number) => AT_MS - (SAMPLES - 1 - i) * MINUTE;
const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

function openMetrics(series: Series[]): string {
  const lines: string[] = [];
  const types: Record<string, string> = {
    http_requests_total: "http_requests counter",
    http_request_duration_seconds_bucket: "http_request_duration_seconds histogram",
  };
  let family = "";
  for (const s of series) {
    const type = types[s.name] ?? "http_request_duration_seconds histogram";
    if (type !== family) {
      family = type;
      lines.push(`# TYPE ${type}`);
    }
    s.values.forEach((v, i) => {
      lines.push(`${s.name}${labelText(s.labels)} ${v} ${timeOf(i) / 1000}`);
    });
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

function prometheusText(series: Series[]): string[] {
  return series.map((s) =>
    s.values.map((v, i) => `${s.name}${labelText(s.labels)} ${v} ${timeOf(i)}\n`).join(""),
  );
}

/** The three indicators, each grouped by action and once per action alone. */
function indicators(action?: string): Record<string, string> {
  const sel = action ? `job="bank",action="${action}"` : 'job="bank"';
  return {
    selector: `{ ratio: { source: m, bad: 'http_requests_total{${sel},code="500"}', total: 'http_requests_total{${sel}}' } }`,
    query: `{ ratio: { source: m, bad: 'sum by (action) (increase(http_requests_total{${sel},code="500"}[{{window}}]))', total: 'sum by (action) (increase(http_requests_total{${sel}}[{{window}}]))' } }`,
    histogram: `{ latency: { source: m, histogram: 'http_request_duration_seconds{${sel}}', threshold: 300ms } }`,
  };
}

function sloFile(): string {
  const slos: string[] = [];
  for (const [kind, indicator] of Object.entries(indicators())) {
    slos.push(`  - name: ${kind}
    objective: 99%
    window: 1d
    groupBy: action
    indicator: ${indicator}
  - name: ${kind}-limited
    objective: 99%
    window: 1d
    groupBy: [action]
    groupLimit: 1
    indicator: ${indicator}`);
    for (const action of ACTIONS)
      slos.push(`  - name: ${kind}-${action}
    objective: 99%
    window: 1d
    indicator: ${indicators(action)[kind]}`);
  }
  return `service: bank
sources:
  m: { type: prometheus, url: "\${METRICS_URL}" }
slos:
${slos.join("\n")}
`;
}

/** Everything the numbers say; the name and where it is defined told apart. */
function numbers(e: SloReportEntry) {
  const { name: _n, definedAt: _d, group: _g, diagnostics: _x, alertHistory: _a, ...rest } = e;
  return rest;
}

function describeOn(
  server: string,
  binaries: string[],
  start: () => Promise<{ url: string; stop(): Promise<void> }>,
) {
  let available = false;
  let stop: (() => Promise<void>) | undefined;
  let report: SloReport;
  let stderr = "";
  let dir = "";
  const entry = (name: string): SloReportEntry => {
    const found = report.slos.find((s) => s.name === name);
    if (!found)
      throw new Error(`no ${name} in ${report.slos.map((s) => s.name).join(", ")}\n${stderr}`);
    return found;
  };

  beforeAll(async () => {
    available = await requireBinaries(binaries, `groupBy on ${server}`);
    if (!available) return;
    const started = await start();
    stop = started.stop;
    dir = await mkdtemp(join(tmpdir(), "slo-group-metrics-"));
    await writeFile(join(dir, "slo.yaml"), sloFile());
    const r = await runCli(["check", join(dir, "slo.yaml"), "--at", AT, "--format", "json"], {
      env: { METRICS_URL: started.url },
    });
    stderr = r.stderr;
    expect(hasStackTrace(r.stdout + r.stderr), r.stderr).toBe(false);
    if (r.stdout === "") throw new Error(`exit ${r.code}: ${r.stderr}`);
    report = JSON.parse(r.stdout) as SloReport;
  }, 180_000);

  afterAll(async () => {
    await stop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe(`groupBy on ${server}`, () => {
    for (const kind of ["selector", "query", "histogram"]) {
      it(`${kind}: each group is the SLO of its action alone`, () => {
        if (!available) return;
        for (const action of ACTIONS) {
          const grouped = entry(`${kind}{action="${action}"}`);
          const alone = entry(`${kind}-${action}`);
          expect(grouped.error).toBeNull();
          expect(grouped.events.total).toBeGreaterThan(0);
          expect(numbers(grouped)).toEqual(numbers(alone));
          expect(grouped.group).toEqual({
            definition: kind,
            by: ["action"],
            kind: "value",
            labels: { action },
          });
        }
        // worst first: Pay, a quarter of it failing all day, before CheckBalance's two bad hours
        const order = report.slos.filter((s) => s.group?.definition === kind).map((s) => s.name);
        expect(order.slice(0, 2)).toEqual(
          kind === "histogram"
            ? order.slice(0, 2)
            : [`${kind}{action="Pay"}`, `${kind}{action="CheckBalance"}`],
        );
      });

      it(`${kind}: past groupLimit the smaller actions are (other), their events summed`, () => {
        if (!available) return;
        const kept = entry(`${kind}-limited{action="CheckBalance"}`);
        expect(numbers(kept)).toEqual(numbers(entry(`${kind}-CheckBalance`)));
        const other = entry(`${kind}-limited{(other)}`);
        expect(other.group).toMatchObject({ kind: "other", mergedValues: 2 });
        const parts = ["Transfer", "Pay"].map((a) => entry(`${kind}-${a}`).events);
        expect(other.events).toEqual({
          good: parts[0]!.good + parts[1]!.good,
          bad: parts[0]!.bad + parts[1]!.bad,
          total: parts[0]!.total + parts[1]!.total,
        });
      });
    }
  });
}

describeOn("Prometheus", ["prometheus", "promtool"], async () => {
  const data = await tempDir("group-prometheus-data");
  await createBlocks(openMetrics(history()), data);
  const server: RunningServer = await startPrometheus(data);
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
});

describeOn("VictoriaMetrics", ["victoria-metrics"], async () => {
  const data = await tempDir("group-vm-data");
  const server = await startVictoriaMetrics(data);
  await loadVictoriaMetrics(server.url, prometheusText(history()), {
    query: 'sum(http_requests_total{action="Pay"})',
    atMs: AT_MS,
  });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
});
