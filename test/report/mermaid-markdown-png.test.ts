/**
 * scripts/render-markdown-png.ts, run as the lead runs it for the README's
 * picture: a Markdown file in, a PNG out, GitHub's light or dark page with
 * the `<details>` open and the Mermaid chart drawn in it.
 */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { burnDownChart, MERMAID_COLORS } from "../../src/report/mermaid.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { GITHUB_COLORS, type GitHubTheme } from "../support/github-markdown.js";
import { run } from "../support/servers.js";
import { requireChromium } from "./chromium.js";
import { countColor, decodePng, hexColor } from "./png.js";

const available = await requireChromium("render-markdown-png in Chromium");
const SCRIPT = fileURLToPath(new URL("../../scripts/render-markdown-png.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const script = (args: string[]) =>
  run(process.execPath, ["--import", "tsx", SCRIPT, ...args], { cwd: ROOT, timeoutMs: 120_000 });

describe.skipIf(!available)("scripts/render-markdown-png.ts", () => {
  let dir: string;
  let input: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slo-md-png-"));
    const report = await reportOf("slos/checkout.yaml", sloYaml("checkout", ["availability"]), {
      availability: 0.00018,
    });
    const chart = burnDownChart(report.slos[0]!)!;
    input = join(dir, "comment.md");
    await writeFile(
      input,
      `## SLO gate\n\n| status | SLO |\n|---|---|\n| ok | availability |\n\n<details>\n<summary>availability: burn-down</summary>\n\n${chart}\n\n</details>\n`,
    );
  });

  for (const theme of ["light", "dark"] as GitHubTheme[]) {
    it(`writes the page as GitHub ${theme} shows it, the chart drawn inside the open <details>`, async () => {
      const out = join(dir, `comment-${theme}.png`);
      const result = await script([input, out, "--width", "760", "--theme", theme]);
      expect(result.output).toContain(`wrote ${out}`);
      expect(result.code).toBe(0);
      const image = decodePng(await readFile(out));
      expect(image.width).toBe(760);
      // Heading, table and a 360 px chart.
      expect(image.height).toBeGreaterThan(450);
      expect(countColor(image, hexColor(GITHUB_COLORS[theme].background), 0)).toBeGreaterThan(
        (image.width * image.height) / 2,
      );
      expect(countColor(image, hexColor(MERMAID_COLORS.budget), 16)).toBeGreaterThan(300);
      expect(countColor(image, hexColor(MERMAID_COLORS.warn), 16)).toBeGreaterThan(300);
    }, 130_000);
  }

  it("says how to use it, and exits 2, when the arguments are wrong", async () => {
    const result = await script([input, "--theme", "sepia"]);
    expect(result.code).toBe(2);
    expect(result.output).toContain("usage: npx tsx scripts/render-markdown-png.ts");
  }, 130_000);
});
