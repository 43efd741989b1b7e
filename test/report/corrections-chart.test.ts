/**
 * Corrections shaded on the HTML report's charts, in real headless Chromium
 * (JavaScript off): each period stands where its time falls on the chart's
 * own time axis (read from the rendered tick labels), is painted apart from
 * the plot in light and dark, its edges at a contrast of 3, with a <title>
 * for screen readers and a key; periods closer than a pixel are one shape.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import type { ReportCorrection, SloReport } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { oneOff, WEEKLY, withCorrections } from "./corrections-fixture.js";
import { decodePng } from "./png.js";

const available = await requireChromium("corrections on the charts in Chromium");

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Forty one-minute periods ten minutes apart: far closer than a pixel on a 30-day chart. */
const CROWDED: ReportCorrection = {
  reason: "Deploy train",
  category: "deployment",
  rrule: "FREQ=MINUTELY;INTERVAL=10;COUNT=40",
  timeZone: "UTC",
  occurrences: Array.from({ length: 40 }, (_, i) => {
    const start = Date.parse("2026-11-05T00:00:00Z") + i * 10 * MINUTE;
    return { start: iso(start), end: iso(start + MINUTE) };
  }),
  excluded: { good: 40, bad: 0, total: 40 },
};

/** A burn-rate series for the chart (the pipeline's own needs an alert history run). */
function withBurnRates(report: SloReport): SloReport {
  const s = report.slos[0]!;
  const start = Date.parse(s.window.start);
  const end = Date.parse(s.window.end);
  const step = 6 * 60 * MINUTE;
  const points = [];
  for (let t = start + step; t <= end; t += step) points.push({ t: iso(t), burnRate: 0.5 });
  s.burnRateHistory ??= {
    since: s.window.start,
    step: "6h",
    windows: [{ window: "1h", thresholds: [{ severity: "page", factor: 14.4 }], points }],
  };
  return report;
}

const SCHEMES = ["light", "dark"] as const;
const WIDTHS = [1100, 390] as const;

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: readonly number[], b: readonly number[]): number {
  const lum = ([r, g, bb]: readonly number[]) => {
    const c = [r!, g!, bb!].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const rgbOf = (css: string) => css.match(/\d+/g)!.slice(0, 3).map(Number);

describe.skipIf(!available)("corrections on the HTML charts, in headless Chromium", () => {
  let file: string;
  let browser: Browser;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "slo-corrections-"));
    const base = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout"]), {
      checkout: 0.0005,
    });
    const report = withBurnRates(withCorrections(base, "checkout", [WEEKLY, oneOff(), CROWDED]));
    file = join(dir, "report.html");
    await writeFile(file, renderHtml(report));
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    for (const width of WIDTHS) {
      it(`shades each period where its time falls, apart from the plot (${scheme}, ${width} px)`, async () => {
        const page = await browser.context.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
        for (const kind of ["burn-down", "burn-rate"]) {
          const chart = page.locator(`svg.${kind}:visible`);
          expect(await chart.count()).toBe(1);
          const shapes = chart.locator("rect.correction:not(.legend)");
          // Four Sundays, the one-off, and the forty crowded minutes as one.
          expect(await shapes.count()).toBe(6);
          const titles = await chart.locator("rect.correction > title").allTextContents();
          expect(titles.filter((t) => t.includes("Weekly database maintenance"))).toHaveLength(4);
          expect(titles.filter((t) => t.includes("Deploy train"))).toHaveLength(1);
          expect(titles.find((t) => t.includes("Deploy train"))).toMatch(
            /^Correction, events not counted: 2026-11-05 00:00 → 2026-11-05 06:31 UTC: Deploy train \(deployment\)$/,
          );

          // Where: each Sunday's shape is centred on its time on the chart's own axis.
          const ticks: { ms: number; x: number }[] = [];
          for (const tick of await chart.locator("text").all()) {
            const label = (await tick.textContent()) ?? "";
            if (!/^\d\d-\d\d$/.test(label)) continue;
            const box = (await tick.boundingBox())!;
            ticks.push({ ms: Date.parse(`2026-${label}T00:00:00Z`), x: box.x + box.width / 2 });
          }
          expect(ticks.length).toBeGreaterThanOrEqual(2);
          const a = ticks[0]!;
          const b = ticks.at(-1)!;
          const pxPerMs = (b.x - a.x) / (b.ms - a.ms);
          const axisX = (ms: number) => a.x + (ms - a.ms) * pxPerMs;
          const image = decodePng(await chart.screenshot());
          const chartBox = (await chart.boundingBox())!;
          const boxes = [];
          for (const shape of await shapes.all()) boxes.push((await shape.boundingBox())!);
          for (const o of WEEKLY.occurrences) {
            const mid = axisX((Date.parse(o.start) + Date.parse(o.end)) / 2);
            expect(boxes.some((bx) => Math.abs(bx.x + bx.width / 2 - mid) < 2.5)).toBe(true);
          }

          // Painted: the top rows of the plot at a shape's centre differ from the plot beside it.
          const plotFill = rgbOf(
            await chart.locator("rect.plot").evaluate((r) => getComputedStyle(r).fill),
          );
          const edge = rgbOf(await shapes.first().evaluate((r) => getComputedStyle(r).stroke));
          expect(contrast(edge, plotFill)).toBeGreaterThanOrEqual(3);
          const scale = image.width / chartBox.width;
          const plot = (await chart.locator("rect.plot").boundingBox())!;
          const px = (x: number, y: number) => {
            const i =
              (Math.round((y - chartBox.y) * scale) * image.width +
                Math.round((x - chartBox.x) * scale)) *
              4;
            return [...image.pixels.slice(i, i + 3)];
          };
          const oneOffBox = boxes.find((bx) => bx.width > 3)!;
          const y = plot.y + 6;
          const inside = px(oneOffBox.x + oneOffBox.width / 2, y);
          const distance = (p: number[], q: number[]) =>
            Math.max(...p.map((v, i) => Math.abs(v - q[i]!)));
          expect(distance(inside, plotFill)).toBeGreaterThan(12);
          // The key says what the shading is.
        }
        const caption = await page.locator("figure:has(svg.burn-down) figcaption").textContent();
        expect(caption).toMatch(/corrections: periods whose events do not count/i);
        const legend = await page.locator("svg.burn-rate:visible text").allTextContents();
        expect(legend).toContain("correction");
        await page.close();
      });
    }
  }

  it("draws no shape and no key without corrections", async () => {
    const base = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout"]), {});
    const html = renderHtml(withBurnRates(base));
    expect(html).not.toContain('class="correction"');
    expect(html).not.toContain('class="key key-correction"');
    expect(html).not.toMatch(/>correction</);
  });
});
