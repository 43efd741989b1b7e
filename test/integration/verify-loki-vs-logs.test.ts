/**
 * `slo verify` on the same lines twice: from an NDJSON file (the logs
 * source) and pushed to the real Grafana Loki 2.7.5 (the loki source). The
 * deploy is a line in the same stream ("deploy-finished", version v2), found
 * by the service's `deploys:` on each source; nothing is given on the
 * command line. Three SLOs of one service:
 *
 *   checkout  50 events a minute, 0.1% bad before the deploy, 5% after: regressed
 *   search    the same before, 2 bad of 1,500 after: pass (objective 99%)
 *   admin     an event every 10 minutes: 3 after the deploy, inconclusive
 *
 * Both sources must find the same deploy and give identical verdicts,
 * counts and p-values.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { lokiTime } from "../../src/sources/loki.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type RunningLoki, requireLoki, startLoki } from "../support/loki.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const DEPLOY_MS = Date.parse("2026-11-24T10:00:00Z");
const AT = "2026-11-24T10:30:00Z";
const MINUTE = 60_000;

interface Line {
  t: number;
  text: string;
}

function events(
  msg: string,
  from: number,
  to: number,
  everyMs: number,
  bad: (i: number) => boolean,
): Line[] {
  const lines: Line[] = [];
  let i = 0;
  for (
    let t = DEPLOY_MS + from * MINUTE + everyMs / 2;
    t < DEPLOY_MS + to * MINUTE;
    t += everyMs, i++
  ) {
    const status = bad(i) ? 500 : 200;
    lines.push({ t, text: JSON.stringify({ t: new Date(t).toISOString(), msg, status }) });
  }
  return lines;
}

const LINES: Line[] = [
  ...events("checkout", -120, 0, 1200, (i) => i % 1000 === 500),
  ...events("checkout", 0, 30, 1200, (i) => i % 20 === 7),
  ...events("search", -120, 0, 1200, (i) => i % 1000 === 500),
  ...events("search", 0, 30, 1200, (i) => i === 100 || i === 900),
  ...events("admin", -120, 30, 10 * MINUTE, (i) => i === 13),
  {
    t: DEPLOY_MS,
    text: JSON.stringify({
      t: new Date(DEPLOY_MS).toISOString(),
      msg: "deploy-finished",
      version: "v2",
    }),
  },
  {
    t: DEPLOY_MS - 90 * MINUTE,
    text: JSON.stringify({
      t: new Date(DEPLOY_MS - 90 * MINUTE).toISOString(),
      msg: "deploy-finished",
      version: "v1",
    }),
  },
].sort((a, b) => a.t - b.t);

function sloFile(source: string): string {
  const slo = (name: string, objective = "99.9%") => [
    `  - name: ${name}`,
    `    objective: ${objective}`,
    "    window: 7d",
    "    indicator:",
    "      ratio:",
    `        source: ${source}`,
    `        total: '{app="shop"} | json | msg = "${name}"'`,
    `        bad: '{app="shop"} | json | msg = "${name}" | status >= 500'`,
  ];
  return [
    "service: shop",
    "sources:",
    "  file: { type: logs, paths: [app.ndjson], timestamp: t, labels: { app: shop } }",
    "  loki: { type: loki, url: '${LOKI_URL}' }",
    "deploys:",
    `  source: ${source}`,
    `  query: '{app="shop"} | json | msg = "deploy-finished"'`,
    "  version: version",
    "slos:",
    ...slo("checkout"),
    ...slo("search", "99%"),
    ...slo("admin"),
    "",
  ].join("\n");
}

const binary = await requireLoki("slo verify on a log file and on Loki");
let server: RunningLoki | undefined;
let dir = "";

beforeAll(async () => {
  if (!binary) return;
  server = await startLoki(binary);
  await server.push([
    { stream: { app: "shop" }, values: LINES.map((l) => [lokiTime(l.t), l.text]) },
  ]);
  dir = await mkdtemp(join(tmpdir(), "slo-verify-loki-"));
  await writeFile(join(dir, "app.ndjson"), `${LINES.map((l) => l.text).join("\n")}\n`);
  await writeFile(join(dir, "file.yaml"), sloFile("file"));
  await writeFile(join(dir, "loki.yaml"), sloFile("loki"));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verify(file: string): Promise<{ code: number; report: SloReport }> {
  const r = await runCli(["verify", join(dir, file), "--at", AT, "--format", "json"], {
    env: { LOKI_URL: server!.url },
  });
  expect(hasStackTrace(r.stdout + r.stderr), r.stderr).toBe(false);
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  return { code: r.code, report };
}

describe.skipIf(!binary)("slo verify on a log file and on Loki", () => {
  it("finds the same deploy and gives identical verdicts on both", async () => {
    const file = await verify("file.yaml");
    const loki = await verify("loki.yaml");
    expect(file.code).toBe(1);
    expect(loki.code).toBe(1);
    expect(file.report.verification!.deploy).toEqual({
      at: "2026-11-24T10:00:00.000Z",
      version: "v2",
      origin: "source",
    });
    expect(loki.report.verification).toEqual(file.report.verification);
    const verdicts = (r: SloReport) => r.slos.map((s) => [s.name, s.verification!.verdict]);
    expect(verdicts(file.report)).toEqual([
      ["checkout", "regressed"],
      ["search", "pass"],
      ["admin", "inconclusive"],
    ]);
    expect(loki.report.slos.map((s) => s.verification)).toEqual(
      file.report.slos.map((s) => s.verification),
    );
    const admin = file.report.slos[2]!.verification!.comparisons[0]!;
    expect(admin.afterWindow.events.total).toBe(3);
    expect(admin.eventsNeeded).toBeGreaterThan(0);
  });

  it("lists both deploys in the window with the same budget shares on both", async () => {
    const file = await verify("file.yaml");
    const loki = await verify("loki.yaml");
    const deploys = (r: SloReport) => r.slos.map((s) => s.deploys);
    expect(file.report.slos[0]!.deploys!.map((d) => d.version)).toEqual(["v1", "v2"]);
    expect(deploys(loki.report)).toEqual(deploys(file.report));
  });
});
