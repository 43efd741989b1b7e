/**
 * Pyrra resources evaluated as they are, against a real Prometheus (Debian's,
 * installed when missing) backfilled with promtool: a day and a bit of
 * 1-minute counters and a classic histogram named as in
 * test/fixtures/pyrra/evaluate/orders.yaml. Every minute the service answers
 * 100 requests, 1 with a 500; 90 within 0.1s, 97 within 0.25s, 99 within
 * 0.5s. Over the 1d window, hand-counted:
 *
 *   orders-errors       Pyrra's errors / total = 1440 / 144000: SLI 0.99 < 0.995, budget gone
 *   orders-latency      bucket{le="0.25"} / count = 139680 / 144000: SLI 0.97 >= 0.95
 *   orders-fast-enough  bucket{le="0.5"} / count{instance="a"} = 142560 / 144000: SLI 0.99 >= 0.98
 */

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { ROOT, runCli } from "../support/cli.js";
import {
  createBlocks,
  promtoolCheckRules,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";

const MINUTE = 60_000;
const AT_MS = Date.parse("2026-03-02T12:00:00Z");
const START_MS = AT_MS - 26 * 60 * MINUTE;
const FILE = join(ROOT, "test", "fixtures", "pyrra", "evaluate", "orders.yaml");
const LABELS = 'job="orders",instance="a"';

const available = await requireBinaries(["prometheus", "promtool"], "Pyrra SLOs on Prometheus");

/** A counter going up by `per` each minute from START_MS to AT_MS. */
function counter(head: string, per: number): string[] {
  const lines: string[] = [];
  for (let t = START_MS, total = 0; t <= AT_MS; t += MINUTE, total += per) {
    lines.push(`${head} ${total} ${t / 1000}`);
  }
  return lines;
}

function openMetrics(): string {
  const family = "orders_request_duration_seconds";
  const buckets: [string, number][] = [
    ["0.1", 90],
    ["0.25", 97],
    ["0.5", 99],
    ["+Inf", 100],
  ];
  return [
    "# TYPE orders_requests counter",
    ...counter(`orders_requests_total{${LABELS},code="200"}`, 99),
    ...counter(`orders_requests_total{${LABELS},code="500"}`, 1),
    `# TYPE ${family} histogram`,
    ...buckets.flatMap(([le, per]) => counter(`${family}_bucket{${LABELS},le="${le}"}`, per)),
    ...counter(`${family}_count{${LABELS}}`, 100),
    ...counter(`${family}_sum{${LABELS}}`, 12),
    "# EOF",
    "",
  ].join("\n");
}

let server: RunningServer | undefined;
let data: string | undefined;

beforeAll(async () => {
  if (!available) return;
  data = await tempDir("pyrra-prometheus-data");
  await createBlocks(openMetrics(), data);
  server = await startPrometheus(data);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (data) await rm(data, { recursive: true, force: true });
});

describe.runIf(available)("Pyrra SLOs on Prometheus", () => {
  it("slo check gives Pyrra's SLIs, counted by hand", async () => {
    const r = await runCli(
      ["check", FILE, "--at", new Date(AT_MS).toISOString(), "--format", "json"],
      { env: { PROMETHEUS_URL: server!.url } },
    );
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as SloReport;
    const byName = Object.fromEntries(report.slos.map((s) => [s.name, s]));
    expect(byName["orders-errors"]!.events).toMatchObject({ good: 142_560, total: 144_000 });
    expect(byName["orders-errors"]!.sli).toBeCloseTo(0.99, 9);
    expect(byName["orders-errors"]!.status).toBe("breaching");
    expect(byName["orders-latency"]!.events).toMatchObject({ good: 139_680, total: 144_000 });
    expect(byName["orders-latency"]!.sli).toBeCloseTo(0.97, 9);
    expect(byName["orders-latency"]!.status).toBe("ok");
    expect(byName["orders-fast-enough"]!.sli).toBeCloseTo(0.99, 9);
    expect(r.code).toBe(1);
  });

  it("slo rules writes rules promtool accepts, with Pyrra's severities and burn factors", async () => {
    const r = await runCli(["rules", FILE]);
    expect(r.code, r.stderr).toBe(0);
    const checked = await promtoolCheckRules(r.stdout, "prometheus");
    expect(checked.code, checked.output).toBe(0);
    expect(r.stdout).toContain("severity: critical");
    expect(r.stdout).toContain("severity: warning");
    expect(r.stdout).toMatch(/burn_rate_threshold: "?14"?/);
  });
});
