/**
 * The burn-rate chart beside the burn-down: the incident of
 * test/alerts/incident.ts (a one-hour spike at burn 50, then three days of a
 * slow burn at 3.33) through `slo report`, its JSON series checked by hand
 * and its HTML chart opened in headless Chromium: a line per long alert
 * window, its threshold as a dashed reference line, a legend, axis titles.
 */

import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BURN_RATE_POINTS } from "../../src/limits.js";
import type { SloReport } from "../../src/report/schema.js";
import { BURN_RATE_COLORS, burnRateSvg } from "../../src/report/svg-burn-rate.js";
import { HOUR, writeIncident } from "../alerts/incident.js";
import { runCli } from "../support/cli.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";
import { countColor, decodePng, hexColor } from "./png.js";

const available = await requireChromium("burn-rate chart in Chromium");

/** Screenshots to look at, not committed. */
const SCREENSHOTS = join(import.meta.dirname, "../../.tmp/screenshots");
const S = Date.parse("2026-11-20T00:00:00Z");
const AT = new Date(S + 80 * HOUR).toISOString();
const QUIET_SLO = `  - name: latency
    objective: 99%
    window: 1d
    alerting: { page: { disable: true }, ticket: { disable: true } }
    indicator:
      latency: { source: logs, events: '| json', field: duration, unit: ms, threshold: 300ms }
`;

describe("the burn-rate series in the JSON report", () => {
  let report: SloReport;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "slo-burn-rate-"));
    const { sloPath } = await writeIncident(dir, S, { extraSlos: QUIET_SLO });
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "json"]);
    expect(result.stderr).toBe("");
    report = JSON.parse(result.stdout) as SloReport;
  }, 120_000);

  it("has a line per long window, with its threshold, each point the highest rate of its step", () => {
    const history = report.slos.find((s) => s.name === "availability")!.burnRateHistory!;
    expect(history.windows.map((w) => w.window)).toEqual(["1h", "6h", "1d", "3d"]);
    expect(history.windows.map((w) => w.thresholds)).toEqual([
      [{ severity: "page", factor: 14.4 }],
      [{ severity: "page", factor: 6 }],
      [{ severity: "ticket", factor: 3 }],
      [{ severity: "ticket", factor: 1 }],
    ]);
    // 30 days of 5-minute buckets, at most MAX_BURN_RATE_POINTS points: 3-hour steps.
    expect(history.step).toBe("3h");
    for (const w of history.windows) {
      expect(w.points.length).toBeLessThanOrEqual(MAX_BURN_RATE_POINTS);
      expect(w.points.at(-1)!.t).toBe(AT);
    }
    const oneHour = history.windows[0]!.points;
    // The spike: the 1h window ending at S+1h holds its 60 errors and the first slow one
    // (at S+60:00, the window's last instant) among 120 requests: burn (61 / 120) / 0.01.
    const peak = Math.max(...oneHour.map((p) => p.burnRate ?? 0));
    expect(peak).toBeCloseTo(6100 / 120, 6);
    const peakAt = oneHour.find((p) => p.burnRate === peak)!.t;
    expect(Date.parse(peakAt)).toBeGreaterThanOrEqual(S + HOUR);
    expect(Date.parse(peakAt)).toBeLessThan(S + 4 * HOUR);
    // Before the logs begin (three days before the incident) there is no rate to draw.
    expect(oneHour[0]!.burnRate).toBeNull();
    // The slow burn: one error in 30 requests, burn 3.33 in every 1d window of day two.
    const dayTwo = history.windows[2]!.points.find((p) => p.t === "2026-11-21T11:00:00.000Z")!;
    expect(dayTwo.burnRate).toBeCloseTo(10 / 3, 1);
  });

  it("has no series when no alert is defined", () => {
    expect(report.slos.find((s) => s.name === "latency")!.burnRateHistory).toBeUndefined();
  });
});

describe.skipIf(!available)("the burn-rate chart in headless Chromium", () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slo-burn-rate-html-"));
    const { sloPath } = await writeIncident(dir, S, { extraSlos: QUIET_SLO });
    const out = join(dir, "report.html");
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "html", "--out", out]);
    expect(result.stderr).toBe("");
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("draws a line per long window and its threshold, with a legend, axis titles and a description", async () => {
    const html = await readFile(join(dir, "report.html"), "utf8");
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    const charts = page.locator("svg.burn-rate:visible");
    expect(await charts.count()).toBe(1);
    const chart = charts.first();
    expect(await chart.locator("path.rate").count()).toBe(4);
    expect(await chart.locator("line.threshold").count()).toBe(4);
    expect(await chart.locator(":scope > title").textContent()).toBe(
      "Burn rates of checkout / availability",
    );
    const desc = await chart.locator(":scope > desc").textContent();
    expect(desc).toMatch(/1h window \(page above 14\.4\).*peak 50\.8 at 2026-11-20 02:00 UTC/);
    const text = await chart.locator("text").allTextContents();
    for (const label of ["1h", "6h", "1d", "3d", "burn rate", "14.4", "6", "3", "1"]) {
      expect(text).toContain(label);
    }
    // The section without alerts says so instead of an empty chart.
    expect(html).toContain("No burn-rate alerts are defined");

    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    const png = await chart.screenshot();
    await mkdir(SCREENSHOTS, { recursive: true });
    await writeFile(join(SCREENSHOTS, "burn-rate-chart.png"), png);
    const image = decodePng(png);
    // Each window's line and dashed threshold in its colour: the dashes alone paint ~400 px.
    for (const color of BURN_RATE_COLORS.light.slice(0, 4)) {
      expect(countColor(image, hexColor(color), 30)).toBeGreaterThan(400);
    }
    await page.close();
  });
});

describe("the burn-rate chart's threshold labels", () => {
  it("stay a line apart and beside the plot when a spike squeezes the thresholds together", () => {
    const t = (h: number) => new Date(Date.UTC(2026, 10, 1, h)).toISOString();
    const svg = burnRateSvg({
      history: {
        since: t(0),
        step: "1h",
        windows: [
          {
            window: "1h",
            thresholds: [{ severity: "page", factor: 14.4 }],
            points: [{ t: t(1), burnRate: 900 }],
          },
          {
            window: "6h",
            thresholds: [{ severity: "page", factor: 6 }],
            points: [{ t: t(1), burnRate: 2 }],
          },
          {
            window: "1d",
            thresholds: [{ severity: "ticket", factor: 3 }],
            points: [{ t: t(1), burnRate: 1 }],
          },
          {
            window: "3d",
            thresholds: [{ severity: "ticket", factor: 1 }],
            points: [{ t: t(1), burnRate: 0.5 }],
          },
        ],
      },
      endMs: Date.parse(t(2)),
      title: "t",
    });
    const height = Number(svg.match(/viewBox="0 0 \d+ (\d+)"/)![1]);
    const plotBottom = (() => {
      const m = svg.match(
        /<rect class="plot" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/,
      )!;
      return Number(m[1]) + Number(m[2]);
    })();
    const ys = [...svg.matchAll(/<text class="threshold-label[^"]*" x="[\d.]+" y="([\d.]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(ys).toHaveLength(4);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(12);
    expect(Math.max(...ys)).toBeLessThanOrEqual(plotBottom);
    expect(Math.max(...ys)).toBeLessThan(height);
  });
});
