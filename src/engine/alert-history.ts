/**
 * Which burn-rate alerts fired over a window, from one series of small
 * buckets: every alert window is a whole number of buckets, so the counts of
 * each window at each bucket's end are sums of buckets (prefix sums, O(n)).
 * The scheduled report lists these episodes; the answer has the series'
 * resolution (5 minutes for the default windows).
 */

import { type BurnRateRule, judgeRule } from "./alert-policy.js";
import type { Counts } from "./budget.js";

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

type Severity = "page" | "ticket";
/** The rules of one severity that fire at an instant, and their highest long-window burn rate. */
type Firing = { windows: string[]; peak: number };

export function alertHistoryOf(input: AlertHistoryInput): AlertHistory {
  const { buckets, startMs, stepMs } = input;
  const rules = input.rules.filter((r) => !input.disabled[r.severity]);
  const longest = Math.max(0, ...rules.map((r) => Math.round(r.longMs / stepMs)));
  const windowAt = windowSums(buckets);
  const firstIndex = Math.max(1, longest, Math.ceil((input.fromMs - startMs) / stepMs));
  const episodes = new EpisodeLog();
  for (let end = firstIndex; end <= buckets.length; end++) {
    const firing = firingAt(rules, input, (ms) => windowAt(end, Math.round(ms / stepMs)));
    episodes.record(startMs + end * stepMs, firing);
  }
  return { sinceMs: startMs + firstIndex * stepMs, stepMs, episodes: episodes.all };
}

/** The counts of the n buckets that end at bucket `end` (exclusive), from prefix sums. */
function windowSums(buckets: readonly Counts[]): (end: number, n: number) => Counts {
  // prefix[i] holds the counts of buckets 0..i-1.
  const good = new Float64Array(buckets.length + 1);
  const total = new Float64Array(buckets.length + 1);
  buckets.forEach((b, i) => {
    good[i + 1] = good[i]! + b.good;
    total[i + 1] = total[i]! + b.total;
  });
  return (end, n) => ({
    good: good[end]! - good[end - n]!,
    total: total[end]! - total[end - n]!,
  });
}

function firingAt(
  rules: readonly BurnRateRule[],
  policy: Pick<AlertHistoryInput, "objective" | "periodMs" | "minEvents">,
  countsOver: (windowMs: number) => Counts,
): Partial<Record<Severity, Firing>> {
  const firing: Partial<Record<Severity, Firing>> = {};
  for (const rule of rules) {
    const verdict = judgeRule(rule, countsOver(rule.longMs), countsOver(rule.shortMs), policy);
    if (!verdict.firing) continue;
    const f = firing[rule.severity] ?? { windows: [], peak: 0 };
    f.windows.push(`${rule.long}/${rule.short}`);
    f.peak = Math.max(f.peak, verdict.burnRateLong!);
    firing[rule.severity] = f;
  }
  return firing;
}

/** Episodes per severity: one opens when its alert starts firing and closes when it stops. */
class EpisodeLog {
  readonly all: AlertEpisode[] = [];
  private readonly open: Partial<Record<Severity, AlertEpisode>> = {};

  record(atMs: number, firing: Partial<Record<Severity, Firing>>): void {
    for (const severity of ["page", "ticket"] as const) {
      const now = firing[severity];
      const episode = this.open[severity];
      if (now && !episode) this.start(severity, atMs, now);
      else if (now && episode) extend(episode, now);
      else if (!now && episode) {
        episode.endMs = atMs;
        delete this.open[severity];
      }
    }
  }

  private start(severity: Severity, atMs: number, now: Firing): void {
    const started: AlertEpisode = {
      severity,
      startMs: atMs,
      endMs: null,
      windows: [...now.windows],
      peakBurnRate: now.peak,
    };
    this.open[severity] = started;
    this.all.push(started);
  }
}

function extend(episode: AlertEpisode, now: Firing): void {
  for (const w of now.windows) if (!episode.windows.includes(w)) episode.windows.push(w);
  episode.peakBurnRate = Math.max(episode.peakBurnRate, now.peak);
}
