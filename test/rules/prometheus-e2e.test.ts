/**
 * Sloth and OpenSLO files evaluated end to end against a real Prometheus
 * (Debian's, with 31 days of backfilled 1-minute data and an incident in the
 * last 40 minutes), compared with the same SLO written in slo's own format:
 * Sloth's rate() events and OpenSLO's sum(selector) count the same events,
 * and a Sloth raw error ratio, weighed by time, gives the same SLI, burn
 * rates and alerts.
 */

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { AT, generateHistory, toOpenMetrics } from "../support/metrics-history.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";

const BAD = 'http_requests_total{job="ctrl",code=~"5.."}';
const TOTAL = 'http_requests_total{job="ctrl"}';

const FILES = {
  "native.yaml": `service: ctrl
sources: { prom: { type: prometheus, url: "\${PROMETHEUS_URL}" } }
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    indicator: { ratio: { source: prom, bad: '${BAD}', total: '${TOTAL}' } }
`,
  "sloth.yaml": `version: prometheus/v1
service: ctrl-sloth
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(${BAD}[{{.window}}]))
        total_query: sum(rate(${TOTAL}[{{.window}}]))
  - name: availability-raw
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(${BAD}[{{.window}}])) / sum(rate(${TOTAL}[{{.window}}]))
`,
  "openslo.yaml": `apiVersion: openslo/v1
kind: DataSource
metadata: { name: prom }
spec:
  type: Prometheus
  connectionDetails: { url: "\${PROMETHEUS_URL}" }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: availability }
spec:
  service: ctrl-openslo
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
  indicator:
    metadata: { name: errors }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { metricSourceRef: prom, spec: { query: 'sum(${BAD})' } } }
        total: { metricSource: { metricSourceRef: prom, spec: { query: 'sum(${TOTAL})' } } }
`,
};

// Missing servers: skipped with a loud message here, a failure under CI=true.
const available = await requireBinaries(
  ["prometheus", "promtool"],
  "Sloth and OpenSLO on Prometheus",
);

describe.skipIf(!available)("Sloth and OpenSLO on a real Prometheus", () => {
  let server: RunningServer | undefined;
  let report: SloReport;

  beforeAll(async () => {
    const data = await tempDir("prometheus-data");
    await createBlocks(toOpenMetrics(generateHistory()), data);
    server = await startPrometheus(data);
    const dir = await tempDir("slo-formats");
    for (const [name, text] of Object.entries(FILES)) await writeFile(join(dir, name), text);
    const { set, errors } = await loadSpec([dir], { env: { PROMETHEUS_URL: server.url } });
    expect(errors.map((e) => e.format())).toEqual([]);
    report = await evaluateSet(set, { atMs: AT });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  const entry = (service: string, name: string): SloReportEntry => {
    const found = report.slos.find((s) => s.service === service && s.name === name);
    if (!found) throw new Error(`no ${service}/${name} in the report`);
    expect(found.error, JSON.stringify(found.error)).toBeNull();
    return found;
  };

  it("Sloth events and OpenSLO sum(selector) count exactly what the native selectors count", () => {
    const native = entry("ctrl", "availability");
    expect(native.events.total).toBeGreaterThan(40_000_000);
    expect(native.status).toBe("breaching"); // the incident of the last 40 minutes pages
    for (const other of [
      entry("ctrl-sloth", "availability"),
      entry("ctrl-openslo", "availability"),
    ]) {
      expect(other.events).toEqual(native.events);
      expect(other.burnRates).toEqual(native.burnRates);
      expect(other.alerts).toEqual(native.alerts);
      expect(other.status).toBe(native.status);
    }
  });

  it("a Sloth raw error ratio gives the native SLI, burn rates and alerts, counted in minutes", () => {
    const native = entry("ctrl", "availability");
    const raw = entry("ctrl-sloth", "availability-raw");
    // A 30-day window holds 43,200 minutes (43,201 when both ends fall on a sample).
    expect(raw.events.total).toBeGreaterThanOrEqual(43_200);
    expect(raw.events.total).toBeLessThanOrEqual(43_201);
    expect(raw.sli!).toBeCloseTo(native.sli!, 9);
    for (const [window, rate] of Object.entries(native.burnRates)) {
      expect(raw.burnRates[window], window).toBeCloseTo(rate!, 6);
    }
    expect(raw.alerts.map((a) => a.firing)).toEqual(native.alerts.map((a) => a.firing));
    expect(raw.status).toBe(native.status);
  });
});
