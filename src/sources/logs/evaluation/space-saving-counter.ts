/**
 * The most frequent keys of a stream in fixed memory: the space-saving
 * counter (Metwally, Agrawal and El Abbadi, "Efficient computation of
 * frequent and top-k elements in data streams", 2005), mergeable as in
 * Agarwal et al., "Mergeable summaries" (2012), so that tallies counted in
 * worker threads add up with the same guarantees.
 *
 * With capacity K over n events:
 * - a key kept has a count at most maxOvercount over its true count, never
 *   under it, and maxOvercount <= floor;
 * - a key not kept was seen at most floor times, and floor <= n / K: every
 *   key seen more than n / K times is kept.
 * While no more than K distinct keys were seen, every count is exact.
 */

import { detachedCopy } from "./reported-text.js";

/** Plain data (arrays in min-heap order by count), so a tally can cross threads. */
export interface SpaceSavingState {
  keys: string[];
  counts: number[];
  /** how much each count may be over the truth */
  overcounts: number[];
  /** no key absent from keys was seen more often than this */
  floor: number;
}

export interface CountedKey {
  key: string;
  count: number;
  maxOvercount: number;
}

export class SpaceSavingCounter {
  readonly state: SpaceSavingState;
  /** key -> its position in the heap */
  private readonly index = new Map<string, number>();

  constructor(
    private readonly capacity: number,
    state?: SpaceSavingState,
  ) {
    this.state = state ?? { keys: [], counts: [], overcounts: [], floor: 0 };
    this.state.keys.forEach((key, i) => {
      this.index.set(key, i);
    });
  }

  /** One more event of key. */
  add(key: string): void {
    const s = this.state;
    const at = this.index.get(key);
    if (at !== undefined) {
      s.counts[at]!++;
      this.siftDown(at);
      return;
    }
    if (s.keys.length < this.capacity) {
      const i = s.keys.length;
      s.keys.push(detachedCopy(key));
      s.counts.push(s.floor + 1);
      s.overcounts.push(s.floor);
      this.index.set(s.keys[i]!, i);
      this.siftUp(i);
      return;
    }
    // The least counted key gives up its place; the newcomer may have been
    // seen as often as it before (it was not kept, so at most that often).
    const min = s.counts[0]!;
    this.index.delete(s.keys[0]!);
    s.keys[0] = detachedCopy(key);
    s.counts[0] = min + 1;
    s.overcounts[0] = min;
    s.floor = Math.max(s.floor, min);
    this.index.set(s.keys[0], 0);
    this.siftDown(0);
  }

  /**
   * Add another counter's counts. A key one side lacks may have been seen up
   * to that side's floor times: that much is added to its count and to its
   * overcount. Past capacity the least counted keys are dropped, and the
   * floor rises to the largest count dropped.
   */
  merge(other: SpaceSavingState): void {
    const s = this.state;
    const merged = new Map<string, { count: number; overcount: number }>();
    s.keys.forEach((key, i) => {
      merged.set(key, {
        count: s.counts[i]! + other.floor,
        overcount: s.overcounts[i]! + other.floor,
      });
    });
    other.keys.forEach((key, i) => {
      const mine = merged.get(key);
      if (mine) {
        mine.count += other.counts[i]! - other.floor;
        mine.overcount += other.overcounts[i]! - other.floor;
      } else {
        merged.set(key, {
          count: other.counts[i]! + s.floor,
          overcount: other.overcounts[i]! + s.floor,
        });
      }
    });
    const ranked = [...merged].sort(([ak, a], [bk, b]) => b.count - a.count || compare(ak, bk));
    const kept = ranked.slice(0, this.capacity);
    const firstDropped = ranked[this.capacity];
    s.floor = Math.max(s.floor + other.floor, firstDropped ? firstDropped[1].count : 0);
    // sorted by count, most first: reversed, a valid min-heap
    kept.reverse();
    s.keys = kept.map(([key]) => key);
    s.counts = kept.map(([, c]) => c.count);
    s.overcounts = kept.map(([, c]) => c.overcount);
    this.index.clear();
    s.keys.forEach((key, i) => {
      this.index.set(key, i);
    });
  }

  /** Every key kept, in no particular order. */
  entries(): CountedKey[] {
    const s = this.state;
    return s.keys.map((key, i) => ({
      key,
      count: s.counts[i]!,
      maxOvercount: s.overcounts[i]!,
    }));
  }

  private siftUp(i: number): void {
    const counts = this.state.counts;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (counts[parent]! <= counts[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const counts = this.state.counts;
    const n = counts.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && counts[right]! < counts[left]! ? right : left;
      if (counts[i]! <= counts[child]!) return;
      this.swap(i, child);
      i = child;
    }
  }

  private swap(i: number, j: number): void {
    const s = this.state;
    [s.keys[i], s.keys[j]] = [s.keys[j]!, s.keys[i]!];
    [s.counts[i], s.counts[j]] = [s.counts[j]!, s.counts[i]!];
    [s.overcounts[i], s.overcounts[j]] = [s.overcounts[j]!, s.overcounts[i]!];
    this.index.set(s.keys[i]!, i);
    this.index.set(s.keys[j]!, j);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
