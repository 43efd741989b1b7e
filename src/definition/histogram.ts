/**
 * Prometheus histograms as slo reads them: the metric a selector names, the
 * unit its `le` bounds are in, a latency threshold as an `le` bound; for a
 * classic histogram the matcher that picks that bucket, for a native one the
 * counting expressions. Pure; the Prometheus source and `slo rules` both read
 * histograms through it, so they agree.
 */

import { DEFAULT_LATENCY_UNIT } from "../defaults.js";
import type { LatencyIndicator } from "./model.js";
import {
  formatPromDuration,
  formatPromNumber,
  parsePromNumber,
  type SelectorParts,
  selectorParts,
} from "./promql.js";

type TimeUnit = LatencyIndicator["unit"];

const UNIT_SECONDS: Record<TimeUnit, number> = {
  ns: 1e-9,
  us: 1e-6,
  ms: 1e-3,
  s: 1,
};

/**
 * The histogram's name and matchers in `metric{labels}`, the name without
 * `_bucket`, `_count` or `_sum`; null when the text names no metric.
 */
export function histogramParts(selector: string | undefined): SelectorParts | null {
  const parts = selector ? selectorParts(selector) : null;
  if (!parts || parts.metric === "") return null;
  return { metric: parts.metric.replace(/_(bucket|count|sum)$/, ""), matchers: parts.matchers };
}

/**
 * The unit a histogram's `le` is in: the one its name says, by Prometheus'
 * naming convention (`_milliseconds`), else seconds, the convention's base unit.
 */
export function leUnit(metric: string): TimeUnit {
  if (/_(milliseconds|ms)$/.test(metric)) return "ms";
  if (/_(microseconds|us)$/.test(metric)) return "us";
  if (/_(nanoseconds|ns)$/.test(metric)) return "ns";
  return DEFAULT_LATENCY_UNIT.histogram;
}

/** A latency threshold as the `le` bound it is in the histogram `metric`. */
export function thresholdAsLe(threshold: number, unit: TimeUnit, metric: string): number {
  return (threshold * UNIT_SECONDS[unit]) / UNIT_SECONDS[leUnit(metric)];
}

/** The `le` values, as written, that are the bound `le`; a float's last bits do not count. */
export function bucketsAt(les: readonly string[], le: number): string[] {
  return les.filter((text) => sameBound(parsePromNumber(text), le));
}

function sameBound(le: number, threshold: number): boolean {
  return Math.abs(le - threshold) <= 1e-9 * Math.max(1, Math.abs(threshold));
}

/** Distinct `le` values in increasing order, `+Inf` last. */
export function sortedBounds(les: readonly string[]): string[] {
  return [...new Set(les)].sort((a, b) => parsePromNumber(a) - parsePromNumber(b));
}

/**
 * The matcher for buckets whose `le` is written as in `les`: the same bound
 * written two ways ("1" and "1.0", from a Prometheus 3 upgrade) is one bucket.
 */
export function leMatcher(les: readonly string[]): string {
  return les.length === 1
    ? `le=${JSON.stringify(les[0])}`
    : `le=~${JSON.stringify(les.map(escapeRegex).join("|"))}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A bucket bound however a client wrote it: 0.3 matches "0.3" and "0.30", 1 matches "1" and "1.0". */
export function leRegex(value: number): string {
  let text = formatPromNumber(value);
  if (/e/i.test(text)) text = value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
  const [int, frac] = text.split(".");
  return frac === undefined ? `${int}(\\.0+)?` : `${int}\\.${frac}0*`;
}

// ---------------------------------------------------------------------------
// Native histograms: one series of exponential buckets, no `_bucket` series

/** `increase(selector[range])`: a native histogram's events over the range, as one histogram per series. */
export function nativeIncrease(selector: string, rangeMs: number): string {
  return `increase(${selector}[${formatPromDuration(rangeMs)}])`;
}

function sumBy(by: string | undefined): string {
  return by ? `sum by (${by}) ` : "sum";
}

/** The events of a native histogram over the range, summed across its series (or per `by`). */
export function nativeCountExpr(selector: string, rangeMs: number, by?: string): string {
  return `${sumBy(by)}(histogram_count(${nativeIncrease(selector, rangeMs)}))`;
}

/**
 * The events at or below `le` over the range: per series, the fraction
 * `histogram_fraction(0, le)` (which counts the zero bucket, and a bucket
 * `le` splits pro rata) times the series' count, then summed. A series
 * without events has no fraction (0/0): it is left out rather than summed as NaN.
 */
export function nativeAtOrBelowExpr(
  selector: string,
  le: number,
  rangeMs: number,
  by?: string,
): string {
  const inc = nativeIncrease(selector, rangeMs);
  return `${sumBy(by)}(histogram_fraction(0, ${formatPromNumber(le)}, ${inc}) * (histogram_count(${inc}) > 0))`;
}
