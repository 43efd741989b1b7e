/**
 * Timeslice budgeting (OpenSLO): the SLI counts slices, not events.
 * timeslices: a slice is good when its own ratio meets the target;
 * ratioTimeslices: the SLI is the mean of the slices' ratios.
 * Slices without events have no data and are left out.
 */

import { type Counts, sliOf } from "./budget.js";

export function timesliceSli(
  slices: readonly Counts[],
  method: "timeslices" | "ratioTimeslices",
  target: number,
): { sli: number | null; goodSlices: number; slices: number } {
  let withData = 0;
  let good = 0;
  let ratioSum = 0;
  for (const slice of slices) {
    const ratio = sliOf(slice);
    if (ratio === null) continue;
    withData++;
    ratioSum += ratio;
    if (ratio >= target) good++;
  }
  if (withData === 0) return { sli: null, goodSlices: 0, slices: 0 };
  const sli = method === "timeslices" ? good / withData : ratioSum / withData;
  return { sli, goodSlices: good, slices: withData };
}
