/**
 * Calendar windows counted from any start (OpenSLO's startTime, native's
 * start), in any number of units: read from both formats, written back as
 * written by `slo convert`, and the broken ones named at file:line:col.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSpec, WindowSpec } from "../../src/definition/model.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";

const VALID = join(ROOT, "test", "fixtures", "calendar-openslo");
const BROKEN = join(ROOT, "test", "fixtures", "calendar-broken");

async function onlySlo(path: string): Promise<SloSpec> {
  const { set, errors } = await loadSpec([path], { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set.services[0]!.slos[0]!;
}

describe("OpenSLO calendar windows from any startTime", () => {
  it("a week from Saturday 12:00 in New York", async () => {
    const slo = await onlySlo(join(VALID, "week-saturday-noon.yaml"));
    expect(slo.window).toEqual({
      kind: "calendar",
      count: 1,
      unit: "week",
      timeZone: "America/New_York",
      start: {
        text: "2022-01-01 12:00:00",
        wallClock: { year: 2022, month: 1, day: 1, hour: 12, minute: 0, second: 0 },
      },
      label: "week",
    });
  });

  it("two weeks, from a startTime written without seconds or quotes", async () => {
    const slo = await onlySlo(join(VALID, "two-weeks.yaml"));
    expect(slo.window).toMatchObject({
      count: 2,
      unit: "week",
      timeZone: "Asia/Kolkata",
      start: { text: "2024-01-06 12:00" },
      label: "2 weeks",
    });
  });

  it("one day", async () => {
    const slo = await onlySlo(join(VALID, "one-day.yaml"));
    expect(slo.window).toMatchObject({ count: 1, unit: "day", label: "day" });
  });
});

/** Every window written in a converted file, in order: native `window`s or OpenSLO `timeWindow`s. */
function windowsWritten(dir: string, file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS());
  return docs.flatMap((doc) =>
    doc.slos
      ? doc.slos.map((s: { window: unknown }) => s.window)
      : doc.kind === "SLO"
        ? doc.spec.timeWindow
        : [],
  );
}

describe("native calendar windows from a start", () => {
  const file = join(ROOT, "test", "fixtures", "calendar-native", "sprints.yaml");

  it("{ calendar: 2w, start, timezone } and { calendar: day, start, timezone }", async () => {
    const { set, errors } = await loadSpec([file], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(set.services[0]!.slos.map((s) => s.window)).toEqual([
      {
        kind: "calendar",
        count: 2,
        unit: "week",
        timeZone: "Asia/Kolkata",
        start: {
          text: "2024-01-06 12:00",
          wallClock: { year: 2024, month: 1, day: 6, hour: 12, minute: 0, second: 0 },
        },
        label: "2 weeks",
      },
      {
        kind: "calendar",
        count: 1,
        unit: "day",
        timeZone: "Europe/Berlin",
        start: {
          text: "2024-01-01 06:00",
          wallClock: { year: 2024, month: 1, day: 1, hour: 6, minute: 0, second: 0 },
        },
        label: "day",
      },
    ]);
  });

  it("slo rules counts their nominal periods: 14 days, 1 day", async () => {
    const r = await runCli(["rules", "test/fixtures/calendar-native/sprints.yaml"]);
    expect(r.code).toBe(0);
    const groups = parseAllDocuments(r.stdout)[0]!.toJS().groups as {
      name: string;
      rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[];
    }[];
    const periodDays = groups.flatMap((g) =>
      g.rules.filter((rule) => rule.record === "slo:time_period:days").map((rule) => rule.expr),
    );
    expect(periodDays).toEqual(["vector(14)", "vector(1)"]);
    // The 1h page spends 2% of the budget: 2% of 336 hours, of 24 hours, in one hour.
    const pages = groups.flatMap((g) =>
      g.rules.filter((rule) => rule.alert && rule.labels?.long_window === "1h"),
    );
    expect(pages.map((rule) => rule.expr.split("\n")[0])).toEqual([
      expect.stringMatching(/ > 6\.72$/),
      expect.stringMatching(/ > 0\.48$/),
    ]);
  });
});

describe("slo convert keeps startTime as written", () => {
  const files = ["week-saturday-noon.yaml", "two-weeks.yaml", "one-day.yaml"].map((f) =>
    join(VALID, f),
  );

  it("to native: { calendar, start, timezone }, and it reads back the same window", async () => {
    const dir = await convertInto(files, "native");
    expect(windowsWritten(dir, "shop.yaml")).toEqual([
      { calendar: "week", start: "2022-01-01 12:00:00", timezone: "America/New_York" },
      { calendar: "2w", start: "2024-01-06 12:00", timezone: "Asia/Kolkata" },
      { calendar: "day", start: "2024-01-01 06:00:00", timezone: "Europe/Berlin" },
    ]);
    const { set, errors } = await loadSpec([join(dir, "shop.yaml")], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const original = await Promise.all(files.map(onlySlo));
    expect(set.services[0]!.slos.map((s) => s.window)).toEqual(original.map((s) => s.window));
  });

  it("to OpenSLO: duration and startTime as written (in OpenSLO's layout), and back again", async () => {
    const dir = await convertInto(files, "openslo");
    const calendar = (duration: string, startTime: string, timeZone: string) => ({
      duration,
      isRolling: false,
      calendar: { startTime, timeZone },
    });
    expect(windowsWritten(dir, "shop.yaml")).toEqual([
      calendar("1w", "2022-01-01 12:00:00", "America/New_York"),
      // read without seconds, written in OpenSLO's layout (2006-01-02 15:04:05), the only one its SDK takes
      calendar("2w", "2024-01-06 12:00:00", "Asia/Kolkata"),
      calendar("1d", "2024-01-01 06:00:00", "Europe/Berlin"),
    ]);
    const native = await convertInto([join(dir, "shop.yaml")], "native");
    const back = await loadSpec([join(native, "shop.yaml")], { env: {}, cwd: ROOT });
    expect(back.errors.map((e) => e.format())).toEqual([]);
    const original = await Promise.all(files.map(onlySlo));
    const periods = (w: WindowSpec) =>
      w.kind === "calendar" ? { ...w, start: w.start?.wallClock } : w;
    expect(back.set.services[0]!.slos.map((s) => periods(s.window))).toEqual(
      original.map((s) => periods(s.window)),
    );
  });

  it("a native { calendar: month } converts to 1M from 2024-01-01, and stays { calendar: month }", async () => {
    const file = join(ROOT, "test", "fixtures", "calendar-dst", "slo.yaml");
    const openslo = await convertInto([file], "openslo");
    expect(windowsWritten(openslo, "dst.yaml")).toEqual([
      {
        duration: "1M",
        isRolling: false,
        calendar: { startTime: "2024-01-01 00:00:00", timeZone: "Pacific/Auckland" },
      },
    ]);
    const native = await convertInto([file], "native");
    expect(windowsWritten(native, "dst.yaml")).toEqual([
      { calendar: "month", timezone: "Pacific/Auckland" },
    ]);
  });
});

describe("round trips evaluate the same", () => {
  const files = [
    join(VALID, "week-saturday-noon.yaml"),
    join(VALID, "two-weeks.yaml"),
    join(VALID, "one-day.yaml"),
    join(ROOT, "test", "fixtures", "calendar-native", "sprints.yaml"),
  ];

  it.each(files)("%s -> native and -> OpenSLO -> native", async (file) => {
    const original = await evaluate([file]);
    // Not trivial: the window is the counted period, not the unit's own (Monday, midnight).
    expect(original.slos.every((s) => s.window.kind === "calendar")).toBe(true);
    const openslo = await convertInto([file], "openslo");
    const native = await convertInto([file], "native");
    const back = await convertInto([openslo], "native");
    for (const dir of [openslo, native, back])
      expect(meaning(await evaluate([dir])), dir).toEqual(meaning(original));
  });

  it("a start moved by a day is another window", async () => {
    const file = join(VALID, "two-weeks.yaml");
    const original = await evaluate([file]);
    const openslo = await convertInto([file], "openslo");
    const written = join(openslo, "shop.yaml");
    const text = readFileSync(written, "utf8");
    expect(text).toContain('startTime: "2024-01-06 12:00:00"');
    writeFileSync(written, text.replace('"2024-01-06 12:00:00"', '"2024-01-07 12:00:00"'));
    expect(meaning(await evaluate([openslo]))).not.toEqual(meaning(original));
  });
});

describe("broken calendar windows", () => {
  const fixtures = readBrokenFixtures(BROKEN);

  it("there are some", () => expect(fixtures.length).toBeGreaterThanOrEqual(10));

  it.each(fixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(BROKEN, fixture),
  );

  it("exit 2 from the CLI, with file:line:col", async () => {
    const fixture = fixtures.find((f) => f.name === "openslo-zero-weeks.yaml")!;
    const r = await runCli(["validate", `test/fixtures/calendar-broken/${fixture.name}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `test/fixtures/calendar-broken/${fixture.name}:${fixture.line}:${fixture.col}: `,
    );
  });
});
