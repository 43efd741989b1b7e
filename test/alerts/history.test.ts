import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import {
  type AlertEpisode,
  alertHistoryOf,
  alertHistoryStep,
  mergeCloseEpisodes,
} from "../../src/engine/alert-history.js";
import { type RawEvent, referenceAlertFires } from "../engine/reference.js";
import { DAY, EXPECTED, HOUR, incidentEvents, MINUTE } from "./incident.js";

const STEP = 5 * MINUTE;

/** Bucket raw events the way a source does: (start + i*step, start + (i+1)*step]. */
function bucketsOf(events: RawEvent[], startMs: number, count: number) {
  const buckets = Array.from({ length: count }, () => ({ good: 0, total: 0 }));
  for (const e of events) {
    const i = Math.ceil((e.t - startMs) / STEP) - 1;
    if (i < 0 || i >= count) continue;
    buckets[i]!.total++;
    if (e.good) buckets[i]!.good++;
  }
  return buckets;
}

describe("the alert history", () => {
  it("steps at the alert windows' common divisor: 5m for the default table", () => {
    expect(alertHistoryStep(DEFAULT_BURN_RATE_WINDOWS)).toBe(STEP);
  });

  it("agrees with the reference evaluator at every step, on random traffic", () => {
    const periodMs = 7 * DAY;
    const startMs = Date.parse("2026-11-01T00:00:00Z");
    const count = (4 * DAY) / STEP;
    const endMs = startMs + count * STEP;
    const arbitrary = fc.array(
      fc.record({ minute: fc.integer({ min: 0, max: 4 * 24 * 60 - 1 }), bad: fc.boolean() }),
      { minLength: 50, maxLength: 600 },
    );
    fc.assert(
      fc.property(arbitrary, (raw) => {
        const events: RawEvent[] = raw.map((r) => ({
          t: startMs + r.minute * MINUTE + 1,
          good: !r.bad,
        }));
        const history = alertHistoryOf({
          buckets: bucketsOf(events, startMs, count),
          startMs,
          stepMs: STEP,
          fromMs: startMs + 3 * DAY,
          rules: DEFAULT_BURN_RATE_WINDOWS,
          objective: 0.99,
          periodMs,
          minEvents: 5,
          disabled: { page: false, ticket: false },
        });
        for (const severity of ["page", "ticket"] as const) {
          const rules = DEFAULT_BURN_RATE_WINDOWS.filter((r) => r.severity === severity);
          for (let at = history.sinceMs; at <= endMs; at += STEP) {
            const expected = rules.some((r) =>
              referenceAlertFires(events, at, r, 0.99, periodMs, 5),
            );
            const actual = history.episodes.some(
              (e) =>
                e.severity === severity && e.startMs <= at && (e.endMs === null || at < e.endMs),
            );
            if (actual !== expected) return false;
          }
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it("finds the three-day incident's page and ticket episodes at 5-minute resolution", () => {
    const S = Date.parse("2026-11-20T00:00:00Z");
    const events = incidentEvents(S).map((e) => ({ t: e.t, good: !e.bad }));
    const startMs = S - 3 * DAY;
    const count = (3 * DAY + 80 * HOUR) / STEP;
    const history = alertHistoryOf({
      buckets: bucketsOf(events, startMs, count),
      startMs,
      stepMs: STEP,
      fromMs: S - HOUR,
      rules: DEFAULT_BURN_RATE_WINDOWS,
      objective: 0.99,
      periodMs: 30 * DAY,
      minEvents: 10,
      disabled: { page: false, ticket: false },
    });
    const ceil5 = (ms: number) => Math.ceil(ms / STEP) * STEP;
    expect(history.episodes.map((e) => [e.severity, e.startMs - S, e.endMs! - S])).toEqual([
      ["page", ceil5(EXPECTED.pageStarts), ceil5(EXPECTED.pageStops)],
      ["ticket", ceil5(EXPECTED.ticketStarts), ceil5(EXPECTED.ticketStops)],
    ]);
    expect(history.episodes[0]!.windows).toEqual(["1h/5m", "6h/30m"]);
    expect(history.episodes[1]!.windows.sort()).toEqual(["1d/2h", "3d/6h"]);
  });

  it("joins episodes of one severity a gap shorter than its longest short window apart", () => {
    const T = Date.parse("2026-11-16T00:00:00Z");
    const at = (minutes: number) => T + minutes * MINUTE;
    const episode = (
      severity: "page" | "ticket",
      from: number,
      to: number | null,
      windows: string[],
      peak: number,
    ): AlertEpisode => ({
      severity,
      startMs: at(from),
      endMs: to === null ? null : at(to),
      windows,
      peakBurnRate: peak,
    });
    const merged = mergeCloseEpisodes(
      [
        episode("page", 0, 30, ["6h/30m"], 7),
        // 25 minutes after: under the page's 30m short window, the same episode
        episode("page", 55, 60, ["1h/5m"], 19),
        episode("ticket", 58, 300, ["1d/2h"], 4),
        // exactly 30 minutes after: a new episode
        episode("page", 90, 120, ["6h/30m"], 8),
        episode("page", 125, 130, ["6h/30m"], 9),
        // 5h50m after the ticket ended: under the ticket's 6h short window, still firing
        episode("ticket", 650, null, ["3d/6h"], 2),
      ],
      DEFAULT_BURN_RATE_WINDOWS,
    );
    expect(merged).toEqual([
      { ...episode("page", 0, 60, ["6h/30m", "1h/5m"], 19), firings: 2 },
      {
        ...episode("ticket", 58, null, ["1d/2h", "3d/6h"], 4),
        firings: 2,
      },
      { ...episode("page", 90, 130, ["6h/30m"], 9), firings: 2 },
    ]);
  });

  it("leaves episodes alone when nothing is that close", () => {
    const one: AlertEpisode = {
      severity: "page",
      startMs: 0,
      endMs: 30 * MINUTE,
      windows: ["1h/5m"],
      peakBurnRate: 20,
    };
    const two = { ...one, startMs: HOUR, endMs: 2 * HOUR };
    expect(mergeCloseEpisodes([one, two], DEFAULT_BURN_RATE_WINDOWS)).toEqual([one, two]);
  });
});
