/**
 * The budget split at each deploy adds up to the budget the engine says was
 * spent, for events and for timeslices, wherever the deploys fall.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Counts, errorBudgetOf, sliOf } from "../../src/engine/budget.js";
import { occurrenceShares, sliceShares } from "../../src/engine/deploy-attribution.js";
import { timesliceSli } from "../../src/engine/timeslices.js";

const counts = fc
  .tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
  .map(([bad, good]): Counts => ({ good, total: good + bad }));

const objective = fc.constantFrom(0.9, 0.99, 0.995, 0.999);

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

describe("deploy attribution", () => {
  it("occurrences: the stretches' shares add up to the budget spent over them all", () => {
    fc.assert(
      fc.property(
        objective,
        fc.array(counts, { minLength: 1, maxLength: 12 }),
        (obj, stretches) => {
          const whole = {
            good: sum(stretches.map((c) => c.good)),
            total: sum(stretches.map((c) => c.total)),
          };
          const shares = occurrenceShares(obj, whole, stretches);
          expect(shares.perDeploy).toHaveLength(stretches.length - 1);
          const spent = errorBudgetOf(sliOf(whole), obj).consumed;
          expect(shares.beforeFirst + sum(shares.perDeploy)).toBeCloseTo(spent, 9);
        },
      ),
    );
  });

  it("timeslices: each slice counts once, where it ends, and the shares add up to the budget spent", () => {
    fc.assert(
      fc.property(
        objective,
        fc.constantFrom("timeslices" as const, "ratioTimeslices" as const),
        fc.array(counts, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: -5, max: 45 }), { maxLength: 6 }),
        (obj, method, slices, cutIndexes) => {
          const step = 300_000;
          const start = 1_000_000;
          // deploys anywhere, on slice edges or inside slices, before or after the window
          const cuts = [...new Set(cutIndexes.map((i) => start + i * step + (i % 2) * 1000))].sort(
            (a, b) => a - b,
          );
          const shares = sliceShares(
            obj,
            method,
            obj,
            { counts: slices, startMs: start, stepMs: step },
            cuts,
          );
          expect(shares.perDeploy).toHaveLength(cuts.length);
          const spent = errorBudgetOf(timesliceSli(slices, method, obj).sli, obj).consumed;
          expect(shares.beforeFirst + sum(shares.perDeploy)).toBeCloseTo(spent, 9);
        },
      ),
    );
  });

  it("a slice belongs to the deploy before its end: (start, d] before d, (d, next] after it", () => {
    const bad = { good: 0, total: 1 };
    const good = { good: 1, total: 1 };
    // slices end at 10, 20, 30; a deploy at 20: the slice ending at 20 was before it
    const shares = sliceShares(
      0.5,
      "timeslices",
      0.5,
      { counts: [bad, bad, bad], startMs: 0, stepMs: 10 },
      [20],
    );
    expect(shares.beforeFirst).toBeCloseTo(2 / 1.5, 12);
    expect(shares.perDeploy).toEqual([1 / 1.5]);
    const none = sliceShares(
      0.5,
      "timeslices",
      0.5,
      { counts: [good, good], startMs: 0, stepMs: 10 },
      [5],
    );
    expect(none).toEqual({ beforeFirst: 0, perDeploy: [0] });
  });
});
