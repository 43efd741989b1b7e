/**
 * OpenSLO v1 has no grouping field: slo's `groupBy`, `groupLimit` and
 * `gate.per` travel as the `slo/group-by` (comma-separated, in order),
 * `slo/group-limit` and `slo/gate-per` annotations, written by `slo convert
 * --to openslo` and read back to the same SLOs; a wrong annotation is an
 * error at its line.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { ROOT } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const GROUPED = join(ROOT, "test", "fixtures", "rules", "grouped.yaml");

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function groupings(set: SloSet) {
  return Object.fromEntries(
    set.services
      .flatMap((s) => s.slos)
      .map((slo) => [slo.name, { grouping: slo.grouping, per: slo.gate.per }]),
  );
}

const OPENSLO = (annotations: string) => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  annotations:
${annotations}
spec:
  service: bank
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.999 }]
  indicator:
    metadata: { name: availability }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: prometheus, spec: { query: 'rpc_requests_total{code="error"}' } } }
        total: { metricSource: { type: prometheus, spec: { query: rpc_requests_total } } }
`;

describe("groupBy in OpenSLO", () => {
  it("native -> OpenSLO writes the slo/ annotations, defaults left out, and reads back the same", async () => {
    const original = groupings(await load([GROUPED]));
    expect(original.latency).toEqual({ grouping: { by: ["action", "region"], limit: 20 } });
    expect(original.jobs!.per).toBe("whole");
    const dir = await convertInto([GROUPED], "openslo");
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    expect(text).toContain("slo/group-by: action\n");
    expect(text).toContain("slo/group-by: action,region\n");
    expect(text).toContain('slo/group-limit: "20"\n');
    expect(text).toContain("slo/gate-per: whole\n");
    expect(text.match(/slo\/group-limit/g)).toHaveLength(1);
    expect(groupings(await load([dir]))).toEqual(original);
    // And back to native: the same file's fields.
    const native = await convertInto([dir], "native");
    const nativeText = readdirSync(native)
      .map((f) => readFileSync(join(native, f), "utf8"))
      .join("\n");
    expect(nativeText).toContain("groupLimit: 20");
    expect(nativeText).toMatch(/per: whole/);
    expect(groupings(await load([native]))).toEqual(original);
  });

  it("a wrong annotation is an error at its line, saying what is wrong", async () => {
    const cases: [string, string][] = [
      ["    slo/group-by: action,action", "groupBy: 'action' is named twice"],
      ["    slo/group-by: action\n    slo/group-limit: lots", "expected a whole number of groups"],
      ["    slo/group-by: action\n    slo/group-limit: '9999'", "groupLimit: 9999 is over"],
      ["    slo/group-by: action\n    slo/gate-per: each", "expected group or whole"],
      ["    slo/gate-per: whole", "gate.per without groupBy"],
    ];
    for (const [annotations, words] of cases) {
      const dir = mkdtempSync(join(tmpdir(), "slo-openslo-grouping-"));
      writeFileSync(join(dir, "slo.yaml"), OPENSLO(annotations));
      const { errors } = await loadSpec([dir], { env: {}, cwd: ROOT });
      const text = errors.map((e) => e.format()).join("\n");
      expect(text, annotations).toContain(words);
      expect(errors[0]!.line, text).toBeGreaterThanOrEqual(6);
      expect(errors[0]!.line, text).toBeLessThanOrEqual(7);
    }
  });
});
