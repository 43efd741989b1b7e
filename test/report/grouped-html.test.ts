/**
 * The HTML report of a grouped SLO (groupBy), from real log files through
 * the real CLI, in headless Chromium without script: the groups listed
 * together under their definition where its worst group ranks, each value
 * shown as text (no markup from a label value), and the status and service
 * filters still showing exactly the matching rows.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import {
  actionLinesBefore,
  RATIO_INDICATOR,
  writeGroupedLogsWorkspace,
} from "../support/grouped-logs.js";
import { type Browser, launchChromium, requireChromium } from "./chromium.js";

const AT = "2026-05-10T12:00:00Z";
const NASTY = "Tr|ans`fer<b>";
const lines = actionLinesBefore(AT);

const available = await requireChromium("grouped HTML report in Chromium");

describe.skipIf(!available)("a grouped SLO in the HTML report", () => {
  let browser: Browser;
  let file: string;
  beforeAll(async () => {
    const log = [
      ...lines("Browse", 300, 0),
      ...lines("CheckBalance", 100, 50),
      ...lines(NASTY, 200, 2),
    ];
    const slo = writeGroupedLogsWorkspace(
      "slo-grouped-html-",
      log,
      `    groupBy: action
    ${RATIO_INDICATOR}
  - name: plain
    objective: 80%
    window: 1d
    ${RATIO_INDICATOR}
`,
    );
    file = join(dirname(slo), "report.html");
    const r = await runCli(["report", slo, "--at", AT, "--format", "html", "--out", file]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    browser = await launchChromium({ javaScript: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("lists the groups together under their definition, worst first, values as text; the filters still work", async () => {
    expect(readFileSync(file, "utf8")).not.toContain("<b>");
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const visible = () =>
      page.locator("table.summary tbody tr:visible td:nth-child(3)").allTextContents();
    const checkBalance = '↳ availability{action="CheckBalance"}';
    const nasty = `↳ availability{action="${NASTY}"}`;
    const browse = '↳ availability{action="Browse"}';
    // plain (56.7% of its budget left) ranks between the groups by budget alone; the groups stay together.
    expect(await visible()).toEqual([checkBalance, nasty, browse, "plain"]);
    await page.locator('label[for="status-ok"]').click();
    expect(await visible()).toEqual([browse]);
    expect(await page.locator("section.slo:visible").count()).toBe(1);
    await page.locator('label[for="status-breaching"]').click();
    expect(await visible()).toEqual([checkBalance]);
    await page.locator('label[for="status-all"]').click();
    await page.locator(".filters label", { hasText: /^bank \d+$/ }).click();
    expect(await visible()).toHaveLength(4);
    await page.close();
  });
});
