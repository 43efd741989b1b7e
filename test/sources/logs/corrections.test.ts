/**
 * Corrections on a logs source: evaluating a log with corrections gives the
 * same report as evaluating the same log with the excluded lines deleted
 * (SLI, budget, burn rates, alerts, burn-down, alert history, the previous
 * window), and each correction's excluded count is the lines it deleted in
 * the window. The periods of the reference are worked out here by hand.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadText } from "../../../src/definition/load.js";
import { evaluateSet } from "../../../src/pipeline/evaluate-set.js";
import type { SloReportEntry } from "../../../src/report/schema.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const AT = Date.parse("2026-05-20T12:00:00Z");
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Correction {
  startMs: number;
  minutes: number;
  /** every this many hours, COUNT times; absent: once */
  everyHours?: number | undefined;
  count?: number | undefined;
}

interface Event {
  t: number;
  bad: boolean;
}

function periodsOf(c: Correction): [number, number][] {
  const n = c.everyHours === undefined ? 1 : (c.count ?? 1);
  return Array.from({ length: n }, (_, k) => {
    const s = c.startMs + k * (c.everyHours ?? 0) * HOUR;
    return [s, s + c.minutes * MIN];
  });
}

const inside = (t: number, periods: [number, number][]) =>
  periods.some(([s, e]) => s < t && t <= e);

function yamlOf(dir: string, corrections: Correction[]): string {
  const list = corrections
    .map((c) => {
      const rule =
        c.everyHours === undefined
          ? ""
          : `, rrule: "FREQ=HOURLY;INTERVAL=${c.everyHours};COUNT=${c.count}"`;
      return `  - { start: "${new Date(c.startMs).toISOString()}", duration: ${c.minutes}m${rule}, reason: "r${c.startMs}" }`;
    })
    .join("\n");
  return `service: shop
sources:
  app: { type: logs, paths: ${join(dir, "app.log")}, labels: { app: shop } }
${corrections.length > 0 ? `corrections:\n${list}` : ""}
slos:
  - name: checkout
    objective: 90%
    window: 1d
    alerting:
      minEvents: 1
      windows:
        - { severity: page, long: 1h, short: 5m, burnRate: 2 }
        - { severity: ticket, long: 6h, short: 30m, burnRate: 1 }
    indicator:
      ratio: { source: app, bad: '{app="shop"} | json | code >= 500', total: '{app="shop"}' }
`;
}

async function evaluate(
  events: Event[],
  corrections: Correction[],
  workers = 0,
): Promise<SloReportEntry> {
  const dir = mkdtempSync(join(tmpdir(), "slo-corrections-"));
  dirs.push(dir);
  const lines = events.map((e) =>
    JSON.stringify({ t: new Date(e.t).toISOString(), code: e.bad ? 503 : 200 }),
  );
  writeFileSync(join(dir, "app.log"), lines.length > 0 ? `${lines.join("\n")}\n` : "");
  const { services, errors } = loadText(join(dir, "slo.yaml"), yamlOf(dir, corrections), {});
  expect(errors.map((e) => e.format())).toEqual([]);
  const report = await evaluateSet(
    { files: [], services },
    { atMs: AT, alertHistory: true, sourceOptions: { workers, parallelMinBytes: 0 } },
  );
  return report.slos[0]!;
}

/** What a correction changes nowhere but in its own listing. */
function counted(entry: SloReportEntry) {
  const { corrections, correctionsExcluded, diagnostics, definedAt, ...rest } = entry;
  return rest;
}

// Events and periods on whole seconds and minutes over the window, the previous window and the history's reach.
const SPAN_MIN = 2 * 24 * 60 + 6 * 60;
const event = fc.record({
  t: fc.integer({ min: 0, max: SPAN_MIN * 60 }).map((s) => AT - s * 1000),
  bad: fc.boolean(),
});
const correction: fc.Arbitrary<Correction> = fc.record({
  startMs: fc.integer({ min: 0, max: SPAN_MIN }).map((m) => AT - m * MIN),
  minutes: fc.integer({ min: 1, max: 300 }),
  everyHours: fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined }),
  count: fc.integer({ min: 1, max: 6 }),
});

describe("corrections on a logs source", () => {
  it("equal the same log with the excluded lines deleted, and count what each excluded", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { maxLength: 300 }),
        fc.array(correction, { minLength: 1, maxLength: 3 }),
        async (events, corrections) => {
          const periods = corrections.flatMap(periodsOf);
          const kept = events.filter((e) => !inside(e.t, periods));
          const [withCorrections, deleted] = await Promise.all([
            evaluate(events, corrections),
            evaluate(kept, []),
          ]);
          expect(counted(withCorrections)).toEqual(counted(deleted));
          const windowStart = AT - 24 * HOUR;
          // Together, each excluded event once, however the corrections overlap.
          const inWindow = events.filter((e) => e.t > windowStart && e.t <= AT);
          const union = inWindow.filter((e) => inside(e.t, periods));
          if (withCorrections.corrections) {
            expect(withCorrections.correctionsExcluded).toEqual({
              good: union.filter((e) => !e.bad).length,
              bad: union.filter((e) => e.bad).length,
              total: union.length,
            });
          }
          const listed = withCorrections.corrections ?? [];
          for (const c of corrections) {
            const own = periodsOf(c);
            const touched = own.some(([s, e]) => s < AT && e > windowStart);
            const entry = listed.find((l) => l.reason === `r${c.startMs}`);
            expect(entry !== undefined).toBe(touched);
            if (!entry) continue;
            const excluded = events.filter(
              (e) => e.t > windowStart && e.t <= AT && inside(e.t, own),
            );
            expect(entry.excluded).toEqual({
              good: excluded.filter((e) => !e.bad).length,
              bad: excluded.filter((e) => e.bad).length,
              total: excluded.length,
            });
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it("worker threads leave out and count the same events as one thread", async () => {
    const events = Array.from({ length: 3000 }, (_, i) => ({
      t: AT - i * 53_000,
      bad: i % 9 === 0,
    }));
    const corrections = [
      { startMs: AT - 20 * HOUR, minutes: 90, everyHours: 5, count: 6 },
      { startMs: AT - 19 * HOUR, minutes: 30 },
    ];
    const [here, inWorkers] = await Promise.all([
      evaluate(events, corrections, 0),
      evaluate(events, corrections, 2),
    ]);
    expect(inWorkers.corrections).toEqual(here.corrections);
    expect(here.corrections?.[0]?.excluded.total).toBeGreaterThan(0);
    expect(counted(inWorkers)).toEqual(counted(here));
  });

  it("a correction over the whole window leaves no data, never 100%", async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      t: AT - i * 10 * MIN,
      bad: i % 5 === 0,
    }));
    const entry = await evaluate(events, [{ startMs: AT - 30 * HOUR, minutes: 31 * 60 }]);
    expect(entry.status).toBe("no-data");
    expect(entry.sli).toBeNull();
    expect(entry.events.total).toBe(0);
    expect(entry.corrections?.[0]?.excluded.total).toBe(
      events.filter((e) => e.t > AT - 24 * HOUR).length,
    );
  });
});
