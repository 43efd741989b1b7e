/** The Markdown report: what it shows, and that text from SLO files and logs shows as text. */

import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { escapeHtml, escapeMarkdown, plainText } from "../../src/report/escape.js";
import { burnDownChart, CHART_POINTS, mermaidText } from "../../src/report/mermaid.js";
import { budgetBar, renderMarkdown } from "../../src/report/render-markdown.js";
import type { SloReport } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import {
  expectEveryBreachingNamed,
  expectWellFormed,
  notOk,
  twoHundredSlos,
  twoThousandSlos,
} from "./scale-fixture.js";

/** What a Markdown reader shows for numeric character references. */
const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** Table rows (lines starting with |): each must have as many unescaped cell separators as its header. */
function tableShapes(markdown: string): number[][] {
  const tables: number[][] = [];
  let current: number[] | null = null;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("|")) {
      current ??= [];
      current.push((line.match(/\|/g) ?? []).length);
    } else if (current) {
      tables.push(current);
      current = null;
    }
  }
  if (current) tables.push(current);
  return tables;
}

const NASTY =
  'x <img src=x onerror="alert(1)"> **bold** | _i_ [link](http://e.x) @team #12 `code` $x$ :rocket:';

describe("escapeMarkdown", () => {
  it("turns every Markdown and HTML character into a reference that reads back as the text", () => {
    const escaped = escapeMarkdown(NASTY);
    expect(escaped.replace(/&#\d+;/g, "")).not.toMatch(/[<>*|_[\]`@#$:"&]/);
    expect(decode(escaped)).toBe(NASTY);
  });
  it("keeps one item on one line and drops control and bidi characters", () => {
    expect(escapeMarkdown("a\nb\r\nc\u0007\u202e")).toBe("a b c");
  });
  it("escapes HTML for <summary> and plain text for titles", () => {
    expect(escapeHtml(`<b a="1">&'`)).toBe("&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
    expect(plainText("a\n  b\u0000c", 100)).toBe("a bc");
    expect(plainText("x".repeat(200), 140)).toHaveLength(140);
  });
});

describe("renderMarkdown", () => {
  const text = sloYaml("ctrl", [
    "checkout-availability",
    "search-availability",
    "login-availability",
  ]);

  it("shows a table per service with status, SLI, budget bar, burn rates, alerts", async () => {
    const report = await reportOf("slos/ctrl.yaml", text, {
      "checkout-availability": 0.0002,
      "search-availability": 0.02,
    });
    const md = renderMarkdown(report);
    expect(md).toMatch(/^## ❌ SLO gate: fail\n/);
    expect(md).toContain("3 SLOs in 1 service: 1 breaching, 2 ok.");
    expect(md).toContain("### ctrl");
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    const checkout = rows.find((r) => r.includes("checkout&#45;availability"))!;
    // 0.02% bad against a 0.1% budget: 20% spent, 80% left, burning at 0.2× everywhere.
    expect(checkout).toContain("✅ ok");
    expect(checkout).toContain("99.98% / 99.9%");
    expect(checkout).toContain("████████░░ 80.0%");
    expect(checkout).toContain("1h 0.20× · 6h 0.20× · 1d 0.20× · 3d 0.20× · 30d 0.20×");
    const search = rows.find((r) => r.includes("search&#45;availability"))!;
    expect(search).toContain("❌ breaching");
    expect(search).toContain("░░░░░░░░░░ -1900.0%");
    // 2% bad: burning at 20×, over every factor: both pages and both tickets fire.
    expect(search).toContain("**1h 20.00×**");
    expect(search).toContain("🔴 page 1h/5m 20.00× > 14.40×");
    expect(search).toContain("🟠 ticket 3d/6h 20.00× > 1.00×");
    // a page whose condition holds but not yet for its alertAfter: pending, after the firing ones
    const entry = report.slos.find((s) => s.name === "search-availability")!;
    Object.assign(entry.alerts.find((a) => a.severity === "page" && a.long === "1h")!, {
      firing: false,
      pending: true,
    });
    const pendingRow = renderMarkdown(report)
      .split("\n")
      .find((r) => r.includes("search&#45;availability") && r.startsWith("| "))!;
    expect(pendingRow).not.toContain("🔴 page 1h/5m");
    expect(pendingRow).toContain("🔴 page 6h/30m");
    expect(pendingRow).toContain("⏳ page pending 1h/5m 20.00× > 14.40×");
    expect(tableShapes(md).every((t) => t.every((n) => n === t[0]))).toBe(true);
  });

  it("lists what spent the budget and draws the burn-down as a Mermaid xychart", async () => {
    const report = await reportOf("slos/ctrl.yaml", text, { "search-availability": 0.0005 });
    const md = renderMarkdown(report);
    expect(md).toContain("| what spent the budget | bad events | share |");
    expect(md).toMatch(/\| upstream&#45;timeout \| [\d,]+ \| 75\.0% \|/);
    const chart = burnDownChart(report.slos.find((s) => s.name === "search-availability")!)!;
    expect(md).toContain(chart);
    const lines = chart.split("\n");
    expect(lines[0]).toBe("```mermaid");
    expect(lines[1]).toMatch(/^%%\{init: \{.*\}\}%%$/);
    expect(lines[2]).toBe("xychart-beta");
    expect(lines.at(-1)).toBe("```");
    const values = JSON.parse(/line "budget remaining" (\[.*\])/.exec(chart)![1]!) as number[];
    const labels = /x-axis "[^"]*" \[(.*)\]/.exec(chart)![1]!.split(", ");
    expect(values).toHaveLength(CHART_POINTS);
    expect(labels).toHaveLength(CHART_POINTS);
    // Half the budget is spent evenly over the window: from about 98% down to 50%.
    expect(values.at(-1)).toBe(50);
    expect(values[0]).toBeGreaterThan(95);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it("shows names, descriptions, breakdown values and notes from files and logs as text", async () => {
    const report = await reportOf("slos/x.yaml", sloYaml(NASTY, ["api"]), { api: 0.01 });
    const entry = report.slos[0]!;
    entry.description = NASTY;
    entry.breakdown = [{ value: NASTY, count: 3 }];
    entry.diagnostics.notes = [`note ${NASTY}`];
    const md = renderMarkdown(report);
    expect(md).not.toContain("<img");
    expect(md).not.toContain("**bold**");
    expect(md).not.toContain("@team");
    expect(md).not.toContain("`code`");
    expect(decode(md)).toContain(NASTY);
    expect(tableShapes(md).every((t) => t.every((n) => n === t[0]))).toBe(true);
    // The chart title keeps only a safe alphabet: no quote, no backtick to close the fence.
    const title = /title "(.*)"/.exec(md)![1]!;
    expect(title).not.toMatch(/["`<>]/);
    expect(md.match(/^```/gm)).toHaveLength(2);
  });

  it("reports dependency health and the override", async () => {
    const report: SloReport = await reportOf("slos/ctrl.yaml", text, {});
    report.health = [
      {
        service: "ctrl",
        name: "status",
        url: "http://127.0.0.1:1/health/status",
        ok: false,
        onFailure: "fail",
        dependencies: [
          { name: "myDB", status: "TIMEOUT", statusTime: "2019-07-19T09:27:56.45Z" },
          { name: "kafka", status: "OK", statusTime: null },
        ],
        error: null,
      },
      {
        service: "ctrl",
        name: "edge",
        url: "http://127.0.0.1:1/",
        ok: false,
        onFailure: "warn",
        dependencies: [],
        error: "connection refused",
      },
    ];
    const md = renderMarkdown(report, { override: { label: "slo-override", by: "alice" } });
    expect(md).toMatch(/^## 🟡 SLO gate: pass, overridden/);
    expect(md).toContain(
      "Error budget policy exception:** the label slo&#45;override (label added by alice)",
    );
    expect(md).toContain("### Dependency health");
    expect(md).toContain(
      "| ❌ ctrl / status | myDB | **TIMEOUT** | 2019&#45;07&#45;19T09&#58;27&#58;56&#46;45Z |",
    );
    expect(md).toContain("| ❌ ctrl / status | kafka | OK |  |");
    expect(md).toContain("| ⚠️ ctrl / edge | – | connection refused | |");
  });

  it("is a pure function of the report", async () => {
    const report = await reportOf("slos/ctrl.yaml", text, { "login-availability": 0.001 });
    expect(renderMarkdown(report)).toBe(renderMarkdown(structuredClone(report)));
  });
});

describe("pieces", () => {
  it("draws the budget bar in tenths, empty when overspent", () => {
    expect(budgetBar(1)).toBe("██████████ 100.0%");
    expect(budgetBar(0.65)).toBe("███████░░░ 65.0%");
    expect(budgetBar(-0.4)).toBe("░░░░░░░░░░ -40.0%");
  });
  it("reduces Mermaid text to a safe alphabet", () => {
    expect(mermaidText('a "b" `c` <d> é 99.9%')).toBe("a b c d é 99.9%");
  });
});

describe("a report too big for its place", () => {
  const fit = (limit: number) => ({
    fit: {
      limit,
      where: "this comment",
      fullReport: "the job summary of [the run](https://x.test/run/1)",
    },
  });

  it("leads with every SLO that is not ok, breaching first, then warning, error, no data, with its service", async () => {
    const report = await twoHundredSlos();
    const md = renderMarkdown(report);
    const lead = md.slice(
      md.indexOf("### Not ok"),
      md.indexOf("\n\n###", md.indexOf("### Not ok")),
    );
    const rows = lead.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| status"));
    expect(rows).toHaveLength(notOk(report).length);
    const order = ["breaching", "warning", "error", "no data"];
    const ranks = rows.map((r) => order.findIndex((o) => r.includes(o)));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(rows[0]).toMatch(/^\| ❌ breaching \| payments \| payments&#45;ep2&#45;availability \|/);
    // then the service tables, then the details, not-ok first
    expect(md.indexOf("### Not ok")).toBeLessThan(md.indexOf("### payments"));
    const summaries = [...md.matchAll(/<summary>(.*?): /g)].map((m) => decode(m[1]!));
    expect(summaries).toHaveLength(200);
    expect(summaries[0]).toBe("payments / payments-ep2-availability");
    expect(summaries.at(-1)).toBe("ledger / ledger-ep23-availability");
  });

  it("200 SLOs in 8 services fit 65,536 characters with every SLO that is not ok, and say what was left out", async () => {
    const report = await twoHundredSlos();
    const full = renderMarkdown(report);
    expect(full.length).toBeGreaterThan(65_536);
    const md = renderMarkdown(report, fit(65_536));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expectWellFormed(md);
    expectEveryBreachingNamed(md, report);
    const lead = md.split("\n").filter((l) => /^\| (❌|⚠️|❗|⚪)/.test(l));
    expect(lead.length).toBeGreaterThanOrEqual(notOk(report).length);
    expect(md).toMatch(
      /> \[!NOTE\]\n> To fit this comment, this leaves out the details of \d+ ok SLOs/,
    );
    expect(md).toContain(
      "The whole report is in the job summary of [the run](https://x.test/run/1).",
    );
    // details of what is not ok stay before any of what is ok
    expect(md).toContain("<summary>payments / payments&#45;ep2&#45;availability");
  });

  it("drops details of ok SLOs, then charts, then ok rows, then details of what is not ok, in that order", async () => {
    const report = await twoHundredSlos();
    const sizes = [400_000, 120_000, 65_536, 40_000, 20_000];
    const bodies = sizes.map((l) => renderMarkdown(report, fit(l)));
    for (const [i, md] of bodies.entries()) {
      expect(md.length).toBeLessThanOrEqual(sizes[i]!);
      expectWellFormed(md);
      expectEveryBreachingNamed(md, report);
    }
    const okDetails = (md: string) =>
      [...md.matchAll(/<summary>(.*?): /g)].filter((m) => {
        const name = decode(m[1]!).split(" / ")[1];
        return report.slos.find((s) => s.name === name)?.status === "ok";
      }).length;
    const charts = (md: string) => (md.match(/```mermaid/g) ?? []).length;
    const details = (md: string) => (md.match(/<details>/g) ?? []).length;
    // each smaller size has no more of anything; nothing of a later kind goes while an earlier kind is left
    for (let i = 1; i < bodies.length; i++) {
      const [a, b] = [bodies[i - 1]!, bodies[i]!];
      expect(details(b)).toBeLessThanOrEqual(details(a));
      expect(charts(b)).toBeLessThanOrEqual(charts(a));
      if (charts(b) < charts(a) && charts(a) > 0) expect(okDetails(b)).toBe(0);
    }
    const smallest = bodies.at(-1)!;
    expect(smallest).not.toContain("### payments");
    expect(smallest).toContain("### Not ok");
  });

  it("2,000 breaching SLOs: the table gives way to every breaching SLO named, by service, and the rest counted", async () => {
    const report = await twoThousandSlos(true);
    const md = renderMarkdown(report, fit(65_536));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expectWellFormed(md);
    expectEveryBreachingNamed(md, report);
    expect(md).toContain("To fit this comment, this leaves out");
  }, 120_000);

  it("2,000 SLOs of which 390 breach: every breaching one named, the others not ok counted", async () => {
    const report = await twoThousandSlos();
    for (const limit of [65_535, 349_525]) {
      const md = renderMarkdown(report, fit(limit));
      expect(md.length).toBeLessThanOrEqual(limit);
      expectWellFormed(md);
      expectEveryBreachingNamed(md, report);
    }
  }, 120_000);

  it("what is left renders as GitHub-flavoured Markdown: the not-ok table whole, each kept detail with content", async () => {
    const report = await twoHundredSlos();
    const html = await marked.parse(renderMarkdown(report, fit(65_536)), { gfm: true });
    const tables = html.split("<table>").slice(1);
    const notOkRows = (tables[0]!.match(/<tr>/g) ?? []).length - 1;
    expect(notOkRows).toBe(notOk(report).length);
    expect(html).toContain("<blockquote>");
    for (const details of html.split("<details>").slice(1)) {
      const inside = details
        .slice(0, details.indexOf("</details>"))
        .replace(/<summary>.*?<\/summary>/s, "");
      expect(inside).toMatch(/<li>/);
    }
  });

  it("a report that fits is not touched", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["a", "b"]), { b: 0.02 });
    expect(renderMarkdown(report, fit(65_536))).toBe(renderMarkdown(report));
  });
});
