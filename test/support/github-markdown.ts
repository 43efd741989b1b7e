/**
 * Markdown shown roughly as GitHub shows a comment, a check run or a job
 * summary: GitHub-flavoured Markdown through marked, a small stylesheet with
 * GitHub's colours for its light and dark modes, every `<details>` open, and
 * ```mermaid blocks drawn by the mermaid package (from node_modules, nothing
 * fetched) with the Mermaid theme GitHub picks for the mode. Used by the tests
 * and by scripts/render-markdown-png.ts, so both render through one path.
 */

import { fileURLToPath } from "node:url";
import { Marked } from "marked";
import type { Page } from "playwright-core";
import { launchChromium } from "../report/chromium.js";

export type GitHubTheme = "light" | "dark";

/** GitHub's Primer colours (2025) for the parts a comment uses. */
export const GITHUB_COLORS = {
  light: {
    background: "#ffffff",
    text: "#1f2328",
    muted: "#59636e",
    border: "#d1d9e0",
    stripe: "#f6f8fa",
    link: "#0969da",
    code: "#818b981f",
  },
  dark: {
    background: "#0d1117",
    text: "#f0f6fc",
    muted: "#9198a1",
    border: "#3d444d",
    stripe: "#151b23",
    link: "#4493f8",
    code: "#656c7633",
  },
} as const;

/** The Mermaid theme GitHub draws diagrams with in each colour mode. */
export const MERMAID_THEME = { light: "default", dark: "dark" } as const;

export const MERMAID_SCRIPT = fileURLToPath(
  new URL("../../node_modules/mermaid/dist/mermaid.min.js", import.meta.url),
);

const escapeText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const marked = new Marked({
  gfm: true,
  renderer: {
    code({ text, lang }) {
      if (lang === "mermaid") return `<pre class="mermaid">${escapeText(text)}</pre>\n`;
      return false;
    },
  },
});

function stylesheet(theme: GitHubTheme): string {
  const c = GITHUB_COLORS[theme];
  return `
:root { color-scheme: ${theme}; }
body { margin: 0; background: ${c.background}; color: ${c.text};
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.markdown-body { padding: 16px; overflow-wrap: break-word; }
.markdown-body > :first-child { margin-top: 0; }
h1, h2, h3, h4 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
h1, h2 { padding-bottom: .3em; border-bottom: 1px solid ${c.border}; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; } h3 { font-size: 1.25em; } h4 { font-size: 1em; }
p, ul, ol, table, pre, details, blockquote { margin: 0 0 16px; }
ul, ol { padding-left: 2em; }
a { color: ${c.link}; text-decoration: underline; text-underline-offset: .2rem; }
code { padding: .2em .4em; font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: ${c.code}; border-radius: 6px; }
pre:not(.mermaid) { padding: 16px; overflow: auto; background: ${c.stripe}; border-radius: 6px; }
table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0; border-collapse: collapse; }
th, td { padding: 6px 13px; border: 1px solid ${c.border}; }
th { font-weight: 600; }
tr { background: ${c.background}; border-top: 1px solid ${c.border}; }
tr:nth-child(2n) { background: ${c.stripe}; }
blockquote { padding: 0 1em; color: ${c.muted}; border-left: .25em solid ${c.border}; }
summary { cursor: pointer; }
sub { color: ${c.muted}; }
pre.mermaid { margin: 0 0 16px; background: transparent; text-align: center; }
`;
}

/** A whole HTML page showing `markdown` as GitHub would, mermaid blocks not yet drawn. */
export function githubHtml(markdown: string, theme: GitHubTheme): string {
  const body = (marked.parse(markdown) as string).replace(/<details>/g, "<details open>");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GitHub-like rendering</title>
<style>${stylesheet(theme)}</style></head>
<body><article class="markdown-body">
${body}</article></body></html>`;
}

/**
 * Load the page into `page` (JavaScript on) and draw its mermaid blocks.
 * Rejects when Mermaid cannot draw one, with Mermaid's message.
 */
export async function showGitHubMarkdown(
  page: Page,
  markdown: string,
  theme: GitHubTheme,
): Promise<void> {
  await page.setContent(githubHtml(markdown, theme));
  if ((await page.locator("pre.mermaid").count()) === 0) return;
  await page.addScriptTag({ path: MERMAID_SCRIPT });
  await page.evaluate(async (mermaidTheme) => {
    const mermaid = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
    mermaid.initialize({ startOnLoad: false, theme: mermaidTheme, securityLevel: "strict" });
    await mermaid.run({ querySelector: "pre.mermaid" });
  }, MERMAID_THEME[theme]);
}

interface MermaidApi {
  initialize(config: { startOnLoad: boolean; theme: string; securityLevel: string }): void;
  run(options: { querySelector: string }): Promise<void>;
}

/** GitHub's comment column is about this wide on a laptop screen. */
export const DEFAULT_PNG_WIDTH = 900;

/**
 * A PNG of `markdown` as GitHub would show it, `width` px wide and as tall
 * as the content. Refuses any request off the page: everything is local.
 */
export async function markdownPng(
  markdown: string,
  options: { theme: GitHubTheme; width?: number },
): Promise<Buffer> {
  const browser = await launchChromium({ javaScript: true });
  try {
    const page = await browser.context.newPage();
    await page.route(/^(?!data:|about:)/, (route) => route.abort());
    await page.setViewportSize({ width: options.width ?? DEFAULT_PNG_WIDTH, height: 600 });
    await showGitHubMarkdown(page, markdown, options.theme);
    return await page.screenshot({ fullPage: true });
  } finally {
    await browser.close();
  }
}
