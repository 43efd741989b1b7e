/**
 * Which burn-rate alerts fired over a window, from one series of small
 * buckets: every alert window is a whole number of buckets, so the counts of
 * each window at each bucket's end are sums of buckets (prefix sums, O(n)).
 * The scheduled report lists these episodes; the answer has the series'
 * resolution (5 minutes for the default windows).
 */

import type { BurnRateRule } from "./alert-policy.js";
import { alertFactor } from "./alert-policy.js";
import { burnRateOf, type Counts } from "./budget.js";

export interface AlertHistoryInput {
  /** bucket i covers (startMs + i*stepMs, startMs + (i+1)*stepMs] */
  buckets: readonly Counts[];
  startMs: number;
  stepMs: number;
  /** only instants after this are reported (the SLO window's start) */
  fromMs: number;
  rules: readonly BurnRateRule[];
  objective: number;
  periodMs: number;
  minEvents: number;
  disabled: { page: boolean; ticket: boolean };
}

export interface AlertEpisode {
  severity: "page" | "ticket";
  /** the first instant the alert fired */
  startMs: number;
  /** the first instant it no longer fired; null when it still fires at the end */
  endMs: number | null;
  /** the rules that fired during the episode, "1h/5m" */
  windows: string[];
  /** the highest long-window burn rate of a firing rule during the episode */
  peakBurnRate: number;
}

export interface AlertHistory {
  /** the first instant evaluated: where every long window fits in the series */
  sinceMs: number;
  stepMs: number;
  episodes: AlertEpisode[];
}

/** The largest step that divides every alert window: the series' bucket length. */
export function alertHistoryStep(rules: readonly BurnRateRule[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return rules.reduce((g, r) => gcd(gcd(g, r.longMs), r.shortMs), 0);
}

export function alertHistoryOf(input: AlertHistoryInput): AlertHistory {
  const { buckets, startMs, stepMs } = input;
  const rules = input.rules.filter((r) => !input.disabled[r.severity]);
  const longest = Math.max(0, ...rules.map((r) => Math.round(r.longMs / stepMs)));
  // prefix[i] holds the counts of buckets 0..i-1.
  const good = new Float64Array(buckets.length + 1);
  const total = new Float64Array(buckets.length + 1);
  buckets.forEach((b, i) => {
    good[i + 1] = good[i]! + b.good;
    total[i + 1] = total[i]! + b.total;
  });
  const windowAt = (end: number, n: number): Counts => ({
    good: good[end]! - good[end - n]!,
    total: total[end]! - total[end - n]!,
  });

  const firstIndex = Math.max(longest, Math.ceil((input.fromMs - startMs) / stepMs));
  const episodes: AlertEpisode[] = [];
  const open: Partial<Record<"page" | "ticket", AlertEpisode>> = {};
  for (let end = Math.max(1, firstIndex); end <= buckets.length; end++) {
    const atMs = startMs + end * stepMs;
    const firing: Partial<Record<"page" | "ticket", { windows: string[]; peak: number }>> = {};
    for (const rule of rules) {
      const long = windowAt(end, Math.round(rule.longMs / stepMs));
      const short = windowAt(end, Math.round(rule.shortMs / stepMs));
      const burnLong = burnRateOf(long, input.objective);
      const burnShort = burnRateOf(short, input.objective);
      const factor = alertFactor(rule.share, input.periodMs, rule.longMs);
      const fires =
        long.total >= input.minEvents &&
        burnLong !== null &&
        burnShort !== null &&
        burnLong > factor &&
        burnShort > factor;
      if (!fires) continue;
      const f = firing[rule.severity] ?? { windows: [], peak: 0 };
      f.windows.push(`${rule.long}/${rule.short}`);
      f.peak = Math.max(f.peak, burnLong);
      firing[rule.severity] = f;
    }
    for (const severity of ["page", "ticket"] as const) {
      const now = firing[severity];
      const episode = open[severity];
      if (now && !episode) {
        const started: AlertEpisode = {
          severity,
          startMs: atMs,
          endMs: null,
          windows: [...now.windows],
          peakBurnRate: now.peak,
        };
        open[severity] = started;
        episodes.push(started);
      } else if (now && episode) {
        for (const w of now.windows) if (!episode.windows.includes(w)) episode.windows.push(w);
        episode.peakBurnRate = Math.max(episode.peakBurnRate, now.peak);
      } else if (!now && episode) {
        episode.endMs = atMs;
        delete open[severity];
      }
    }
  }
  return {
    sinceMs: startMs + Math.max(1, firstIndex) * stepMs,
    stepMs,
    episodes,
  };
}
