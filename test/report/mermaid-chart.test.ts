/**
 * The Markdown burn-down drawn as GitHub draws it: the ```mermaid block
 * rendered by the mermaid package in headless Chromium, with Mermaid's
 * `default` theme on GitHub's white page and its `dark` theme on GitHub's
 * #0d1117. What a reader needs is measured on the result: the budget line's
 * pixels stand out from the page, the dates do not run into each other, the
 * y axis reaches 0% and the warning level, the axes say what they are.
 */

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { burnDownChart } from "../../src/report/mermaid.js";
import type { SloReportEntry } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { GITHUB_COLORS, type GitHubTheme, showGitHubMarkdown } from "../support/github-markdown.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { decodePng, hexColor, type Image } from "./png.js";

const available = await requireChromium("Mermaid burn-down in Chromium");

/** WCAG 2's minimum contrast for graphics a reader must see. */
const MIN_GRAPHIC_CONTRAST = 3;

interface Case {
  name: string;
  /** the share of bad events: the 30-day budget of a 99.9% SLO is 0.001 */
  badShare: number;
  window?: string;
  /** budget remaining at the end, in % */
  last: number;
}

const CASES: Case[] = [
  { name: "an 18% burn", badShare: 0.00018, last: 82 },
  { name: "an overspent budget (-171%)", badShare: 0.00271, last: -171 },
  { name: "a flat 100%", badShare: 0, last: 100 },
  { name: "a one-day window (day and time labels)", badShare: 0.0001, window: "1d", last: 90 },
];

const THEMES: GitHubTheme[] = ["light", "dark"];

interface Series {
  title: string;
  values: number[];
}

/** The `line "title" [..]` series of a chart block, in drawing order. */
function seriesOf(chart: string): Series[] {
  return [...chart.matchAll(/^\s*line "([^"]*)" \[(.*)\]$/gm)].map((m) => ({
    title: m[1]!,
    values: m[2]!.split(",").map(Number),
  }));
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Measured {
  xLabels: { text: string; box: Box }[];
  yLabels: { value: number; y: number }[];
  xTitle: string | null;
  yTitle: string | null;
  /** the y extent of the y axis line */
  axis: { top: number; bottom: number };
  /** per series, in drawing order: its stroke and points along it (page px) */
  plots: { stroke: string; points: { x: number; y: number }[] }[];
}

/** What the rendered SVG shows, in page pixels. */
function measure(page: Page): Promise<Measured> {
  return page.evaluate(() => {
    const svg = document.querySelector("pre.mermaid svg");
    if (!svg) throw new Error("no SVG: Mermaid drew nothing");
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const texts = (selector: string) =>
      [...svg.querySelectorAll(selector)].map((t) => ({ text: t.textContent ?? "", box: box(t) }));
    const axisLine = svg.querySelector(".left-axis .axisl-line path");
    if (!axisLine) throw new Error("no y axis line");
    const plots = [...svg.querySelectorAll(".plot > g")].map((g) => {
      const path = g.querySelector("path") as SVGPathElement;
      const ctm = path.getScreenCTM()!;
      const length = path.getTotalLength();
      const points = Array.from({ length: 61 }, (_, i) => {
        const p = path.getPointAtLength((length * i) / 60);
        return { x: ctm.a * p.x + ctm.c * p.y + ctm.e, y: ctm.b * p.x + ctm.d * p.y + ctm.f };
      });
      return { stroke: path.getAttribute("stroke") ?? "", points };
    });
    return {
      xLabels: texts(".bottom-axis .label text"),
      yLabels: texts(".left-axis .label text").map((t) => ({
        value: Number(t.text),
        y: (t.box.top + t.box.bottom) / 2,
      })),
      xTitle: svg.querySelector(".bottom-axis .title text")?.textContent ?? null,
      yTitle: svg.querySelector(".left-axis .title text")?.textContent ?? null,
      axis: { top: box(axisLine).top, bottom: box(axisLine).bottom },
      plots,
    };
  });
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance([r, g, b]: readonly number[]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

function contrast(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

function pixel(image: Image, x: number, y: number): number[] {
  const i = (Math.round(y) * image.width + Math.round(x)) * 4;
  return [image.pixels[i]!, image.pixels[i + 1]!, image.pixels[i + 2]!];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Visible text: the unlabelled points carry zero-width labels. */
const visible = (text: string) => text.replace(/\u200b/g, "").trim();

describe.skipIf(!available)("the Markdown burn-down rendered by Mermaid in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const fetched: string[] = [];
  const entries = new Map<string, SloReportEntry>();

  beforeAll(async () => {
    for (const c of CASES) {
      const yaml = sloYaml("checkout", ["availability"]).replace(
        "window: 30d",
        `window: ${c.window ?? "30d"}`,
      );
      const report = await reportOf("slos/checkout.yaml", yaml, { availability: c.badShare });
      entries.set(c.name, report.slos[0]!);
    }
    browser = await launchChromium({ javaScript: true });
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 900, height: 700 });
    page.on("request", (r) => {
      if (!/^(data|about):/.test(r.url())) fetched.push(r.url());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const c of CASES) {
    for (const theme of THEMES) {
      it(`${c.name}, GitHub ${theme}`, async () => {
        const entry = entries.get(c.name)!;
        expect(Math.round(entry.errorBudget.remaining * 100)).toBe(c.last);
        const chart = burnDownChart(entry)!;
        await showGitHubMarkdown(page, chart, theme);
        const m = await measure(page);
        const series = seriesOf(chart);

        // Every series drawn, in the order written.
        expect(m.plots).toHaveLength(series.length);
        const data = series.findIndex((s) => s.title === "budget remaining");
        expect(data).toBeGreaterThanOrEqual(0);
        const values = series[data]!.values;
        expect(Math.round(values.at(-1)!)).toBe(c.last);

        // Axis titles.
        expect(m.xTitle).toBe("time (UTC)");
        expect(m.yTitle).toBe("budget remaining (%)");

        // At most 8 dates, the last one now, none running into the next.
        const labels = m.xLabels.filter((l) => visible(l.text) !== "");
        expect(labels.length).toBeGreaterThanOrEqual(2);
        expect(labels.length).toBeLessThanOrEqual(8);
        const boxes = labels.map((l) => l.box).sort((a, b) => a.left - b.left);
        for (let i = 1; i < boxes.length; i++) {
          expect(boxes[i]!.left).toBeGreaterThan(boxes[i - 1]!.right);
        }
        expect(visible(m.xLabels.at(-1)!.text)).not.toBe("");

        // The y axis: value -> page y from its labels; 0%, the warning level and the data all on it.
        const ys = [...m.yLabels].sort((a, b) => a.value - b.value);
        const lo = ys[0]!;
        const hi = ys.at(-1)!;
        const yOf = (v: number) => lo.y + ((v - lo.value) * (hi.y - lo.y)) / (hi.value - lo.value);
        const warn = entry.warnRemaining! * 100;
        for (const v of [0, warn, Math.min(...values), Math.max(...values)]) {
          expect(yOf(v)).toBeGreaterThanOrEqual(m.axis.top - 1);
          expect(yOf(v)).toBeLessThanOrEqual(m.axis.bottom + 1);
        }

        // Reference lines where they say: flat at 0% and at the warning level.
        for (const level of [0, warn]) {
          const i = series.findIndex((s, j) => j !== data && s.values.every((v) => v === level));
          expect(i, `a reference line at ${level}%`).toBeGreaterThanOrEqual(0);
          for (const p of m.plots[i]!.points) expect(Math.abs(p.y - yOf(level))).toBeLessThan(1.5);
        }
        // The budget line follows the data.
        const first = m.plots[data]!.points[0]!;
        const end = m.plots[data]!.points.at(-1)!;
        expect(Math.abs(first.y - yOf(values[0]!))).toBeLessThan(1.5);
        expect(Math.abs(end.y - yOf(values.at(-1)!))).toBeLessThan(1.5);

        // The budget line's pixels against the page: WCAG contrast for graphics.
        const shot = decodePng(await page.screenshot());
        const background = hexColor(GITHUB_COLORS[theme].background);
        expect(pixel(shot, 2, shot.height - 2)).toEqual(background);
        const ratios = m.plots[data]!.points.map((p) =>
          contrast(pixel(shot, p.x, p.y), background),
        );
        expect(median(ratios)).toBeGreaterThanOrEqual(MIN_GRAPHIC_CONTRAST);
        // Reference lines drawn in colours of their own, not the budget line's.
        const strokes = new Set(m.plots.map((p) => p.stroke.toLowerCase()));
        expect(strokes.size).toBe(m.plots.length);

        expect(fetched).toEqual([]);
      }, 60_000);
    }
  }
});
