/**
 * The burn-rate alerts that fired over a window (slo report), as every
 * renderer lists them: at most MAX_EPISODES_SHOWN, pages before tickets and
 * the newest first, and a count of the rest. Plain text cells; each renderer
 * escapes them for its own format.
 */

import { parseDuration } from "../definition/duration.js";
import { MAX_EPISODES_SHOWN } from "../limits.js";
import { burnRate } from "./format.js";
import type { ReportAlertEpisode, ReportAlertHistory } from "./schema.js";
import { shortTime } from "./trend.js";

export interface ShownEpisodes {
  /** newest first */
  shown: ReportAlertEpisode[];
  /** the episodes left out, per severity */
  more: { page: number; ticket: number };
}

/**
 * The episodes to list: a page woke someone, so pages go first, then
 * tickets; within each the newest; listed newest first.
 */
export function episodesToShow(history: ReportAlertHistory): ShownEpisodes {
  const newestFirst = [...history.episodes].sort(
    (a, b) => Date.parse(b.start) - Date.parse(a.start),
  );
  const ranked = [
    ...newestFirst.filter((e) => e.severity === "page"),
    ...newestFirst.filter((e) => e.severity === "ticket"),
  ];
  const kept = new Set(ranked.slice(0, MAX_EPISODES_SHOWN));
  const left = ranked.slice(MAX_EPISODES_SHOWN);
  return {
    shown: newestFirst.filter((e) => kept.has(e)),
    more: {
      page: left.filter((e) => e.severity === "page").length,
      ticket: left.filter((e) => e.severity === "ticket").length,
    },
  };
}

/** "and 30 more: 26 page, 4 ticket"; null when every episode is shown. */
export function moreEpisodesText(more: ShownEpisodes["more"]): string | null {
  const total = more.page + more.ticket;
  if (total === 0) return null;
  const parts = [
    more.page > 0 ? `${more.page} page` : null,
    more.ticket > 0 ? `${more.ticket} ticket` : null,
  ].filter(Boolean);
  return `and ${total} more: ${parts.join(", ")}`;
}

/** "40 episodes since 2026-10-25 23:00 UTC" or "none since ..." */
export function episodesSummary(history: ReportAlertHistory): string {
  const since = `since ${shortTime(history.since)}`;
  const n = history.episodes.length;
  if (n === 0) return `none ${since}`;
  return `${n} episode${n === 1 ? "" : "s"} ${since}`;
}

export interface EpisodeCells {
  severity: string;
  /** "2026-11-20 00:20", UTC; "before 2026-11-20 00:20" when it already fired where the history starts */
  from: string;
  /** "01:30" the same day, else "2026-11-23 04:00"; "still firing" */
  to: string;
  /** "1h 10m", "1h 10m, fired 3 times"; while it still fires "fired 3 times", or "–" */
  duration: string;
  /** short to long: "1h/5m, 6h/30m" */
  windows: string;
  peak: string;
}

/**
 * An episode's cells; `since` is the history's first instant: an episode
 * that starts there was firing at the first instant judged, and may have
 * started any time before.
 */
export function episodeCells(episode: ReportAlertEpisode, since: string): EpisodeCells {
  const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const end = episode.end;
  const to =
    end === null
      ? "still firing"
      : end.slice(0, 10) === episode.start.slice(0, 10)
        ? end.slice(11, 16)
        : minute(end);
  const fired = episode.firings && episode.firings > 1 ? `fired ${episode.firings} times` : null;
  const before = Date.parse(episode.start) <= Date.parse(since);
  return {
    severity: episode.severity,
    from: `${before ? "before " : ""}${minute(episode.start)}`,
    to,
    duration: [episodeDuration(episode), fired].filter(Boolean).join(", ") || "–",
    windows: windowsShortToLong(episode.windows).join(", "),
    peak: burnRate(episode.peakBurnRate),
  };
}

/** "page 2026-11-20 00:20 UTC → 01:30 UTC (1h 10m; 1h/5m, 6h/30m; peak 50.80×)" */
export function episodeText(episode: ReportAlertEpisode, since: string): string {
  const c = episodeCells(episode, since);
  const to = episode.end === null ? c.to : `${c.to} UTC`;
  const duration = c.duration === "–" ? "" : `${c.duration}; `;
  return `${c.severity.padEnd(6)}  ${c.from} UTC → ${to} (${duration}${c.windows}; peak ${c.peak})`;
}

/**
 * Alert windows, "6h/30m", in one order wherever they are listed: by the long
 * window, then the short, shortest first.
 */
export function windowsShortToLong(windows: readonly string[]): string[] {
  const ms = (label: string) => label.split("/").map((d) => parseDuration(d) ?? 0);
  return [...windows].sort((a, b) => {
    const [aLong, aShort] = ms(a);
    const [bLong, bShort] = ms(b);
    return aLong! - bLong! || aShort! - bShort!;
  });
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
