/**
 * OpenSLO SLOs on data sources slo cannot query (Datadog, CloudWatch,
 * Dynatrace...): the file loads (validate exits 0, with a warning per such
 * SLO), converts to OpenSLO as written (to native: refused, naming the SLO
 * and its type), slo rules skips them with a note, and evaluating reports
 * each as not evaluated (the per-SLO source error: exit 3 unless the SLO is
 * not gated) while the others are evaluated on their real log files.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const DIR = join(ROOT, "test", "fixtures", "openslo", "unsupported-sources");
const MIXED = join(DIR, "mixed.yaml");
const AT = "2026-11-20T12:00:00Z";
const NOT_SUPPORTED = (type: string) =>
  `source type ${type} is not supported by slo; slo reads prometheus, loki and logs`;

async function load(paths: string[]): Promise<{ set: SloSet; warnings: string[] }> {
  const { set, errors, warnings } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return { set, warnings: (warnings ?? []).map((w) => w.format()) };
}

/** The model without where things are written (a converted file's log paths are rebased to it). */
function meaning(set: SloSet): unknown {
  const where = ["at", "file", "baseDir", "paths"];
  return JSON.parse(
    JSON.stringify(set.services, (key, value) => (where.includes(key) ? undefined : value)),
  );
}

describe("an OpenSLO SLO on a data source slo cannot query", () => {
  it("loads, its source kept as written, with a warning naming the SLO and the type", async () => {
    const { set, warnings } = await load([MIXED]);
    const web = set.services[0]!;
    expect(web.slos.map((s) => s.name)).toEqual([
      "web-availability",
      "checkout-latency",
      "checkout-availability",
    ]);
    expect(web.sources["datadog-prod"]).toEqual({
      type: "unsupported",
      name: "datadog-prod",
      sourceType: "Datadog",
      connectionDetails: { site: "datadoghq.eu", apiKeySecretRef: "datadog-api-key" },
    });
    // A type named without a DataSource is a source of its own, named after the type.
    expect(web.sources.cloudwatch).toEqual({
      type: "unsupported",
      name: "cloudwatch",
      sourceType: "CloudWatch",
    });
    expect(web.slos[1]!.indicator).toMatchObject({ threshold: 0.3, thresholdText: "0.3" });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      "mixed.yaml:64:9: SLO 'checkout-latency' reads Datadog (source 'datadog-prod'), which slo cannot query",
    );
    expect(warnings[1]).toContain("SLO 'checkout-availability' reads CloudWatch");
  });

  it("slo validate exits 0 and prints the warnings", async () => {
    const r = await runCli(["validate", MIXED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("which slo cannot query");
  });

  it("evaluating: the others are evaluated, each unsupported one says its type is not supported", async () => {
    const { set } = await load([MIXED]);
    const report = await evaluateSet(set, {
      atMs: Date.parse(AT),
      sourceOptions: { workers: 0 },
    });
    const [logs, datadog, cloudwatch] = report.slos;
    expect(logs!.status).not.toBe("error");
    expect(logs!.events).toEqual({ good: 57, bad: 3, total: 60 });
    expect(datadog!.status).toBe("error");
    expect(datadog!.error).toEqual({ message: NOT_SUPPORTED("Datadog"), source: "datadog-prod" });
    expect(cloudwatch!.error).toEqual({
      message: NOT_SUPPORTED("CloudWatch"),
      source: "cloudwatch",
    });
  });

  it("slo check exits 3, as for a source that failed, and names each one", async () => {
    const r = await runCli(["check", MIXED, "--at", AT]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain(NOT_SUPPORTED("Datadog"));
    expect(r.stdout).toContain(NOT_SUPPORTED("CloudWatch"));
    expect(r.stdout).toContain("web-availability");
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  });

  it('an unsupported SLO marked slo/gate: "false" is reported without failing the run', async () => {
    const r = await runCli(["check", join(DIR, "not-gated.yaml"), "--at", AT]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(NOT_SUPPORTED("Datadog"));
  });

  it("slo report and slo alerts say the same, and evaluate the others", async () => {
    const report = await runCli(["report", MIXED, "--at", AT, "--format", "json"]);
    expect(report.code, report.stderr).toBe(3);
    const json = JSON.parse(report.stdout) as { slos: { name: string; error?: unknown }[] };
    expect(json.slos.find((s) => s.name === "checkout-latency")!.error).toEqual({
      message: NOT_SUPPORTED("Datadog"),
      source: "datadog-prod",
    });
    expect(json.slos.find((s) => s.name === "web-availability")!.error ?? null).toBeNull();
    const alerts = await runCli([
      "alerts",
      MIXED,
      "--at",
      AT,
      "--dry-run",
      "--alertmanager",
      "http://127.0.0.1:9",
    ]);
    expect(alerts.code).toBe(3);
    expect(alerts.stderr).toContain(NOT_SUPPORTED("CloudWatch"));
  });

  it("slo rules writes the others' rules and notes each one it skips", async () => {
    const r = await runCli(["rules", join(DIR, "with-prometheus.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("api-availability");
    expect(r.stdout).not.toContain("api-apdex");
    expect(r.stderr).toContain(
      "note: no rules for api/api-apdex: it reads a Dynatrace (which slo cannot query) source",
    );
  });

  it("convert --to openslo writes it back as it was, and that reads back the same", async () => {
    const dir = await convertInto([MIXED], "openslo");
    const { set: back } = await load([dir]);
    const { set } = await load([MIXED]);
    expect(meaning(back)).toEqual(meaning(set));
    const written = readFileSync(join(dir, "web.yaml"), "utf8");
    expect(written).toContain("type: Datadog");
    expect(written).toContain("apiKeySecretRef: datadog-api-key");
    expect(written).toContain("metricName: HTTPCode_Target_5XX_Count");
    expect(written).toContain("query: avg:trace.http.request.duration{service:checkout}");
  });

  it("convert --to native refuses it, naming the SLO and its source type (exit 2)", async () => {
    const r = await runCli(["convert", "--to", "native", MIXED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "SLO 'checkout-latency' reads DataSource 'datadog-prod' of type Datadog, which slo cannot query",
    );
    expect(r.stderr).toContain("mixed.yaml:64:9");
  });

  const broken = readBrokenFixtures(join(DIR, "broken"));
  it.each(broken.map((f) => [f.name, f] as const))(
    "%s is refused at file:line:col, exit 2",
    async (_, fixture) => {
      await expectNamedAtPosition(join(DIR, "broken"), fixture);
      expect((await runCli(["validate", join(DIR, "broken", fixture.name)])).code).toBe(2);
    },
  );
});
