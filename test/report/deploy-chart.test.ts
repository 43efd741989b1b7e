/**
 * Deploy markers on the HTML report's burn-down chart, in real headless
 * Chromium (JavaScript off): each marker stands where its time falls on the
 * chart's own time axis (read from the rendered tick labels, not from the
 * code's formula), is really painted, and no two version labels overlap,
 * with 0, 1, 30 and 30 crowded deploys.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import type { SloReport } from "../../src/report/schema.js";
import { CHART_COLORS } from "../../src/report/svg-chart.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { addDeploys, HOSTILE_VERSION } from "./deploy-fixture.js";
import { decodePng, hexColor, type Image } from "./png.js";

const available = await requireChromium("deploy markers in Chromium");

const HOUR = 3_600_000;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Rows of an image with a pixel of `rgb` (within `tolerance`) in the columns [x0, x1]. */
function rowsWithColor(image: Image, rgb: number[], x0: number, x1: number, tolerance = 40) {
  let rows = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = Math.max(0, x0); x <= Math.min(image.width - 1, x1); x++) {
      const i = (y * image.width + x) * 4;
      if (rgb.every((c, k) => Math.abs(image.pixels[i + k]! - c) <= tolerance)) {
        rows++;
        break;
      }
    }
  }
  return rows;
}

async function reportWith(count: number): Promise<SloReport> {
  const report = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout"]), {
    checkout: 0.0005,
  });
  addDeploys(report, count, {
    versions: Array.from({ length: count }, (_, i) =>
      i === 0 ? HOSTILE_VERSION : `release-2026.11.${i}`,
    ),
  });
  return report;
}

describe.skipIf(!available)("deploy markers on the HTML chart, in headless Chromium", () => {
  let dir: string;
  let browser: Browser;
  const files: Record<string, { path: string; report: SloReport }> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slo-deploys-"));
    const crowded = await reportWith(30);
    // Twenty deploys within two hours, the others spread over the window.
    const deploys = crowded.slos[0]!.deploys!;
    const start = Date.parse(deploys[10]!.at);
    for (let i = 0; i < 20; i++) {
      deploys[10 + i]!.at = new Date(start + (i * 2 * HOUR) / 20).toISOString();
    }
    const long = await reportWith(2);
    long.slos[0]!.deploys![1]!.version = `release-${"x".repeat(300)}`;
    for (const [name, report] of [
      ["long", long],
      ["none", await reportWith(0)],
      ["one", await reportWith(1)],
      ["thirty", await reportWith(30)],
      ["crowded", crowded],
    ] as const) {
      const path = join(dir, `${name}.html`);
      await writeFile(path, renderHtml(report));
      files[name] = { path, report };
    }
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /**
   * Open a report; return its chart's marker centres and label boxes (page
   * px), the time axis as the page shows it (tick label centre x per
   * instant), the plot's box and a screenshot of the chart.
   */
  async function open(name: string) {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(files[name]!.path).href, { waitUntil: "load" });
    const chart = page.locator("svg.burn-down.chart-wide");
    const year = files[name]!.report.slos[0]!.window.end.slice(0, 4);
    const ticks: { ms: number; x: number }[] = [];
    for (const tick of await chart.locator("text").all()) {
      const label = (await tick.textContent()) ?? "";
      if (!/^\d\d-\d\d$/.test(label)) continue;
      const box = (await tick.boundingBox())!;
      ticks.push({ ms: Date.parse(`${year}-${label}T00:00:00Z`), x: box.x + box.width / 2 });
    }
    const boxes = async (selector: string) => {
      const out: Box[] = [];
      for (const el of await chart.locator(selector).all()) out.push((await el.boundingBox())!);
      return out;
    };
    const lines = (await boxes("line.deploy")).map((b) => b.x + b.width / 2);
    const labels = await boxes("text.deploy-label");
    const plot = (await chart.locator("rect").first().boundingBox())!;
    const chartBox = (await chart.boundingBox())!;
    const image = decodePng(await chart.screenshot());
    return { page, problems, ticks, lines, labels, plot, chartBox, image };
  }

  /** The instant's x on the axis the page drew, from its first and last tick labels. */
  function axisX(ticks: { ms: number; x: number }[], ms: number): number {
    const a = ticks[0]!;
    const b = ticks.at(-1)!;
    return a.x + ((ms - a.ms) / (b.ms - a.ms)) * (b.x - a.x);
  }

  it("wraps a 300-character version inside the page: every deploy column stays in view", async () => {
    const { page } = await open("long");
    const widths = await page.evaluate(() => ({
      page: document.documentElement.clientWidth,
      // the Deploys table: the last table of the page
      table: [...document.querySelectorAll("table")].at(-1)!.getBoundingClientRect().right,
      scroll: document.documentElement.scrollWidth,
    }));
    expect(widths.table).toBeLessThanOrEqual(widths.page);
    expect(widths.scroll).toBeLessThanOrEqual(widths.page);
    await page.close();
  });

  it("draws no marker without deploys", async () => {
    const { page, problems, lines, labels } = await open("none");
    expect(problems).toEqual([]);
    expect(lines).toEqual([]);
    expect(labels).toEqual([]);
    await page.close();
  });

  it("draws one marker at its time on the axis, painted, labelled with the version as text", async () => {
    const { page, problems, ticks, lines, labels, plot, chartBox, image } = await open("one");
    expect(problems).toEqual([]);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const at = Date.parse(files.one!.report.slos[0]!.deploys![0]!.at);
    expect(lines).toHaveLength(1);
    expect(Math.abs(lines[0]! - axisX(ticks, at))).toBeLessThan(1);
    // The line is painted in the deploy colour from the top of the plot to its bottom.
    const scale = image.width / chartBox.width;
    const column = Math.round((lines[0]! - chartBox.x) * scale);
    const rows = rowsWithColor(image, hexColor(CHART_COLORS.deploy), column - 2, column + 2);
    expect(rows).toBeGreaterThan(plot.height * scale * 0.95);
    // The label: the version cut, shown as text (its <script> is characters), inside the plot.
    expect(labels).toHaveLength(1);
    const label = page.locator("text.deploy-label").first();
    expect((await label.textContent())!.startsWith("v1.2|x <scrip…")).toBe(true);
    // Clear of its line (2 px wide, centred on lines[0]).
    expect(labels[0]!.x).toBeGreaterThanOrEqual(lines[0]! + 2);
    expect(labels[0]!.y + labels[0]!.height).toBeLessThanOrEqual(plot.y + plot.height);
    expect(await page.locator("script").count()).toBe(0);
    await page.close();
  });

  it("draws 30 markers each at its time, 30 labels inside the chart, none overlapping", async () => {
    const { page, problems, ticks, lines, labels, plot, chartBox } = await open("thirty");
    expect(problems).toEqual([]);
    const deploys = files.thirty!.report.slos[0]!.deploys!;
    expect(lines).toHaveLength(30);
    deploys.forEach((d, i) => {
      expect(Math.abs(lines[i]! - axisX(ticks, Date.parse(d.at)))).toBeLessThan(1);
    });
    expect(labels).toHaveLength(30);
    for (const [i, a] of labels.entries()) {
      expect(a.x).toBeGreaterThanOrEqual(plot.x);
      expect(a.x + a.width).toBeLessThanOrEqual(chartBox.x + chartBox.width);
      expect(a.y).toBeGreaterThanOrEqual(plot.y);
      expect(a.y + a.height).toBeLessThanOrEqual(plot.y + plot.height);
      for (const b of labels.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    }
    await page.close();
  });

  it("keeps every marker but only labels that fit when deploys crowd together", async () => {
    const { page, problems, ticks, lines, labels, chartBox } = await open("crowded");
    expect(problems).toEqual([]);
    expect(lines).toHaveLength(30);
    const times = files.crowded!.report.slos[0]!.deploys!.map((d) => Date.parse(d.at));
    for (const [i, ms] of [...times].sort((a, b) => a - b).entries()) {
      expect(Math.abs(lines[i]! - axisX(ticks, ms))).toBeLessThan(1);
    }
    // Twenty deploys in two hours are a pixel or two apart: one label for the crowd.
    expect(labels.length).toBeGreaterThanOrEqual(10);
    expect(labels.length).toBeLessThan(14);
    for (const [i, a] of labels.entries()) {
      expect(a.x + a.width).toBeLessThanOrEqual(chartBox.x + chartBox.width);
      for (const b of labels.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    }
    // Every crowded marker keeps its tooltip.
    expect(await page.locator("svg.chart-wide line.deploy title").count()).toBe(30);
    await page.close();
  });
});
