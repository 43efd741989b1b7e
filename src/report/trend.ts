/**
 * The scheduled report's look back: the SLI and budget against the window
 * before, and the burn-rate alerts that fired. Plain text for any renderer
 * (each escapes it for its own format).
 */

import { burnRate, percent } from "./format.js";
import type { ReportAlertEpisode, SloReportEntry } from "./schema.js";

export type TrendDirection = "better" | "worse" | "same";

export interface Trend {
  previousSli: number;
  /** percentage points, current minus previous */
  sliDeltaPoints: number;
  previousRemaining: number;
  direction: TrendDirection;
}

/** Null when either window has no data: a trend needs two numbers. */
export function trendOf(entry: SloReportEntry): Trend | null {
  const previous = entry.previous;
  if (!previous || previous.sli === null || entry.sli === null) return null;
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

export const TREND_ARROW: Record<TrendDirection, string> = { better: "▲", worse: "▼", same: "=" };

/** "▼ 0.041 pp vs 99.950% in the previous window" */
export function trendText(entry: SloReportEntry): string {
  const trend = trendOf(entry);
  if (!trend) {
    return entry.previous ? "no data in the previous window to compare with" : "–";
  }
  const points =
    trend.direction === "same" ? "unchanged" : `${Math.abs(trend.sliDeltaPoints).toFixed(3)} pp`;
  return `${TREND_ARROW[trend.direction]} ${points} vs ${percent(trend.previousSli)} in the previous window (budget left then ${percent(trend.previousRemaining, 1)})`;
}

/** "page 2026-11-20 00:20 → 01:30 UTC (1h/5m, 6h/30m; peak 50×)" */
export function episodeText(episode: ReportAlertEpisode): string {
  const start = shortTime(episode.start);
  const end =
    episode.end === null
      ? "still firing"
      : episode.end.slice(0, 10) === episode.start.slice(0, 10)
        ? shortTime(episode.end).slice(11)
        : shortTime(episode.end);
  return `${episode.severity} ${start} → ${end} (${episode.windows.join(", ")}; peak ${burnRate(episode.peakBurnRate)})`;
}

/** How long an episode lasted, "1h 10m"; null while it still fires. */
export function episodeDuration(episode: ReportAlertEpisode): string | null {
  if (episode.end === null) return null;
  const minutes = Math.round((Date.parse(episode.end) - Date.parse(episode.start)) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m || (!d && !h) ? `${m}m` : ""]
    .filter(Boolean)
    .join(" ");
}

export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "none" or the episodes, for one line: "page 2026-11-20 00:20 UTC → 01:30 UTC (...); ticket ..." */
export function alertHistoryText(history: NonNullable<SloReportEntry["alertHistory"]>): string {
  const since = `since ${shortTime(history.since)}`;
  if (history.episodes.length === 0) return `none ${since}`;
  return `${history.episodes.map(episodeText).join("; ")} (${since}, ${history.step} resolution)`;
}
