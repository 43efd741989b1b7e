/**
 * Multi-window multi-burn-rate alerts: an alert fires when the long AND the
 * short window both burn faster than the factor (or, with another `op`, at
 * least as fast, slower, or at most as fast), and the long window saw at
 * least minEvents events (a quiet night with one failure does not page).
 * With `alertAfterMs` the condition must also have held that long
 * (alert-history.ts judges that on a bucket series).
 */

import { burnRateOf, type Counts } from "./budget.js";

/** How both windows' burn rates compare with the factor for the condition to hold. */
export type BurnRateOp = "gt" | "gte" | "lt" | "lte";

export interface BurnRateRule {
  severity: "page" | "ticket";
  long: string;
  short: string;
  longMs: number;
  shortMs: number;
  share: number;
  /** the factor as written (OpenSLO's threshold): used as is, not recomputed from `share` */
  factor?: number | undefined;
  /** default gt */
  op?: BurnRateOp | undefined;
  /** the condition must hold this long before the alert fires; default 0 */
  alertAfterMs?: number | undefined;
}

export interface AlertState {
  severity: "page" | "ticket";
  long: string;
  short: string;
  factor: number;
  burnRateLong: number | null;
  burnRateShort: number | null;
  firing: boolean;
  /** the condition holds now but has not held for the rule's alertAfter yet */
  pending?: boolean | undefined;
}

/** factor = share × period / long window: the burn rate that spends `share` of the budget in the long window. */
export function alertFactor(share: number, periodMs: number, longMs: number): number {
  return (share * periodMs) / longMs;
}

/** What one rule says of one instant's long and short windows. */
export interface RuleVerdict {
  factor: number;
  burnRateLong: number | null;
  burnRateShort: number | null;
  firing: boolean;
}

/** The rule's factor: as written, else from its budget share. */
export function ruleFactor(rule: BurnRateRule, periodMs: number): number {
  return rule.factor ?? alertFactor(rule.share, periodMs, rule.longMs);
}

/**
 * Burn rates this close to the factor (relative) are equal to it: 0.002 /
 * (1 - 0.999) is 1.9999999999999982 in floating point, and a `gte 2` must
 * hold there.
 */
const SAME_RATE = 1e-9;

/** `rate op factor`, with rates within SAME_RATE of the factor equal to it. */
export function compareBurnRate(rate: number, op: BurnRateOp, factor: number): boolean {
  const equal = Math.abs(rate - factor) <= SAME_RATE * Math.max(Math.abs(rate), Math.abs(factor));
  switch (op) {
    case "gt":
      return rate > factor && !equal;
    case "gte":
      return rate > factor || equal;
    case "lt":
      return rate < factor && !equal;
    case "lte":
      return rate < factor || equal;
  }
}

/**
 * The one condition, for `slo check` and for the alert history alike: both
 * windows compare with the factor by the rule's op (by default: burn faster
 * than it), and the long one saw enough events. Whether it held for the
 * rule's alertAfter is judged over time (alert-history.ts).
 */
export function judgeRule(
  rule: BurnRateRule,
  long: Counts | undefined,
  short: Counts | undefined,
  policy: { objective: number; periodMs: number; minEvents: number },
): RuleVerdict {
  const burnRateLong = long ? burnRateOf(long, policy.objective) : null;
  const burnRateShort = short ? burnRateOf(short, policy.objective) : null;
  const factor = ruleFactor(rule, policy.periodMs);
  const op = rule.op ?? "gt";
  const enoughEvents = (long?.total ?? 0) >= policy.minEvents;
  const firing =
    enoughEvents &&
    burnRateLong !== null &&
    burnRateShort !== null &&
    compareBurnRate(burnRateLong, op, factor) &&
    compareBurnRate(burnRateShort, op, factor);
  return { factor, burnRateLong, burnRateShort, firing };
}

/**
 * Whether a rule with an alertAfter held it up to now (alert-history.ts:
 * heldThroughout); undefined when unknown, which a rule without alertAfter
 * never asks.
 */
export type HeldBefore = (rule: BurnRateRule) => boolean | undefined;

export function evaluateAlerts(
  rules: readonly BurnRateRule[],
  countsByWindow: (label: string) => Counts | undefined,
  objective: number,
  periodMs: number,
  minEvents: number,
  disabled: { page: boolean; ticket: boolean },
  heldBefore: HeldBefore = () => undefined,
): AlertState[] {
  const policy = { objective, periodMs, minEvents };
  return rules
    .filter((r) => !disabled[r.severity])
    .map((r) => {
      const verdict = judgeRule(r, countsByWindow(r.long), countsByWindow(r.short), policy);
      const state = { severity: r.severity, long: r.long, short: r.short, ...verdict };
      if (!verdict.firing || (r.alertAfterMs ?? 0) <= 0 || heldBefore(r) === true) return state;
      return { ...state, firing: false, pending: true };
    });
}
