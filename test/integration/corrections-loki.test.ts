/**
 * Corrections on a real Loki (2.7.5, test/support/loki.ts): the same lines
 * pushed as one stream with every event and as one holding only the events
 * outside the corrections' periods, and written to a log file. slo with
 * corrections on the whole stream says what it says without corrections on
 * the included stream, and what the logs source says with corrections:
 * each window's counts, SLI, budget, burn rates, and the events each
 * correction excluded. Some lines lie exactly on a period's start and end
 * (a period is (start, end], like a window).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReportEntry } from "../../src/report/schema.js";
import { nanos, type RunningLoki, requireLoki, startLoki } from "../support/loki.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const AT = Date.parse("2026-05-20T12:00:00Z");

// Daily 01:00-03:00 UTC (rrule), and a one-off over the last 40 minutes.
const DAILY = (t: number) => {
  const midnight = Math.floor(t / DAY) * DAY;
  return t > midnight + HOUR && t <= midnight + 3 * HOUR;
};
const ONE_OFF = (t: number) => t > AT - 40 * MIN && t <= AT;
const excluded = (t: number) => DAILY(t) || ONE_OFF(t);

interface Event {
  t: number;
  status: number;
}

/** Every 7 minutes over 15 days (bad ones crowding into the daily window), and lines on the periods' edges. */
function makeEvents(): Event[] {
  const events: Event[] = [];
  for (let k = 0; k * 7 * MIN < 15 * DAY; k++) {
    const t = AT - k * 7 * MIN;
    events.push({ t, status: DAILY(t) ? (k % 2 === 0 ? 500 : 200) : k % 40 === 0 ? 503 : 200 });
  }
  for (const day of [1, 2, 3]) {
    const midnight = Math.floor(AT / DAY) * DAY - day * DAY;
    for (const t of [midnight + HOUR, midnight + 3 * HOUR, midnight + HOUR + 1])
      events.push({ t, status: 500 });
  }
  events.push({ t: AT - 40 * MIN, status: 500 });
  return events.sort((a, b) => a.t - b.t);
}

const EVENTS = makeEvents();
const line = (e: Event, i: number) =>
  JSON.stringify({ t: new Date(e.t).toISOString(), status: e.status, id: i });

function yaml(lokiUrl: string, logFile: string): string {
  const slo = (name: string, source: string, app: string, corrections: boolean) => `
  - name: ${name}
    objective: 99%
    window: 7d
${
  corrections
    ? `    corrections:
      - { start: "2026-01-01 01:00", duration: 2h, rrule: "RRULE:FREQ=DAILY", reason: nightly, category: outside-business-hours }
      - { start: "${new Date(AT - 40 * MIN).toISOString()}", end: "${new Date(AT).toISOString()}", reason: deploy, category: deployment }`
    : ""
}
    indicator:
      ratio: { source: ${source}, bad: '{app="${app}"} | json | status >= 500', total: '{app="${app}"}' }`;
  return `service: shop
sources:
  loki: { type: loki, url: "${lokiUrl}" }
  file: { type: logs, paths: ${logFile}, labels: { app: shop } }
slos:${slo("loki-corrected", "loki", "shop", true)}${slo("loki-included", "loki", "included", false)}${slo("file-corrected", "file", "shop", true)}
`;
}

const binary = await requireLoki("corrections on Loki");

describe.skipIf(binary === null)("corrections on a real Loki", () => {
  let server: RunningLoki | undefined;
  let dir = "";
  let entries: Record<string, SloReportEntry> = {};

  beforeAll(async () => {
    server = await startLoki(binary!);
    dir = await mkdtemp(join(tmpdir(), "slo-corrections-loki-"));
    const logFile = join(dir, "app.log");
    await writeFile(logFile, `${EVENTS.map(line).join("\n")}\n`);
    await server.push([
      { stream: { app: "shop" }, values: EVENTS.map((e, i) => [nanos(e.t), line(e, i)]) },
      {
        stream: { app: "included" },
        values: EVENTS.flatMap((e, i) => (excluded(e.t) ? [] : [[nanos(e.t), line(e, i)]])) as [
          string,
          string,
        ][],
      },
    ]);
    const { services, errors } = loadText(join(dir, "slo.yaml"), yaml(server.url, logFile), {});
    expect(errors.map((e) => e.format())).toEqual([]);
    const report = await evaluateSet({ files: [], services }, { atMs: AT });
    entries = Object.fromEntries(report.slos.map((e) => [e.name, e]));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** What corrections change in the counts: everything computed from the windows. */
  const counts = (e: SloReportEntry) => ({
    events: e.events,
    sli: e.sli,
    errorBudget: e.errorBudget,
    burnRates: e.burnRates,
    status: e.status,
    error: e.error,
  });

  it("with corrections, Loki counts what a stream of only the included events counts", () => {
    expect(counts(entries["loki-corrected"]!)).toEqual(counts(entries["loki-included"]!));
    const inWindow = EVENTS.filter((e) => e.t > AT - 7 * DAY && e.t <= AT && !excluded(e.t));
    expect(entries["loki-corrected"]!.events).toEqual({
      total: inWindow.length,
      bad: inWindow.filter((e) => e.status >= 500).length,
      good: inWindow.filter((e) => e.status < 500).length,
    });
  });

  it("and what the logs source counts with the same corrections, each correction's excluded events too", () => {
    const loki = entries["loki-corrected"]!;
    const file = entries["file-corrected"]!;
    expect(counts(loki)).toEqual(counts(file));
    expect(loki.corrections).toEqual(file.corrections);
    const nightly = EVENTS.filter((e) => e.t > AT - 7 * DAY && e.t <= AT && DAILY(e.t));
    expect(loki.corrections![0]!.excluded).toEqual({
      total: nightly.length,
      bad: nightly.filter((e) => e.status >= 500).length,
      good: nightly.filter((e) => e.status < 500).length,
    });
    expect(loki.corrections![0]!.occurrences).toHaveLength(7);
    expect(loki.corrections![1]!.category).toBe("deployment");
  });
});
