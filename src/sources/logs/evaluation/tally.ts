/**
 * The counts of one request as events stream past: per window, per series
 * bucket, and the breakdown of bad events. Memory is fixed by the windows
 * and buckets, and by the breakdown's MAX_BREAKDOWN_VALUES counters of cut
 * values, never by the input. A tally's state is plain data, so tallies made
 * in worker threads can be merged.
 */

import { MAX_BREAKDOWN_VALUES } from "../../../limits.js";
import type { BreakdownEntry, Counts, Period } from "../../types.js";
import { type BreakdownKey, compareKeys, entryOf } from "./breakdown-key.js";
import type { RequestPlan } from "./request-plan.js";
import { SpaceSavingCounter, type SpaceSavingState } from "./space-saving-counter.js";

export interface TallyState {
  windowGood: Float64Array;
  windowTotal: Float64Array;
  seriesGood: Float64Array[];
  seriesTotal: Float64Array[];
  breakdown: SpaceSavingState;
  missingField: number;
  /** per correction: the events it left out of its window */
  excludedGood: Float64Array;
  excludedTotal: Float64Array;
}

export class Tally {
  readonly state: TallyState;
  private readonly plan: RequestPlan;
  private readonly breakdownCounter: SpaceSavingCounter;

  constructor(plan: RequestPlan) {
    this.plan = plan;
    this.breakdownCounter = new SpaceSavingCounter(MAX_BREAKDOWN_VALUES);
    this.state = {
      windowGood: new Float64Array(plan.windows.length),
      windowTotal: new Float64Array(plan.windows.length),
      seriesGood: plan.series.map((s) => new Float64Array(s.count)),
      seriesTotal: plan.series.map((s) => new Float64Array(s.count)),
      breakdown: this.breakdownCounter.state,
      missingField: 0,
      excludedGood: new Float64Array(plan.excluded?.corrections.length ?? 0),
      excludedTotal: new Float64Array(plan.excluded?.corrections.length ?? 0),
    };
  }

  /** Whether an event at t falls in any window or bucket of this request. */
  covers(t: number): boolean {
    return t > this.plan.fromMs && t <= this.plan.toMs;
  }

  /** Whether a bad event at t is grouped in the breakdown. */
  wantsBreakdown(t: number): boolean {
    const b = this.plan.breakdown;
    return b !== null && t > b.startMs && t <= b.endMs;
  }

  /** Count one event at t (epoch ms). breakdownKey: where a bad event goes in the breakdown. */
  record(t: number, good: boolean, breakdownKey?: BreakdownKey): void {
    if (this.excludedAt(t, good)) return;
    this.countInWindows(t, good);
    this.countInSeries(t, good);
    if (!good && breakdownKey !== undefined) this.breakdownCounter.add(breakdownKey);
  }

  private countInWindows(t: number, good: boolean): void {
    const windows = this.plan.windows;
    const s = this.state;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (t > w.startMs && t <= w.endMs) {
        s.windowTotal[i]!++;
        if (good) s.windowGood[i]!++;
      }
    }
  }

  private countInSeries(t: number, good: boolean): void {
    const series = this.plan.series;
    const s = this.state;
    for (let i = 0; i < series.length; i++) {
      const r = series[i]!;
      // bucket b is (start + b*step, start + (b+1)*step]
      const b = Math.ceil((t - r.startMs) / r.stepMs) - 1;
      if (b >= 0 && b < r.count) {
        s.seriesTotal[i]![b]!++;
        if (good) s.seriesGood[i]![b]!++;
      }
    }
  }

  /** True when a correction leaves out an event at t: then counted only per correction, in its window. */
  private excludedAt(t: number, good: boolean): boolean {
    const excluded = this.plan.excluded;
    if (excluded === null || !insidePeriods(excluded.periods, t)) return false;
    if (t <= excluded.startMs || t > excluded.endMs) return true;
    const s = this.state;
    excluded.corrections.forEach((periods, i) => {
      if (!insidePeriods(periods, t)) return;
      s.excludedTotal[i]!++;
      if (good) s.excludedGood[i]!++;
    });
    return true;
  }

  missingField(): void {
    this.state.missingField++;
  }

  /** Per correction, the events it left out of its window. */
  excluded(): Counts[] | undefined {
    if (this.plan.excluded === null) return undefined;
    const { excludedGood: good, excludedTotal: total } = this.state;
    return Array.from(total, (t, i) => ({ good: good[i]!, total: t }));
  }

  merge(other: TallyState): void {
    const s = this.state;
    addInto(s.windowGood, other.windowGood);
    addInto(s.windowTotal, other.windowTotal);
    for (let i = 0; i < other.seriesTotal.length; i++) {
      addInto(s.seriesGood[i]!, other.seriesGood[i]!);
      addInto(s.seriesTotal[i]!, other.seriesTotal[i]!);
    }
    this.breakdownCounter.merge(other.breakdown);
    s.missingField += other.missingField;
    addInto(s.excludedGood, other.excludedGood);
    addInto(s.excludedTotal, other.excludedTotal);
  }

  windows(): Record<string, Counts> {
    const out: Record<string, Counts> = {};
    this.plan.windows.forEach((w, i) => {
      out[w.key] = { good: this.state.windowGood[i]!, total: this.state.windowTotal[i]! };
    });
    return out;
  }

  series(): Record<string, Counts[]> {
    const out: Record<string, Counts[]> = {};
    this.plan.series.forEach((r, i) => {
      const good = this.state.seriesGood[i]!;
      const total = this.state.seriesTotal[i]!;
      out[r.key] = Array.from(total, (t, b) => ({ good: good[b]!, total: t }));
    });
    return out;
  }

  /** The values that spent most, by count; ties: values before buckets, values in code unit order. */
  breakdown(): BreakdownEntry[] {
    const limit = this.plan.breakdown?.limit ?? 0;
    return this.breakdownCounter
      .entries()
      .sort((a, b) => b.count - a.count || compareKeys(a.key, b.key))
      .slice(0, limit)
      .map(entryOf);
  }
}

/** Whether t is inside one of sorted, separate periods (start, end]: a binary search. */
function insidePeriods(periods: readonly Period[], t: number): boolean {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid]!;
    if (t <= p.startMs) hi = mid - 1;
    else if (t > p.endMs) lo = mid + 1;
    else return true;
  }
  return false;
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
