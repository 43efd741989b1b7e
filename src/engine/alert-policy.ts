/**
 * Multi-window multi-burn-rate alerts: an alert fires when the long AND the
 * short window both burn faster than the factor, and the long window saw
 * at least minEvents events (a quiet night with one failure does not page).
 */

import { burnRateOf, type Counts } from "./budget.js";

export interface BurnRateRule {
  severity: "page" | "ticket";
  long: string;
  short: string;
  longMs: number;
  shortMs: number;
  share: number;
}

export interface AlertState {
  severity: "page" | "ticket";
  long: string;
  short: string;
  factor: number;
  burnRateLong: number | null;
  burnRateShort: number | null;
  firing: boolean;
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

/**
 * The one firing rule, for `slo check` and for the alert history alike: both
 * windows burn faster than the factor, and the long one saw enough events.
 */
export function judgeRule(
  rule: BurnRateRule,
  long: Counts | undefined,
  short: Counts | undefined,
  policy: { objective: number; periodMs: number; minEvents: number },
): RuleVerdict {
  const burnRateLong = long ? burnRateOf(long, policy.objective) : null;
  const burnRateShort = short ? burnRateOf(short, policy.objective) : null;
  const factor = alertFactor(rule.share, policy.periodMs, rule.longMs);
  const enoughEvents = (long?.total ?? 0) >= policy.minEvents;
  const firing =
    enoughEvents &&
    burnRateLong !== null &&
    burnRateShort !== null &&
    burnRateLong > factor &&
    burnRateShort > factor;
  return { factor, burnRateLong, burnRateShort, firing };
}

export function evaluateAlerts(
  rules: readonly BurnRateRule[],
  countsByWindow: (label: string) => Counts | undefined,
  objective: number,
  periodMs: number,
  minEvents: number,
  disabled: { page: boolean; ticket: boolean },
): AlertState[] {
  const policy = { objective, periodMs, minEvents };
  return rules
    .filter((r) => !disabled[r.severity])
    .map((r) => ({
      severity: r.severity,
      long: r.long,
      short: r.short,
      ...judgeRule(r, countsByWindow(r.long), countsByWindow(r.short), policy),
    }));
}
