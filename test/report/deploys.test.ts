/**
 * Which deploy spent the budget, in each rendered report: the terminal, the
 * Markdown comment and the HTML page each show the deploys of an SLO's window
 * (time, version and PR, budget spent to the next deploy, error ratio before
 * and after), and show a version from logs as text whatever it holds.
 */

import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import type { SloReport } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { addDeploys, HOSTILE_VERSION } from "./deploy-fixture.js";

async function report(): Promise<SloReport> {
  return reportOf("slos/shop.yaml", sloYaml("shop", ["checkout"]), { checkout: 0.0005 });
}

/** What a Markdown reader shows for numeric character references. */
const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The lines of the Markdown table whose header starts with `header`. */
function markdownTable(md: string, header: string): string[] {
  const lines = md.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** Unescaped cell separators per row: the same in every row of a table that is not broken. */
const pipes = (row: string) => (row.match(/\|/g) ?? []).length;

const DEPLOY_HEADER = "| deployed (UTC) | version | budget spent | error ratio before → after |";

describe("deploys in the terminal report", () => {
  it("lists each deploy under its SLO: time, version and PR, budget spent, error ratio before → after", async () => {
    const r = await report();
    const [deploy] = addDeploys(r, 1, { pullRequest: true });
    const text = renderText(r, { color: false });
    // 0.05% bad of a 0.1% budget over 30 days: 50% spent; 10% of it before the deploy.
    expect(text).toContain("  checkout: 1 deploy in the window, 50.0% of the budget spent in all");
    expect(text).toMatch(/^ {4}before the first deploy\s+5.0%$/m);
    expect(deploy!.at).toBe("2026-11-09T12:00:00.000Z");
    expect(text).toMatch(/^ {4}2026-11-09 12:00\s+v1\.0 #40\s+45\.0%\s+0\.1% → 0\.2%$/m);
  });

  it("shows a version from logs as text: no escape sequence or line break reaches the terminal", async () => {
    const r = await report();
    addDeploys(r, 1, { versions: [HOSTILE_VERSION] });
    const text = renderText(r, { color: false });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("```\\x0aresult: PASS \\x1b[2J");
    expect(text.match(/^result: /gm)).toHaveLength(1);
  });

  it("shows none for an SLO without deploys, and lists 30 when there are 30", async () => {
    const r = await report();
    expect(renderText(r, { color: false })).not.toContain("deploy");
    addDeploys(r, 0);
    expect(renderText(r, { color: false })).not.toContain("deploy");
    addDeploys(r, 30);
    const text = renderText(r, { color: false });
    expect(text).toContain("checkout: 30 deploys in the window");
    expect(text.match(/^ {4}2026-\d\d-\d\d \d\d:\d\d\s+v1\.\d+\s/gm)).toHaveLength(30);
  });

  it("renders an empty deploy list exactly as a report without deploys", async () => {
    const r = await report();
    const before = renderText(r, { color: true });
    const md = renderMarkdown(r);
    const html = renderHtml(r);
    addDeploys(r, 0);
    expect(renderText(r, { color: true })).toBe(before);
    expect(renderMarkdown(r)).toBe(md);
    expect(renderHtml(r)).toBe(html);
  });
});

describe("deploys in the Markdown report", () => {
  it("puts a table under the burn-down chart, versions linked to their PR", async () => {
    const r = await report();
    addDeploys(r, 3, { pullRequest: true });
    const md = renderMarkdown(r);
    const table = markdownTable(md, DEPLOY_HEADER);
    expect(table).toHaveLength(2 + 1 + 3);
    expect(md.indexOf(DEPLOY_HEADER)).toBeGreaterThan(md.indexOf("```mermaid"));
    expect(table[2]).toBe("| *before the first deploy* | | 5.0% | |");
    expect(table[3]).toBe(
      "| 2026-10-30 12:00 | [v1&#46;0 (#40)](https://github.com/acme/shop/pull/40) | 15.0% | 0.1% → 0.2% |",
    );
    expect(table[5]).toContain("[v1&#46;2 (#42)](https://github.com/acme/shop/pull/42)");
    expect(table[5]).toContain("0.102% → 0.22%");
  });

  it("adds up: the budget column sums to the budget spent in the window", async () => {
    const r = await report();
    addDeploys(r, 30);
    const md = renderMarkdown(r);
    const table = markdownTable(md, DEPLOY_HEADER);
    expect(table).toHaveLength(2 + 1 + 30);
    const spent = table.slice(2).map((row) => Number.parseFloat(row.split("|")[3]!));
    const sum = spent.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - r.slos[0]!.errorBudget.consumed * 100)).toBeLessThan(0.05 * 31);
    expect(md).toContain("50.0% of the budget spent in the window: 5.0% before the first deploy");
  });

  it("shows a hostile version as text and keeps the table whole", async () => {
    const r = await report();
    addDeploys(r, 2, { versions: [HOSTILE_VERSION, "v2 [x](javascript:alert(1)) @team #12"] });
    const md = renderMarkdown(r);
    const table = markdownTable(md, DEPLOY_HEADER);
    expect(table.every((row) => pipes(row) === pipes(table[0]!))).toBe(true);
    expect(md).not.toContain("<script");
    expect(md).not.toContain("@team");
    expect(md).not.toContain("](javascript");
    expect(md).not.toContain("\u001b");
    // Only the chart's fence: a version's backticks cannot open or close one.
    expect(md.match(/^```/gm)).toHaveLength(2);
    expect(decode(table[3]!)).toContain("v1.2|x <script>alert(1)</script> ``` result: PASS [2J");
  });

  it("links only to a web address, and one that cannot end the link early", async () => {
    const r = await report();
    const [first, second] = addDeploys(r, 2, { pullRequest: true });
    first!.pullRequest = { number: 7, url: "javascript:alert(1)" };
    second!.pullRequest = { number: 8, url: "https://github.com/a/b/pull/8?x=(y)|z w" };
    const table = markdownTable(renderMarkdown(r), DEPLOY_HEADER);
    expect(table[3]).toContain("| v1&#46;0 (#7) |");
    expect(table[4]).toContain("[v1&#46;1 (#8)](https://github.com/a/b/pull/8?x=%28y%29%7Cz%20w)");
    expect(pipes(table[4]!)).toBe(pipes(table[0]!));
  });

  it("keeps the table when charts are off", async () => {
    const r = await report();
    addDeploys(r, 2);
    const md = renderMarkdown(r, { charts: false });
    expect(md).not.toContain("```mermaid");
    expect(markdownTable(md, DEPLOY_HEADER)).toHaveLength(2 + 1 + 2);
  });

  it("has no deploy table without deploys", async () => {
    const r = await report();
    addDeploys(r, 0);
    expect(renderMarkdown(r)).not.toContain("deployed (UTC)");
  });
});

describe("deploys in the HTML report", () => {
  it("marks each deploy on the chart, with its version as label and tooltip, and lists them under it", async () => {
    const r = await report();
    addDeploys(r, 3, { pullRequest: true });
    const html = renderHtml(r);
    // The chart is drawn wide, then narrow for phones: each with its markers.
    expect(html.match(/<line class="deploy"/g)).toHaveLength(6);
    expect(html).toContain(
      "<title>v1.0 (#40), deployed 2026-10-30 12:00 UTC: 15.0% of the budget spent until the next deploy</title>",
    );
    const table = html.slice(html.indexOf("<h3>Deploys</h3>"));
    expect(html.indexOf("<h3>Deploys</h3>")).toBeGreaterThan(html.indexOf("</svg>"));
    expect(table).toContain('<a href="https://github.com/acme/shop/pull/40">v1.0 (#40)</a>');
    expect(table).toMatch(
      /<td[^>]*>before the first deploy<\/td><td[^>]*>–<\/td><td class="num"[^>]*>5.0%<\/td>/,
    );
  });

  it("escapes a hostile version in the label, the tooltip and the table, and cuts a long label", async () => {
    const r = await report();
    addDeploys(r, 2, { versions: [HOSTILE_VERSION, "x".repeat(300)] });
    r.slos[0]!.deploys![1]!.pullRequest = { number: 9, url: "javascript:alert(1)" };
    const html = renderHtml(r);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("\u001b");
    expect(html).toContain("v1.2|x &lt;script&gt;alert(1)&lt;/script&gt;");
    const labels = [...html.matchAll(/<text class="deploy-label"[^>]*>([^<]*)<title>/g)].map(
      (m) => m[1]!,
    );
    expect(labels).toHaveLength(4);
    for (const label of labels) expect(label.replace(/&[a-z]+;/g, "&").length).toBeLessThan(20);
    expect(labels[1]).toMatch(/^x+…$/);
  });

  it("draws no marker and no table without deploys", async () => {
    const r = await report();
    addDeploys(r, 0);
    const html = renderHtml(r);
    expect(html).not.toContain('class="deploy');
    expect(html).not.toContain("<h3>Deploys</h3>");
  });
});
