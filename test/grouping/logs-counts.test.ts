/**
 * The logs source's grouped counts against a slow, obvious reference: each
 * group's lines written to a file of their own and counted ungrouped. Real
 * files, the real reader, on this thread and in worker threads.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Indicator } from "../../src/definition/model.js";
import { MAX_GROUP_VALUES_TALLIED } from "../../src/limits.js";
import type { CountRequest, CountResult, CountsOverTime } from "../../src/sources/types.js";
import {
  countOne,
  HOUR,
  latency,
  logsSpec,
  MINUTE,
  ratio,
  slo,
  T,
  WINDOWS,
} from "../sources/logs/helpers.js";

const SERIES = [{ key: "buckets", startMs: T - HOUR, stepMs: 5 * MINUTE, count: 12 }];

function grouped(indicator: Indicator, by: string[]): CountRequest {
  return {
    slo: { ...slo("grouped", indicator), grouping: { by, limit: 100 } },
    windows: WINDOWS,
    series: SERIES,
  };
}

function ungrouped(indicator: Indicator): CountRequest {
  return { slo: slo("alone", indicator), windows: WINDOWS, series: SERIES };
}

interface Line {
  ageMs: number;
  action: string | undefined;
  region: string | undefined;
  status: number;
  ms: number;
}

const line = fc.record({
  ageMs: fc.integer({ min: 0, max: 2 * HOUR }),
  action: fc.option(fc.constantFrom("CheckBalance", "Transfer", 'a"b', "", "ü"), {
    nil: undefined,
  }),
  region: fc.option(fc.constantFrom("eu", "us"), { nil: undefined }),
  status: fc.constantFrom(200, 200, 500),
  ms: fc.integer({ min: 0, max: 600 }),
});

function text(l: Line): string {
  return JSON.stringify({
    t: new Date(T - l.ageMs).toISOString(),
    ...(l.action === undefined ? {} : { action: l.action }),
    ...(l.region === undefined ? {} : { region: l.region }),
    status: l.status,
    ms: l.ms,
  });
}

let files = 0;
function fileOf(dir: string, lines: readonly Line[]): string {
  const name = `f${files++}.ndjson`;
  writeFileSync(join(dir, name), lines.map(text).join("\n") + (lines.length > 0 ? "\n" : ""));
  return name;
}

const INDICATORS: [string, Indicator][] = [
  ["a ratio", ratio({ total: "| json", bad: "| json | status >= 500" })],
  ["a latency", latency("| json", "ms", 300)],
];

function countsOf(result: CountResult): CountsOverTime {
  return { windows: result.windows, series: result.series };
}

describe("grouped counts on logs equal counting each group's lines alone", () => {
  const dir = mkdtempSync(join(tmpdir(), "slo-group-prop-"));
  for (const [what, indicator] of INDICATORS) {
    it(`${what}, by one field and by two`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(line, { maxLength: 60 }),
          fc.constantFrom<string[]>(["action"], ["action", "region"]),
          async (lines, by) => {
            const spec = logsSpec([fileOf(dir, lines)], { baseDir: dir });
            const result = await countOne(spec, grouped(indicator, by));
            const valuesOf = (l: Line) =>
              by.map((f) => (f === "action" ? l.action : l.region) ?? "");
            const expected = new Map<string, CountsOverTime>();
            for (const values of new Set(lines.map((l) => JSON.stringify(valuesOf(l))))) {
              const own = lines.filter((l) => JSON.stringify(valuesOf(l)) === values);
              const alone = await countOne(
                logsSpec([fileOf(dir, own)], { baseDir: dir }),
                ungrouped(indicator),
              );
              // a group with no event in any window or bucket has no tally at all
              if (
                alone.series.buckets!.some((b) => b.total > 0) ||
                Object.values(alone.windows).some((w) => w.total > 0)
              )
                expected.set(values, countsOf(alone));
            }
            const got = new Map(
              (result.groups ?? []).map((g) => [
                JSON.stringify(g.values),
                { windows: g.windows, series: g.series },
              ]),
            );
            expect(got).toEqual(expected);
            expect(result.untallied).toBeUndefined();
            const whole = await countOne(
              logsSpec([fileOf(dir, lines)], { baseDir: dir }),
              ungrouped(indicator),
            );
            expect(countsOf(result)).toEqual(countsOf(whole));
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it("gives the same groups read by worker threads in byte ranges", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => ({
      ageMs: (i * 997) % HOUR,
      action: `a${i % 37}`,
      region: undefined,
      status: i % 7 === 0 ? 500 : 200,
      ms: 1,
    }));
    const spec = logsSpec([fileOf(dir, lines)], { baseDir: dir });
    const request = grouped(INDICATORS[0]![1], ["action"]);
    const here = await countOne(spec, request, { workers: 0 });
    const threads = await countOne(spec, request, { workers: 2, parallelMinBytes: 0 });
    const sorted = (r: CountResult) =>
      [...(r.groups ?? [])].sort((a, b) => (a.values[0]! < b.values[0]! ? -1 : 1));
    expect(sorted(threads)).toEqual(sorted(here));
    expect(here.groups).toHaveLength(37);
  });

  it(`tallies ${MAX_GROUP_VALUES_TALLIED} values exactly and counts the later ones together`, async () => {
    const values = MAX_GROUP_VALUES_TALLIED + 5;
    const lines = Array.from({ length: values }, (_, i) => ({
      ageMs: MINUTE + i,
      action: `v${i}`,
      region: undefined,
      status: 200,
      ms: 1,
    }));
    const spec = logsSpec([fileOf(dir, lines)], { baseDir: dir });
    const result = await countOne(spec, grouped(INDICATORS[0]![1], ["action"]), { workers: 0 });
    expect(result.groups).toHaveLength(MAX_GROUP_VALUES_TALLIED);
    expect(result.untallied?.windows["1h"]).toEqual({ good: 5, total: 5 });
    expect(result.windows["1h"]).toEqual({ good: values, total: values });
  });
});
