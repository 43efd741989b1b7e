/**
 * The HTML report on every screen, in real headless Chromium with
 * JavaScript off: at 1280 and 390 CSS px, light and dark
 * (`prefers-color-scheme`), what can be measured is measured: the page is
 * no wider than the screen and nothing lies outside it, text and chart
 * lines contrast with what is behind them (WCAG ratios, from computed
 * styles, and the screenshot's pixels agree), chart labels are at least 10
 * px as rendered; the SLOs come worst first and the status and service
 * filters work without script. Screenshots go to .tmp/screenshots/.
 */

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { renderHtml } from "../../src/report/render-html.js";
import { reportSchema, type SloReport } from "../../src/report/schema.js";
import { AT, fixedSource, sloYaml } from "../github/report-fixture.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { addDeploys } from "./deploy-fixture.js";
import { countColor, decodePng } from "./png.js";

const available = await requireChromium("HTML report on every screen");

const SCREENSHOTS = join(import.meta.dirname, "../../.tmp/screenshots");
const LONG_NAME = `reconciliation-of-every-ledger-entry-against-the-bank-statement-${"x".repeat(40)}`;

/** Budget left by SLO (99.9% over 30 days at a fixed bad share): -400%, 20%, 50%, 90%, 100%. */
const BAD_SHARE: Record<string, number> = {
  "checkout-availability": 0.005,
  "search-latency": 0.0008,
  [LONG_NAME]: 0.0005,
  "search-availability": 0.0001,
  "inventory-sync": 0,
};

async function evaluate(): Promise<SloReport> {
  const files: [string, string][] = [
    ["checkout.yaml", sloYaml("checkout", ["checkout-availability"])],
    ["search.yaml", sloYaml("search", ["search-latency", "search-availability"])],
    ["payments.yaml", sloYaml("payments", [LONG_NAME])],
    ["inventory.yaml", sloYaml("inventory", ["inventory-sync"])],
  ];
  const services = files.flatMap(([file, text]) => {
    const loaded = loadText(file, text, {});
    if (loaded.errors.length > 0) throw new Error(loaded.errors.map((e) => e.format()).join("\n"));
    return loaded.services;
  });
  const report = await evaluateSet(
    { files: files.map(([f]) => f), services },
    { atMs: AT, alertHistory: true, sourceFactory: () => fixedSource(BAD_SHARE) },
  );
  // Deploys on the first SLO's chart (markers, labels) and their table.
  addDeploys(report, 4, { pullRequest: true });
  // A source that failed and one without events: no budget to rank them by.
  const base = report.slos.find((s) => s.name === "inventory-sync")!;
  const empty = {
    events: { good: 0, bad: 0, total: 0 },
    sli: null,
    errorBudget: { consumed: 0, remaining: 1 },
    burnRates: {},
    alerts: [],
    burnDown: [],
    breakdown: [],
    exhaustion: null,
  };
  const { alertHistory: _a, burnRateHistory: _b, ...plain } = base;
  report.slos.push(
    {
      ...plain,
      ...empty,
      name: "inventory-feed",
      status: "error",
      error: { message: "connect ECONNREFUSED 10.0.0.7:3100", source: "loki" },
    },
    { ...plain, ...empty, service: "checkout", name: "checkout-refunds", status: "no-data" },
  );
  return reportSchema.parse(report);
}

/** What the page should list, worst first; the source that failed, then no data, last. */
const ORDER = [
  "checkout-availability",
  "search-latency",
  LONG_NAME,
  "search-availability",
  "inventory-sync",
  "inventory-feed",
  "checkout-refunds",
];

const SCREENS = [
  { width: 1280, scheme: "light" },
  { width: 1280, scheme: "dark" },
  { width: 390, scheme: "light" },
  { width: 390, scheme: "dark" },
] as const;

describe.skipIf(!available)("the HTML report on every screen, in headless Chromium", () => {
  let file: string;
  let browser: Browser;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "slo-screens-"));
    file = join(dir, "report.html");
    await writeFile(file, renderHtml(await evaluate()));
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number, scheme: "light" | "dark"): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return page;
  }

  for (const { width, scheme } of SCREENS) {
    describe(`at ${width} px, ${scheme}`, () => {
      it("is no wider than the screen, and no element lies outside it", async () => {
        const page = await open(width, scheme);
        const png = await page.screenshot({ fullPage: true });
        await writeFile(join(SCREENSHOTS, `report-${width}-${scheme}.png`), png);
        await page
          .locator("section.slo")
          .first()
          .screenshot({ path: join(SCREENSHOTS, `first-slo-${width}-${scheme}.png`) });
        const sizes = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(sizes).toEqual({ scroll: width, client: width });
        const outside = await page.evaluate((w) => {
          const out: string[] = [];
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            if (r.left < -0.5 || r.right > w + 0.5) {
              out.push(`${el.tagName}.${el.getAttribute("class")} ${r.left}..${r.right}`);
            }
          }
          return out;
        }, width);
        expect(outside).toEqual([]);
        await page.close();
      });

      it("has text at a contrast of 4.5 and chart lines at 3 against what is behind them", async () => {
        const page = await open(width, scheme);
        const found = await page.evaluate(measureContrast);
        expect(found.texts).toBeGreaterThan(50);
        expect(found.lines).toBeGreaterThan(5);
        expect(found.lowText).toEqual([]);
        expect(found.lowLines).toEqual([]);
        // The page is painted in its scheme: the screenshot's corner is the computed background.
        const image = decodePng(await page.screenshot());
        const corner = [...image.pixels.slice(0, 3)];
        expect(corner).toEqual(found.background);
        if (scheme === "dark") expect(Math.max(...corner)).toBeLessThan(40);
        else expect(Math.min(...corner)).toBeGreaterThan(240);
        // The burn-down's line is painted in its computed colour: ~650 px of a 2.5 px line.
        const chart = page.locator("svg.burn-down:visible").first();
        const stroke = await chart
          .locator("polyline.burn-down")
          .evaluate((l) => getComputedStyle(l).stroke);
        const [r, g, b] = stroke.match(/\d+/g)!.map(Number);
        const painted = countColor(decodePng(await chart.screenshot()), [r!, g!, b!], 30);
        expect(painted).toBeGreaterThan(width > 600 ? 800 : 300);
        await page.close();
      });

      it("draws chart labels at 10 px or more, as rendered", async () => {
        const page = await open(width, scheme);
        const sizes = await page.evaluate(() =>
          [...document.querySelectorAll("svg.chart")]
            .filter((svg) => svg.checkVisibility())
            .flatMap((svg) => {
              const scale =
                svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
              return [...svg.querySelectorAll("text")].map(
                (t) => Number.parseFloat(getComputedStyle(t).fontSize) * scale,
              );
            }),
        );
        // Per SLO with numbers: a burn-down and a burn-rate chart, each with labels.
        expect(sizes.length).toBeGreaterThan(50);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
        await page.close();
      });
    });
  }

  it("lists the SLOs by budget left, worst first, in the summary and the sections", async () => {
    const page = await open(1280, "light");
    const rows = await page.locator("table.summary tbody tr td:nth-child(3) a").allTextContents();
    expect(rows).toEqual(ORDER);
    expect(await page.locator("table.summary caption").textContent()).toMatch(
      /^Least budget left first/,
    );
    const sections = await page.locator("section.slo h2").allTextContents();
    expect(
      sections.map((h) => h.split(" / ")[1]!.replace(/ (ok|warning|breaching|error|no data)$/, "")),
    ).toEqual(ORDER);
    await page.close();
  });

  for (const width of [1280, 390]) {
    it(`filters by status and by service without script, at ${width} px`, async () => {
      const page = await open(width, "light");
      const visible = async () => ({
        rows: await page
          .locator("table.summary tbody tr:visible td:nth-child(3) a")
          .allTextContents(),
        sections: await page.locator("section.slo:visible").count(),
      });
      expect((await visible()).rows).toEqual(ORDER);
      await page.locator('label[for="status-ok"]').click();
      expect(await visible()).toEqual({
        rows: [LONG_NAME, "search-availability", "inventory-sync"],
        sections: 3,
      });
      // Service inventory as well: both filters hold.
      await page.locator(".filters label", { hasText: /^inventory \d+$/ }).click();
      expect(await visible()).toEqual({ rows: ["inventory-sync"], sections: 1 });
      await page.locator('label[for="status-all"]').click();
      expect(await visible()).toEqual({ rows: ["inventory-sync", "inventory-feed"], sections: 2 });
      await page.locator('label[for="service-all"]').click();
      await page.locator('label[for="status-breaching"]').click();
      expect((await visible()).rows).toEqual(["checkout-availability"]);
      await page.screenshot({ path: join(SCREENSHOTS, `filtered-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});

/**
 * In the page: every visible text against the background behind it, and
 * every chart line against its plot; WCAG's contrast ratio. Runs in the
 * browser, so it is self-contained.
 */
function measureContrast() {
  const rgb = (css: string): number[] => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const [r, g, b, a] = m[1]!.split(/[ ,/]+/).map(Number);
    return [r!, g!, b!, a ?? 1];
  };
  const luminance = ([r, g, b]: number[]) => {
    const c = [r!, g!, b!].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const ratio = (a: number[], b: number[]) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  const backgroundOf = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c[3]! > 0) return c;
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor);
  };
  const lowText: string[] = [];
  const lowLines: string[] = [];
  let texts = 0;
  let lines = 0;
  const check = (color: string, behind: number[], what: string) => {
    const r = ratio(rgb(color), behind);
    texts++;
    if (r < 4.5) lowText.push(`${what} ${color} on ${behind}: ${r.toFixed(2)}`);
  };
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== "");
    const inSvg = el instanceof SVGElement;
    if (own && !inSvg) {
      check(
        getComputedStyle(el).color,
        backgroundOf(el),
        `${el.tagName} "${el.textContent!.trim().slice(0, 30)}"`,
      );
    }
    if (own && inSvg && el.tagName === "text") {
      const svg = el.closest("svg")!;
      const plot = rgb(getComputedStyle(svg.querySelector(".plot")!).fill);
      check(getComputedStyle(el).fill, backgroundOf(svg), `svg text "${el.textContent}"`);
      check(getComputedStyle(el).fill, plot, `svg text on its plot "${el.textContent}"`);
    }
    const label = getComputedStyle(el, "::before");
    if (el.hasAttribute("data-label") && label.content !== "none" && label.display !== "none") {
      check(label.color, backgroundOf(el), `label of ${el.getAttribute("data-label")}`);
    }
  }
  const drawn = "path.rate, polyline.burn-down, line.zero, line.warn, line.threshold, line.deploy";
  for (const svg of document.querySelectorAll("svg.chart")) {
    if (!svg.checkVisibility()) continue;
    const plot = rgb(getComputedStyle(svg.querySelector(".plot")!).fill);
    for (const line of svg.querySelectorAll(drawn)) {
      lines++;
      const stroke = getComputedStyle(line).stroke;
      const r = ratio(rgb(stroke), plot);
      if (r < 3)
        lowLines.push(`${line.getAttribute("class")} ${stroke} on ${plot}: ${r.toFixed(2)}`);
    }
  }
  const background = backgroundOf(document.body).slice(0, 3);
  return { texts, lines, lowText, lowLines, background };
}
