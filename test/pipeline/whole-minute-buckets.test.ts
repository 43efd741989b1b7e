/**
 * The burn-down's points and the previous window's coverage buckets fall on
 * whole minutes where a count in range divides the span, so a rerun can
 * count them from the logs' minute cache; else they keep their old counts.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BURN_DOWN_POINTS,
  burnDownPoints,
  coverageBuckets,
  PREVIOUS_COVERAGE_BUCKETS,
} from "../../src/pipeline/requests.js";

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

describe("whole-minute buckets", () => {
  it("measures the usual windows' coverage in 96 or 100 buckets", () => {
    expect(coverageBuckets(30 * DAY)).toBe(100);
    expect(coverageBuckets(28 * DAY)).toBe(96);
    expect(coverageBuckets(7 * DAY)).toBe(96);
    expect(coverageBuckets(DAY)).toBe(96);
    expect(coverageBuckets(31 * DAY)).toBe(96);
    expect(coverageBuckets(90.5 * MINUTE)).toBe(PREVIOUS_COVERAGE_BUCKETS);
    // 3797 minutes (a prime) has no divisor from 50 to 100
    expect(coverageBuckets(3797 * MINUTE)).toBe(PREVIOUS_COVERAGE_BUCKETS);
  });

  it("draws the burn-down in 120 points, one a minute under two hours", () => {
    expect(burnDownPoints(30 * DAY)).toBe(BURN_DOWN_POINTS);
    expect(burnDownPoints(DAY)).toBe(BURN_DOWN_POINTS);
    expect(burnDownPoints(60 * MINUTE)).toBe(60);
    expect(burnDownPoints(0.5 * MINUTE)).toBe(1);
    // 34173 minutes = 9 x 3797: no divisor from 60 to 120
    expect(burnDownPoints(34173 * MINUTE)).toBe(BURN_DOWN_POINTS);
    // 33120 minutes (23 days) = 115 x 288
    expect(burnDownPoints(33120 * MINUTE)).toBe(120);
    expect(burnDownPoints(33121 * MINUTE)).toBe(BURN_DOWN_POINTS);
  });

  it("gives whole-minute steps whenever a count in range divides the span", () => {
    fc.assert(
      fc.property(fc.integer({ min: 120, max: 2_000_000 }), (minutes) => {
        const points = burnDownPoints(minutes * MINUTE);
        const buckets = coverageBuckets(minutes * MINUTE);
        const pointsFit = Array.from({ length: 61 }, (_, i) => 60 + i).some(
          (n) => minutes % n === 0,
        );
        const bucketsFit = Array.from({ length: 51 }, (_, i) => 50 + i).some(
          (n) => minutes % n === 0,
        );
        expect(points >= 60 && points <= 120).toBe(true);
        expect(buckets >= 50 && buckets <= 100).toBe(true);
        expect(minutes % points === 0).toBe(pointsFit);
        expect(minutes % buckets === 0).toBe(bucketsFit);
      }),
    );
  });
});
