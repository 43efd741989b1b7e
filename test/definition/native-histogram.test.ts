/**
 * `histogramType: native | classic` on a latency indicator: loaded into the
 * model, and written back by `slo convert --to native`.
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import type { LatencyIndicator } from "../../src/definition/model.js";
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
