/**
 * The counts of one request as events stream past: per window, per series
 * bucket, and the breakdown of bad events; a grouped SLO's also per group.
 * Memory is fixed by the windows and buckets, by the breakdown's
 * MAX_BREAKDOWN_VALUES counters of cut values, and by the groups'
 * groupValuesTallied, never by the input; a correction's periods are
 * skipped (and counted per correction for the report). A tally's state is plain
 * data, so tallies made in worker threads can be merged.
 */

import {
  MAX_BREAKDOWN_VALUES,
  MAX_GROUP_TALLY_BYTES,
  MAX_GROUP_VALUES_TALLIED,
} from "../../../limits.js";
import type { BreakdownEntry, Counts, CountsOverTime, GroupCounts, Period } from "../../types.js";
import { type BreakdownKey, compareKeys, entryOf } from "./breakdown-key.js";
import type { RequestPlan } from "./request-plan.js";
import { SpaceSavingCounter, type SpaceSavingState } from "./space-saving-counter.js";

/** Good and total events per window and per series bucket. */
export interface Cells {
  windowGood: Float64Array;
  windowTotal: Float64Array;
  seriesGood: Float64Array[];
  seriesTotal: Float64Array[];
  /** per correction: the events it left out of its window; last, those any left out (each once) */
  excludedGood: Float64Array;
  excludedTotal: Float64Array;
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

/**
 * How many values a tally keeps apart: MAX_GROUP_VALUES_TALLIED, fewer when
 * each value's windows and buckets would pass MAX_GROUP_TALLY_BYTES, never
 * fewer than the groupLimit (so the groups reported are always exact).
 */
export function groupValuesTallied(plan: RequestPlan): number {
  const cells = 2 * (plan.windows.length + plan.series.reduce((n, s) => n + s.count, 0));
  const byMemory = Math.floor(MAX_GROUP_TALLY_BYTES / (Float64Array.BYTES_PER_ELEMENT * cells));
  return Math.max(plan.grouping?.limit ?? 0, Math.min(MAX_GROUP_VALUES_TALLIED, byMemory));
}

/** The key of a group's values: the value itself for one field, else the list as JSON. */
export function groupKey(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

export class Tally {
  private readonly counted: TallyState;
  private readonly plan: RequestPlan;
  private readonly breakdownCounter: SpaceSavingCounter;
  private readonly groupCapacity: number;
  /** whether events go through the current span (see SpanCount): no group, no correction */
  private readonly spans: boolean;
  private readonly span: SpanCount;

  constructor(plan: RequestPlan) {
    this.plan = plan;
    this.groupCapacity = groupValuesTallied(plan);
    this.breakdownCounter = new SpaceSavingCounter(MAX_BREAKDOWN_VALUES);
    this.counted = {
      ...emptyCells(plan),
      breakdown: this.breakdownCounter.state,
      missingField: 0,
      groups: plan.grouping ? { tallied: new Map(), untallied: null } : null,
    };
    this.spans = plan.grouping === null && plan.excluded === null;
    this.span = new SpanCount();
  }

  /** The counts so far (plain data, to merge or send to another thread). */
  get state(): TallyState {
    this.closeSpan();
    return this.counted;
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
    if (this.spans) {
      const span = this.span;
      if (!(t > span.fromMs && t <= span.toMs)) this.openSpan(t);
      span.total++;
      if (good) span.good++;
      else if (breakdownKey !== undefined) this.breakdownCounter.add(breakdownKey);
      return;
    }
    const cells = group === undefined ? undefined : this.groupCells(group);
    if (this.excludedAt(t, good, cells)) return;
    this.countIn(this.counted, t, good);
    if (!good && breakdownKey !== undefined) this.breakdownCounter.add(breakdownKey);
    if (cells !== undefined) this.countIn(cells, t, good);
  }

  /**
   * Count the current span's events into the cells they fall in, then start
   * the span t is in: the instants around t whose events fall in the same
   * windows and buckets as t's (between the nearest window or bucket edges).
   */
  private openSpan(t: number): void {
    this.closeSpan();
    let fromMs = Number.NEGATIVE_INFINITY;
    let toMs = Number.POSITIVE_INFINITY;
    for (const w of this.plan.windows) {
      if (t <= w.startMs) toMs = Math.min(toMs, w.startMs);
      else if (t <= w.endMs) {
        fromMs = Math.max(fromMs, w.startMs);
        toMs = Math.min(toMs, w.endMs);
      } else fromMs = Math.max(fromMs, w.endMs);
    }
    for (const r of this.plan.series) {
      // bucket b is (start + b*step, start + (b+1)*step], as countIn finds it
      const b = Math.ceil((t - r.startMs) / r.stepMs) - 1;
      if (b < 0) toMs = Math.min(toMs, r.startMs);
      else if (b >= r.count) fromMs = Math.max(fromMs, r.startMs + r.count * r.stepMs);
      else {
        fromMs = Math.max(fromMs, r.startMs + b * r.stepMs);
        toMs = Math.min(toMs, r.startMs + (b + 1) * r.stepMs);
      }
    }
    const span = this.span;
    span.fromMs = fromMs;
    span.toMs = toMs;
    span.at = t;
  }

  /** Count the current span's events (all at instants like span.at) into the cells, and empty it. */
  private closeSpan(): void {
    const span = this.span;
    if (span.total === 0) return;
    const cells = this.counted;
    const windows = this.plan.windows;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (span.at > w.startMs && span.at <= w.endMs) {
        cells.windowTotal[i]! += span.total;
        cells.windowGood[i]! += span.good;
      }
    }
    const series = this.plan.series;
    for (let i = 0; i < series.length; i++) {
      const r = series[i]!;
      const b = Math.ceil((span.at - r.startMs) / r.stepMs) - 1;
      if (b >= 0 && b < r.count) {
        cells.seriesTotal[i]![b]! += span.total;
        cells.seriesGood[i]![b]! += span.good;
      }
    }
    span.total = 0;
    span.good = 0;
  }

  /** The cells of a group: its own while fewer than groupValuesTallied have some, else the untallied. */
  private groupCells(values: string[]): Cells {
    const groups = this.counted.groups!;
    const key = groupKey(values);
    const known = groups.tallied.get(key);
    if (known) return known.cells;
    if (groups.tallied.size < this.groupCapacity) {
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

  /**
   * True when a correction leaves out an event at t: then counted only per
   * correction, in its window (and in its group's, for a grouped SLO).
   */
  private excludedAt(t: number, good: boolean, group: Cells | undefined): boolean {
    const excluded = this.plan.excluded;
    if (excluded === null || !insidePeriods(excluded.periods, t)) return false;
    if (t <= excluded.startMs || t > excluded.endMs) return true;
    const cellsOf = group === undefined ? [this.counted] : [this.counted, group];
    const count = (i: number) => {
      for (const cells of cellsOf) {
        cells.excludedTotal[i]!++;
        if (good) cells.excludedGood[i]!++;
      }
    };
    excluded.corrections.forEach((periods, i) => {
      if (insidePeriods(periods, t)) count(i);
    });
    count(excluded.corrections.length);
    return true;
  }

  /** A matching event at t without the latency field (t matters to the cache's MinuteTally only). */
  missingField(_t?: number): void {
    this.counted.missingField++;
  }

  /** Per correction, the events it left out of its window. */
  excluded(): Counts[] | undefined {
    return excludedOf(this.plan, this.counted);
  }

  /** The events the corrections together left out of the window, each once. */
  excludedOnce(): Counts | undefined {
    return excludedOnceOf(this.plan, this.counted);
  }

  merge(other: TallyState): void {
    const s = this.counted;
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
      const groups = this.counted.groups!;
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
    const groups = this.counted.groups;
    if (!groups) return undefined;
    const counted = (cells: Cells): CountsOverTime => {
      const excluded = excludedOf(this.plan, cells);
      const excludedOnce = excludedOnceOf(this.plan, cells);
      return {
        windows: windowsOf(this.plan, cells),
        series: seriesOf(this.plan, cells),
        ...(excluded ? { excluded } : {}),
        ...(excludedOnce ? { excludedOnce } : {}),
      };
    };
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

/**
 * The events counted since the last edge crossed: lines come mostly in time
 * order, so an event is most often in the same windows and buckets as the
 * one before, and counting it is one comparison and one addition; the
 * windows and buckets get the span's counts when an event falls outside it
 * or the state is read.
 */
class SpanCount {
  /** the span: (fromMs, toMs]; empty at first */
  fromMs = 0;
  toMs = Number.NEGATIVE_INFINITY;
  /** an instant in the span, whose windows and buckets are the span's */
  at = 0;
  total = 0;
  good = 0;
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

function emptyCells(plan: RequestPlan): Cells {
  // per correction, then one for the events any of them left out
  const corrections = plan.excluded ? plan.excluded.corrections.length + 1 : 0;
  return {
    windowGood: new Float64Array(plan.windows.length),
    windowTotal: new Float64Array(plan.windows.length),
    seriesGood: plan.series.map((s) => new Float64Array(s.count)),
    seriesTotal: plan.series.map((s) => new Float64Array(s.count)),
    excludedGood: new Float64Array(corrections),
    excludedTotal: new Float64Array(corrections),
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

function excludedOf(plan: RequestPlan, cells: Cells): Counts[] | undefined {
  if (plan.excluded === null) return undefined;
  const { excludedGood: good, excludedTotal: total } = cells;
  return Array.from(total.subarray(0, plan.excluded.corrections.length), (t, i) => ({
    good: good[i]!,
    total: t,
  }));
}

function excludedOnceOf(plan: RequestPlan, cells: Cells): Counts | undefined {
  if (plan.excluded === null) return undefined;
  const last = plan.excluded.corrections.length;
  return { good: cells.excludedGood[last]!, total: cells.excludedTotal[last]! };
}

function addCells(target: Cells, source: Cells): void {
  addInto(target.windowGood, source.windowGood);
  addInto(target.windowTotal, source.windowTotal);
  addInto(target.excludedGood, source.excludedGood);
  addInto(target.excludedTotal, source.excludedTotal);
  for (let i = 0; i < source.seriesTotal.length; i++) {
    addInto(target.seriesGood[i]!, source.seriesGood[i]!);
    addInto(target.seriesTotal[i]!, source.seriesTotal[i]!);
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
