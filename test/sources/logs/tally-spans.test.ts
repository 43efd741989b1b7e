/**
 * A tally counts events a span at a time (the instants between window and
 * bucket edges): it must count as adding each event to every window and
 * bucket it falls in, whatever the order of the events and wherever they
 * fall against the edges.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  planRequest,
  type RequestPlan,
} from "../../../src/sources/logs/evaluation/request-plan.js";
import { Tally } from "../../../src/sources/logs/evaluation/tally.js";
import type { SeriesRequest, WindowRequest } from "../../../src/sources/types.js";
import { HOUR, logsSpec, MINUTE, ratio, request, T } from "./helpers.js";

/** Each event into every window and bucket it is in: what the tally must add up to. */
function reference(windows: WindowRequest[], series: SeriesRequest[], events: [number, boolean][]) {
  const count = (inside: (t: number) => boolean) => {
    let good = 0;
    let total = 0;
    for (const [t, ok] of events) {
      if (!inside(t)) continue;
      total++;
      if (ok) good++;
    }
    return { good, total };
  };
  return {
    windows: Object.fromEntries(
      windows.map((w) => [w.key, count((t) => t > w.startMs && t <= w.endMs)]),
    ),
    series: Object.fromEntries(
      series.map((r) => [
        r.key,
        Array.from({ length: r.count }, (_, b) =>
          count((t) => Math.ceil((t - r.startMs) / r.stepMs) - 1 === b),
        ),
      ]),
    ),
  };
}

const edge = fc.integer({ min: -6, max: 6 }).map((k) => T + k * 10 * MINUTE);
const windowRequest = fc
  .tuple(fc.integer({ min: 0, max: 9 }), edge, fc.integer({ min: 0, max: 8 }))
  .map(
    ([key, end, n]): WindowRequest => ({
      key: `w${key}`,
      startMs: end - n * 10 * MINUTE,
      endMs: end,
    }),
  );
const seriesRequest = fc
  .tuple(edge, fc.constantFrom(MINUTE, 10 * MINUTE, HOUR), fc.integer({ min: 1, max: 12 }))
  .map(([startMs, stepMs, count]): SeriesRequest => ({ key: "s", startMs, stepMs, count }));
/** on an edge, a little either side of one, or anywhere near */
const instant = fc.oneof(
  edge,
  edge.map((t) => t + 1),
  edge.map((t) => t - 0.000_5),
  edge.map((t) => t + 0.123_456),
  fc.integer({ min: -4 * HOUR, max: 4 * HOUR }).map((d) => T + d),
);

describe("a tally's spans", () => {
  it("count as each event added to its windows and buckets", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(windowRequest, { maxLength: 4, selector: (w) => w.key }),
        fc.option(seriesRequest, { nil: undefined }),
        fc.array(fc.tuple(instant, fc.boolean()), { maxLength: 60 }),
        fc.boolean(),
        (windows, oneSeries, events, sorted) => {
          const series = oneSeries ? [oneSeries] : [];
          if (sorted) events.sort((a, b) => a[0] - b[0]);
          const spec = logsSpec(["-"]);
          const plan = planRequest(
            request(ratio({ total: "| json", bad: "| json" }), { windows, series }),
            spec,
          ) as RequestPlan;
          const tally = new Tally(plan);
          for (const [t, good] of events) if (tally.covers(t)) tally.record(t, good);
          expect({ windows: tally.windows(), series: tally.series() }).toEqual(
            reference(windows, series, events),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("are counted into the state a job hands on, and after it", () => {
    const windows = [{ key: "1h", startMs: T - HOUR, endMs: T }];
    const spec = logsSpec(["-"]);
    const plan = planRequest(request(ratio({ total: "| json", bad: "| json" }), { windows }), spec);
    const tally = new Tally(plan as RequestPlan);
    tally.record(T - MINUTE, true);
    expect(tally.state.windowTotal[0]).toBe(1);
    tally.record(T - MINUTE, false);
    const other = new Tally(plan as RequestPlan);
    other.merge(tally.state);
    expect(other.windows()).toEqual({ "1h": { good: 1, total: 2 } });
  });
});
