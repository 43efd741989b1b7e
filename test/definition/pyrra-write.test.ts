/**
 * `slo convert --to pyrra`, tested both ways: Pyrra files in the shapes of
 * Pyrra's examples (ratio, latency, latencyNative, grouping) written back as
 * Pyrra read as the same SLOs; native files with groupBy and native
 * histograms written as Pyrra's grouping and latencyNative read as the same
 * SLOs; what Pyrra cannot say refused per SLO, naming it (exit 2).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { pyrraBurnRateWindows } from "../../src/definition/pyrra/index.js";
import { convertPaths } from "../../src/definition/write/convert.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto, slosOf } from "./openslo-roundtrip.js";

const PYRRA = join(ROOT, "test", "fixtures", "pyrra");
const PYRRA_INPUTS = [
  "roundtrip/ratio.yaml",
  "roundtrip/latency.yaml",
  "roundtrip/latency-native.yaml",
  "roundtrip/grouping.yaml",
  "valid/shop.yaml",
  "valid/search.yaml",
  "valid/native-latency.yaml",
  "valid/exported-list.yaml",
  "grouped/api.yaml",
];
const NATIVE = "test/fixtures/pyrra/to-pyrra/api.yaml";

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function documentsIn(dir: string): Record<string, unknown>[] {
  return readdirSync(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map(
      (d) => d.toJS() as Record<string, unknown>,
    ),
  );
}

describe("slo convert --to pyrra: Pyrra in, Pyrra out", () => {
  for (const input of PYRRA_INPUTS) {
    it(`${input} reads back as the same SLOs`, async () => {
      const path = join("test/fixtures/pyrra", input);
      const original = slosOf(await load([path]));
      const { warnings } = await convertPaths([path], "pyrra", { outDir: ".", cwd: ROOT });
      // nothing left out: only what loading the input already warned about
      const loadWarnings = (await loadSpec([path], { env: {}, cwd: ROOT })).warnings;
      expect(warnings.map((w) => w.message)).toEqual(loadWarnings.map((w) => w.message));
      const dir = await convertInto([path], "pyrra");
      for (const doc of documentsIn(dir)) {
        expect(doc.apiVersion).toBe("pyrra.dev/v1alpha1");
        expect(doc.kind).toBe("ServiceLevelObjective");
      }
      expect(slosOf(await load([dir]))).toEqual(original);
    });
  }

  it("writes Pyrra's indicators, grouping and target as its examples do", async () => {
    const dir = await convertInto([join(PYRRA, "roundtrip/grouping.yaml")], "pyrra");
    const specs = documentsIn(dir).map((d) => d.spec as Record<string, unknown>);
    expect(specs.map((s) => s.target)).toEqual(["99.5", "99", "99.9"]);
    expect(specs.map((s) => s.indicator)).toEqual([
      {
        ratio: {
          errors: { metric: 'http_requests_total{job="api",code=~"5.."}' },
          total: { metric: 'http_requests_total{job="api"}' },
          grouping: ["handler"],
        },
      },
      {
        latency: {
          success: { metric: 'http_request_duration_seconds_bucket{job="api", le="0.5"}' },
          total: { metric: 'http_request_duration_seconds_count{job="api"}' },
          grouping: ["handler", "method"],
        },
      },
      {
        latencyNative: {
          latency: "1s",
          total: { metric: 'http_request_duration_seconds{job="api"}' },
          grouping: ["route"],
        },
      },
    ]);
  });
});

/**
 * What a native SLO means in Pyrra: the same SLI, target, window and groups.
 * Pyrra's own alert windows replace slo's defaults (a warning says so); its
 * rules carry `service` (as slo's do) and the labels are the SLO's, not the
 * service's; a latency threshold may come back in another unit.
 */
function meaningInPyrra(set: SloSet): unknown[] {
  return (slosOf(set) as Record<string, unknown>[]).map((slo) => {
    const { alerting: _, serviceLabels: __, ...rest } = slo;
    const { service: _service, ...labels } = slo.labels as Record<string, string>;
    const ind = slo.indicator as Record<string, unknown>;
    const seconds = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 }[ind.unit as "s"];
    return {
      ...rest,
      labels,
      indicator: {
        ...ind,
        unit: undefined,
        threshold: undefined,
        thresholdSeconds: Number(((ind.threshold as number) * seconds).toPrecision(12)),
      },
    };
  });
}

describe("slo convert --to pyrra: native in, Pyrra out", () => {
  it("groupBy and native histograms read back as the same SLOs, Pyrra's alert windows said", async () => {
    const original = await load([NATIVE]);
    const { warnings } = await convertPaths([NATIVE], "pyrra", { outDir: ".", cwd: ROOT });
    expect(warnings.map((w) => w.message)).toEqual(
      ["availability", "native-latency", "classic-latency"].map(
        (name) =>
          `SLO '${name}': left out of Pyrra: slo's default burn-rate windows: Pyrra alerts on its own four`,
      ),
    );
    const dir = await convertInto([NATIVE], "pyrra");
    const indicators = documentsIn(dir).map(
      (d) => (d.spec as { indicator: Record<string, unknown> }).indicator,
    );
    expect(indicators.map((i) => Object.keys(i)[0])).toEqual(["ratio", "latencyNative", "latency"]);
    expect(indicators[0]!.ratio).toMatchObject({ grouping: ["action"] });
    expect(indicators[1]!.latencyNative).toMatchObject({
      latency: "300ms",
      grouping: ["action", "region"],
    });
    const back = await load([dir]);
    expect(meaningInPyrra(back)).toEqual(meaningInPyrra(original));
    for (const slo of back.services.flatMap((s) => s.slos)) {
      expect(slo.service).toBe("api");
      expect(slo.alerting.windows).toEqual(
        pyrraBurnRateWindows(slo.window.kind === "rolling" ? slo.window.durationMs : 0),
      );
    }
  });
});

describe("slo convert --to pyrra: what Pyrra cannot say", () => {
  it("is refused per SLO, naming each and what Pyrra cannot say, exit 2, nothing written", async () => {
    const result = await runCli(["convert", "--to", "pyrra", "test/fixtures/pyrra/refused"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const refusals = result.stderr.split("\n").filter((l) => l.startsWith("error: "));
    expect(refusals.map((l) => l.replace(/^error: [^ ]+ /, ""))).toEqual([
      "SLO 'from-logs' cannot be written in Pyrra: its logs source 'app' (Pyrra reads Prometheus only)",
      "SLO 'monthly' cannot be written in Pyrra: a calendar window (Pyrra's windows are rolling, a Prometheus duration)",
      `SLO 'summed' cannot be written in Pyrra: the query sum(increase(shop_requests_total[{{window}}])) - sum(increase(shop_requests_total{code=~"2.."}[{{window}}])) (Pyrra reads a series selector, metric{labels}, and sums its rate itself)`,
      "SLO 'own-windows' cannot be written in Pyrra: its own burn-rate windows (Pyrra alerts on its four, scaled to the SLO's window)",
      "SLO 'sliced' cannot be written in Pyrra: budgeting by timeslices (Pyrra counts occurrences)",
      "SLO 'maintained' cannot be written in Pyrra: corrections (Pyrra has no budget corrections)",
      "SLO 'p95' cannot be written in Pyrra: a sampled indicator (Pyrra counts events)",
      "SLO 'good-without-bucket' cannot be written in Pyrra: good/total without an le matcher (Pyrra's ratio counts errors, its latency a bucket)",
      `SLO 'spaced-label' cannot be written in Pyrra: label owner="shop team" (a Kubernetes label: letters, digits, '-', '_' and '.', at most 63, alphanumeric at both ends)`,
    ]);
    expect(result.stderr).not.toContain("'fine'");
  });

  it("writes a counter summed over the SLO's window as its selector; a sum by a label is refused", async () => {
    const path = "test/fixtures/pyrra/summed/jobs.yaml";
    const result = await runCli(["convert", "--to", "pyrra", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "SLO 'jobs-by-queue' cannot be written in Pyrra: the query sum by (queue) (increase(jobs_total[{{window}}]))",
    );
    expect(result.stderr).not.toContain("'jobs-done'");
    const set = await load([path]);
    const done = set.services[0]!.slos.filter((s) => s.name === "jobs-done");
    const { pyrraDocuments } = await import("../../src/definition/write/pyrra.js");
    const { docs, errors } = pyrraDocuments(
      { ...set.services[0]!, slos: done },
      { defaults: new Map(), warnings: [], written: new Map() },
    );
    expect(errors).toEqual([]);
    expect((docs[0] as { spec: { indicator: unknown } }).spec.indicator).toEqual({
      ratio: {
        errors: { metric: 'jobs_failed_total{queue="shop"}' },
        total: { metric: 'jobs_total{queue="shop"}' },
      },
    });
  });

  it("refuses a second SLO of one Kubernetes name and namespace, naming the first", async () => {
    const result = await runCli(["convert", "--to", "pyrra", "test/fixtures/pyrra/name-clash"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "b.yaml:6:5: SLO 'availability' cannot be written in Pyrra: its Kubernetes name 'availability' is also SLO a/availability's",
    );
  });
});

describe("slo convert --to pyrra: what only slo reads", () => {
  it("is left out, each said in a warning naming the SLO, and the rest is written", async () => {
    const path = "test/fixtures/pyrra/lossy/cart.yaml";
    const { files, warnings } = await convertPaths([path], "pyrra", { outDir: ".", cwd: ROOT });
    expect(warnings.map((w) => w.message)).toEqual([
      "service 'cart': left out of Pyrra: its displayName (Pyrra has SLOs, no service)",
      ...[
        "the connection of source 'prom': Pyrra queries the Prometheus it is started with",
        `its name as written: Pyrra's is 'cart-errors' (a Kubernetes name), on its rules slo="cart-errors"`,
        "displayName 'Cart errors'",
        "runbook https://runbooks.example/cart",
        "its gate (slo check's verdict)",
        "groupLimit 20 (Pyrra keeps every group)",
        "gate.per: whole",
        "notify (1 target(s)): route Pyrra's alerts in Alertmanager",
        "alerting minEvents 25",
        "slo's default burn-rate windows: Pyrra alerts on its own four",
      ].map((what) => `SLO 'Cart_Errors': left out of Pyrra: ${what}`),
    ]);
    // a token never: the source's reference is not written at all
    expect(files.map((f) => f.text).join("")).not.toContain("PROM_TOKEN");
    const back = await load([await convertInto([path], "pyrra")]);
    const [slo] = back.services.flatMap((s) => s.slos);
    expect(slo).toMatchObject({
      service: "cart",
      name: "cart-errors",
      objective: 0.995,
      grouping: { by: ["route"] },
      indicator: {
        kind: "ratio",
        bad: 'cart_requests_total{code=~"5.."}',
        total: "cart_requests_total",
      },
    });
  });
});
