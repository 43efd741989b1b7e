/**
 * The corrections' interval maths against a slow, obviously correct
 * reference: on a small integer grid, an instant t is in (s, e] when
 * s < t <= e; a union covers an instant when any interval does.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clipIntervals,
  coveredMs,
  type Interval,
  insideIntervals,
  mergeIntervals,
} from "../../src/engine/intervals.js";

const GRID = 60;

const interval = fc
  .tuple(fc.integer({ min: 0, max: GRID }), fc.integer({ min: 0, max: 20 }))
  .map(([startMs, len]): Interval => ({ startMs, endMs: startMs + len }));
const intervals = fc.array(interval, { maxLength: 8 });

/** Which grid instants (integers 1..GRID+20) any interval covers. */
function coveredInstants(list: readonly Interval[]): number[] {
  const out: number[] = [];
  for (let t = -1; t <= GRID + 21; t++) {
    if (list.some((i) => i.startMs < t && t <= i.endMs)) out.push(t);
  }
  return out;
}

describe("interval maths for corrections", () => {
  it("merging keeps exactly the instants covered, in order, none overlapping or touching", () => {
    fc.assert(
      fc.property(intervals, (list) => {
        const merged = mergeIntervals(list);
        expect(coveredInstants(merged)).toEqual(coveredInstants(list));
        for (let k = 1; k < merged.length; k++) {
          expect(merged[k]!.startMs).toBeGreaterThan(merged[k - 1]!.endMs);
        }
      }),
    );
  });

  it("an instant is inside the merged list exactly when some interval holds it", () => {
    fc.assert(
      fc.property(intervals, fc.integer({ min: -2, max: GRID + 22 }), (list, t) => {
        const expected = list.some((i) => i.startMs < t && t <= i.endMs);
        expect(insideIntervals(mergeIntervals(list), t)).toBe(expected);
      }),
    );
  });

  it("clipping to (from, to] covers the instants of both, and coveredMs counts them", () => {
    fc.assert(
      fc.property(
        intervals,
        fc.integer({ min: 0, max: GRID }),
        fc.integer({ min: 0, max: 30 }),
        (list, from, len) => {
          const to = from + len;
          const merged = mergeIntervals(list);
          const inWindow = coveredInstants(list).filter((t) => from < t && t <= to);
          expect(coveredInstants(clipIntervals(merged, from, to))).toEqual(inWindow);
          expect(coveredMs(merged, from, to)).toBe(inWindow.length);
        },
      ),
    );
  });
});
