/**
 * The counts of one request as events stream past: per window, per series
 * bucket, and the breakdown of bad events. Memory is fixed by the windows
 * and buckets (the breakdown is capped), never by the input. A tally's state
 * is plain data, so tallies made in worker threads can be merged.
 */

import type { BreakdownEntry, Counts } from "../../types.js";
import type { RequestPlan } from "./request-plan.js";

/** Distinct breakdown values kept; later new values are counted in the "other" bucket. */
export const MAX_BREAKDOWN_VALUES = 10_000;

/**
 * A breakdown key: a value, or one of slo's own buckets. The first character
 * tells them apart, so no value of the field can be taken for a bucket.
 */
export type BreakdownKey = string;
export const NONE_KEY: BreakdownKey = "n";
const OTHER_KEY: BreakdownKey = "o";

export function valueKey(value: string): BreakdownKey {
  return `v${value}`;
}

function entryOf(key: BreakdownKey, count: number): BreakdownEntry {
  if (key === NONE_KEY) return { bucket: "none", count };
  if (key === OTHER_KEY) return { bucket: "other", count };
  return { value: key.slice(1), count };
}

export interface TallyState {
  windowGood: Float64Array;
  windowTotal: Float64Array;
  seriesGood: Float64Array[];
  seriesTotal: Float64Array[];
  breakdown: Map<BreakdownKey, number>;
  missingField: number;
}

export class Tally {
  readonly state: TallyState;
  private readonly plan: RequestPlan;

  constructor(plan: RequestPlan) {
    this.plan = plan;
    this.state = {
      windowGood: new Float64Array(plan.windows.length),
      windowTotal: new Float64Array(plan.windows.length),
      seriesGood: plan.series.map((s) => new Float64Array(s.count)),
      seriesTotal: plan.series.map((s) => new Float64Array(s.count)),
      breakdown: new Map(),
      missingField: 0,
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
    this.countInWindows(t, good);
    this.countInSeries(t, good);
    if (!good && breakdownKey !== undefined) this.countBreakdown(breakdownKey, 1);
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

  missingField(): void {
    this.state.missingField++;
  }

  merge(other: TallyState): void {
    const s = this.state;
    addInto(s.windowGood, other.windowGood);
    addInto(s.windowTotal, other.windowTotal);
    for (let i = 0; i < other.seriesTotal.length; i++) {
      addInto(s.seriesGood[i]!, other.seriesGood[i]!);
      addInto(s.seriesTotal[i]!, other.seriesTotal[i]!);
    }
    for (const [value, count] of other.breakdown) this.countBreakdown(value, count);
    s.missingField += other.missingField;
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

  /** Top values by count; ties: values before buckets, values in code unit order. */
  breakdown(): BreakdownEntry[] {
    const limit = this.plan.breakdown?.limit ?? 0;
    return [...this.state.breakdown]
      .sort(([aKey, a], [bKey, b]) => b - a || compareKeys(aKey, bKey))
      .slice(0, limit)
      .map(([key, count]) => entryOf(key, count));
  }

  private countBreakdown(key: BreakdownKey, count: number): void {
    const map = this.state.breakdown;
    const known = map.get(key);
    if (known !== undefined) map.set(key, known + count);
    else if (map.size < MAX_BREAKDOWN_VALUES) map.set(key, count);
    else map.set(OTHER_KEY, (map.get(OTHER_KEY) ?? 0) + count);
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}

/** Values ("v...") sort before buckets ("n", "o"), each in code unit order. */
function compareKeys(a: BreakdownKey, b: BreakdownKey): number {
  const aValue = a.startsWith("v");
  const bValue = b.startsWith("v");
  if (aValue !== bValue) return aValue ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
