/**
 * Cutting what a request asks for into pieces a query API accepts: a window
 * longer than the server's range limit into consecutive parts, a series into
 * query_range calls under the point limit. All ranges are (start, end],
 * left-open and right-closed, like the servers' own, so parts sum exactly.
 */

import type { SeriesRequest } from "../types.js";

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** Prometheus and Loki both refuse more than 11,000 points per series in one query_range. */
export const MAX_POINTS_PER_QUERY = 10_000;

/** What one query may cover, when the server limits it beyond the points per series. */
export interface QueryLimits {
  /** the longest range one query may span */
  maxQueryLengthMs?: number | undefined;
}

/** (start, end] in consecutive parts of at most `maxMs`, the last ending at `end`. */
export function splitRange(startMs: number, endMs: number, maxMs: number): TimeRange[] {
  const parts: TimeRange[] = [];
  for (let end = endMs; end > startMs; end -= maxMs) {
    parts.push({ startMs: Math.max(startMs, end - maxMs), endMs: end });
  }
  return parts.reverse();
}

/** The parts of a window one query each may cover: the window itself where ranges are not limited. */
export function windowParts(window: TimeRange, limits: QueryLimits): TimeRange[] {
  const max = limits.maxQueryLengthMs;
  return max === undefined ? [window] : splitRange(window.startMs, window.endMs, max);
}

/** True when one bucket is longer than a query may cover: each is then counted as a window. */
export function bucketsTooLong(s: SeriesRequest, limits: QueryLimits): boolean {
  return limits.maxQueryLengthMs !== undefined && s.stepMs > limits.maxQueryLengthMs;
}

/** Every bucket of the series as a range. */
export function bucketRanges(s: SeriesRequest): TimeRange[] {
  return Array.from({ length: s.count }, (_, i) => ({
    startMs: s.startMs + i * s.stepMs,
    endMs: s.startMs + (i + 1) * s.stepMs,
  }));
}

/**
 * The query_range calls that cover a series: each evaluates at bucket ends
 * from `startMs` to `endMs` (both included), under the point limit and, where
 * the server limits a query's range, with its span inside it.
 */
export function seriesChunks(s: SeriesRequest, limits: QueryLimits): TimeRange[] {
  const perChunk = bucketsPerQuery(s.stepMs, limits);
  const firstEnd = s.startMs + s.stepMs;
  const chunks: TimeRange[] = [];
  for (let from = 0; from < s.count; from += perChunk) {
    const to = Math.min(s.count, from + perChunk) - 1;
    chunks.push({ startMs: firstEnd + from * s.stepMs, endMs: firstEnd + to * s.stepMs });
  }
  return chunks;
}

function bucketsPerQuery(stepMs: number, limits: QueryLimits): number {
  const max = limits.maxQueryLengthMs;
  if (max === undefined) return MAX_POINTS_PER_QUERY;
  // n buckets reach from the first one's start to the last one's end: n steps, within the limit.
  const bySpan = Math.floor((max - stepMs) / stepMs) + 1;
  return Math.max(1, Math.min(MAX_POINTS_PER_QUERY, bySpan));
}

/** The bucket a query_range point at `t` (a bucket's end) counts; undefined outside the series. */
export function bucketAt(s: SeriesRequest, t: number): number | undefined {
  const i = Math.round((t - (s.startMs + s.stepMs)) / s.stepMs);
  return i >= 0 && i < s.count ? i : undefined;
}
