/**
 * Periods of time as the corrections use them: each (startMs, endMs],
 * left-open and right-closed like a window, so an instant belongs to at
 * most one of a merged list and pieces of a window add up to it.
 */

export interface Interval {
  startMs: number;
  endMs: number;
}

/** The union, oldest first, with no two overlapping or touching; empty intervals dropped. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals
    .filter((i) => i.endMs > i.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else merged.push({ startMs: i.startMs, endMs: i.endMs });
  }
  return merged;
}

/** The parts of merged intervals inside (fromMs, toMs], oldest first. */
export function clipIntervals(
  merged: readonly Interval[],
  fromMs: number,
  toMs: number,
): Interval[] {
  const pieces: Interval[] = [];
  for (const i of merged) {
    const startMs = Math.max(i.startMs, fromMs);
    const endMs = Math.min(i.endMs, toMs);
    if (endMs > startMs) pieces.push({ startMs, endMs });
  }
  return pieces;
}

/** How much of (fromMs, toMs] merged intervals cover. */
export function coveredMs(merged: readonly Interval[], fromMs: number, toMs: number): number {
  return clipIntervals(merged, fromMs, toMs).reduce((sum, i) => sum + i.endMs - i.startMs, 0);
}

/** True when `t` is inside one of the merged intervals: startMs < t <= endMs. */
export function insideIntervals(merged: readonly Interval[], t: number): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const i = merged[mid]!;
    if (t <= i.startMs) hi = mid - 1;
    else if (t > i.endMs) lo = mid + 1;
    else return true;
  }
  return false;
}
