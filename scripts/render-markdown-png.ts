/**
 * Writes a PNG of a Markdown file as GitHub would show it in a comment:
 * GitHub-flavoured Markdown, GitHub's light or dark colours, every
 * `<details>` open, ```mermaid blocks drawn by the mermaid package with the
 * theme GitHub uses for that mode. Runs Debian's Chromium headless and
 * fetches nothing. For the README's picture of the PR comment:
 *
 *   npx tsx scripts/render-markdown-png.ts comment.md docs/pr-comment.png [--width 900] [--theme light|dark]
 */

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { requireChromium } from "../test/report/chromium.js";
import { DEFAULT_PNG_WIDTH, markdownPng } from "../test/support/github-markdown.js";

const USAGE =
  "usage: npx tsx scripts/render-markdown-png.ts <in.md> <out.png> [--width px] [--theme light|dark]";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    width: { type: "string", default: String(DEFAULT_PNG_WIDTH) },
    theme: { type: "string", default: "light" },
  },
});
const [input, output] = positionals;
const width = Number(values.width);
const theme = values.theme;
if (
  positionals.length !== 2 ||
  !input ||
  !output ||
  !Number.isInteger(width) ||
  width < 200 ||
  (theme !== "light" && theme !== "dark")
) {
  console.error(USAGE);
  process.exit(2);
}
if (!(await requireChromium("render-markdown-png"))) process.exit(3);
if (!hasEmojiFont()) {
  console.warn(
    "warning: no colour emoji font, so the report's status icons show as boxes (Debian: apt-get install fonts-noto-color-emoji)",
  );
}
const png = await markdownPng(readFileSync(input, "utf8"), { theme, width });
writeFileSync(output, png);
console.log(`wrote ${output} (${width} px wide, ${theme})`);

function hasEmojiFont(): boolean {
  try {
    return /emoji/i.test(execFileSync("fc-list", [":", "family"], { encoding: "utf8" }));
  } catch {
    return false;
  }
}
