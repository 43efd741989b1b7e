/**
 * Prometheus native histograms as the Prometheus source counts them. A
 * native histogram is one series of exponential buckets (no `_bucket`
 * series): total = `histogram_count` of its increase, good =
 * `histogram_fraction(0, T, ...)` times that count. Any threshold works; one
 * inside a bucket is interpolated linearly within it (Prometheus 2.40+),
 * which the entry's notes say. Summed across series per series, as the
 * classic path sums buckets, so series of different schemas each keep theirs.
 */

import { nativeAtOrBelowExpr, nativeCountExpr, nativeIncrease } from "../definition/histogram.js";
import { formatPromNumber } from "../definition/promql.js";
import { SloError } from "../errors.js";
import type { QueryApi, RangeQuery } from "./query-api/client.js";
import type { TimeRange } from "./query-api/series.js";

export function nativeEventQueries(
  selector: string,
  le: number,
  by?: readonly string[],
): { total: RangeQuery; good: RangeQuery } {
  // A grouped SLO (groupBy) sums per group, as the classic path does.
  const groupBy = by?.join(", ");
  return {
    total: (rangeMs) => nativeCountExpr(selector, rangeMs, groupBy),
    good: (rangeMs) => nativeAtOrBelowExpr(selector, le, rangeMs, groupBy),
  };
}

/** Bad events per value of `label`: those above `le`. */
export function nativeBadBy(selector: string, le: number, label: string, rangeMs: number): string {
  const total = nativeCountExpr(selector, rangeMs, label);
  return `(${total} - (${nativeAtOrBelowExpr(selector, le, rangeMs, label)} or ${total} * 0))`;
}

/**
 * Whether `selector` holds native histogram samples over the range: a float
 * series (a gauge) gives no `histogram_count`. A server without native
 * histograms (VictoriaMetrics, Prometheus before 2.40) does not know the
 * function: it has none, so the answer is no.
 */
export async function holdsNativeHistograms(
  api: QueryApi,
  selector: string,
  range: TimeRange,
): Promise<boolean> {
  const query = `count(histogram_count(${nativeIncrease(selector, range.endMs - range.startMs)}))`;
  try {
    const samples = await api.instant(query, range.endMs, "the histogram's kind");
    return samples.some((s) => s.value > 0);
  } catch (error) {
    if (lacksNativeFunctions(error)) return false;
    throw error;
  }
}

/** The server's answer says it has no native histogram functions. */
export function lacksNativeFunctions(error: unknown): boolean {
  return (
    error instanceof SloError &&
    /histogram_(count|fraction)/.test(error.message) &&
    /unknown func|not.*(defined|exist|support)/i.test(error.message)
  );
}

interface NativeBucket {
  lower: number;
  upper: number;
  count: number;
}

/**
 * A note when `le` falls inside a bucket that holds events in the window:
 * those events are split between good and bad by linear interpolation,
 * so the SLI is an estimate there. None when `le` is a bucket bound.
 */
export async function interpolationNote(
  api: QueryApi,
  selector: string,
  le: number,
  thresholdText: string,
  window: TimeRange & { key: string },
): Promise<string | undefined> {
  const query = `sum(${nativeIncrease(selector, window.endMs - window.startMs)})`;
  const data = await api.call("/query", { query, time: (window.endMs / 1000).toFixed(3) }, query);
  const buckets = bucketsOf(data.result);
  const split = buckets.filter((b) => b.lower < le && le < b.upper && b.count > 0);
  if (split.length === 0) return undefined;
  const all = buckets.reduce((a, b) => a + b.count, 0);
  const share = split.reduce((a, b) => a + b.count, 0) / all;
  const bounds = split.map((b) => `(${formatPromNumber(b.lower)}, ${formatPromNumber(b.upper)}]`);
  return `native histogram ${selector}: the threshold ${thresholdText} (${formatPromNumber(le)}) is not a bucket bound; ${percent(share)} of the ${window.key} window's events are in the bucket ${bounds.join(", ")} it splits, counted by linear interpolation, so the SLI is an estimate`;
}

/** A share as a percentage, to the precision that still says something. */
function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

/** The buckets of a `sum(...)` answer: [rule, lower, upper, count] each, as the API writes them. */
function bucketsOf(result: unknown): NativeBucket[] {
  if (!Array.isArray(result)) return [];
  return result.flatMap((item) => {
    const histogram = (item as { histogram?: unknown }).histogram;
    const buckets = Array.isArray(histogram)
      ? (histogram[1] as { buckets?: unknown } | undefined)?.buckets
      : undefined;
    if (!Array.isArray(buckets)) return [];
    return buckets.flatMap((b): NativeBucket[] =>
      Array.isArray(b) && b.length === 4
        ? [{ lower: Number(b[1]), upper: Number(b[2]), count: Number(b[3]) }]
        : [],
    );
  });
}
