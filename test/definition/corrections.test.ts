/**
 * `corrections:` read from a native file (the file's own for every SLO,
 * then each SLO's), the broken ones named at file:line:col, and the periods
 * a correction has inside a range, with the rrule package's recurrences read
 * on the zone's wall clock (DST kept).
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { correctionPeriods } from "../../src/definition/correction-periods.js";
import { loadText } from "../../src/definition/load.js";
import type { CorrectionSpec } from "../../src/definition/model.js";
import { MAX_CORRECTION_PERIODS_PER_WINDOW } from "../../src/limits.js";
import { runCli } from "../support/cli.js";

function file(corrections: string, sloCorrections = "", window = "30d"): string {
  return `service: shop
sources:
  app: { type: logs, paths: app.log }
${corrections}
slos:
  - name: checkout
    objective: 99%
    window: ${window}
    indicator:
      ratio: { source: app, good: '{app="shop"} | json | code < 500', total: '{app="shop"}' }
${sloCorrections}
`;
}

function load(text: string) {
  const { services, errors } = loadText("slo.yaml", text, {});
  return { corrections: services[0]?.slos[0]?.corrections, errors: errors.map((e) => e.format()) };
}

function loaded(text: string): CorrectionSpec[] {
  const { corrections, errors } = load(text);
  expect(errors).toEqual([]);
  return corrections ?? [];
}

const ISO = (ms: number) => new Date(ms).toISOString();

describe("corrections in the native file", () => {
  it("reads the file's corrections, then the SLO's, with defaults", () => {
    const corrections = loaded(
      file(
        `corrections:
  - { start: "2026-05-10 02:00", duration: 2h, timezone: Europe/Berlin, reason: DB upgrade, category: maintenance }`,
        `    corrections:
      - { start: "2026-05-11T08:00:00Z", end: "2026-05-11T09:30:00+00:00" }`,
      ),
    );
    expect(corrections).toHaveLength(2);
    expect(corrections[0]).toMatchObject({
      start: "2026-05-10 02:00",
      startMs: Date.parse("2026-05-10T00:00:00Z"),
      durationMs: 2 * 3_600_000,
      duration: "2h",
      timeZone: "Europe/Berlin",
      reason: "DB upgrade",
      category: "maintenance",
    });
    expect(corrections[0]!.at.line).toBe(5);
    expect(corrections[1]).toMatchObject({
      startMs: Date.parse("2026-05-11T08:00:00Z"),
      durationMs: 90 * 60_000,
      end: "2026-05-11T09:30:00+00:00",
      timeZone: "UTC",
      category: "other",
    });
  });

  it("accepts an RRULE with or without its RRULE: prefix", () => {
    const [a, b] = loaded(
      file(`corrections:
  - { start: "2026-03-01 02:00", duration: 1h, rrule: "RRULE:FREQ=WEEKLY;BYDAY=SU" }
  - { start: "2026-03-01 02:00", duration: 1h, rrule: "FREQ=WEEKLY;BYDAY=SU" }`),
    );
    expect(a!.rrule).toBe("FREQ=WEEKLY;BYDAY=SU");
    expect(b!.rrule).toBe("FREQ=WEEKLY;BYDAY=SU");
  });

  const broken: [string, string, RegExp][] = [
    [
      "a bad RRULE part",
      `{ start: "2026-03-01 02:00", duration: 1h, rrule: "FREQ=WEEKLY;BYDAY=XX" }`,
      /slo\.yaml:5:\d+: .*rrule: BYDAY=XX: .*weekday/,
    ],
    [
      "an RRULE without FREQ",
      `{ start: "2026-03-01 02:00", duration: 1h, rrule: "BYDAY=MO" }`,
      /slo\.yaml:5:\d+: .*rrule: .*FREQ/,
    ],
    [
      "an unknown RRULE part",
      `{ start: "2026-03-01 02:00", duration: 1h, rrule: "FREQ=DAILY;FOO=1" }`,
      /slo\.yaml:5:\d+: .*rrule: FOO=1: unknown/,
    ],
    [
      "DTSTART inside the rule",
      `{ start: "2026-03-01 02:00", duration: 1h, rrule: "DTSTART:20260101T000000Z\\nRRULE:FREQ=DAILY" }`,
      /slo\.yaml:5:\d+: .*DTSTART.*start/,
    ],
    [
      "end before start",
      `{ start: "2026-03-01 02:00", end: "2026-03-01 01:00" }`,
      /slo\.yaml:5:\d+: .*end .*before.*start|end .*must be after/,
    ],
    [
      "both end and duration",
      `{ start: "2026-03-01 02:00", end: "2026-03-01 03:00", duration: 1h }`,
      /slo\.yaml:5:\d+: .*end or duration, not both/,
    ],
    [
      "neither end nor duration",
      `{ start: "2026-03-01 02:00" }`,
      /slo\.yaml:5:\d+: .*needs end or duration/,
    ],
    [
      "an unknown zone",
      `{ start: "2026-03-01 02:00", duration: 1h, timezone: Mars/Olympus }`,
      /slo\.yaml:5:\d+: .*unknown time zone 'Mars\/Olympus'/,
    ],
    [
      "a start that is not a date and time",
      `{ start: "next sunday", duration: 1h }`,
      /slo\.yaml:5:\d+: .*start: expected/,
    ],
    [
      "a rule with no occurrences",
      `{ start: "2026-03-01 02:00", duration: 1h, rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" }`,
      /slo\.yaml:5:\d+: .*no occurrences/,
    ],
    [
      "too many periods inside the window",
      `{ start: "2026-03-01 02:00", duration: 1m, rrule: "FREQ=MINUTELY" }`,
      new RegExp(
        `slo\\.yaml:5:\\d+: .*more than ${MAX_CORRECTION_PERIODS_PER_WINDOW.toLocaleString("en-US")} periods`,
      ),
    ],
  ];
  for (const [what, correction, expected] of broken) {
    it(`refuses ${what}, at file:line:col`, () => {
      const { errors } = load(file(`corrections:\n  - ${correction}`));
      expect(errors.join("\n")).toMatch(expected);
    });
  }
});

describe("the periods of a correction", () => {
  const HOUR = 3_600_000;

  function one(text: string): CorrectionSpec {
    return loaded(file(`corrections:\n  - ${text}`))[0]!;
  }

  it("a one-off period, touching the range or not", () => {
    const c = one(`{ start: "2026-05-10T02:00:00Z", duration: 2h }`);
    const start = Date.parse("2026-05-10T02:00:00Z");
    expect(correctionPeriods(c, start - HOUR, start + HOUR)).toEqual([
      { startMs: start, endMs: start + 2 * HOUR },
    ]);
    expect(correctionPeriods(c, start + 2 * HOUR, start + 3 * HOUR)).toEqual([]);
    expect(correctionPeriods(c, start - HOUR, start)).toEqual([]);
  });

  it("a weekly BYHOUR=2 rule in Europe/Berlin keeps 02:00 local across the DST changes", () => {
    const c = one(
      `{ start: "2026-03-15 02:00", duration: 1h, timezone: Europe/Berlin, rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2" }`,
    );
    const periods = correctionPeriods(
      c,
      Date.parse("2026-03-14T00:00:00Z"),
      Date.parse("2026-04-06T00:00:00Z"),
    );
    // 29 March 2026: 02:00 does not exist in Berlin (clocks go 02:00 -> 03:00); the period moves by the gap.
    expect(periods.map((p) => ISO(p.startMs))).toEqual([
      "2026-03-15T01:00:00.000Z",
      "2026-03-22T01:00:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-04-05T00:00:00.000Z",
    ]);
    const autumn = correctionPeriods(
      c,
      Date.parse("2026-10-18T00:00:00Z"),
      Date.parse("2026-11-02T00:00:00Z"),
    );
    expect(autumn.map((p) => ISO(p.startMs))).toEqual([
      "2026-10-18T00:00:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-11-01T01:00:00.000Z",
    ]);
  });

  it("COUNT and INTERVAL are the rule's, and periods end after their duration", () => {
    const c = one(
      `{ start: "2026-01-01 00:00", duration: 30m, rrule: "FREQ=DAILY;INTERVAL=2;COUNT=3" }`,
    );
    expect(
      correctionPeriods(c, Date.parse("2025-12-01T00:00:00Z"), Date.parse("2026-02-01T00:00:00Z")),
    ).toEqual(
      ["2026-01-01", "2026-01-03", "2026-01-05"].map((d) => ({
        startMs: Date.parse(`${d}T00:00:00Z`),
        endMs: Date.parse(`${d}T00:30:00Z`),
      })),
    );
  });

  it("a period that began before the range and runs into it touches it", () => {
    const c = one(`{ start: "2026-01-01 22:00", duration: 4h, rrule: "FREQ=DAILY" }`);
    const from = Date.parse("2026-01-05T00:00:00Z");
    expect(correctionPeriods(c, from, from + HOUR)).toEqual([
      { startMs: from - 2 * HOUR, endMs: from + 2 * HOUR },
    ]);
  });
});

describe("slo convert --to native", () => {
  it("writes every SLO's corrections back, each as the file wrote it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-convert-corrections-"));
    try {
      const text = file(
        `corrections:
  - { start: "2026-05-10 02:00", duration: 2h, rrule: "RRULE:FREQ=WEEKLY;BYDAY=SU", timezone: Europe/Berlin, reason: DB upgrade, category: maintenance }`,
        `    corrections:
      - { start: "2026-05-11T08:00:00Z", end: "2026-05-11T09:30:00Z" }`,
      );
      writeFileSync(join(dir, "slo.yaml"), text);
      const r = await runCli(["convert", join(dir, "slo.yaml"), "--to", "native"], { cwd: dir });
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`    corrections:
      - start: "2026-05-10 02:00"
        duration: 2h
        rrule: FREQ=WEEKLY;BYDAY=SU
        timezone: Europe/Berlin
        reason: DB upgrade
        category: maintenance
      - start: "2026-05-11T08:00:00Z"
        end: "2026-05-11T09:30:00Z"
`);
      const again = loaded(r.stdout.replace("paths: app.log", `paths: ${join(dir, "app.log")}`));
      expect(again.map(({ at, ...c }) => c)).toEqual(loaded(text).map(({ at, ...c }) => c));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
