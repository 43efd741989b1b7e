import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ComparisonOp,
  countSamplesIn,
  countSamplesPerBucket,
  goodShare,
  type Judge,
  type Samples,
  sampledTimeslices,
} from "../../src/engine/samples.js";

const MIN = 60_000;
const OPS: ComparisonOp[] = ["lt", "lte", "gt", "gte"];

/** The slow reference: every sample against every slice, written from the definitions. */
function referenceSlices(
  points: [number, number][],
  op: ComparisonOp,
  threshold: number,
  startMs: number,
  sliceMs: number,
  count: number,
  target: number,
) {
  const meets = (v: number) =>
    op === "lt"
      ? v < threshold
      : op === "lte"
        ? v <= threshold
        : op === "gt"
          ? v > threshold
          : v >= threshold;
  let good = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const from = startMs + i * sliceMs;
    const to = startMs + (i + 1) * sliceMs;
    const inSlice = points.filter(([t, v]) => t > from && t <= to && !Number.isNaN(v));
    if (inSlice.length === 0) continue;
    total++;
    if (inSlice.filter(([, v]) => meets(v)).length / inSlice.length >= target) good++;
  }
  return { good, total, withoutData: count - total };
}

function samplesOf(points: [number, number][]): Samples {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  return { atMs: sorted.map((p) => p[0]), values: sorted.map((p) => p[1]) };
}

const value = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constant(Number.NaN),
);

describe("sampled values per timeslice", () => {
  it("agree with the slow reference, slice bounds and NaN included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -2, max: 62 }), value), { maxLength: 80 }),
        fc.constantFrom(...OPS),
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0.5, 0.9, 1),
        (raw, op, threshold, sliceMinutes, count, target) => {
          // Times on whole minutes, so many land exactly on slice bounds.
          const points = raw.map(([m, v]): [number, number] => [m * MIN, v]);
          const startMs = 0;
          const got = sampledTimeslices(
            samplesOf(points),
            { kind: "threshold", op, threshold },
            { startMs, stepMs: sliceMinutes * MIN, count },
            target,
          );
          expect(got).toEqual(
            referenceSlices(points, op, threshold, startMs, sliceMinutes * MIN, count, target),
          );
        },
      ),
    );
  });

  it("buckets of a fractional step (the burn-down's) hold each sample once, as their bounds say", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 17 }),
        (times, count) => {
          const stepMs = 1000 / count;
          const samples = samplesOf(times.map((t) => [t, 1]));
          const buckets = countSamplesPerBucket(
            samples,
            { kind: "ratio", of: "good" },
            { startMs: 0, stepMs, count },
          );
          buckets.forEach((b, i) => {
            const inside = times.filter((t) => t > i * stepMs && t <= (i + 1) * stepMs).length;
            expect(b.total).toBe(inside);
          });
        },
      ),
    );
  });

  it("a window counts the samples in (start, end]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), value), { maxLength: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (points, a, b) => {
          const [startMs, endMs] = a <= b ? [a, b] : [b, a];
          const judge: Judge = { kind: "threshold", op: "gte", threshold: 0 };
          const got = countSamplesIn(samplesOf(points), judge, { startMs, endMs });
          const inside = points.filter(([t, v]) => t > startMs && t <= endMs && !Number.isNaN(v));
          expect(got).toEqual({
            total: inside.length,
            good: inside.filter(([, v]) => v >= 0).length,
          });
        },
      ),
    );
  });

  it("hand-counted: 1m slices, the value above 0.5 in 2 of 5 slices with data, one slice without", () => {
    // slices (0,1m] .. (5m,6m]; the 4th holds no sample
    const samples = samplesOf([
      [1 * MIN, 0.2],
      [2 * MIN, 0.9],
      [3 * MIN, 0.4],
      [5 * MIN, 0.7],
      [6 * MIN, Number.NaN],
      [6 * MIN - 1, 0.5],
    ]);
    const judge: Judge = { kind: "threshold", op: "gt", threshold: 0.5 };
    expect(sampledTimeslices(samples, judge, { startMs: 0, stepMs: MIN, count: 6 }, 1)).toEqual({
      good: 2,
      total: 5,
      withoutData: 1,
    });
  });
});

describe("a sampled ratio", () => {
  it("is worth its value in good events, 1 - value for a ratio of bad ones, clamped to [0, 1]", () => {
    expect(goodShare(0.25, { kind: "ratio", of: "good" })).toBe(0.25);
    expect(goodShare(0.25, { kind: "ratio", of: "bad" })).toBe(0.75);
    expect(goodShare(1.02, { kind: "ratio", of: "good" })).toBe(1);
    expect(goodShare(-0.01, { kind: "ratio", of: "bad" })).toBe(1);
    expect(goodShare(Number.POSITIVE_INFINITY, { kind: "ratio", of: "good" })).toBeNull();
    expect(goodShare(Number.NaN, { kind: "threshold", op: "lte", threshold: 1 })).toBeNull();
  });

  it("over a window is the time-average of the ratio", () => {
    const samples = samplesOf([
      [MIN, 0.9],
      [2 * MIN, 1],
      [3 * MIN, 0.95],
      [4 * MIN, 0.99],
    ]);
    const c = countSamplesIn(
      samples,
      { kind: "ratio", of: "good" },
      { startMs: 0, endMs: 4 * MIN },
    );
    expect(c.total).toBe(4);
    expect(c.good / c.total).toBeCloseTo((0.9 + 1 + 0.95 + 0.99) / 4, 12);
  });
});
