/**
 * The report's look back: the SLI and budget against the window before, when
 * the data covers it (the alerts that fired are in episodes.ts). Plain text
 * for any renderer (each escapes it for its own format).
 */

import { DEFAULT_TREND_MIN_COVERAGE } from "../defaults.js";
import { budgetPercent, percent } from "./format.js";
import type { ReportPrevious, SloReportEntry } from "./schema.js";

export type TrendDirection = "better" | "worse" | "same";

export interface Trend {
  previousSli: number;
  /** percentage points, current minus previous */
  sliDeltaPoints: number;
  previousRemaining: number;
  direction: TrendDirection;
}

/**
 * Null when there is nothing to compare: a window without events, or a
 * previous window its data covers too little of (an SLI "then" from a few
 * hours at its end would mark every SLO better or worse by chance).
 */
export function trendOf(entry: SloReportEntry): Trend | null {
  const previous = entry.previous;
  if (!previous || previous.sli === null || entry.sli === null) return null;
  if (!covered(previous)) return null;
  const delta = (entry.sli - previous.sli) * 100;
  // A change under a thousandth of a point is noise at any objective people write.
  const direction: TrendDirection =
    Math.abs(delta) < 0.001 ? "same" : delta > 0 ? "better" : "worse";
  return {
    previousSli: previous.sli,
    sliDeltaPoints: delta,
    previousRemaining: previous.errorBudget.remaining,
    direction,
  };
}

function covered(previous: ReportPrevious): boolean {
  return previous.coverage >= DEFAULT_TREND_MIN_COVERAGE;
}

export const TREND_ARROW: Record<TrendDirection, string> = { better: "▲", worse: "▼", same: "=" };

/** For Markdown, where colour is not ours to set: a mark that has it, beside the word. */
export const TREND_EMOJI: Record<TrendDirection, string> = { better: "🟢", worse: "🔴", same: "" };

/** "▼ worse: SLI down 0.041 pp from 99.950% in the previous window (budget left then 12.0%)" */
export function trendText(entry: SloReportEntry): string {
  const trend = trendOf(entry);
  if (!trend) return noTrendText(entry);
  const then = `${percent(trend.previousSli)} in the previous window`;
  const moved =
    trend.direction === "same"
      ? `SLI as in the previous window, ${percent(trend.previousSli)}`
      : `SLI ${trend.direction === "better" ? "up" : "down"} ${Math.abs(trend.sliDeltaPoints).toFixed(3)} pp from ${then}`;
  const word = trend.direction === "same" ? "unchanged" : trend.direction;
  return `${TREND_ARROW[trend.direction]} ${word}: ${moved} (budget left then ${budgetPercent(trend.previousRemaining)})`;
}

/** Why there is no trend: "not enough history (10% of the previous window has data)". */
function noTrendText(entry: SloReportEntry): string {
  const previous = entry.previous;
  if (!previous) return "–";
  if (previous.sli === null || previous.coverage === 0) {
    return "not enough history (no data in the previous window)";
  }
  if (!covered(previous)) {
    // Floored: 89.9% covered must not read as the 90% that would have been enough.
    const shown = Math.floor(previous.coverage * 100 + 1e-9);
    return `not enough history (${shown}% of the previous window has data)`;
  }
  return "no data in this window to compare with";
}

export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
