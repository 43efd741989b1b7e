/**
 * OpenSLO's other versions read into the same model as v1: `openslo/v1alpha`
 * as Sloth's documentation writes it, and `openslo.com/v2alpha` as the spec
 * repository and the Go SDK's v2alpha package write it. Each fixture has a
 * twin written in v1 by hand (`*.v1.yaml`): both load into the same SLOs,
 * evaluate the same (v1alpha on a real Prometheus, v2alpha on log files),
 * and convert; broken variants name their problem at file:line:col.
 */

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReport } from "../../src/report/schema.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { generateHistory, AT as HISTORY_AT, toOpenMetrics } from "../support/metrics-history.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";
import { convertInto } from "./openslo-roundtrip.js";

const V1ALPHA = join(ROOT, "test", "fixtures", "openslo", "v1alpha");
const V2ALPHA = join(ROOT, "test", "fixtures", "openslo", "v2alpha");
const LOGS_AT = Date.parse("2026-11-20T12:00:00Z");

async function load(paths: string[], env: Record<string, string> = {}): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

/** The model without where things were written: what two spellings of one file share. */
function meaning(set: SloSet): unknown {
  return JSON.parse(
    JSON.stringify(set.services, (key, value) =>
      key === "at" || key === "file" || key === "baseDir" ? undefined : value,
    ),
  );
}

function reportMeaning(report: SloReport): unknown {
  return report.slos.map(({ definedAt: _, ...rest }) => rest);
}

const names = (set: SloSet) => set.services.flatMap((s) => s.slos.map((slo) => slo.name));

describe("openslo/v1alpha, as Sloth reads it", () => {
  it.each(["sloth-style", "objectives"])(
    "%s.yaml loads into the same SLOs as its v1 twin",
    async (name) => {
      const alpha = await load([join(V1ALPHA, `${name}.yaml`)]);
      const v1 = await load([join(V1ALPHA, `${name}.v1.yaml`)]);
      expect(names(alpha).length).toBeGreaterThan(0);
      expect(meaning(alpha)).toEqual(meaning(v1));
    },
  );

  it("an SLO whose objectives have their own ratioMetrics is one SLO per objective", async () => {
    const set = await load([join(V1ALPHA, "objectives.yaml")]);
    expect(names(set)).toEqual(["ctrl-requests-not-a-500", "ctrl-requests-2", "ctrl-latency"]);
    const [first, second] = set.services[0]!.slos;
    expect(first!.objective).toBe(0.98);
    expect(second!.objective).toBe(0.999);
    // Each is declared at its objective, where an error about it points.
    expect(first!.at.line).toBe(11);
    expect(second!.at.line).toBe(22);
  });

  it("Sloth's rate over {{.window}} counts events as increase", async () => {
    const set = await load([join(V1ALPHA, "sloth-style.yaml")]);
    expect(set.services[0]!.slos[0]!.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      good: 'sum(increase(http_requests_total{job="ctrl",code!~"5.."}[{{window}}]))',
      total: 'sum(increase(http_requests_total{job="ctrl"}[{{window}}]))',
    });
  });

  it("slo validate accepts it (exit 0) and convert writes openslo/v1 that reads back the same", async () => {
    const file = join(V1ALPHA, "objectives.yaml");
    const validated = await runCli(["validate", file]);
    expect(validated.code, validated.stderr).toBe(0);
    const dir = await convertInto([file], "openslo");
    const converted = await load([dir]);
    expect(meaning(converted)).toEqual(meaning(await load([file])));
    const native = await runCli(["convert", "--to", "native", file]);
    expect(native.code, native.stderr).toBe(0);
    expect(native.stdout).toContain("ctrl-requests-not-a-500");
  });

  const broken = readBrokenFixtures(join(V1ALPHA, "broken"));
  it.each(broken.map((f) => [f.name, f] as const))(
    "%s is refused at file:line:col, exit 2",
    async (_, fixture) => {
      await expectNamedAtPosition(join(V1ALPHA, "broken"), fixture);
      const r = await runCli(["validate", join(V1ALPHA, "broken", fixture.name)]);
      expect(r.code).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
    },
  );
});

describe("openslo/v1alpha evaluated on a real Prometheus", async () => {
  const available = await requireBinaries(["prometheus", "promtool"], "OpenSLO v1alpha");
  let server: RunningServer | undefined;
  let data = "";
  beforeAll(async () => {
    if (!available) return;
    data = await tempDir("openslo-v1alpha-data");
    await createBlocks(toOpenMetrics(generateHistory()), data);
    server = await startPrometheus(data);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  it.runIf(available).each(["sloth-style", "objectives"])(
    "%s.yaml evaluates as its v1 twin does",
    async (name) => {
      const env = { PROMETHEUS_URL: server!.url };
      const evaluate = async (file: string) =>
        evaluateSet(await load([join(V1ALPHA, file)], env), { atMs: HISTORY_AT });
      const alpha = await evaluate(`${name}.yaml`);
      const v1 = await evaluate(`${name}.v1.yaml`);
      expect(alpha.slos.map((s) => s.status)).not.toContain("error");
      expect(alpha.slos.every((s) => s.sli !== null && s.events.total > 0)).toBe(true);
      expect(reportMeaning(alpha)).toEqual(reportMeaning(v1));
    },
  );

  it.runIf(available)("slo check on the v1alpha file: the SLIs are Prometheus' own", async () => {
    const r = await runCli(
      ["check", join(V1ALPHA, "sloth-style.yaml"), "--at", new Date(HISTORY_AT).toISOString()],
      { env: { PROMETHEUS_URL: server!.url } },
    );
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toContain("ctrl-availability");
  });
});

describe("openslo.com/v2alpha, as the spec repository and the Go SDK write it", () => {
  it("loads into the same SLOs as its v1 twin", async () => {
    const alpha = await load([join(V2ALPHA, "web.yaml")]);
    const v1 = await load([join(V2ALPHA, "web.v1.yaml")]);
    expect(names(alpha)).toEqual(["web-availability", "web-latency"]);
    expect(meaning(alpha)).toEqual(meaning(v1));
  });

  it("evaluates on its log files as its v1 twin does", async () => {
    const evaluate = async (file: string) =>
      evaluateSet(await load([join(V2ALPHA, file)]), {
        atMs: LOGS_AT,
        sourceOptions: { workers: 0 },
      });
    const alpha = await evaluate("web.yaml");
    expect(alpha.slos.map((s) => [s.name, s.events.total, s.events.bad])).toEqual([
      ["web-availability", 60, 3],
      ["web-latency", 60, 6],
    ]);
    expect(reportMeaning(alpha)).toEqual(reportMeaning(await evaluate("web.v1.yaml")));
  });

  it("slo check, validate and convert --to openslo take it as it is", async () => {
    const file = join(V2ALPHA, "web.yaml");
    const check = await runCli(["check", file, "--at", new Date(LOGS_AT).toISOString()]);
    expect([0, 1]).toContain(check.code);
    expect(check.stdout).toContain("web-availability");
    expect((await runCli(["validate", file])).code).toBe(0);
    const converted = await runCli(["convert", "--to", "openslo", file]);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toContain("apiVersion: openslo/v1");
    expect(converted.stdout).not.toContain("apiVersion: openslo.com/v2alpha");
  });

  const broken = readBrokenFixtures(join(V2ALPHA, "broken"));
  it.each(broken.map((f) => [f.name, f] as const))(
    "%s is refused at file:line:col, exit 2",
    async (_, fixture) => {
      await expectNamedAtPosition(join(V2ALPHA, "broken"), fixture);
      const r = await runCli(["validate", join(V2ALPHA, "broken", fixture.name)]);
      expect(r.code).toBe(2);
    },
  );
});

describe("an OpenSLO version slo does not read", () => {
  it("is refused at apiVersion, naming the versions slo reads", async () => {
    const dir = await tempDir("openslo-v3");
    const file = join(dir, "v3.yaml");
    await writeFile(file, "apiVersion: openslo/v3\nkind: SLO\nmetadata: {name: x}\nspec: {}\n");
    const r = await runCli(["validate", file]);
    await rm(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "openslo/v3 is not supported; slo reads openslo/v1, openslo/v1alpha, openslo.com/v2alpha",
    );
  });
});
