/**
 * The alerts that fired over a window, as the reports show them: a compact
 * table (a line each on a terminal), the most severe and most recent first,
 * capped, with a count of the rest; and, through `slo report` on the bundled
 * example, flapping joined into episodes.
 */

import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/definition/duration.js";
import { MAX_EPISODES_SHOWN } from "../../src/limits.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import type { ReportAlertEpisode, SloReport } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { runCli } from "../support/cli.js";

const HOUR = 3_600_000;
const START = Date.parse("2026-10-26T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** 40 episodes 18 hours apart: 36 pages of 10 minutes, and every tenth a ticket of 3 hours. */
function fortyEpisodes(): ReportAlertEpisode[] {
  return Array.from({ length: 40 }, (_, i) => {
    const ticket = i % 10 === 9;
    const start = START + i * 18 * HOUR;
    return {
      severity: ticket ? "ticket" : "page",
      start: iso(start),
      end: iso(start + (ticket ? 3 * HOUR : HOUR / 6)),
      windows: ticket ? ["1d/2h"] : ["6h/30m"],
      peakBurnRate: ticket ? 3.5 : 6 + i / 10,
    };
  });
}

async function reportWithForty(): Promise<SloReport> {
  const report = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0 });
  report.slos[0]!.alertHistory = {
    since: iso(START - HOUR),
    step: "5m",
    episodes: fortyEpisodes(),
  };
  return report;
}

describe("40 alert episodes", () => {
  it("shows at most 10, pages before tickets, newest first", () => {
    expect(MAX_EPISODES_SHOWN).toBe(10);
  });

  it("Markdown: a table of the 10 newest pages and a line counting the other 30", async () => {
    const markdown = renderMarkdown(await reportWithForty(), { title: "SLO report" });
    const rows = markdown.split("\n").filter((l) => /^\| (page|ticket) \|/.test(l));
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.startsWith("| page |"))).toBe(true);
    // The newest first: episode 38 (a page), 18 hours after episode 37.
    expect(rows[0]).toBe("| page | 2026-11-23 12:00 | 12:10 (10m) | 6h/30m | 9.80× |");
    expect(markdown).toContain("| alert | from (UTC) | to (for) | windows | peak burn |");
    expect(markdown).toContain("and 30 more: 26 page, 4 ticket (all in the JSON report)");
    expect(markdown).toContain(
      "- Alerts that fired: 40 episodes since 2026-10-25 23:00 UTC (5m resolution)",
    );
    // Not one 2,650-character bullet: every line of the section is short.
    const section = markdown.slice(
      markdown.indexOf("- Alerts that fired"),
      markdown.indexOf("```mermaid"),
    );
    expect(section).toContain("and 30 more");
    const longest = Math.max(...section.split("\n").map((l) => l.length));
    expect(longest).toBeLessThan(120);
  });

  it("HTML: the same 10 rows and the count of the rest", async () => {
    const html = renderHtml(await reportWithForty(), {});
    const table = html.slice(html.indexOf("<h3>Alerts that fired</h3>"));
    const body = table.slice(0, table.indexOf("</table>"));
    expect(body.match(/<tr>\s*<td data-label="alert">page<\/td>/g)).toHaveLength(10);
    expect(body).not.toContain(">ticket</td>");
    expect(table).toContain("40 episodes since 2026-10-25 23:00 UTC, at a 5m resolution");
    expect(table).toContain("and 30 more: 26 page, 4 ticket (all in the JSON report)");
  });

  it("text: one line per episode shown, then the count", async () => {
    const text = renderText(await reportWithForty(), { color: false });
    const lines = text.split("\n");
    const head = lines.findIndex((l) => l.includes("alerts that fired"));
    expect(lines[head]).toBe(
      "  checkout: alerts that fired: 40 episodes since 2026-10-25 23:00 UTC (5m resolution):",
    );
    expect(lines.slice(head + 1, head + 12)).toEqual([
      "    page    2026-11-23 12:00 UTC → 12:10 UTC (10m; 6h/30m; peak 9.80×)",
      ...lines.slice(head + 2, head + 11).map(() => expect.stringMatching(/^ {4}page {4}2026-/)),
      "    and 30 more: 26 page, 4 ticket (all in the JSON report)",
    ]);
  });
});

describe("flapping, through slo report on the bundled example", () => {
  it("joins somesystem-latency's 38 page firings into fewer episodes, none closer than 30m", async () => {
    const result = await runCli([
      "report",
      "slos/",
      "--at",
      "2026-11-24T12:00:00Z",
      "--format",
      "json",
    ]);
    expect(result.code).toBe(0);
    const report: SloReport = JSON.parse(result.stdout);
    const latency = report.slos.find((s) => s.name === "somesystem-latency")!;
    const pages = latency.alertHistory!.episodes.filter((e) => e.severity === "page");
    const firings = pages.reduce((n, e) => n + (e.firings ?? 1), 0);
    expect(firings).toBe(38);
    expect(pages.length).toBeLessThan(20);
    for (const [i, e] of pages.entries()) {
      if (i === 0) continue;
      const gap = Date.parse(e.start) - Date.parse(pages[i - 1]!.end!);
      expect(gap).toBeGreaterThanOrEqual(30 * 60_000);
    }
    // The JSON lists each episode's windows short to long, as the reports do.
    const all = report.slos.flatMap((s) => s.alertHistory?.episodes ?? []);
    const long = (w: string) => parseDuration(w.split("/")[0]!)!;
    expect(all.some((e) => e.windows.length > 1)).toBe(true);
    for (const e of all) {
      const longs = e.windows.map(long);
      expect(longs).toEqual([...longs].sort((a, b) => a - b));
    }
  });
});

describe("an alert already firing when the history starts", () => {
  const SINCE = START - HOUR;
  /** A ticket firing at the first instant judged and still firing; a page that fired 3 times. */
  async function report(): Promise<SloReport> {
    const r = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0 });
    r.slos[0]!.alertHistory = {
      since: iso(SINCE),
      step: "5m",
      episodes: [
        {
          severity: "ticket",
          start: iso(SINCE),
          end: null,
          windows: ["3d/6h", "1d/2h"],
          peakBurnRate: 3.5,
        },
        {
          severity: "page",
          start: iso(START + 2 * HOUR),
          end: null,
          windows: ["6h/30m", "1h/5m"],
          peakBurnRate: 9.8,
          firings: 3,
        },
      ],
    };
    return r;
  }

  it("Markdown: says it fired before the history's start, windows short to long, and how many times", async () => {
    const markdown = renderMarkdown(await report(), { title: "SLO report" });
    expect(markdown).toContain(
      "| ticket | before 2026-10-25 23:00 | still firing | 1d/2h, 3d/6h | 3.50× |",
    );
    expect(markdown).toContain(
      "| page | 2026-10-26 02:00 | still firing (fired 3 times) | 1h/5m, 6h/30m | 9.80× |",
    );
  });

  it("HTML: the same", async () => {
    const html = renderHtml(await report(), {});
    expect(html).toContain('<td data-label="from (UTC)">before 2026-10-25 23:00</td>');
    expect(html).toContain('<td data-label="windows">1d/2h, 3d/6h</td>');
    expect(html).toContain('<td class="num" data-label="for">fired 3 times</td>');
    expect(html).not.toContain("–, fired");
  });

  it("text: the same", async () => {
    const text = renderText(await report(), { color: false });
    expect(text).toContain(
      "ticket  before 2026-10-25 23:00 UTC → still firing (1d/2h, 3d/6h; peak 3.50×)",
    );
    expect(text).toContain(
      "page    2026-10-26 02:00 UTC → still firing (fired 3 times; 1h/5m, 6h/30m; peak 9.80×)",
    );
  });
});
