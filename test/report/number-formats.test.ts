/**
 * One report, one precision per kind of number: budget percentages with one
 * decimal ("-454.0%" beside "-154.3%", not "-454%"); a burn rate of a window
 * with events is a number (0.00×), "–" only without events.
 */

import { describe, expect, it } from "vitest";
import { budgetPercent, burnRate } from "../../src/report/format.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

describe("number formats", () => {
  it("budget percentages: always one decimal", () => {
    expect(budgetPercent(-4.54)).toBe("-454.0%");
    expect(budgetPercent(-1.543)).toBe("-154.3%");
    expect(budgetPercent(1)).toBe("100.0%");
    expect(budgetPercent(-0.00001)).toBe("0.0%");
    expect(budgetPercent(null)).toBe("–");
  });

  it("burn rates and factors: always two decimals", () => {
    expect(burnRate(14.4)).toBe("14.40×");
    expect(burnRate(6)).toBe("6.00×");
    expect(burnRate(727.31)).toBe("727.31×");
    expect(burnRate(0)).toBe("0.00×");
    expect(burnRate(null)).toBe("–");
  });

  it("a report's budgets in Markdown, HTML and text", async () => {
    // 30d budgets: 0.00554 bad is 554% of a 0.1% budget spent, -454% left.
    const report = await reportOf("slos/x.yaml", sloYaml("shop", ["a", "b"]), {
      a: 0.00554,
      b: 0.0025,
    });
    const md = renderMarkdown(report);
    expect(md).toContain("░░░░░░░░░░ -454.0%");
    expect(md).toContain("░░░░░░░░░░ -150.0%");
    expect(md).toContain("5.54× > 3.00×");
    const html = renderHtml(report, {});
    expect(html).toContain(">-454.0%<");
    expect(html).toContain('data-label="threshold">14.40×<');
    expect(html).toContain('data-label="threshold">6.00×<');
    const text = renderText(report, { color: false });
    expect(text).toMatch(/ -454\.0% /);
    expect(text).toContain("(threshold 3.00×)");
  });

  it("Burn rates now: 0.00× for a window with events and none bad; – only without events", async () => {
    const report = await reportOf("slos/x.yaml", sloYaml("shop", ["a"]), { a: 0 });
    const html = renderHtml(report, {});
    expect(html).toContain('data-label="short">0.00×<');
    report.slos[0]!.alerts[0]!.burnRateShort = null;
    expect(renderHtml(report, {})).toContain('data-label="short">–<');
  });
});
