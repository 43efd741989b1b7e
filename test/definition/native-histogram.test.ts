/**
 * `histogramType: native | classic` on a latency indicator: loaded into the
 * model, and written back by `slo convert --to native`.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { LatencyIndicator } from "../../src/definition/model.js";
import { ROOT } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const FILE = `service: api
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
slos:
  - name: native
    objective: 99%
    window: 30d
    indicator:
      latency: { source: prom, histogram: 'rpc_duration_seconds{job="api"}', histogramType: native, threshold: 250ms }
  - name: classic
    objective: 99%
    window: 30d
    indicator:
      latency: { source: prom, histogram: 'rpc_duration_seconds{job="api"}', histogramType: classic, threshold: 250ms }
  - name: asked
    objective: 99%
    window: 30d
    indicator:
      latency: { source: prom, histogram: 'rpc_duration_seconds{job="api"}', threshold: 250ms }
`;

function indicators(text: string): (LatencyIndicator | undefined)[] {
  const { services, errors } = loadText("slo.yaml", text, {});
  expect(errors.map((e) => e.format())).toEqual([]);
  return services[0]!.slos.map((s) => (s.indicator.kind === "latency" ? s.indicator : undefined));
}

describe("histogramType", () => {
  it("is read into the model; absent, it is left for the server to say", () => {
    expect(indicators(FILE).map((i) => i?.histogramType)).toEqual(["native", "classic", undefined]);
  });

  it("slo convert --to native writes it back, and only where the file said it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-native-histogram-"));
    writeFileSync(join(dir, "api.yaml"), FILE);
    const out = await convertInto([join(dir, "api.yaml")], "native");
    const text = readFileSync(join(out, "api.yaml"), "utf8");
    expect(text.match(/histogramType: \w+/g)).toEqual([
      "histogramType: native",
      "histogramType: classic",
    ]);
    expect(indicators(text).map((i) => i?.histogramType)).toEqual(["native", "classic", undefined]);
  });
});

const PYRRA = join(ROOT, "test", "fixtures", "pyrra", "valid", "native-latency.yaml");
const OPENSLO = join(ROOT, "test", "fixtures", "openslo", "native-histogram", "rpc.yaml");

async function latencyOf(paths: string[]): Promise<LatencyIndicator> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  const [slo] = set.services.flatMap((s) => s.slos);
  if (slo?.indicator.kind !== "latency") throw new Error("no latency SLO");
  return slo.indicator;
}

describe("native histograms in Pyrra and OpenSLO", () => {
  const native = {
    kind: "latency",
    histogramType: "native",
  };

  it("Pyrra's latencyNative is a native histogram's latency: the total's selector, the latency as the threshold", async () => {
    expect(await latencyOf([PYRRA])).toEqual({
      ...native,
      source: "prometheus",
      histogram: 'rpc_server_duration_seconds{job="rpc",code="ok"}',
      unit: "ms",
      threshold: 200,
      thresholdText: "200ms",
    });
  });

  it("OpenSLO: histogramType: native in the Prometheus metric's spec", async () => {
    expect(await latencyOf([OPENSLO])).toMatchObject({
      ...native,
      histogram: 'rpc_server_duration_seconds{job="rpc"}',
      unit: "s",
      threshold: 0.2,
    });
  });

  it.each([
    ["Pyrra", PYRRA],
    ["OpenSLO", OPENSLO],
  ])(
    "%s -> native and -> OpenSLO, and back: still a native histogram at the same threshold",
    async (_, input) => {
      const original = await latencyOf([input]);
      const seconds = (i: LatencyIndicator) =>
        i.threshold * { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 }[i.unit];
      for (const to of ["native", "openslo"] as const) {
        const converted = await convertInto([input], to);
        const back = await convertInto([converted], to === "native" ? "openslo" : "native");
        for (const dir of [converted, back]) {
          const again = await latencyOf([dir]);
          expect(again.histogramType, `${to}: ${dir}`).toBe("native");
          expect(again.histogram).toBe(original.histogram);
          expect(seconds(again)).toBeCloseTo(seconds(original), 12);
        }
      }
    },
  );

  it("the OpenSLO file says histogramType: native beside the query", async () => {
    const dir = await convertInto([PYRRA], "openslo");
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    expect(text).toMatch(
      /query: rpc_server_duration_seconds\{job="rpc",code="ok"\}\n\s+histogramType: native\n/,
    );
  });
});
