/**
 * OpenSLO's burn-rate conditions in the engine: the four ops (gt and gte
 * differ exactly at the factor; lt and lte fire below it), the threshold used
 * as written, and alertAfter: a rule fires once its condition has held at
 * every instant of the last alertAfter, in the alert history and in
 * `slo check` (heldThroughout), both checked against a slow reference.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertHistoryOf, heldThroughout } from "../../src/engine/alert-history.js";
import { type BurnRateRule, judgeRule } from "../../src/engine/alert-policy.js";
import { evaluateSlo } from "../../src/engine/evaluate.js";
import {
  countIn,
  type RawEvent,
  type ReferenceCondition,
  referenceFiresAfter,
} from "./reference.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// A budget of 1/4: burn rates of small counts are exact in floating point.
const OBJECTIVE = 0.75;
const POLICY = { objective: OBJECTIVE, periodMs: 30 * DAY, minEvents: 0 };

function rule(overrides: Partial<BurnRateRule> = {}): BurnRateRule {
  return {
    severity: "page",
    long: "1h",
    short: "5m",
    longMs: HOUR,
    shortMs: 5 * MIN,
    share: 0.02,
    factor: 2,
    ...overrides,
  };
}

describe("burn-rate condition ops", () => {
  // 1 bad of 2 is an error ratio of 1/2: a burn rate of exactly 2 against a budget of 1/4.
  const atFactor = { good: 1, total: 2 };

  it.each([
    ["gt", false],
    ["gte", true],
    ["lt", false],
    ["lte", true],
  ] as const)("exactly at the factor, op %s fires: %s", (op, fires) => {
    const verdict = judgeRule(rule({ op }), atFactor, atFactor, POLICY);
    expect(verdict.burnRateLong).toBe(2);
    expect(verdict.firing).toBe(fires);
  });

  it("gt is the default", () => {
    expect(judgeRule(rule(), atFactor, atFactor, POLICY).firing).toBe(false);
    expect(judgeRule(rule(), { good: 0, total: 2 }, { good: 0, total: 2 }, POLICY).firing).toBe(
      true,
    );
  });

  it("lt fires when both windows burn slower than the factor (a too-quiet alert), and not when one burns faster", () => {
    const quiet = { good: 10, total: 10 };
    expect(judgeRule(rule({ op: "lt" }), quiet, quiet, POLICY).firing).toBe(true);
    expect(judgeRule(rule({ op: "lt" }), quiet, { good: 0, total: 1 }, POLICY).firing).toBe(false);
    expect(judgeRule(rule({ op: "gt" }), quiet, quiet, POLICY).firing).toBe(false);
  });

  it("no events is no data for every op: lt does not fire on silence", () => {
    const none = { good: 0, total: 0 };
    expect(judgeRule(rule({ op: "lt" }), none, none, POLICY).firing).toBe(false);
  });

  it("a threshold of 2 is the factor 2, whatever the share says", () => {
    const verdict = judgeRule(rule({ factor: 2, share: 0.0027 }), atFactor, atFactor, POLICY);
    expect(verdict.factor).toBe(2);
  });

  it("a burn rate equal to the factor but for floating point is equal: gte 2 fires at 0.2% errors of a 99.9% objective", () => {
    const counts = { good: 998, total: 1000 };
    const policy = { ...POLICY, objective: 0.999 };
    expect(judgeRule(rule({ op: "gte" }), counts, counts, policy).firing).toBe(true);
    expect(judgeRule(rule({ op: "gt" }), counts, counts, policy).firing).toBe(false);
  });
});

/** Events on whole minutes (plus 1 ms), bucketed the way a source does. */
function bucketsOf(events: RawEvent[], startMs: number, stepMs: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const c = countIn(events, startMs + i * stepMs, startMs + (i + 1) * stepMs);
    return { good: c.good, total: c.total };
  });
}

const START = Date.parse("2026-11-01T00:00:00Z");
const SPAN_MIN = 4 * 60;
const traffic = fc.array(
  fc.record({ minute: fc.integer({ min: 0, max: SPAN_MIN - 1 }), bad: fc.boolean() }),
  { minLength: 20, maxLength: 400 },
);
const toEvents = (raw: { minute: number; bad: boolean }[]): RawEvent[] =>
  raw.map((r) => ({ t: START + r.minute * MIN + 1, good: !r.bad }));
const condition = fc.record({
  op: fc.constantFrom("gt", "gte", "lt", "lte" as const),
  factor: fc.constantFrom(1, 2, 4),
  alertAfterMs: fc.constantFrom(0, 5 * MIN, 10 * MIN, 30 * MIN),
});

function asRule(c: { op: ReferenceCondition["op"]; factor: number; alertAfterMs: number }) {
  const reference: ReferenceCondition = { longMs: HOUR, shortMs: 5 * MIN, ...c };
  return { reference, rule: rule({ op: c.op, factor: c.factor, alertAfterMs: c.alertAfterMs }) };
}

describe("alertAfter: held for that long", () => {
  it("the alert history fires where the reference says the condition held for alertAfter, at every step", () => {
    const step = 5 * MIN;
    const count = (SPAN_MIN * MIN) / step;
    fc.assert(
      fc.property(traffic, condition, (raw, c) => {
        const events = toEvents(raw);
        const { reference, rule: r } = asRule(c);
        const history = alertHistoryOf({
          buckets: bucketsOf(events, START, step, count),
          startMs: START,
          stepMs: step,
          fromMs: START,
          rules: [r],
          ...POLICY,
          minEvents: 3,
          disabled: { page: false, ticket: false },
        });
        expect(history.sinceMs).toBe(START + HOUR + c.alertAfterMs);
        for (let at = history.sinceMs; at <= START + count * step; at += step) {
          const expected = referenceFiresAfter(events, at, reference, step, OBJECTIVE, 3);
          const actual = history.episodes.some(
            (e) => e.startMs <= at && (e.endMs === null || at < e.endMs),
          );
          if (actual !== expected) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("slo check's judgement at one instant (heldThroughout) agrees with the reference at one-minute steps", () => {
    fc.assert(
      fc.property(
        traffic,
        condition,
        fc.integer({ min: 100, max: SPAN_MIN }),
        (raw, c, atMinute) => {
          const events = toEvents(raw);
          const { reference, rule: r } = asRule(c);
          const at = START + atMinute * MIN;
          const count = (HOUR + c.alertAfterMs) / MIN;
          const buckets = bucketsOf(events, at - count * MIN, MIN, count);
          const held = heldThroughout({ buckets, stepMs: MIN, rule: r, ...POLICY, minEvents: 3 });
          return held === referenceFiresAfter(events, at, reference, MIN, OBJECTIVE, 3);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a series too short to show the condition held does not fire", () => {
    const buckets = Array.from({ length: 60 }, () => ({ good: 0, total: 5 }));
    const r = rule({ alertAfterMs: 5 * MIN });
    expect(heldThroughout({ buckets, stepMs: MIN, rule: r, ...POLICY })).toBe(false);
    const enough = Array.from({ length: 65 }, () => ({ good: 0, total: 5 }));
    expect(heldThroughout({ buckets: enough, stepMs: MIN, rule: r, ...POLICY })).toBe(true);
  });

  it("slo check: a condition that holds now but not for alertAfter is pending, not firing", () => {
    const at = START + 3 * HOUR;
    // Errors only in the last 3 minutes: the 5m and 1h windows burn now, but did not 5 minutes ago.
    const events: RawEvent[] = [];
    for (let m = 0; m < 180; m++) events.push({ t: START + m * MIN + 1, good: m < 177 });
    const r = rule({ alertAfterMs: 5 * MIN, factor: 0.05 });
    const input = (alertAfterMs: number) => {
      const ruleNow = { ...r, alertAfterMs };
      const count = (HOUR + alertAfterMs) / MIN;
      const counts = {
        "1h": countIn(events, at - HOUR, at),
        "5m": countIn(events, at - 5 * MIN, at),
        "30d": countIn(events, at - 30 * DAY, at),
      };
      return evaluateSlo({
        atMs: at,
        objective: OBJECTIVE,
        budgetingMethod: "occurrences",
        window: { label: "30d", bounds: { startMs: at - 30 * DAY, endMs: at, periodMs: 30 * DAY } },
        counts,
        rules: [ruleNow],
        heldSeries: {
          [`held:${HOUR}/${5 * MIN}/${alertAfterMs}`]: {
            buckets: bucketsOf(events, at - count * MIN, MIN, count),
            stepMs: MIN,
          },
        },
        minEvents: 0,
        disabled: { page: false, ticket: false },
        gate: { minRemaining: 0, warnRemaining: 0.25 },
      }).alerts[0]!;
    };
    expect(input(0)).toMatchObject({ firing: true });
    expect(input(5 * MIN)).toMatchObject({ firing: false, pending: true });
    expect(input(2 * MIN)).toMatchObject({ firing: true });
  });
});
