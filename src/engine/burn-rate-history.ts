/**
 * The burn rate of each long alert window through the SLO's window, for the
 * report's burn-rate chart: computed at every bucket of the alert history's
 * series, then kept as the highest rate of each group of buckets, so a
 * spike that fired an alert still shows when 30 days become a few hundred points.
 */

import { type RulesOverBuckets, windowSums } from "./alert-history.js";
import { type BurnRateRule, ruleFactor } from "./alert-policy.js";
import { burnRateOf, type Counts } from "./budget.js";

export interface BurnRateHistoryInput extends RulesOverBuckets {
  /** at most this many points per line: each the highest rate of its group of buckets */
  maxPoints: number;
}

export interface BurnRateLine {
  /** the long window, as the SLO writes it: 1h */
  window: string;
  /** the factor of every enabled rule over this long window */
  thresholds: { severity: "page" | "ticket"; factor: number }[];
  /** the highest rate of the step ending at atMs; null: no events in any window of the step */
  points: { atMs: number; burnRate: number | null }[];
}

export interface BurnRateHistory {
  sinceMs: number;
  /** the length each point covers */
  stepMs: number;
  /** shortest long window first */
  lines: BurnRateLine[];
}

export function burnRateHistoryOf(input: BurnRateHistoryInput): BurnRateHistory | undefined {
  const { buckets, startMs, stepMs } = input;
  const rules = input.rules.filter((r) => !input.disabled[r.severity]);
  if (rules.length === 0 || buckets.length === 0) return undefined;
  const longest = Math.max(...rules.map((r) => Math.round(r.longMs / stepMs)));
  const first = Math.max(longest, Math.ceil((input.fromMs - startMs) / stepMs));
  if (first >= buckets.length) return undefined;
  const group = Math.max(1, Math.ceil((buckets.length - first) / input.maxPoints));
  const windowAt = windowSums(buckets);
  const lines = longWindows(rules, input.periodMs).map((line) => {
    const n = Math.round(line.longMs / stepMs);
    const points: BurnRateLine["points"] = [];
    for (let end = buckets.length; end > first; end -= group) {
      let peak: number | null = null;
      for (let e = end; e > Math.max(end - group, first - 1); e--) {
        const rate = burnRateOf(windowAt(e, n), input.objective);
        if (rate !== null && (peak === null || rate > peak)) peak = rate;
      }
      points.push({ atMs: startMs + end * stepMs, burnRate: peak });
    }
    return { window: line.window, thresholds: line.thresholds, points: points.reverse() };
  });
  return { sinceMs: startMs + first * stepMs, stepMs: group * stepMs, lines };
}

/** The rules' long windows, shortest first, each with the factors of the rules over it. */
function longWindows(rules: readonly BurnRateRule[], periodMs: number) {
  const byWindow = new Map<
    string,
    { window: string; longMs: number } & Pick<BurnRateLine, "thresholds">
  >();
  for (const rule of rules) {
    const line = byWindow.get(rule.long) ?? {
      window: rule.long,
      longMs: rule.longMs,
      thresholds: [],
    };
    line.thresholds.push({ severity: rule.severity, factor: ruleFactor(rule, periodMs) });
    byWindow.set(rule.long, line);
  }
  return [...byWindow.values()].sort((a, b) => a.longMs - b.longMs);
}
