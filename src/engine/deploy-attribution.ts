/**
 * Which deploy spent the budget: the window's budget split at each deploy,
 * so that the shares add up to the budget spent in the window.
 *
 * occurrences: a stretch's share is its bad events over the budget of the
 * whole window's events, (1 - objective) × total, the same denominator as
 * `errorBudgetOf` and the burn-down. Timeslices: a stretch's share is the
 * "badness" of the slices ending in it (timeslices: 1 per slice below
 * target; ratioTimeslices: 1 - its ratio) over (1 - objective) × slices
 * with data, which is how `timesliceSli` makes the consumed budget.
 */

import { badOf, type Counts, sliOf } from "./budget.js";

export interface BudgetShares {
  /** spent between the window's start and the first deploy */
  beforeFirst: number;
  /** spent from each deploy until the next (the last: until the window's end) */
  perDeploy: number[];
}

/**
 * occurrences: `stretches` are the counts of (start, d0], (d0, d1], ...,
 * (dn-1, end]: one more than there are deploys.
 */
export function occurrenceShares(
  objective: number,
  whole: Counts,
  stretches: readonly Counts[],
): BudgetShares {
  const allowedBad = (1 - objective) * whole.total;
  const shares = stretches.map((c) => (allowedBad > 0 ? badOf(c) / allowedBad : 0));
  return { beforeFirst: shares[0] ?? 0, perDeploy: shares.slice(1) };
}

export interface SliceSeries {
  counts: readonly Counts[];
  /** slice i covers (startMs + i × stepMs, startMs + (i + 1) × stepMs] */
  startMs: number;
  stepMs: number;
}

/** Timeslices: each slice belongs to the stretch its end falls in, deploy times `cuts` ascending. */
export function sliceShares(
  objective: number,
  method: "timeslices" | "ratioTimeslices",
  target: number,
  slices: SliceSeries,
  cuts: readonly number[],
): BudgetShares {
  const badness = new Array<number>(cuts.length + 1).fill(0);
  let withData = 0;
  slices.counts.forEach((slice, i) => {
    const ratio = sliOf(slice);
    if (ratio === null) return;
    withData++;
    const bad = method === "timeslices" ? (ratio >= target ? 0 : 1) : 1 - ratio;
    const endMs = slices.startMs + (i + 1) * slices.stepMs;
    badness[stretchOf(endMs, cuts)]! += bad;
  });
  const allowed = (1 - objective) * withData;
  const shares = badness.map((b) => (allowed > 0 ? b / allowed : 0));
  return { beforeFirst: shares[0] ?? 0, perDeploy: shares.slice(1) };
}

/** 0: at or before the first cut; k: in (cuts[k-1], cuts[k]]; cuts.length: after the last. */
function stretchOf(atMs: number, cuts: readonly number[]): number {
  let k = 0;
  while (k < cuts.length && atMs > cuts[k]!) k++;
  return k;
}
