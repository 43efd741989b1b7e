/**
 * Pyrra's `grouping` (one SLO per label value) is slo's `groupBy`: read from
 * `spec.indicator.<kind>.grouping`, written back by `slo convert` (to the
 * native `groupBy`, to OpenSLO's `slo/group-by` annotation), and the
 * converted files load to the same grouping.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_LIMIT } from "../../src/defaults.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { ROOT } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const GROUPED = join(ROOT, "test", "fixtures", "pyrra", "grouped", "api.yaml");

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function groupings(set: SloSet) {
  return Object.fromEntries(
    set.services.flatMap((s) => s.slos).map((slo) => [slo.name, slo.grouping]),
  );
}

const EXPECTED = {
  "prometheus-api-errors": { by: ["handler"], limit: DEFAULT_GROUP_LIMIT },
  "prometheus-api-latency": { by: ["handler", "method"], limit: DEFAULT_GROUP_LIMIT },
};

describe("Pyrra grouping", () => {
  it("is read as groupBy, in the order written, with slo's default groupLimit", async () => {
    expect(groupings(await load([GROUPED]))).toEqual(EXPECTED);
  });

  it("an empty grouping (or null, as Pyrra exports it) is none", async () => {
    const text = readFileSync(GROUPED, "utf8");
    for (const none of ["grouping: []", "grouping: null"]) {
      const { mkdtempSync, writeFileSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      const dir = mkdtempSync(join(tmpdir(), "slo-pyrra-grouping-"));
      writeFileSync(join(dir, "api.yaml"), text.replace("grouping: [handler, method]", none));
      const set = await load([dir]);
      expect(groupings(set)["prometheus-api-latency"], none).toBeUndefined();
    }
  });

  it("slo convert --to native writes groupBy, and the file loads to the same grouping", async () => {
    const dir = await convertInto([GROUPED], "native");
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    expect(text).toMatch(/groupBy: handler\n/);
    expect(text).toMatch(/groupBy:\n\s+- handler\n\s+- method\n/);
    expect(text).not.toContain("groupLimit");
    expect(groupings(await load([dir]))).toEqual(EXPECTED);
  });

  it("slo convert --to openslo writes slo/group-by, and the file loads to the same grouping", async () => {
    const dir = await convertInto([GROUPED], "openslo");
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    expect(text).toContain("slo/group-by: handler\n");
    expect(text).toContain("slo/group-by: handler,method\n");
    expect(groupings(await load([dir]))).toEqual(EXPECTED);
  });
});
