/**
 * The HTML report's stylesheet: every colour a CSS variable, set for light
 * and for dark (the reader's `prefers-color-scheme`), the charts included
 * (their SVG attributes hold the light colours, for the SVG on its own; the
 * page's rules override them); and a layout for phones, where tables become
 * cards and each chart's narrow drawing replaces its wide one.
 */

import { BURN_RATE_COLORS } from "./svg-burn-rate.js";
import { CHART_COLORS, CHART_COLORS_DARK } from "./svg-chart.js";

/** Below this width (CSS px) the page is laid out for a phone. */
const PHONE_MAX_WIDTH_PX = 640;

const PAGE_LIGHT = {
  bg: "#ffffff",
  fg: "#111827",
  heading: "#374151",
  muted: "#6b7280",
  border: "#e5e7eb",
  "th-bg": "#f9fafb",
  link: "#1d4ed8",
  "ok-bg": "#dcfce7",
  "ok-fg": "#166534",
  "warning-bg": "#fef3c7",
  "warning-fg": "#92400e",
  "bad-bg": "#fee2e2",
  "bad-fg": "#991b1b",
  "none-bg": "#f3f4f6",
  "none-fg": "#374151",
  better: "#166534",
  worse: "#991b1b",
};

const PAGE_DARK: typeof PAGE_LIGHT = {
  bg: "#0d1117",
  fg: "#e6edf3",
  heading: "#c9d1d9",
  muted: "#9da7b3",
  border: "#30363d",
  "th-bg": "#161b22",
  link: "#58a6ff",
  "ok-bg": "#0f2e1a",
  "ok-fg": "#7ee2a8",
  "warning-bg": "#3a2a05",
  "warning-fg": "#f5c451",
  "bad-bg": "#47161a",
  "bad-fg": "#ffa198",
  "none-bg": "#21262d",
  "none-fg": "#c9d1d9",
  better: "#56d364",
  worse: "#ff7b72",
};

function variables(
  page: typeof PAGE_LIGHT,
  chart: Record<keyof typeof CHART_COLORS, string>,
  rates: readonly string[],
): string {
  return [
    ...Object.entries(page).map(([k, v]) => `--${k}: ${v};`),
    ...Object.entries(chart).map(([k, v]) => `--chart-${k}: ${v};`),
    ...rates.map((v, i) => `--rate-${i}: ${v};`),
  ].join(" ");
}

const rateRules = BURN_RATE_COLORS.light
  .map(
    (_, i) =>
      `svg.chart .w${i}:is(.rate, .threshold) { stroke: var(--rate-${i}); } svg.chart .threshold-label.w${i} { fill: var(--rate-${i}); }`,
  )
  .join("\n");

export const HTML_CSS = `
:root { color-scheme: light dark; ${variables(PAGE_LIGHT, CHART_COLORS, BURN_RATE_COLORS.light)} }
@media (prefers-color-scheme: dark) {
  :root { ${variables(PAGE_DARK, CHART_COLORS_DARK, BURN_RATE_COLORS.dark)} }
}
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); margin: 0 auto; max-width: 980px; padding: 24px; overflow-wrap: break-word; }
a { color: var(--link); }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--heading); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { background: var(--th-bg); font-weight: 600; }
caption { text-align: left; font-size: 13px; padding: 0 0 4px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
td.name { min-width: 8em; }
td.version { max-width: 320px; }
section.slo { border: 1px solid var(--border); border-radius: 8px; padding: 16px 18px; margin: 22px 0; }
.muted { color: var(--muted); }
.status { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
.status-ok { background: var(--ok-bg); color: var(--ok-fg); }
.status-warning { background: var(--warning-bg); color: var(--warning-fg); }
.status-breaching, .status-error { background: var(--bad-bg); color: var(--bad-fg); }
.status-no-data { background: var(--none-bg); color: var(--none-fg); }
.result { font-weight: 700; }
.better { color: var(--better); } .worse { color: var(--worse); } .same { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
figure { margin: 12px 0; } figcaption { font-size: 13px; color: var(--muted); }
svg.chart { max-width: 100%; height: auto; display: block; }
svg.chart-narrow { display: none; }
.key { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; border-radius: 2px; }
.key-page { background: var(--chart-page); } .key-ticket { background: var(--chart-ticket); } .key-deploy { background: var(--chart-deploy); }
.key-correction { background: color-mix(in srgb, var(--chart-correction) 35%, var(--chart-plot)); outline: 1px dashed var(--chart-correction-edge); outline-offset: -1px; }
.firing { font-weight: 600; color: var(--worse); }
footer { margin-top: 28px; font-size: 13px; color: var(--muted); }
svg.chart { fill: var(--chart-text); }
svg.chart .plot { fill: var(--chart-plot); stroke: var(--chart-grid); }
svg.chart .grid { stroke: var(--chart-grid); }
svg.chart .tick, svg.chart .legend.reference { stroke: var(--chart-text); }
svg.chart .area { fill: var(--chart-area); }
svg.chart .burn-down { stroke: var(--chart-line); }
svg.chart .now { fill: var(--chart-line); }
svg.chart .band-page { fill: var(--chart-page); } svg.chart .band-ticket { fill: var(--chart-ticket); }
svg.chart .zero { stroke: var(--chart-zero); }
svg.chart .warn { stroke: var(--chart-warn); }
svg.chart line.deploy { stroke: var(--chart-deploy); }
svg.chart .deploy-label { fill: var(--chart-deploy); stroke: var(--chart-plot); }
svg.chart .correction { fill: var(--chart-correction); stroke: var(--chart-correction-edge); }
${rateRules}
.filters { display: none; margin: 12px 0; }
@supports selector(:has(a)) { .filters { display: block; } }
.filters fieldset { position: relative; border: 0; margin: 0 0 6px; padding: 0; }
.filters legend { float: left; margin-right: 8px; padding: 3px 0; color: var(--muted); font-size: 14px; }
.filters input { position: absolute; left: 0; top: 0; opacity: 0; width: 1px; height: 1px; margin: 0; }
.filters label { display: inline-block; margin: 0 4px 4px 0; padding: 1px 10px; border: 1px solid var(--border); border-radius: 14px; font-size: 14px; cursor: pointer; }
.filters input:checked + label { background: var(--fg); border-color: var(--fg); color: var(--bg); }
.filters input:focus-visible + label { outline: 2px solid var(--link); outline-offset: 2px; }
@media (max-width: ${PHONE_MAX_WIDTH_PX}px) {
  body { padding: 12px; }
  h1 { font-size: 22px; } h2 { font-size: 18px; }
  section.slo { padding: 12px; margin: 16px 0; }
  svg.chart-wide { display: none; }
  svg.chart-narrow { display: block; width: 100%; max-width: 480px; }
  dl.facts { grid-template-columns: minmax(0, 1fr); } dl.facts dd { margin-bottom: 4px; }
  table, caption, tbody, tr, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  thead th { overflow-wrap: anywhere; }
  tr { border: 1px solid var(--border); border-radius: 6px; margin: 0 0 8px; padding: 4px 10px; }
  td { border: 0; padding: 2px 0; }
  td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label); display: inline-block; min-width: 9em; color: var(--muted); }
  td.version { max-width: none; }
}
`;
