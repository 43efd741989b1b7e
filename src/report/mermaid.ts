/**
 * The error-budget burn-down as a Mermaid `xychart-beta` block, which GitHub
 * renders in comments, check runs and job summaries.
 */

import type { SloReportEntry } from "./schema.js";

/** Enough points to show the shape; few enough that the axis labels stay legible. */
export const CHART_POINTS = 24;

/**
 * A fenced ```mermaid block, or null when the window has no data to draw.
 * Labels are reduced to a safe alphabet: Mermaid has no escape for `"` in a
 * quoted string, and a backtick run could close the fence.
 */
export function burnDownChart(entry: SloReportEntry): string | null {
  const points = downsample(entry.burnDown, CHART_POINTS);
  if (points.length === 0) return null;
  const values = points.map((p) => round1(p.remaining * 100));
  const low = Math.min(0, Math.floor(Math.min(...values) / 10) * 10);
  const high = Math.max(100, Math.ceil(Math.max(...values) / 10) * 10);
  const spanMs = Date.parse(entry.window.end) - Date.parse(entry.window.start);
  const labels = points.map((p) => `"${axisLabel(p.t, spanMs / points.length)}"`);
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${mermaidText(`${entry.service} ${entry.name}: error budget remaining`)}"`,
    `  x-axis [${labels.join(", ")}]`,
    `  y-axis "budget remaining (%)" ${low} --> ${high}`,
    `  line [${values.join(", ")}]`,
    "```",
  ].join("\n");
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

/** The day when points are a day or more apart, else day and time (UTC, as the report). */
function axisLabel(iso: string, stepMs: number): string {
  const d = new Date(iso);
  const day = `${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
  if (stepMs >= 86_400_000) return day;
  return `${day} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
