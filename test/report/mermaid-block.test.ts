/** The Mermaid block's text: the warning level it draws comes from the SLO's gate, by way of the report. */

import { describe, expect, it } from "vitest";
import { burnDownChart } from "../../src/report/mermaid.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

/** An SLO file whose one SLO has `gate` set as given. */
async function entryWithGate(gate: string | null) {
  const yaml = sloYaml("checkout", ["availability"]).replace(
    "    window: 30d",
    gate === null ? "    window: 30d" : `    window: 30d\n    gate: ${gate}`,
  );
  const report = await reportOf("slos/checkout.yaml", yaml, { availability: 0.0005 });
  return report.slos[0]!;
}

const seriesTitles = (chart: string) =>
  [...chart.matchAll(/^\s*line "([^"]*)" \[/gm)].map((m) => m[1]);

describe("the burn-down block's reference lines", () => {
  it("draws the default gate's warning level, 25%", async () => {
    const entry = await entryWithGate(null);
    expect(entry.warnRemaining).toBe(0.25);
    const chart = burnDownChart(entry)!;
    expect(seriesTitles(chart)).toEqual(["0% (budget spent)", "warning 25%", "budget remaining"]);
    expect(chart).toMatch(/^ {2}line "warning 25%" \[25(, 25){15}\]$/m);
  });

  it("draws the SLO's own warning level, and spans the y axis to it", async () => {
    const entry = await entryWithGate("{ warnRemaining: 60% }");
    expect(entry.warnRemaining).toBe(0.6);
    const chart = burnDownChart(entry)!;
    expect(seriesTitles(chart)).toContain("warning 60%");
    expect(chart).toContain('y-axis "budget remaining (%)" 0 --> 100');
  });

  it("draws no warning line for an SLO that is not gated: it never warns", async () => {
    const entry = await entryWithGate("false");
    expect(entry.gated).toBe(false);
    expect(entry.warnRemaining).toBeUndefined();
    const chart = burnDownChart(entry)!;
    expect(seriesTitles(chart)).toEqual(["0% (budget spent)", "budget remaining"]);
    // One colour per series, in order: the budget keeps its blue.
    expect(chart).toContain('"plotColorPalette":"#e5534b,#1f6feb"');
  });
});

describe("the burn-down block's budget line", () => {
  it("starts at the window's start with the whole budget, as the HTML chart does", async () => {
    const entry = await entryWithGate(null);
    // The first point of the burn-down is after its first bucket, budget already spent.
    expect(entry.burnDown[0]!.remaining).toBeLessThan(1);
    const chart = burnDownChart(entry)!;
    const budget = chart.match(/^ {2}line "budget remaining" \[(.*)\]$/m)![1]!.split(", ");
    expect(budget[0]).toBe("100");
    expect(Number(budget.at(-1))).toBeCloseTo(entry.errorBudget.remaining * 100, 0);
    // One x label per point, still 16 in all.
    const xs = chart.match(/^ {2}x-axis "[^"]*" \[(.*)\]$/m)![1]!.split(", ");
    expect(xs).toHaveLength(budget.length);
    expect(budget).toHaveLength(16);
  });
});
