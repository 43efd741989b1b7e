/**
 * The error-budget burn-down as a Mermaid `xychart-beta` block, which GitHub
 * renders in comments, check runs and job summaries, in its light mode with
 * Mermaid's `default` theme and in its dark mode with the `dark` theme. The
 * block sets its own colours and size (an init directive) but not the theme,
 * so it follows the reader's mode.
 */

import type { SloReportEntry } from "./schema.js";

/**
 * Enough points to show the shape, few enough that a comment with many
 * charts stays small; the x axis dates only some of them. The first is the
 * window's start.
 */
export const CHART_POINTS = 16;

/**
 * Dated points at most, by label: a date alone fits 8 across the chart, a
 * date and a time 4 (at Mermaid's 14 px, in a 700 px wide chart beside its legend).
 */
const MAX_X_LABELS = { day: 8, dayAndTime: 4 } as const;

/**
 * Line colours with WCAG contrast of 3 or more on GitHub's white (#ffffff)
 * and dark (#0d1117) pages alike: the budget line in GitHub's blue (4.6 and
 * 4.1), the reference lines in a softer red and amber (3.7 and 5.1, 3.1 and 6.0).
 */
export const MERMAID_COLORS = { budget: "#1f6feb", zero: "#e5534b", warn: "#bf8700" } as const;

/** The drawing's height in px (Mermaid's default 500 is more than a burn-down needs); GitHub scales it to the column. */
const HEIGHT = 360;

export const AXIS_TITLES = { x: "time (UTC)", y: "budget remaining (%)" } as const;
const BUDGET_SERIES = "budget remaining";

/**
 * A fenced ```mermaid block, or null when the window has no data to draw.
 * The y axis spans the data, 0% and the gate's warning level; flat lines mark
 * those two levels. Labels are reduced to a safe alphabet: Mermaid has no
 * escape for `"` in a quoted string, and a backtick run could close the fence.
 */
export function burnDownChart(entry: SloReportEntry): string | null {
  if (entry.burnDown.length === 0) return null;
  // The window starts with its whole budget, as the HTML chart draws it: without
  // this point the line would begin after its first step, budget already spent.
  const points = [
    { t: entry.window.start, remaining: 1 },
    ...downsample(entry.burnDown, CHART_POINTS - 1),
  ];
  const values = points.map((p) => round1(p.remaining * 100));
  const warn = entry.warnRemaining === undefined ? null : round1(entry.warnRemaining * 100);
  const series = [
    { title: "0% (budget spent)", color: MERMAID_COLORS.zero, values: values.map(() => 0) },
    ...(warn === null
      ? []
      : [
          { title: `warning ${warn}%`, color: MERMAID_COLORS.warn, values: values.map(() => warn) },
        ]),
    // Last, so it is drawn over the reference lines.
    { title: BUDGET_SERIES, color: MERMAID_COLORS.budget, values },
  ];
  const all = [...values, 0, 100, ...(warn === null ? [] : [warn])];
  const low = Math.floor(Math.min(...all) / 10) * 10;
  const high = Math.ceil(Math.max(...all) / 10) * 10;
  const spanMs = Date.parse(entry.window.end) - Date.parse(entry.window.start);
  const labels = xLabels(
    points.map((p) => p.t),
    spanMs / (points.length - 1),
  );
  return [
    "```mermaid",
    initDirective(series.map((s) => s.color)),
    "xychart-beta",
    `  title "${mermaidText(`${entry.service} ${entry.name}: error budget remaining`)}"`,
    `  x-axis "${AXIS_TITLES.x}" [${labels.map((l) => `"${l}"`).join(", ")}]`,
    `  y-axis "${AXIS_TITLES.y}" ${low} --> ${high}`,
    ...series.map((s) => `  line "${mermaidText(s.title)}" [${s.values.join(", ")}]`),
    "```",
  ].join("\n");
}

/**
 * Colours, one per series in order, and a transparent background so the
 * chart sits on GitHub's page in either mode; the theme is left to GitHub.
 */
function initDirective(palette: readonly string[]): string {
  const init = {
    themeVariables: {
      xyChart: { plotColorPalette: palette.join(","), backgroundColor: "transparent" },
    },
    xyChart: { height: HEIGHT },
  };
  return `%%{init: ${JSON.stringify(init)}}%%`;
}

/**
 * One label per point, as xychart-beta wants, but only every few points
 * dated (counting back from the last, now); the others get distinct runs of
 * zero-width spaces, which Mermaid neither trims nor merges and nobody sees.
 */
function xLabels(times: readonly string[], stepMs: number): string[] {
  const withTime = stepMs < 86_400_000;
  const most = withTime ? MAX_X_LABELS.dayAndTime : MAX_X_LABELS.day;
  const every = Math.ceil(times.length / most);
  let blanks = 0;
  return times.map((t, i) =>
    (times.length - 1 - i) % every === 0 ? axisLabel(t, withTime) : "\u200b".repeat(++blanks),
  );
}

/** Keep the last point (now) and spread the others evenly before it. */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    const index = Math.round(((i + 1) * points.length) / max) - 1;
    out.push(points[index]!);
  }
  return out;
}

/** Letters, digits, spaces and a little punctuation; anything else becomes a space. */
export function mermaidText(text: string): string {
  return text
    .replace(/[^\p{L}\p{N} _.,:/()%+-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 120);
}

/** The day, with the time of day (UTC, as the report) when points are less than a day apart. */
function axisLabel(iso: string, withTime: boolean): string {
  const d = new Date(iso);
  const day = `${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
  if (!withTime) return day;
  return `${day} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
