/**
 * `slo verify` against a real Prometheus (Debian's, installed when missing)
 * backfilled with promtool: two days of 1-minute counters for two services
 * and a `build_info` series each, whose `version` label turns from v1 to v2
 * at DEPLOY. After the deploy, shop answers 3% of its requests with a 500
 * (0.1% before); cart goes on as before. slo finds the deploy in build_info
 * (nothing given on the command line) and judges each service.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";

const MINUTE = 60_000;
const AT_MS = Date.parse("2025-06-02T12:00:00Z");
const START_MS = AT_MS - 2 * 24 * 60 * MINUTE;
const DEPLOY_MS = AT_MS - 30 * MINUTE;

const available = await requireBinaries(["prometheus", "promtool"], "slo verify on Prometheus");

/** One series' samples: a value per minute in [from, to]. */
function samples(head: string, from: number, to: number, value: (t: number) => number): string[] {
  const lines: string[] = [];
  for (let t = from; t <= to; t += MINUTE) lines.push(`${head} ${value(t)} ${t / 1000}`);
  return lines;
}

/** A counter going up by `per(t)` each minute. */
function counter(head: string, per: (t: number) => number): string[] {
  let total = 0;
  return samples(head, START_MS, AT_MS, (t) => {
    if (t > START_MS) total += per(t);
    return total;
  });
}

function openMetrics(): string {
  const after = (t: number) => t > DEPLOY_MS;
  return [
    "# TYPE http_requests counter",
    ...counter('http_requests_total{job="shop",code="200"}', (t) => (after(t) ? 970 : 999)),
    ...counter('http_requests_total{job="shop",code="500"}', (t) => (after(t) ? 30 : 1)),
    ...counter('http_requests_total{job="cart",code="200"}', () => 999),
    ...counter('http_requests_total{job="cart",code="500"}', () => 1),
    "# TYPE build_info gauge",
    ...samples('build_info{job="shop",version="v1"}', START_MS, DEPLOY_MS - MINUTE, () => 1),
    ...samples('build_info{job="shop",version="v2"}', DEPLOY_MS, AT_MS, () => 1),
    ...samples('build_info{job="cart",version="v1"}', START_MS, DEPLOY_MS - MINUTE, () => 1),
    ...samples('build_info{job="cart",version="v2"}', DEPLOY_MS, AT_MS, () => 1),
    "# EOF",
    "",
  ].join("\n");
}

function sloFile(job: string): string {
  return [
    `service: ${job}`,
    "sources:",
    "  prom: { type: prometheus, url: '${PROM_URL}' }",
    "deploys:",
    "  source: prom",
    `  series: build_info{job="${job}"}`,
    "  versionLabel: version",
    "slos:",
    "  - name: availability",
    "    objective: 99.9%",
    "    window: 1d",
    "    indicator:",
    "      ratio:",
    "        source: prom",
    `        total: http_requests_total{job="${job}"}`,
    `        bad: http_requests_total{job="${job}",code=~"5.."}`,
    "",
  ].join("\n");
}

let server: RunningServer | undefined;
let data: string;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  data = await tempDir("verify-prometheus-data");
  await createBlocks(openMetrics(), data);
  server = await startPrometheus(data);
  dir = await mkdtemp(join(tmpdir(), "slo-verify-prom-"));
  await writeFile(join(dir, "shop.yaml"), sloFile("shop"));
  await writeFile(join(dir, "cart.yaml"), sloFile("cart"));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (data) await rm(data, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verify(file: string, args: string[] = []) {
  const r = await runCli(
    ["verify", join(dir, file), "--at", new Date(AT_MS).toISOString(), "--format", "json", ...args],
    { env: { PROM_URL: server!.url } },
  );
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  return { code: r.code, report };
}

describe.runIf(available)("slo verify on Prometheus", () => {
  it("finds the deploy in build_info and says regressed for the service whose errors rose", async () => {
    const { code, report } = await verify("shop.yaml");
    expect(code).toBe(1);
    expect(report.verification!.deploy).toMatchObject({
      version: "v2",
      at: new Date(DEPLOY_MS).toISOString(),
      origin: "source",
    });
    expect(report.verification!.result).toBe("regressed");
    const c = report.slos[0]!.verification!.comparisons[0]!;
    expect(c.afterWindow.errorRatio).toBeCloseTo(0.03, 3);
    expect(c.baselineWindow.errorRatio).toBeCloseTo(0.001, 3);
  });

  it("says pass for the service deployed at the same minute whose errors did not change", async () => {
    const { code, report } = await verify("cart.yaml");
    expect(code).toBe(0);
    expect(report.verification!.result).toBe("pass");
    expect(report.verification!.deploy.version).toBe("v2");
  });

  it("lists the deploy in slo check's report, with the budget it spent", async () => {
    const r = await runCli(
      ["check", join(dir, "shop.yaml"), "--at", new Date(AT_MS).toISOString(), "--format", "json"],
      { env: { PROM_URL: server!.url } },
    );
    const report = JSON.parse(r.stdout) as SloReport;
    const slo = report.slos[0]!;
    expect(slo.deploys!.map((d) => d.version)).toEqual(["v2"]);
    // 30 minutes of 30 bad a minute against a day's budget of 0.1% of 1.44M events
    expect(slo.deploys![0]!.budgetSpent).toBeCloseTo((30 * 30) / (0.001 * 1000 * 1440), 1);
  });
});
