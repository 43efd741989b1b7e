/**
 * Which burn-rate alerts fired over a window, from one series of small
 * buckets: every alert window is a whole number of buckets, so the counts of
 * each window at each bucket's end are sums of buckets (prefix sums, O(n)).
 * The scheduled report lists these episodes; the answer has the series'
 * resolution (5 minutes for the default windows).
 *
 * A rule with an alertAfter fires once its condition has held at every
 * instant of the series from alertAfter ago to now, as Prometheus' `for:`
 * does at each evaluation: `heldThroughout` is that judgement at the
 * series' end, for `slo check`.
 */

import { type BurnRateRule, judgeRule } from "./alert-policy.js";
import type { Counts } from "./budget.js";

/** An SLO's burn-rate rules over the history's buckets: what the alert history and the burn-rate chart read. */
export interface RulesOverBuckets {
  /** bucket i covers (startMs + i*stepMs, startMs + (i+1)*stepMs] */
  buckets: readonly Counts[];
  startMs: number;
  stepMs: number;
  /** only instants after this are reported (the SLO window's start) */
  fromMs: number;
  rules: readonly BurnRateRule[];
  objective: number;
  periodMs: number;
  disabled: { page: boolean; ticket: boolean };
}

export interface AlertHistoryInput extends RulesOverBuckets {
  minEvents: number;
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
  /** how many times it started firing, when episodes were joined (mergeCloseEpisodes); absent: once */
  firings?: number;
}

export interface AlertHistory {
  /** the first instant evaluated: where every long window fits in the series */
  sinceMs: number;
  stepMs: number;
  episodes: AlertEpisode[];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The largest step that divides every alert window and alertAfter: the series' bucket length. */
export function alertHistoryStep(rules: readonly BurnRateRule[]): number {
  return rules.reduce((g, r) => gcd(gcd(gcd(g, r.longMs), r.shortMs), r.alertAfterMs ?? 0), 0);
}

/** Instants a condition must hold at, one step apart, for the rule to fire: now and alertAfter back. */
function instantsToHold(rule: BurnRateRule, stepMs: number): number {
  return Math.round((rule.alertAfterMs ?? 0) / stepMs) + 1;
}

/** How far back a rule's judgement at one instant reads: its long window and its alertAfter. */
export function ruleReachMs(rule: BurnRateRule): number {
  return rule.longMs + (rule.alertAfterMs ?? 0);
}

/** The largest step that divides the rule's windows and alertAfter, and `atMost`. */
export function ruleStep(rule: BurnRateRule, atMost = 0): number {
  return gcd(gcd(gcd(atMost, rule.longMs), rule.shortMs), rule.alertAfterMs ?? 0);
}

/** The key of a rule's held series: rules with the same windows and alertAfter share one. */
export function heldSeriesKey(rule: BurnRateRule): string {
  return `held:${rule.longMs}/${rule.shortMs}/${rule.alertAfterMs ?? 0}`;
}

export interface HeldInput {
  /** bucket i covers (startMs + i*stepMs, startMs + (i+1)*stepMs]; the last ends at the instant judged */
  buckets: readonly Counts[];
  stepMs: number;
  rule: BurnRateRule;
  objective: number;
  periodMs: number;
  minEvents: number;
}

/**
 * Whether the rule's condition held at every instant, one step apart, from
 * alertAfter before the series' end to its end. False when the series is
 * too short to tell: an alert that cannot be shown to have held does not fire.
 */
export function heldThroughout(input: HeldInput): boolean {
  const { buckets, stepMs, rule } = input;
  const windowAt = windowSums(buckets);
  const longN = Math.round(rule.longMs / stepMs);
  const shortN = Math.round(rule.shortMs / stepMs);
  const instants = instantsToHold(rule, stepMs);
  if (buckets.length < longN + instants - 1) return false;
  for (let k = 0; k < instants; k++) {
    const end = buckets.length - k;
    const verdict = judgeRule(rule, windowAt(end, longN), windowAt(end, shortN), input);
    if (!verdict.firing) return false;
  }
  return true;
}

type Severity = "page" | "ticket";
/** The rules of one severity that fire at an instant, and their highest long-window burn rate. */
type Firing = { windows: string[]; peak: number };

export function alertHistoryOf(input: AlertHistoryInput): AlertHistory {
  const { buckets, startMs, stepMs } = input;
  const rules = input.rules.filter((r) => !input.disabled[r.severity]);
  const longest = Math.max(0, ...rules.map((r) => Math.round(r.longMs / stepMs)));
  const reach = Math.max(0, ...rules.map((r) => Math.round(ruleReachMs(r) / stepMs)));
  const windowAt = windowSums(buckets);
  // Conditions are judged from where every long window fits; alerts reported from where alertAfter fits too.
  const firstJudged = Math.max(1, longest);
  const firstIndex = Math.max(1, reach, Math.ceil((input.fromMs - startMs) / stepMs));
  const held = new HeldCount(rules);
  const episodes = new EpisodeLog();
  for (let end = firstJudged; end <= buckets.length; end++) {
    const countsOver = (ms: number) => windowAt(end, Math.round(ms / stepMs));
    const firing = firingAt(rules, input, countsOver, held);
    if (end >= firstIndex) episodes.record(startMs + end * stepMs, firing);
  }
  return { sinceMs: startMs + firstIndex * stepMs, stepMs, episodes: episodes.all };
}

/** Per rule, at how many consecutive instants up to now its condition held. */
class HeldCount {
  private readonly counts: number[];
  constructor(private readonly rules: readonly BurnRateRule[]) {
    this.counts = rules.map(() => 0);
  }

  /** Record whether rule i's condition holds now; true when it has held long enough to fire. */
  record(i: number, holds: boolean, stepMs: number): boolean {
    this.counts[i] = holds ? this.counts[i]! + 1 : 0;
    return this.counts[i]! >= instantsToHold(this.rules[i]!, stepMs);
  }
}

/** The counts of the n buckets that end at bucket `end` (exclusive), from prefix sums. */
export function windowSums(buckets: readonly Counts[]): (end: number, n: number) => Counts {
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
  policy: Pick<AlertHistoryInput, "objective" | "periodMs" | "minEvents" | "stepMs">,
  countsOver: (windowMs: number) => Counts,
  held: HeldCount,
): Partial<Record<Severity, Firing>> {
  const firing: Partial<Record<Severity, Firing>> = {};
  for (const [i, rule] of rules.entries()) {
    const verdict = judgeRule(rule, countsOver(rule.longMs), countsOver(rule.shortMs), policy);
    if (!held.record(i, verdict.firing, policy.stepMs)) continue;
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

/**
 * Episodes of one severity less than its longest short window apart, joined
 * into one: an alert that resolves and fires again before its short window
 * has turned over is the same trouble flapping across the threshold (40
 * episodes of a bad day read as a handful). Each joined episode counts its
 * firings. Order: by start, as given.
 */
export function mergeCloseEpisodes(
  episodes: readonly AlertEpisode[],
  rules: readonly BurnRateRule[],
): AlertEpisode[] {
  const gapMs = (severity: Severity) =>
    Math.max(0, ...rules.filter((r) => r.severity === severity).map((r) => r.shortMs));
  const merged: AlertEpisode[] = [];
  const last: Partial<Record<Severity, AlertEpisode>> = {};
  for (const episode of episodes) {
    const before = last[episode.severity];
    if (
      before &&
      before.endMs !== null &&
      episode.startMs - before.endMs < gapMs(episode.severity)
    ) {
      join(before, episode);
      continue;
    }
    const copy = { ...episode, windows: [...episode.windows] };
    merged.push(copy);
    last[episode.severity] = copy;
  }
  return merged;
}

function join(into: AlertEpisode, next: AlertEpisode): void {
  into.endMs = next.endMs;
  for (const w of next.windows) if (!into.windows.includes(w)) into.windows.push(w);
  into.peakBurnRate = Math.max(into.peakBurnRate, next.peakBurnRate);
  into.firings = (into.firings ?? 1) + (next.firings ?? 1);
}
