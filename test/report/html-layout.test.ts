/**
 * The HTML report's layout where a reviewer found it wanting, measured in
 * headless Chromium (JavaScript off) on the bundled example (slos/), with an
 * SLO of a 60-character name and two SLOs whose service and name join the
 * same way: words and numbers stay whole, the caption reads as a line on a
 * phone, every card's cell has its label, anchors are unique, chart labels
 * stay inside their chart, and the burn-rate chart shows its thresholds apart.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import { reportSchema, type SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";

const available = await requireChromium("HTML report layout");

const LONG_NAME = "reconciliation_of-every.ledger/entry-against-bank-statements";

const DAY_BEFORE = "2026-11-23T12:00:00.000Z";

async function exampleReport(): Promise<SloReport> {
  const result = await runCli([
    "report",
    "slos/",
    "--at",
    "2026-11-24T12:00:00Z",
    "--format",
    "json",
  ]);
  expect(result.stderr).toBe("");
  const report = reportSchema.parse(JSON.parse(result.stdout));
  const base = report.slos.find((s) => s.name === "customer-info-sync")!;
  report.slos.push(
    { ...base, service: "ledger", name: LONG_NAME },
    { ...base, service: "a", name: "b-c" },
    { ...base, service: "a-b", name: "c" },
    // A one-day window: its last time tick falls on the chart's right edge.
    {
      ...base,
      name: "one-day",
      window: { kind: "rolling", duration: "1d", start: DAY_BEFORE, end: base.window.end },
      burnDown: base.burnDown.filter((p) => p.t >= DAY_BEFORE),
    },
  );
  return report;
}

describe.skipIf(!available)("the HTML report's layout, in headless Chromium", () => {
  let file: string;
  let html: string;
  let browser: Browser;

  beforeAll(async () => {
    expect(LONG_NAME).toHaveLength(60);
    const dir = await mkdtemp(join(tmpdir(), "slo-layout-"));
    file = join(dir, "report.html");
    html = renderHtml(await exampleReport());
    await writeFile(file, html);
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return page;
  }

  // The SLO name's text is cut at its separators (<wbr>): each piece on one line too.
  for (const width of [641, 900, 1280]) {
    it(`keeps every status, number and piece of a name in the summary on one line at ${width} px`, async () => {
      const page = await open(width);
      const broken = await page.evaluate(() => {
        const out: string[] = [];
        const cells = document.querySelectorAll(
          "table.summary td:nth-child(1), table.summary td.num, table.summary td:nth-child(3) a",
        );
        for (const cell of cells) {
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.textContent!.trim() === "") continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (tops.size > 1) out.push(`${n.textContent} on ${tops.size} lines`);
          }
        }
        return { out, cells: cells.length };
      });
      expect(broken.cells).toBeGreaterThan(20);
      expect(broken.out).toEqual([]);
      await page.close();
    });
  }

  it("shows the summary's caption in a few lines on a phone", async () => {
    const page = await open(390);
    const box = await page.locator("table.summary caption").boundingBox();
    expect(box!.height).toBeLessThanOrEqual(80);
    expect(box!.width).toBeGreaterThan(300);
    await page.close();
  });

  it("labels every cell of every table that becomes cards on a phone", async () => {
    const page = await open(390);
    const found = await page.evaluate(() => {
      const unlabelled: string[] = [];
      let cells = 0;
      for (const td of document.querySelectorAll("td")) {
        if (!td.checkVisibility()) continue;
        cells++;
        const label = td.getAttribute("data-label") ?? "";
        const shown = getComputedStyle(td, "::before").content;
        if (label.trim() === "" || shown === "none" || shown === '""') {
          const table = td.closest("table")!;
          unlabelled.push(`${table.previousElementSibling?.textContent}: ${td.textContent}`);
        }
      }
      return { cells, unlabelled };
    });
    expect(found.cells).toBeGreaterThan(100);
    expect(found.unlabelled).toEqual([]);
    await page.close();
  });

  it("gives every SLO a unique anchor, and each summary link reaches its own section", async () => {
    const page = await open(1280);
    const ids = await page.locator("section.slo").evaluateAll((s) => s.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    const targets = await page.evaluate(() =>
      [...document.querySelectorAll("table.summary td:nth-child(3) a")].map((a) => {
        const id = decodeURIComponent(a.getAttribute("href")!.slice(1));
        const h2 = document.getElementById(id)?.querySelector("h2")?.textContent ?? "";
        return [a.textContent, h2.split(" / ")[1]?.split(" ")[0]];
      }),
    );
    for (const [name, heading] of targets) expect(heading).toBe(name);
    await page.close();
  });

  for (const width of [390, 1280]) {
    it(`keeps every chart label inside its chart at ${width} px`, async () => {
      const page = await open(width);
      const outside = await page.evaluate(() => {
        const out: string[] = [];
        for (const svg of document.querySelectorAll("svg.chart")) {
          if (!svg.checkVisibility()) continue;
          const box = svg.getBoundingClientRect();
          for (const t of svg.querySelectorAll("text")) {
            const r = t.getBoundingClientRect();
            if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
              out.push(`"${t.textContent}" ${r.left}..${r.right} in ${box.left}..${box.right}`);
            }
          }
        }
        return out;
      });
      expect(outside).toEqual([]);
      await page.close();
    });
  }

  it("draws customer-info-sync's thresholds apart from each other and the x axis, labelled at their lines", async () => {
    const page = await open(1280);
    const found = await page.evaluate(() => {
      const section = [...document.querySelectorAll("section.slo")].find((s) =>
        s.querySelector("h2")?.textContent?.startsWith("ctrl / customer-info-sync"),
      )!;
      const svg = [...section.querySelectorAll("svg.burn-rate")].find((s) => s.checkVisibility())!;
      const plot = svg.querySelector(".plot")!.getBoundingClientRect();
      const lines = [...svg.querySelectorAll("line.threshold")].map(
        (l) => l.getBoundingClientRect().top,
      );
      const labels = [...svg.querySelectorAll("text.threshold-label")].map((t) => {
        const r = t.getBoundingClientRect();
        return (r.top + r.bottom) / 2;
      });
      return { axis: plot.bottom, lines, labels };
    });
    expect(found.lines.length).toBeGreaterThanOrEqual(2);
    const ys = [...found.lines].sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(8);
    for (const y of ys) expect(found.axis - y).toBeGreaterThanOrEqual(8);
    expect(found.labels).toHaveLength(found.lines.length);
    found.labels.forEach((y, i) => {
      expect(Math.abs(y - found.lines[i]!)).toBeLessThanOrEqual(4);
    });
    await page.close();
  });

  it("heads the budget's breakdown with the SLO's breakdown key", () => {
    expect(html).toContain("<th>bad events by action</th>");
    expect(html).toContain("<th>bad events by status</th>");
    expect(html).not.toContain("bad events by name");
  });
});
