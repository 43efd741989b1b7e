/**
 * A value sampled over time (a gauge, a quantile, a precomputed ratio),
 * judged sample by sample. Each sample with data is one event, worth from 0
 * to 1 good event: a threshold makes it 0 or 1, a ratio of good events is
 * worth its value. A sample without data (NaN; for a ratio, not a finite
 * number) counts nowhere. Ranges are (start, end], as the sources' counts.
 */

import type { Counts } from "./budget.js";

export type ComparisonOp = "lt" | "lte" | "gt" | "gte";

export type Judge =
  | { kind: "threshold"; op: ComparisonOp; threshold: number }
  | { kind: "ratio"; of: "good" | "bad" };

/** Samples in time order: values[i] was taken at atMs[i]. */
export interface Samples {
  atMs: readonly number[];
  values: readonly number[];
}

/** Buckets i = 0..count-1, each (startMs + i*stepMs, startMs + (i+1)*stepMs]. */
export interface Buckets {
  startMs: number;
  stepMs: number;
  count: number;
}

export function compares(value: number, op: ComparisonOp, threshold: number): boolean {
  switch (op) {
    case "lt":
      return value < threshold;
    case "lte":
      return value <= threshold;
    case "gt":
      return value > threshold;
    case "gte":
      return value >= threshold;
  }
}

/** How much of one good event a sample is worth; null when it has no data. */
export function goodShare(value: number, judge: Judge): number | null {
  if (Number.isNaN(value)) return null;
  if (judge.kind === "threshold") return compares(value, judge.op, judge.threshold) ? 1 : 0;
  if (!Number.isFinite(value)) return null;
  // A ratio from extrapolated rates can stray a little past 0 or 1.
  const share = Math.min(1, Math.max(0, value));
  return judge.of === "good" ? share : 1 - share;
}

/** The samples in (startMs, endMs]. */
export function countSamplesIn(
  samples: Samples,
  judge: Judge,
  range: { startMs: number; endMs: number },
): Counts {
  const counts: Counts = { good: 0, total: 0 };
  for (let i = firstAfter(samples.atMs, range.startMs); i < samples.atMs.length; i++) {
    if (samples.atMs[i]! > range.endMs) break;
    add(counts, goodShare(samples.values[i]!, judge));
  }
  return counts;
}

/** The samples of each bucket; those outside every bucket count nowhere. */
export function countSamplesPerBucket(samples: Samples, judge: Judge, buckets: Buckets): Counts[] {
  const out = Array.from({ length: buckets.count }, (): Counts => ({ good: 0, total: 0 }));
  samples.atMs.forEach((t, i) => {
    const b = bucketOf(buckets, t);
    if (b !== undefined) add(out[b]!, goodShare(samples.values[i]!, judge));
  });
  return out;
}

/**
 * Timeslices of sampled values: a slice is good when its good share meets
 * `target`; a slice without any sample with data is left out, and counted
 * apart so the report can say how many there were.
 */
export function sampledTimeslices(
  samples: Samples,
  judge: Judge,
  slices: Buckets,
  target: number,
): { good: number; total: number; withoutData: number } {
  let good = 0;
  let total = 0;
  for (const slice of countSamplesPerBucket(samples, judge, slices)) {
    if (slice.total === 0) continue;
    total++;
    if (slice.good / slice.total >= target) good++;
  }
  return { good, total, withoutData: slices.count - total };
}

function add(counts: Counts, share: number | null): void {
  if (share === null) return;
  counts.good += share;
  counts.total += 1;
}

/** The index of the first time after `t` (binary search). */
function firstAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The bucket holding `t`, computed with the same sums as the buckets' own bounds. */
function bucketOf(b: Buckets, t: number): number | undefined {
  let i = Math.ceil((t - b.startMs) / b.stepMs) - 1;
  // The division can land one off a bound that the sums below place exactly.
  if (i >= 0 && t <= b.startMs + i * b.stepMs) i--;
  else if (t > b.startMs + (i + 1) * b.stepMs) i++;
  return i >= 0 && i < b.count ? i : undefined;
}
