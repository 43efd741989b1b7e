/**
 * Corrections on a real Prometheus (Debian's 2.42): 15 days of one-minute
 * counters, backfilled. `req_total` counts every event, bad ones crowding
 * into the maintenance windows; `included_total` counts only the events
 * outside them. slo with corrections on the first must say what slo says
 * without corrections on the second, window by window (sample-aligned
 * periods: Prometheus' increase is exact there), and the events each
 * correction excluded must be those counted by hand.
 */

import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReportEntry } from "../../src/report/schema.js";
import {
  createBlocks,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const AT = Date.parse("2026-05-20T12:00:00Z");
const START = AT - 15 * DAY;

// Sundays 02:00-04:00 Berlin (00:00-02:00 UTC in May), and a one-off from 20 minutes before AT.
const WEEKLY = (t: number) => {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return d.getUTCDay() === 0 && t > midnight && t <= midnight + 2 * HOUR;
};
const ONE_OFF = (t: number) => t > AT - 20 * MIN && t <= AT + 10 * MIN;
const excluded = (t: number) => WEEKLY(t) || ONE_OFF(t);

/** Events of the minute ending at t: 20 good, and bad ones: 8 in maintenance, 1 every 7 minutes else. */
function minute(t: number): { good: number; bad: number } {
  const i = (t - START) / MIN;
  return { good: 20, bad: WEEKLY(t) ? 8 : i % 7 === 0 ? 1 : 0 };
}

function openMetrics(): string {
  const series: Record<string, number[]> = {
    'req_total{code="200"}': [],
    'req_total{code="500"}': [],
    'included_total{code="200"}': [],
    'included_total{code="500"}': [],
  };
  const totals = { r200: 0, r500: 0, i200: 0, i500: 0 };
  const times: number[] = [];
  for (let t = START; t <= AT; t += MIN) {
    if (t > START) {
      const m = minute(t);
      totals.r200 += m.good;
      totals.r500 += m.bad;
      if (!excluded(t)) {
        totals.i200 += m.good;
        totals.i500 += m.bad;
      }
    }
    times.push(t);
    series['req_total{code="200"}']!.push(totals.r200);
    series['req_total{code="500"}']!.push(totals.r500);
    series['included_total{code="200"}']!.push(totals.i200);
    series['included_total{code="500"}']!.push(totals.i500);
  }
  const lines: string[] = [];
  for (const family of ["req_total", "included_total"]) {
    lines.push(`# TYPE ${family.replace(/_total$/, "")} counter`);
    for (const [name, values] of Object.entries(series)) {
      if (!name.startsWith(family)) continue;
      values.forEach((v, i) => {
        lines.push(`${name} ${v} ${times[i]! / 1000}`);
      });
    }
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

const corrections = `    corrections:
      - { start: "2026-04-05 02:00", duration: 2h, rrule: "FREQ=WEEKLY;BYDAY=SU", timezone: Europe/Berlin, reason: weekly }
      - { start: "${new Date(AT - 20 * MIN).toISOString()}", duration: 30m, reason: now }`;

function yaml(url: string): string {
  const slo = (name: string, metric: string, corrections: string, extra = "") => `
  - name: ${name}
    objective: 99%
    window: 7d${extra}
${corrections}
    indicator:
      ratio: { source: prom, total: '${metric}', bad: '${metric}{code="500"}' }`;
  return `service: shop
sources:
  prom: { type: prometheus, url: "${url}" }
slos:${slo("corrected", "req_total", corrections)}${slo("included", "included_total", "")}${slo(
    "corrected-by-code",
    "req_total",
    corrections,
    "\n    groupBy: code",
  )}${slo("included-by-code", "included_total", "", "\n    groupBy: code")}
`;
}

const available = await requireBinaries(["prometheus", "promtool"], "corrections on Prometheus");

describe.skipIf(!available)("corrections on a real Prometheus", () => {
  let server: RunningServer | undefined;
  let data = "";
  let corrected: SloReportEntry;
  let included: SloReportEntry;
  let groups: SloReportEntry[];

  beforeAll(async () => {
    data = await tempDir("corrections-prometheus");
    await createBlocks(openMetrics(), data);
    server = await startPrometheus(data);
    const { services, errors } = loadText("slo.yaml", yaml(server.url), {});
    expect(errors.map((e) => e.format())).toEqual([]);
    const report = await evaluateSet({ files: [], services }, { atMs: AT });
    [corrected, included] = report.slos as [SloReportEntry, SloReportEntry];
    groups = report.slos.filter((e) => e.group !== undefined);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await rm(data, { recursive: true, force: true });
  });

  it("with corrections, every window counts what a series of only the included events counts", () => {
    expect(corrected.error).toBeNull();
    expect(corrected.events.total).toBeCloseTo(included.events.total, 6);
    expect(corrected.events.bad).toBeCloseTo(included.events.bad, 6);
    expect(corrected.sli!).toBeCloseTo(included.sli!, 9);
    expect(corrected.errorBudget.remaining!).toBeCloseTo(included.errorBudget.remaining!, 9);
    for (const [window, rate] of Object.entries(included.burnRates)) {
      if (rate === null) expect(corrected.burnRates[window], window).toBeNull();
      else expect(corrected.burnRates[window]!, window).toBeCloseTo(rate, 9);
    }
    expect(corrected.status).toBe(included.status);
  });

  it("a grouped SLO: each group counts what the same group of only the included events counts", () => {
    const byCode = (definition: string) =>
      new Map(
        groups
          .filter((e) => e.group!.definition === definition)
          .map((e) => [e.group!.labels.code, e] as const),
      );
    const correctedGroups = byCode("corrected-by-code");
    const includedGroups = byCode("included-by-code");
    expect([...correctedGroups.keys()].sort()).toEqual(["200", "500"]);
    for (const [code, entry] of correctedGroups) {
      const other = includedGroups.get(code)!;
      expect(entry.events.total, code).toBeCloseTo(other.events.total, 6);
      expect(entry.events.bad, code).toBeCloseTo(other.events.bad, 6);
      for (const [window, rate] of Object.entries(other.burnRates)) {
        if (rate === null) expect(entry.burnRates[window], `${code} ${window}`).toBeNull();
        else expect(entry.burnRates[window]!, `${code} ${window}`).toBeCloseTo(rate, 9);
      }
    } // Each group lists what the corrections left out of it: together, what they left out of the whole.
    corrected.corrections!.forEach((c, i) => {
      const groupsTotal = [...correctedGroups.values()].reduce(
        (n, e) => n + e.corrections![i]!.excluded.total,
        0,
      );
      expect(groupsTotal, `correction ${i}`).toBeCloseTo(c.excluded.total, 6);
    });
    expect(correctedGroups.get("200")!.corrections![0]!.excluded.bad).toBe(0);
  });

  it("and those are the events outside the periods, counted by hand", () => {
    let good = 0;
    let bad = 0;
    for (let t = AT - 7 * DAY + MIN; t <= AT; t += MIN) {
      if (excluded(t)) continue;
      good += minute(t).good;
      bad += minute(t).bad;
    }
    expect(corrected.events.total).toBeCloseTo(good + bad, 6);
    expect(corrected.events.bad).toBeCloseTo(bad, 6);
  });

  it("lists each correction with the events it left out of the window", () => {
    const count = (inside: (t: number) => boolean) => {
      let good = 0;
      let bad = 0;
      for (let t = AT - 7 * DAY + MIN; t <= AT; t += MIN) {
        if (!inside(t)) continue;
        good += minute(t).good;
        bad += minute(t).bad;
      }
      return { good, bad, total: good + bad };
    };
    const [weekly, now] = corrected.corrections!;
    expect(weekly!.occurrences).toEqual([
      { start: "2026-05-17T00:00:00.000Z", end: "2026-05-17T02:00:00.000Z" },
    ]);
    const w = count(WEEKLY);
    expect(weekly!.excluded.total).toBeCloseTo(w.total, 6);
    expect(weekly!.excluded.bad).toBeCloseTo(w.bad, 6);
    expect(now!.excluded.total).toBeCloseTo(count(ONE_OFF).total, 6);
    // The window's short alert windows lie wholly inside the one-off: no data, never 100%.
    expect(corrected.burnRates["5m"]).toBeNull();
  });
});
