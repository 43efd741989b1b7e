/**
 * `slo rules` for OpenSLO conditions, loaded by a real Prometheus: every
 * alert's `for:` is its condition's alertAfter (Prometheus reports it as the
 * rule's `duration`, in seconds), its query compares by the condition's op,
 * and its severity label is the severity as the file wrote it. The same
 * file, as PrometheusRule resources, passes `promtool check rules`.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";
import {
  launch,
  promtoolCheckRules,
  type RunningServer,
  requireBinaries,
  tempDir,
} from "../support/servers.js";

const FIXTURE = join(ROOT, "test", "fixtures", "openslo", "alerting", "conditions.yaml");
const available = await requireBinaries(["prometheus", "promtool"], "Prometheus loading slo rules");

interface PromRule {
  type: string;
  name: string;
  query: string;
  duration?: number;
  labels: Record<string, string>;
  health: string;
}

describe.skipIf(!available)("OpenSLO conditions' rules in a real Prometheus", () => {
  let prometheus: RunningServer;
  beforeAll(async () => {
    const rules = await runCli(["rules", FIXTURE]);
    expect(rules.code).toBe(0);
    const dir = await tempDir("prometheus-rules");
    await mkdir(join(dir, "data"));
    await writeFile(join(dir, "slo-rules.yaml"), rules.stdout);
    await writeFile(
      join(dir, "prometheus.yml"),
      "global: {evaluation_interval: 1m}\nrule_files: [slo-rules.yaml]\nscrape_configs: []\n",
    );
    prometheus = await launch(
      "prometheus",
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        "--web.listen-address=127.0.0.1:0",
      ],
      {
        cwd: dir,
        readyPath: "/-/ready",
        portFromLog: /msg="Listening on"[^\n]*address=\S*?:(\d+)/,
      },
    );
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reports each alert's for: as its alertAfter, its op in the query and the severity as written", async () => {
    const response = await fetch(`${prometheus.url}/api/v1/rules?type=alert`);
    const body = (await response.json()) as { data: { groups: { rules: PromRule[] }[] } };
    const alerts = body.data.groups.flatMap((g) => g.rules);
    expect(
      alerts.map((r) => ({
        severity: r.labels.severity,
        slo_severity: r.labels.slo_severity,
        for: r.duration ?? 0,
        compare: /error_ratio:\w+\{[^}]*\} \/ [\d.]+ (\S+) (\S+)/.exec(r.query)?.slice(1).join(" "),
      })),
    ).toEqual([
      { severity: "sev1", slo_severity: "page", for: 300, compare: "> 14.4" },
      { severity: "critical", slo_severity: "page", for: 0, compare: ">= 6" },
      { severity: "High", slo_severity: "ticket", for: 600, compare: "> 2" },
      { severity: "P3", slo_severity: "ticket", for: 1800, compare: "<= 0.25" },
      { severity: "warning", slo_severity: "ticket", for: 300, compare: "< 0.5" },
    ]);
  });

  it("the PrometheusRule resources pass promtool check rules", async () => {
    const operator = await runCli(["rules", FIXTURE, "--format", "prometheus-operator"]);
    expect(operator.code).toBe(0);
    const check = await promtoolCheckRules(operator.stdout, "prometheus-operator");
    expect(check.output).toContain("SUCCESS");
    expect(check.code).toBe(0);
  });
});
