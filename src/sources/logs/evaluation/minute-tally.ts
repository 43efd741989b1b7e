/**
 * A request's counts in absolute one-minute buckets, for the tally cache:
 * bucket k holds the events with (k-1)*60000 < t <= k*60000 ms. Unlike
 * Tally's windows (relative to `at`), these stay true when `at` moves, so a
 * later run adds the new lines' buckets to the cached ones; any span whose
 * edges are whole minutes is then a sum of buckets (tallyStateOf). Good,
 * total and (latency) missing-field counts per bucket; a grouped SLO's per
 * group; bad events' breakdown keys per bucket. Memory is capped
 * (MAX_CACHE_CELLS, MAX_CACHE_BREAKDOWN_ENTRIES, the tally's group and
 * breakdown capacities): past a cap the state says `overflow`, and the
 * request is read cold instead.
 */

import { MINUTE_MS } from "../../../definition/duration.js";
import {
  MAX_BREAKDOWN_VALUES,
  MAX_CACHE_BREAKDOWN_ENTRIES,
  MAX_CACHE_CELLS,
} from "../../../limits.js";
import type { Period } from "../../types.js";
import type { BreakdownKey } from "./breakdown-key.js";
import type { RequestPlan } from "./request-plan.js";
import { type Cells, groupKey, groupValuesTallied, type TallyState } from "./tally.js";

/** The bucket of an event at t. */
export function minuteOf(t: number): number {
  return Math.ceil(t / MINUTE_MS);
}

/** Plain data (typed arrays and maps), so a state made in a worker thread can be posted back. */
export interface MinuteState {
  /** the bucket of index 0 */
  firstMinute: number;
  good: Float64Array;
  total: Float64Array;
  /** latency: matching events without the field; null for a ratio */
  missing: Float64Array | null;
  /** a grouped SLO: by groupKey, each group's values and buckets */
  groups: Map<string, { values: string[]; good: Float64Array; total: Float64Array }> | null;
  /** bad events per breakdown key: bucket -> count; null without a breakdown */
  breakdown: Map<BreakdownKey, Map<number, number>> | null;
  breakdownEntries: number;
  /** the earliest bucket of an event seen past the last bucket (not kept); Infinity when none */
  droppedFrom: number;
  /** a cap was passed: these counts are incomplete and must not be used */
  overflow: boolean;
}

export function emptyMinuteState(
  plan: RequestPlan,
  firstMinute: number,
  length: number,
): MinuteState {
  return {
    firstMinute,
    good: new Float64Array(length),
    total: new Float64Array(length),
    missing: plan.kind === "latency" ? new Float64Array(length) : null,
    groups: plan.grouping ? new Map() : null,
    breakdown: plan.breakdown ? new Map() : null,
    breakdownEntries: 0,
    droppedFrom: Number.POSITIVE_INFINITY,
    overflow: false,
  };
}

/**
 * Whether a plan's counts follow from minute buckets exactly: every edge it
 * needs (windows, series buckets, the breakdown window, corrections) is on a
 * whole minute.
 */
export function onWholeMinutes(plan: RequestPlan): boolean {
  const whole = (ms: number) => Number.isFinite(ms) && ms % MINUTE_MS === 0;
  if (!plan.windows.every((w) => whole(w.startMs) && whole(w.endMs))) return false;
  if (!plan.series.every((s) => whole(s.startMs) && whole(s.stepMs))) return false;
  const b = plan.breakdown;
  if (b && !(whole(b.startMs) && whole(b.endMs))) return false;
  const e = plan.excluded;
  if (e) {
    const periods = [...e.periods, ...e.corrections.flat()];
    if (!(whole(e.startMs) && whole(e.endMs))) return false;
    if (!periods.every((p) => whole(p.startMs) && whole(p.endMs))) return false;
  }
  return Number.isFinite(plan.fromMs) && Number.isFinite(plan.toMs);
}

/**
 * Counts events at (fromMs, ...] into minute buckets up to toMs; an event
 * past toMs only moves droppedFrom. The Evaluator calls it as it calls Tally.
 */
export class MinuteTally {
  readonly state: MinuteState;
  private readonly length: number;
  private readonly groupCapacity: number;

  constructor(
    plan: RequestPlan,
    private readonly fromMs: number,
    toMs: number,
  ) {
    this.length = Math.max(0, minuteOf(toMs) - fromMs / MINUTE_MS);
    this.state = emptyMinuteState(plan, fromMs / MINUTE_MS + 1, this.length);
    this.groupCapacity = groupValuesTallied(plan);
    if (this.length > MAX_CACHE_CELLS) this.state.overflow = true;
  }

  covers(t: number): boolean {
    return t > this.fromMs;
  }

  /** Every bad event's key is kept: a later run's breakdown window is not known yet. */
  wantsBreakdown(_t: number): boolean {
    return this.state.breakdown !== null;
  }

  record(t: number, good: boolean, breakdownKey?: BreakdownKey, group?: string[]): void {
    const s = this.state;
    const minute = minuteOf(t);
    const i = this.bucketOf(minute);
    if (i === null) return;
    s.total[i]!++;
    if (good) s.good[i]!++;
    if (group !== undefined) this.recordGroup(group, i, good);
    if (breakdownKey !== undefined && s.breakdown !== null)
      this.recordBreakdown(breakdownKey, minute);
  }

  missingField(t: number): void {
    const i = this.bucketOf(minuteOf(t));
    if (i !== null) this.state.missing![i]!++;
  }

  /** The bucket of a minute; null past the buckets kept, which only moves droppedFrom. */
  private bucketOf(minute: number): number | null {
    const i = minute - this.state.firstMinute;
    if (i < this.length) return i;
    if (minute < this.state.droppedFrom) this.state.droppedFrom = minute;
    return null;
  }

  private recordGroup(values: string[], i: number, good: boolean): void {
    const groups = this.state.groups!;
    const key = groupKey(values);
    let cells = groups.get(key);
    if (cells === undefined) {
      if (groups.size >= this.groupCapacity || (groups.size + 2) * this.length > MAX_CACHE_CELLS) {
        this.state.overflow = true;
        return;
      }
      cells = {
        values,
        good: new Float64Array(this.length),
        total: new Float64Array(this.length),
      };
      groups.set(key, cells);
    }
    cells.total[i]!++;
    if (good) cells.good[i]!++;
  }

  private recordBreakdown(key: BreakdownKey, minute: number): void {
    const s = this.state;
    let perMinute = s.breakdown!.get(key);
    if (perMinute === undefined) {
      if (s.breakdown!.size >= MAX_BREAKDOWN_VALUES) {
        s.overflow = true;
        return;
      }
      perMinute = new Map();
      s.breakdown!.set(key, perMinute);
    }
    const count = perMinute.get(minute);
    if (count === undefined) {
      if (s.breakdownEntries >= MAX_CACHE_BREAKDOWN_ENTRIES) {
        s.overflow = true;
        return;
      }
      s.breakdownEntries++;
      perMinute.set(minute, 1);
    } else perMinute.set(minute, count + 1);
  }
}

/**
 * Two states added up, over the buckets of both, as a new state: neither is
 * changed. The caller checks the caps again (checkCaps).
 */
export function addMinuteStates(a: MinuteState, b: MinuteState): MinuteState {
  const first = Math.min(a.firstMinute, b.firstMinute);
  const end = Math.max(a.firstMinute + a.total.length, b.firstMinute + b.total.length);
  const length = end - first;
  // always a copy: a state added to is often still in use (a file's saved buckets
  // answer several plans, each adding the unsaved tail to them)
  const widen = (x: Float64Array, from: number): Float64Array => {
    const wide = new Float64Array(length);
    wide.set(x, from - first);
    return wide;
  };
  const addAt = (into: Float64Array, x: Float64Array, from: number) => {
    const at = from - first;
    for (let i = 0; i < x.length; i++) into[i + at]! += x[i]!;
  };
  const sum = (x: Float64Array, y: Float64Array): Float64Array => {
    const into = widen(x, a.firstMinute);
    addAt(into, y, b.firstMinute);
    return into;
  };
  const out: MinuteState = {
    firstMinute: first,
    good: sum(a.good, b.good),
    total: sum(a.total, b.total),
    missing: a.missing && b.missing ? sum(a.missing, b.missing) : a.missing,
    groups: a.groups,
    breakdown: a.breakdown,
    breakdownEntries: a.breakdownEntries,
    droppedFrom: Math.min(a.droppedFrom, b.droppedFrom),
    overflow: a.overflow || b.overflow,
  };
  if (a.groups && b.groups) out.groups = addGroups(a, b, first, length);
  if (a.breakdown && b.breakdown) {
    const { breakdown, entries } = addBreakdowns(a.breakdown, b.breakdown);
    out.breakdown = breakdown;
    out.breakdownEntries = entries;
  }
  return out;
}

/** Two states' groups over the buckets from `first` on, `length` of them. */
function addGroups(
  a: MinuteState,
  b: MinuteState,
  first: number,
  length: number,
): NonNullable<MinuteState["groups"]> {
  const placed = (x: Float64Array, from: number): Float64Array => {
    const wide = new Float64Array(length);
    wide.set(x, from - first);
    return wide;
  };
  const groups: NonNullable<MinuteState["groups"]> = new Map();
  for (const [key, g] of a.groups!)
    groups.set(key, {
      values: g.values,
      good: placed(g.good, a.firstMinute),
      total: placed(g.total, a.firstMinute),
    });
  for (const [key, g] of b.groups!) {
    const into = groups.get(key);
    if (!into) {
      groups.set(key, {
        values: g.values,
        good: placed(g.good, b.firstMinute),
        total: placed(g.total, b.firstMinute),
      });
      continue;
    }
    const at = b.firstMinute - first;
    for (let i = 0; i < g.total.length; i++) {
      into.good[i + at]! += g.good[i]!;
      into.total[i + at]! += g.total[i]!;
    }
  }
  return groups;
}

/** Two breakdowns added up, and how many (value, bucket) counts they make. */
function addBreakdowns(
  a: NonNullable<MinuteState["breakdown"]>,
  b: NonNullable<MinuteState["breakdown"]>,
): { breakdown: NonNullable<MinuteState["breakdown"]>; entries: number } {
  const breakdown: NonNullable<MinuteState["breakdown"]> = new Map();
  let entries = 0;
  for (const source of [a, b]) {
    for (const [key, perMinute] of source) {
      let into = breakdown.get(key);
      if (!into) {
        into = new Map();
        breakdown.set(key, into);
      }
      for (const [minute, count] of perMinute) {
        const was = into.get(minute);
        if (was === undefined) entries++;
        into.set(minute, (was ?? 0) + count);
      }
    }
  }
  return { breakdown, entries };
}

/** Whether a state (e.g. two added up) is within the caps a request is cached under. */
export function withinCaps(plan: RequestPlan, s: MinuteState): boolean {
  if (s.overflow) return false;
  const groups = s.groups?.size ?? 0;
  if (s.total.length * (1 + groups) > MAX_CACHE_CELLS) return false;
  if (groups > groupValuesTallied(plan)) return false;
  return (
    s.breakdownEntries <= MAX_CACHE_BREAKDOWN_ENTRIES &&
    (s.breakdown?.size ?? 0) <= MAX_BREAKDOWN_VALUES
  );
}

/** The state without the buckets before `fromMinute` (older than any run needs). */
export function dropBefore(s: MinuteState, fromMinute: number): MinuteState {
  const cut = fromMinute - s.firstMinute;
  if (cut <= 0) return s;
  const keep = (x: Float64Array) => x.slice(Math.min(cut, x.length));
  let groups = s.groups;
  if (groups) {
    groups = new Map();
    for (const [key, g] of s.groups!) {
      const total = keep(g.total);
      // a group with no event left is forgotten, as a cold read would never see it
      if (total.some((n) => n > 0))
        groups.set(key, { values: g.values, good: keep(g.good), total });
    }
  }
  let breakdown = s.breakdown;
  let entries = s.breakdownEntries;
  if (breakdown) {
    breakdown = new Map();
    entries = 0;
    for (const [key, perMinute] of s.breakdown!) {
      const kept = new Map([...perMinute].filter(([minute]) => minute >= fromMinute));
      if (kept.size > 0) breakdown.set(key, kept);
      entries += kept.size;
    }
  }
  return {
    ...s,
    firstMinute: s.firstMinute + Math.min(cut, s.total.length),
    good: keep(s.good),
    total: keep(s.total),
    missing: s.missing ? keep(s.missing) : null,
    groups,
    breakdown,
    breakdownEntries: entries,
  };
}

/**
 * What a Tally would hold after counting the same events for the plan: its
 * windows, series, per-correction and per-group counts and the breakdown,
 * each a sum of buckets. The plan's edges must be whole minutes
 * (onWholeMinutes) and inside the buckets the state holds.
 */
export function tallyStateOf(plan: RequestPlan, s: MinuteState): TallyState {
  const excluded = excludedMinutes(plan, s);
  const cellsOf = (good: Float64Array, total: Float64Array): Cells =>
    cellsFrom(plan, s.firstMinute, good, total, excluded);
  const fromMinute = plan.fromMs / MINUTE_MS + 1;
  const toMinute = plan.toMs / MINUTE_MS;
  const inPlan = (x: Float64Array) => sumMinutes(x, s.firstMinute, fromMinute, toMinute, null);
  let groups: TallyState["groups"] = null;
  if (plan.grouping) {
    groups = { tallied: new Map(), untallied: null };
    for (const [key, g] of s.groups ?? []) {
      if (inPlan(g.total) === 0) continue;
      groups.tallied.set(key, { values: g.values, cells: cellsOf(g.good, g.total) });
    }
  }
  return {
    ...cellsOf(s.good, s.total),
    breakdown: breakdownOf(plan, s, excluded),
    missingField: s.missing ? inPlan(s.missing) : 0,
    groups,
  };
}

/** Per bucket: 1 when a correction leaves its events out (they are in one of its periods). */
function excludedMinutes(plan: RequestPlan, s: MinuteState): Uint8Array | null {
  const e = plan.excluded;
  if (e === null) return null;
  const flags = new Uint8Array(s.total.length);
  markPeriods(flags, s.firstMinute, e.periods);
  return flags;
}

/** Bucket k is inside (start, end] (whole minutes) when start < k*60000 <= end. */
function markPeriods(flags: Uint8Array, firstMinute: number, periods: readonly Period[]): void {
  for (const p of periods) {
    const from = Math.max(0, p.startMs / MINUTE_MS + 1 - firstMinute);
    const to = Math.min(flags.length, p.endMs / MINUTE_MS + 1 - firstMinute);
    for (let i = from; i < to; i++) flags[i] = 1;
  }
}

/** The sum of buckets fromMinute..toMinute (inclusive), leaving out flagged ones. */
function sumMinutes(
  x: Float64Array,
  firstMinute: number,
  fromMinute: number,
  toMinute: number,
  skip: Uint8Array | null,
): number {
  const from = Math.max(0, fromMinute - firstMinute);
  const to = Math.min(x.length - 1, toMinute - firstMinute);
  let sum = 0;
  for (let i = from; i <= to; i++) if (skip === null || skip[i] === 0) sum += x[i]!;
  return sum;
}

function cellsFrom(
  plan: RequestPlan,
  firstMinute: number,
  good: Float64Array,
  total: Float64Array,
  excluded: Uint8Array | null,
): Cells {
  // prefix sums of the buckets no correction leaves out: every span is then two lookups
  const n = total.length;
  const goodBefore = new Float64Array(n + 1);
  const totalBefore = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const counted = excluded === null || excluded[i] === 0;
    goodBefore[i + 1] = goodBefore[i]! + (counted ? good[i]! : 0);
    totalBefore[i + 1] = totalBefore[i]! + (counted ? total[i]! : 0);
  }
  const span = (prefix: Float64Array, startMs: number, endMs: number): number => {
    const from = Math.min(n, Math.max(0, startMs / MINUTE_MS + 1 - firstMinute));
    const to = Math.min(n, Math.max(0, endMs / MINUTE_MS + 1 - firstMinute));
    return to > from ? prefix[to]! - prefix[from]! : 0;
  };
  const windowGood = Float64Array.from(plan.windows, (w) => span(goodBefore, w.startMs, w.endMs));
  const windowTotal = Float64Array.from(plan.windows, (w) => span(totalBefore, w.startMs, w.endMs));
  const bucketsOf = (prefix: Float64Array) =>
    plan.series.map((r) =>
      Float64Array.from({ length: r.count }, (_, b) =>
        span(prefix, r.startMs + b * r.stepMs, r.startMs + (b + 1) * r.stepMs),
      ),
    );
  const e = plan.excluded;
  const corrections = e ? e.corrections.length + 1 : 0;
  const excludedGood = new Float64Array(corrections);
  const excludedTotal = new Float64Array(corrections);
  if (e) {
    const each = e.corrections.map((periods) => {
      const flags = new Uint8Array(n);
      markPeriods(flags, firstMinute, periods);
      return flags;
    });
    const from = Math.max(0, e.startMs / MINUTE_MS + 1 - firstMinute);
    const to = Math.min(n, e.endMs / MINUTE_MS + 1 - firstMinute);
    for (let i = from; i < to; i++) {
      if (excluded![i] === 0) continue;
      each.forEach((flags, c) => {
        if (flags[i] === 0) return;
        excludedTotal[c]! += total[i]!;
        excludedGood[c]! += good[i]!;
      });
      excludedTotal[corrections - 1]! += total[i]!;
      excludedGood[corrections - 1]! += good[i]!;
    }
  }
  return {
    windowGood,
    windowTotal,
    seriesGood: bucketsOf(goodBefore),
    seriesTotal: bucketsOf(totalBefore),
    excludedGood,
    excludedTotal,
  };
}

/** The breakdown window's bad events per key, as an exact space-saving state (every count kept, none over). */
function breakdownOf(
  plan: RequestPlan,
  s: MinuteState,
  excluded: Uint8Array | null,
): TallyState["breakdown"] {
  const state = {
    keys: [] as string[],
    counts: [] as number[],
    overcounts: [] as number[],
    floor: 0,
  };
  const b = plan.breakdown;
  if (b === null || s.breakdown === null) return state;
  const from = b.startMs / MINUTE_MS + 1;
  const to = b.endMs / MINUTE_MS;
  for (const [key, perMinute] of s.breakdown) {
    let count = 0;
    for (const [minute, n] of perMinute) {
      if (minute < from || minute > to) continue;
      const i = minute - s.firstMinute;
      if (excluded !== null && i >= 0 && i < excluded.length && excluded[i] === 1) continue;
      count += n;
    }
    if (count > 0) {
      state.keys.push(key);
      state.counts.push(count);
      state.overcounts.push(0);
    }
  }
  return state;
}

/** Whether a state (read back from a cache file) has the parts the plan counts, and only those. */
export function fitsPlan(plan: RequestPlan, s: MinuteState): boolean {
  return (
    (s.missing !== null) === (plan.kind === "latency") &&
    (s.groups !== null) === (plan.grouping !== null) &&
    // a plan without a breakdown may read buckets that keep one
    (plan.breakdown === null || s.breakdown !== null)
  );
}
