/**
 * Which deploy spent the budget, on a synthetic month counted by hand: one
 * event every 10 minutes for 30 days (4,320 events) and three deploys. The
 * bad events are placed by hand in the stretches between deploys:
 *
 *   before d1 (11-08 12:00)   4 bad
 *   d1 .. d2 (11-15 00:00)   12 bad, 3 of them in the hour after d1
 *   d2 .. d3 (11-22 06:00)    2 bad
 *   d3 .. the end (11-30)     6 bad
 *
 * Objective 99%: the window may hold 0.01 × 4320 = 43.2 bad events, so the
 * shares are 4/43.2, 12/43.2, 2/43.2 and 6/43.2, and they add up to the
 * budget spent, 24/43.2.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-11-30T00:00:00Z";
const START_MS = Date.parse("2026-10-31T00:00:00Z");
const STEP_MS = 10 * 60_000;
const D1 = "2026-11-08T12:00:00Z";
const D2 = "2026-11-15T00:00:00Z";
const D3 = "2026-11-22T06:00:00Z";

/** Bad events, by the time they happen (never on a deploy's instant). */
const BAD = [
  // before d1
  "2026-11-01T03:10:00Z",
  "2026-11-03T08:20:00Z",
  "2026-11-05T14:30:00Z",
  "2026-11-07T22:40:00Z",
  // d1 .. d2: three in the first hour after d1
  "2026-11-08T12:10:00Z",
  "2026-11-08T12:20:00Z",
  "2026-11-08T12:50:00Z",
  ...[9, 10, 11, 12, 13, 14].map((d) => `2026-11-${String(d).padStart(2, "0")}T06:00:00Z`),
  "2026-11-14T10:10:00Z",
  "2026-11-14T11:10:00Z",
  "2026-11-14T23:50:00Z",
  // d2 .. d3
  "2026-11-18T01:00:00Z",
  "2026-11-20T01:00:00Z",
  // d3 .. the end
  ...[23, 24, 25, 26, 27, 28].map((d) => `2026-11-${d}T16:00:00Z`),
].map((t) => Date.parse(t));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-attribution-"));
  const bad = new Set(BAD);
  const lines: string[] = [];
  for (let k = 1; k <= 4320; k++) {
    const t = START_MS + k * STEP_MS;
    const status = bad.has(t) ? 503 : 200;
    lines.push(JSON.stringify({ t: new Date(t).toISOString(), msg: "request", status }));
  }
  await writeFile(join(dir, "app.ndjson"), `${lines.join("\n")}\n`);
  await writeFile(
    join(dir, "slo.yaml"),
    [
      "service: shop",
      "sources:",
      "  logs: { type: logs, paths: [app.ndjson], timestamp: t }",
      "slos:",
      "  - name: availability",
      "    objective: 99%",
      "    window: 30d",
      "    indicator:",
      "      ratio:",
      "        source: logs",
      "        total: '| json'",
      "        bad: '| json | status >= 500'",
      "  - name: hours",
      "    objective: 95%",
      "    window: 30d",
      "    budgetingMethod: timeslices",
      "    timesliceWindow: 1h",
      "    timesliceTarget: 90%",
      "    indicator:",
      "      ratio:",
      "        source: logs",
      "        total: '| json'",
      "        bad: '| json | status >= 500'",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function report(args: string[]): Promise<SloReport> {
  const r = await runCli([
    "report",
    join(dir, "slo.yaml"),
    "--at",
    AT,
    "--format",
    "json",
    ...args,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(parsed)).toEqual([]);
  return parsed;
}

describe("which deploy spent the budget", () => {
  it("splits the window's budget at each deploy, and the shares add up to the budget spent", async () => {
    const slo = (
      await report(["--deploy", `v1@${D1}`, "--deploy", `v2@${D2}`, "--deploy", `v3@${D3}`])
    ).slos[0]!;
    expect(slo.events).toEqual({ good: 4296, bad: 24, total: 4320 });
    const allowed = 43.2;
    expect(slo.budgetSpentBeforeDeploys).toBeCloseTo(4 / allowed, 12);
    expect(slo.deploys!.map((d) => [d.version, d.at, d.until])).toEqual([
      ["v1", "2026-11-08T12:00:00.000Z", "2026-11-15T00:00:00.000Z"],
      ["v2", "2026-11-15T00:00:00.000Z", "2026-11-22T06:00:00.000Z"],
      ["v3", "2026-11-22T06:00:00.000Z", "2026-11-30T00:00:00.000Z"],
    ]);
    const shares = slo.deploys!.map((d) => d.budgetSpent);
    expect(shares[0]).toBeCloseTo(12 / allowed, 12);
    expect(shares[1]).toBeCloseTo(2 / allowed, 12);
    expect(shares[2]).toBeCloseTo(6 / allowed, 12);
    const sum = shares.reduce((a, b) => a + b, slo.budgetSpentBeforeDeploys!);
    expect(sum).toBeCloseTo(slo.errorBudget.consumed, 12);
    expect(slo.errorBudget.consumed).toBeCloseTo(24 / allowed, 12);
  });

  it("compares each deploy's hour before with its hour after", async () => {
    const slo = (await report(["--deploy", `v1@${D1}`])).slos[0]!;
    const [d1] = slo.deploys!;
    // six events an hour: none bad before d1, three of the six after it
    expect(d1!.before.events).toEqual({ good: 6, bad: 0, total: 6 });
    expect(d1!.before.errorRatio).toBe(0);
    expect(d1!.after.events).toEqual({ good: 3, bad: 3, total: 6 });
    expect(d1!.after.errorRatio).toBe(0.5);
    expect(d1!.after.burnRate).toBeCloseTo(50, 9);
    // one deploy: it owns every bad event after it
    expect(d1!.budgetSpent).toBeCloseTo(20 / 43.2, 12);
    expect(slo.budgetSpentBeforeDeploys).toBeCloseTo(4 / 43.2, 12);
  });

  it("splits a timeslice budget by the slices each deploy owns", async () => {
    const slo = (
      await report(["--deploy", `v1@${D1}`, "--deploy", `v2@${D2}`, "--deploy", `v3@${D3}`])
    ).slos[1]!;
    // six events an hour: an hour with a bad one is 5/6 < 90%, a bad hour. The hours with bad
    // events: 4 before d1; 12:00-13:00 after d1 holds 3 (one hour), then 9 more hours up to d2;
    // 2 between d2 and d3; 6 after d3: 22 bad hours of 720
    const allowed = 0.05 * 720;
    expect(slo.timeslices).toEqual({ good: 698, total: 720 });
    expect(slo.budgetSpentBeforeDeploys).toBeCloseTo(4 / allowed, 12);
    expect(slo.deploys!.map((d) => d.budgetSpent)).toEqual(
      [10 / allowed, 2 / allowed, 6 / allowed].map((x) => expect.closeTo(x, 12)),
    );
    const sum = slo.deploys!.reduce((a, d) => a + d.budgetSpent, slo.budgetSpentBeforeDeploys!);
    expect(sum).toBeCloseTo(slo.errorBudget.consumed, 12);
  });

  it("leaves out deploys outside the window, and reports none without deploys", async () => {
    const outside = (await report(["--deploy", "v0@2026-10-01T00:00:00Z"])).slos[0]!;
    expect(outside.deploys).toBeUndefined();
    expect(outside.diagnostics.notes).toContain(
      "1 --deploy before the window's start (2026-10-31T00:00:00.000Z) not listed: they spent none of this window's budget",
    );
    const none = (await report([])).slos[0]!;
    expect(none.deploys).toBeUndefined();
    expect(none.budgetSpentBeforeDeploys).toBeUndefined();
  });

  it("says what is wrong with a --deploy it cannot read", async () => {
    const r = await runCli(["report", join(dir, "slo.yaml"), "--at", AT, "--deploy", "v1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--deploy v1: expected VERSION@TIME");
    const late = await runCli(["report", join(dir, "slo.yaml"), "--deploy", "v1@yesterday"]);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain("expected an RFC 3339 time");
    const future = await runCli([
      "report",
      join(dir, "slo.yaml"),
      "--at",
      AT,
      "--deploy",
      "v9@2026-12-01T00:00:00Z",
    ]);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("after the instant evaluated");
  });
});
