/**
 * The counts of one request as events stream past: per window, per series
 * bucket, and the breakdown of bad events; a grouped SLO's also per group.
 * Memory is fixed by the windows and buckets, by the breakdown's
 * MAX_BREAKDOWN_VALUES counters of cut values, and by the groups'
 * MAX_GROUP_VALUES_TALLIED, never by the input. A tally's state is plain
 * data, so tallies made in worker threads can be merged.
 */

import { MAX_BREAKDOWN_VALUES, MAX_GROUP_VALUES_TALLIED } from "../../../limits.js";
import type { BreakdownEntry, Counts, CountsOverTime, GroupCounts } from "../../types.js";
import { type BreakdownKey, compareKeys, entryOf } from "./breakdown-key.js";
import type { RequestPlan } from "./request-plan.js";
import { SpaceSavingCounter, type SpaceSavingState } from "./space-saving-counter.js";

/** Good and total events per window and per series bucket. */
export interface Cells {
  windowGood: Float64Array;
  windowTotal: Float64Array;
  seriesGood: Float64Array[];
  seriesTotal: Float64Array[];
}

/** A grouped SLO's counts: each value's own, up to MAX_GROUP_VALUES_TALLIED; the later values' together. */
export interface GroupTallies {
  /** by the group key (groupKey): the values and their cells */
  tallied: Map<string, { values: string[]; cells: Cells }>;
  untallied: Cells | null;
}

export interface TallyState extends Cells {
  breakdown: SpaceSavingState;
  missingField: number;
  groups: GroupTallies | null;
}

/** The key of a group's values: the value itself for one field, else the list as JSON. */
export function groupKey(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

export class Tally {
  readonly state: TallyState;
  private readonly plan: RequestPlan;
  private readonly breakdownCounter: SpaceSavingCounter;

  constructor(plan: RequestPlan) {
    this.plan = plan;
    this.breakdownCounter = new SpaceSavingCounter(MAX_BREAKDOWN_VALUES);
    this.state = {
      ...emptyCells(plan),
      breakdown: this.breakdownCounter.state,
      missingField: 0,
      groups: plan.grouping ? { tallied: new Map(), untallied: null } : null,
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

  /**
   * Count one event at t (epoch ms). breakdownKey: where a bad event goes in
   * the breakdown; group: a grouped SLO's values of the event.
   */
  record(t: number, good: boolean, breakdownKey?: BreakdownKey, group?: string[]): void {
    this.countIn(this.state, t, good);
    if (!good && breakdownKey !== undefined) this.breakdownCounter.add(breakdownKey);
    if (group !== undefined) this.countIn(this.groupCells(group), t, good);
  }

  /** The cells of a group: its own while fewer than MAX_GROUP_VALUES_TALLIED have some, else the untallied. */
  private groupCells(values: string[]): Cells {
    const groups = this.state.groups!;
    const key = groupKey(values);
    const known = groups.tallied.get(key);
    if (known) return known.cells;
    if (groups.tallied.size < MAX_GROUP_VALUES_TALLIED) {
      const cells = emptyCells(this.plan);
      groups.tallied.set(key, { values, cells });
      return cells;
    }
    groups.untallied ??= emptyCells(this.plan);
    return groups.untallied;
  }

  private countIn(cells: Cells, t: number, good: boolean): void {
    const windows = this.plan.windows;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (t > w.startMs && t <= w.endMs) {
        cells.windowTotal[i]!++;
        if (good) cells.windowGood[i]!++;
      }
    }
    const series = this.plan.series;
    for (let i = 0; i < series.length; i++) {
      const r = series[i]!;
      // bucket b is (start + b*step, start + (b+1)*step]
      const b = Math.ceil((t - r.startMs) / r.stepMs) - 1;
      if (b >= 0 && b < r.count) {
        cells.seriesTotal[i]![b]!++;
        if (good) cells.seriesGood[i]![b]!++;
      }
    }
  }

  missingField(): void {
    this.state.missingField++;
  }

  merge(other: TallyState): void {
    const s = this.state;
    addCells(s, other);
    this.breakdownCounter.merge(other.breakdown);
    s.missingField += other.missingField;
    if (other.groups) this.mergeGroups(other.groups);
  }

  /** Another part's groups: each value into its own where it has or may have one, else the untallied. */
  private mergeGroups(other: GroupTallies): void {
    for (const { values, cells } of other.tallied.values())
      addCells(this.groupCells(values), cells);
    if (other.untallied) {
      const groups = this.state.groups!;
      groups.untallied ??= emptyCells(this.plan);
      addCells(groups.untallied, other.untallied);
    }
  }

  windows(): Record<string, Counts> {
    return windowsOf(this.plan, this.state);
  }

  series(): Record<string, Counts[]> {
    return seriesOf(this.plan, this.state);
  }

  /** A grouped SLO's groups, and the counts of the values past the tallied ones. */
  groups(): { groups: GroupCounts[]; untallied?: CountsOverTime } | undefined {
    const groups = this.state.groups;
    if (!groups) return undefined;
    const counted = (cells: Cells): CountsOverTime => ({
      windows: windowsOf(this.plan, cells),
      series: seriesOf(this.plan, cells),
    });
    return {
      groups: [...groups.tallied.values()].map(({ values, cells }) => ({
        values,
        ...counted(cells),
      })),
      ...(groups.untallied ? { untallied: counted(groups.untallied) } : {}),
    };
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

function emptyCells(plan: RequestPlan): Cells {
  return {
    windowGood: new Float64Array(plan.windows.length),
    windowTotal: new Float64Array(plan.windows.length),
    seriesGood: plan.series.map((s) => new Float64Array(s.count)),
    seriesTotal: plan.series.map((s) => new Float64Array(s.count)),
  };
}

function windowsOf(plan: RequestPlan, cells: Cells): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  plan.windows.forEach((w, i) => {
    out[w.key] = { good: cells.windowGood[i]!, total: cells.windowTotal[i]! };
  });
  return out;
}

function seriesOf(plan: RequestPlan, cells: Cells): Record<string, Counts[]> {
  const out: Record<string, Counts[]> = {};
  plan.series.forEach((r, i) => {
    const good = cells.seriesGood[i]!;
    const total = cells.seriesTotal[i]!;
    out[r.key] = Array.from(total, (t, b) => ({ good: good[b]!, total: t }));
  });
  return out;
}

function addCells(target: Cells, source: Cells): void {
  addInto(target.windowGood, source.windowGood);
  addInto(target.windowTotal, source.windowTotal);
  for (let i = 0; i < source.seriesTotal.length; i++) {
    addInto(target.seriesGood[i]!, source.seriesGood[i]!);
    addInto(target.seriesTotal[i]!, source.seriesTotal[i]!);
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
