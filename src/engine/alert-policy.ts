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

export function evaluateAlerts(
  rules: readonly BurnRateRule[],
  countsByWindow: (label: string) => Counts | undefined,
  objective: number,
  periodMs: number,
  minEvents: number,
  disabled: { page: boolean; ticket: boolean },
): AlertState[] {
  return rules
    .filter((r) => !disabled[r.severity])
    .map((r) => {
      const long = countsByWindow(r.long);
      const short = countsByWindow(r.short);
      const burnRateLong = long ? burnRateOf(long, objective) : null;
      const burnRateShort = short ? burnRateOf(short, objective) : null;
      const factor = alertFactor(r.share, periodMs, r.longMs);
      const enoughEvents = (long?.total ?? 0) >= minEvents;
      const firing =
        enoughEvents &&
        burnRateLong !== null &&
        burnRateShort !== null &&
        burnRateLong > factor &&
        burnRateShort > factor;
      return {
        severity: r.severity,
        long: r.long,
        short: r.short,
        factor,
        burnRateLong,
        burnRateShort,
        firing,
      };
    });
}
