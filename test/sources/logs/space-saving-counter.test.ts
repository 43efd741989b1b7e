/**
 * The breakdown's bounded counter against a slow exact reference (a Map):
 * over any stream, cut into any parts counted apart and merged as the
 * workers' tallies are, every key seen more than n/K times is kept, and each
 * count is within its stated bound of the truth.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpaceSavingCounter } from "../../../src/sources/logs/evaluation/space-saving-counter.js";

function exactCounts(stream: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of stream) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The stream cut at `cuts`, each part counted by its own counter, merged in order. */
function countInParts(stream: string[], cuts: number[], capacity: number): SpaceSavingCounter {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const total = new SpaceSavingCounter(capacity);
  let from = 0;
  for (const to of [...at, stream.length]) {
    const part = new SpaceSavingCounter(capacity);
    for (const key of stream.slice(from, to)) part.add(key);
    total.merge(part.state);
    from = to;
  }
  return total;
}

/** Skewed streams: a few keys often, many keys rarely, in any order. */
const streamArb = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }) },
    ),
    { maxLength: 1500 },
  )
  .map((ids) => ids.map((id) => `k${id}`));

function expectWithinBounds(counter: SpaceSavingCounter, stream: string[], capacity: number) {
  const exact = exactCounts(stream);
  const entries = counter.entries();
  expect(entries.length).toBeLessThanOrEqual(capacity);
  expect(counter.state.floor).toBeLessThanOrEqual(stream.length / capacity);
  const kept = new Map(entries.map((e) => [e.key, e]));
  for (const [key, truth] of exact) {
    // a heavy hitter is never dropped
    if (truth > stream.length / capacity) expect(kept.has(key)).toBe(true);
    // a key dropped was seen no more often than the floor
    if (!kept.has(key)) expect(truth).toBeLessThanOrEqual(counter.state.floor);
  }
  for (const e of entries) {
    const truth = exact.get(e.key) ?? 0;
    expect(e.count).toBeGreaterThanOrEqual(truth);
    expect(e.count - e.maxOvercount).toBeLessThanOrEqual(truth);
    expect(e.maxOvercount).toBeLessThanOrEqual(counter.state.floor);
  }
}

describe("SpaceSavingCounter", () => {
  it("counts exactly while the keys fit", () => {
    const counter = new SpaceSavingCounter(3);
    for (const key of ["a", "b", "a", "c", "a", "b"]) counter.add(key);
    expect(counter.entries().sort((x, y) => y.count - x.count)).toEqual([
      { key: "a", count: 3, maxOvercount: 0 },
      { key: "b", count: 2, maxOvercount: 0 },
      { key: "c", count: 1, maxOvercount: 0 },
    ]);
  });

  it("keeps every key seen more than n/K times, each count within its bound (one stream)", () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 40 }), (stream, capacity) => {
        const counter = new SpaceSavingCounter(capacity);
        for (const key of stream) counter.add(key);
        expectWithinBounds(counter, stream, capacity);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the same guarantees when parts are counted apart and merged", () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (stream, capacity, cuts) => {
          expectWithinBounds(countInParts(stream, cuts, capacity), stream, capacity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("crosses a worker thread as plain data", () => {
    const counter = new SpaceSavingCounter(2);
    for (const key of ["a", "b", "c", "a"]) counter.add(key);
    const copy = new SpaceSavingCounter(2, structuredClone(counter.state));
    copy.add("a");
    expect(copy.entries().find((e) => e.key === "a")?.count).toBe(
      counter.entries().find((e) => e.key === "a")!.count + 1,
    );
  });
});
