/**
 * examples/per-action, as the README runs it: one SLO per action (groupBy)
 * over the bundled example's logs, with corrections. Each group leaves out
 * its own events of each correction, and the groups add up to the same SLO
 * ungrouped, corrections and all.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { ROOT, runCli } from "../support/cli.js";
import { tempDir } from "../support/servers.js";

const AT = "2026-11-24T12:00:00Z";
const EXAMPLE = join(ROOT, "examples/per-action/ctrl.yaml");

async function report(path: string): Promise<{ code: number; report: SloReport }> {
  const r = await runCli(["check", path, "--at", AT, "--format", "json"]);
  return { code: r.code, report: JSON.parse(r.stdout) as SloReport };
}

describe("examples/per-action", () => {
  it("evaluates one SLO per action; each group's corrections add up to the ungrouped SLO's", async () => {
    const grouped = await report(EXAMPLE);
    expect(grouped.code).toBe(1);
    expect(grouped.report.slos.map((s) => s.name).sort()).toEqual([
      'somesystem-latency{action="CheckBalance"}',
      'somesystem-latency{action="GetStatement"}',
      'somesystem-latency{action="Transfer"}',
    ]);

    const dir = await tempDir("per-action");
    const ungroupedFile = join(dir, "ctrl.yaml");
    writeFileSync(
      ungroupedFile,
      readFileSync(EXAMPLE, "utf8")
        .replace(/^ {4}groupBy: .*\n/m, "")
        .replace("../../slos/logs/", `${join(ROOT, "slos/logs")}/`),
    );
    const whole = (await report(ungroupedFile)).report.slos[0]!;
    const wholeExcluded = whole.corrections!.map((c) => c.excluded);
    expect(wholeExcluded.every((e) => e.total > 0)).toBe(true);

    const sum = (pick: (e: (typeof wholeExcluded)[number]) => number, i: number) =>
      grouped.report.slos.reduce((n, s) => n + pick(s.corrections![i]!.excluded), 0);
    wholeExcluded.forEach((e, i) => {
      expect(
        sum((x) => x.total, i),
        `correction ${i}`,
      ).toBe(e.total);
      expect(
        sum((x) => x.bad, i),
        `correction ${i}`,
      ).toBe(e.bad);
    });
    const events = (pick: (s: SloReport["slos"][number]) => number) =>
      grouped.report.slos.reduce((n, s) => n + pick(s), 0);
    expect(events((s) => s.events.total)).toBe(whole.events.total);
    expect(events((s) => s.events.bad)).toBe(whole.events.bad);
  });
});
