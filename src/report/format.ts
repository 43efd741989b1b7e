/** Number formatting shared by the renderers: percentages, burn rates, durations. */

import type { SloReportEntry } from "./schema.js";

/** 0.99965 -> "99.965%"; enough digits to tell 99.9% from 99.95%. */
export function percent(value: number | null, digits = 3): string {
  if (value === null) return "–";
  const p = value * 100;
  const text = p.toFixed(digits).replace(/\.?0+$/, "");
  return `${text}%`;
}

export function objectivePercent(objective: number): string {
  return `${Number((objective * 100).toPrecision(10))}%`;
}

/**
 * A burn rate or an alert's factor, "14.40×", "6.00×", "0.04×": always two
 * decimals, so a report's rates line up and a threshold reads like the rate
 * it is compared with (not "14.4×" beside "6.00×").
 */
export function burnRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${value.toFixed(2)}×`;
}

/**
 * A share of the error budget, left, spent or spent per deploy, "-454.0%",
 * "12.5%": always one decimal, so "-454.0%" sits beside "-154.3%", not "-454%".
 */
export function budgetPercent(value: number | null): string {
  if (value === null) return "–";
  const text = (value * 100).toFixed(1);
  // A rounding to zero is zero, not "-0.0%".
  return `${text === "-0.0" ? "0.0" : text}%`;
}

/** The fastest burn among the alert windows, with its window: [rate, "1h"]. */
export function fastestBurn(entry: SloReportEntry): { rate: number; window: string } | null {
  let best: { rate: number; window: string } | null = null;
  for (const [window, rate] of Object.entries(entry.burnRates)) {
    if (window === windowLabel(entry) || rate === null) continue;
    if (!best || rate > best.rate) best = { rate, window };
  }
  return best;
}

export function windowLabel(entry: SloReportEntry): string {
  return entry.window.kind === "rolling" ? entry.window.duration : entry.window.calendar;
}

export const STATUS_SYMBOL: Record<SloReportEntry["status"], string> = {
  ok: "✔ ok",
  warning: "▲ warning",
  breaching: "✖ breaching",
  "no-data": "○ no data",
  error: "! error",
};

export type BreakdownRow = SloReportEntry["breakdown"][number];

/** slo's own breakdown buckets in words; renderers set them apart from values (no quotes, italics). */
export const BUCKET_LABEL: Record<Extract<BreakdownRow, { bucket: string }>["bucket"], string> = {
  none: "field missing",
};

/** A count, and its bound when the count may be over: "1,204 (at most 3 over)". */
export function breakdownCount(b: BreakdownRow): string {
  const bound = overcountBound(b);
  return bound ? `${b.count.toLocaleString("en-US")} (${bound})` : b.count.toLocaleString("en-US");
}

/** "at most 3 over" when the count may be over the truth; "" when it is exact. */
export function overcountBound(b: BreakdownRow): string {
  return b.maxOvercount ? `at most ${b.maxOvercount.toLocaleString("en-US")} over` : "";
}
