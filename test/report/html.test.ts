/**
 * The HTML report of `slo report`, opened in real headless Chromium (Debian's
 * chromium, JavaScript off): no console errors, nothing fetched, text from
 * the SLO file shown as text, and an SVG chart per SLO that really renders:
 * a screenshot of each chart is decoded and its colours counted.
 */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_COLORS } from "../../src/report/svg-chart.js";
import { HOUR, writeIncident } from "../alerts/incident.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { countColor, decodePng, hexColor, overWhite } from "./png.js";

const available = await requireChromium("HTML report in Chromium");

const S = Date.parse("2026-11-20T00:00:00Z");
const AT = new Date(S + 80 * HOUR).toISOString();
const HOSTILE = `Checkout <script>alert("x")</script><img src="https://tracker.example/p.gif"> & co`;

/**
 * A second SLO on a one-day window, alerts off: the day before (more slow
 * errors than this one, whose last 8 hours are after the incident) makes a trend.
 */
const LATENCY_SLO = `  - name: latency
    description: Checkout answers within 300 ms
    objective: 99%
    window: 1d
    alerting: { page: { disable: true }, ticket: { disable: true } }
    indicator:
      latency:
        source: logs
        events: '| json'
        field: duration
        unit: ms
        threshold: 300ms
`;

describe.skipIf(!available)("the HTML report in headless Chromium", () => {
  let dir: string;
  let html: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slo-html-"));
    const { sloPath } = await writeIncident(dir, S, {
      extraSlos: LATENCY_SLO,
      description: HOSTILE,
    });
    const out = join(dir, "report.html");
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "html", "--out", out]);
    expect(result.stderr).toBe("");
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    html = await readFile(out, "utf8");
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("is one self-contained file: no script, nothing loaded from anywhere", () => {
    expect(html).not.toMatch(/<script/i);
    // A link the reader may follow (the SLO's runbook) loads nothing.
    const links = /<a href="https?:\/\/[^"]*">/g;
    expect(html.replace(links, "")).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("opens without console errors, requests or scripts, and shows every section", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    const file = join(dir, "report.html");
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);

    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: what a reader sees
    const text = await page.locator("body").innerText();
    expect(text).toContain(`Checkout <script>alert("x")</script>`);
    expect(text).toContain("Alerts that fired");
    expect(text).toMatch(/page\s+2026-11-20 00:20\s+01:30\s+1h 10m/);
    expect(text).toMatch(/ticket\s+2026-11-20 07:30\s+2026-11-23 04:00\s+2d 20h 30m/);
    expect(text).toContain("What spent the budget");
    expect(text).toMatch(/upstream-timeout\s+\d+/);
    // 63 slow requests in the last day against 96 in the day before: the trend is up.
    expect(text).toMatch(/Trend\s+▲ better: SLI up 1\.146 pp from 96\.667% in the previous window/);
    await page.close();
  });

  it("draws one chart per SLO that really renders: line, zero line and alert bands", async () => {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    const charts = page.locator("svg.chart.burn-down:visible");
    expect(await charts.count()).toBe(2);
    const availability = page.locator("#slo-checkout--availability svg.chart.burn-down:visible");
    const box = await availability.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(180);
    const points = await availability.locator("polyline.burn-down").getAttribute("points");
    expect(points!.trim().split(/\s+/).length).toBeGreaterThan(50);
    expect(await availability.locator("rect.band-page").count()).toBe(1);
    expect(await availability.locator("rect.band-ticket").count()).toBe(1);
    const latency = page.locator("#slo-checkout--latency svg.chart.burn-down:visible");
    expect(await latency.locator("rect.band-page, rect.band-ticket").count()).toBe(0);

    const png = await availability.screenshot();
    await writeFile(join(dir, "availability-chart.png"), png);
    const image = decodePng(png);
    expect(image.width).toBeGreaterThan(600);
    const line = countColor(image, hexColor(CHART_COLORS.line), 40);
    const zero = countColor(image, hexColor(CHART_COLORS.zero), 40);
    const pageBand = countColor(image, overWhite(hexColor(CHART_COLORS.page), 0.55), 12);
    const ticketBand = countColor(image, overWhite(hexColor(CHART_COLORS.ticket), 0.55), 12);
    // A 2.5 px line across ~650 px, a 2 px zero line, a 3 px page band, a ~60 px ticket band.
    expect(line).toBeGreaterThan(800);
    expect(zero).toBeGreaterThan(300);
    expect(pageBand).toBeGreaterThan(200);
    expect(ticketBand).toBeGreaterThan(3000);
    await page.close();
  });
});
