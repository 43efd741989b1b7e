import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import { alertFactor } from "../../src/engine/alert-policy.js";
import { burnRateOf, errorBudgetOf, sliOf } from "../../src/engine/budget.js";
import { evaluateSlo, type SloEvaluationInput } from "../../src/engine/evaluate.js";
import { runResultOf } from "../../src/engine/status.js";
import { timesliceSli } from "../../src/engine/timeslices.js";
import { countIn, type RawEvent, referenceAlertFires, referenceStatus } from "./reference.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const AT = Date.parse("2026-11-24T12:00:00Z");

/** The engine's input for a rolling window, with every window counted from raw events. */
function inputFrom(
  events: RawEvent[],
  objective: number,
  windowMs: number,
  overrides: Partial<SloEvaluationInput> = {},
): SloEvaluationInput {
  const counts: SloEvaluationInput["counts"] = {};
  const lengths: [string, number][] = [
    ["5m", 5 * MIN],
    ["30m", 30 * MIN],
    ["1h", HOUR],
    ["2h", 2 * HOUR],
    ["6h", 6 * HOUR],
    ["1d", DAY],
    ["3d", 3 * DAY],
    ["window", windowMs],
  ];
  for (const [label, ms] of lengths) {
    const c = countIn(events, AT - ms, AT);
    counts[label] = { good: c.good, total: c.total };
  }
  return {
    atMs: AT,
    objective,
    budgetingMethod: "occurrences",
    window: { label: "window", bounds: { startMs: AT - windowMs, endMs: AT, periodMs: windowMs } },
    counts,
    rules: DEFAULT_BURN_RATE_WINDOWS,
    minEvents: 10,
    disabled: { page: false, ticket: false },
    gate: { minRemaining: 0, warnRemaining: 0.25 },
    ...overrides,
  };
}

describe("the SRE workbook factors", () => {
  it.each([
    [30, [14.4, 6, 3, 1]],
    [28, [13.44, 5.6, 2.8, 0.9333]],
  ])("at %dd the factors are %j", (days, expected) => {
    const factors = DEFAULT_BURN_RATE_WINDOWS.map((w) =>
      alertFactor(w.share, days * DAY, w.longMs),
    );
    for (const [i, f] of factors.entries()) expect(f).toBeCloseTo(expected[i]!, 4);
  });

  it("a 30d window fires the 1h page at a burn rate above 14.4 in both windows", () => {
    // 1000 events an hour for 3 days; the last hour has 1.5% errors: burn 15 at 99.9%.
    const events: RawEvent[] = [];
    for (let m = 0; m < 3 * 24 * 60; m++) {
      const t = AT - m * MIN;
      const errors = m < 60 ? (m % 4 === 0 ? 1 : 0) : 0;
      for (let i = 0; i < 17; i++) events.push({ t: t - i, good: i >= errors });
    }
    const result = evaluateSlo(inputFrom(events, 0.999, 30 * DAY));
    const page1h = result.alerts.find((a) => a.long === "1h")!;
    expect(page1h.factor).toBeCloseTo(14.4, 9);
    expect(page1h.burnRateLong).toBeGreaterThan(14.4);
    expect(page1h.firing).toBe(true);
    expect(result.status).toBe("breaching");
  });
});

describe("the maths on its edges", () => {
  it("no events is no data: null SLI, untouched budget, null burn rates", () => {
    const result = evaluateSlo(inputFrom([], 0.999, 30 * DAY));
    expect(result.sli).toBeNull();
    expect(result.errorBudget).toEqual({ consumed: 0, remaining: 1 });
    expect(Object.values(result.burnRates).every((r) => r === null)).toBe(true);
    expect(result.status).toBe("no-data");
    expect(result.exhaustion).toBeNull();
    expect(JSON.stringify(result)).not.toContain("NaN");
  });

  it("a single bad event does not page (minEvents)", () => {
    const result = evaluateSlo(inputFrom([{ t: AT - 1000, good: false }], 0.999, 30 * DAY));
    expect(result.sli).toBe(0);
    expect(result.alerts.every((a) => !a.firing)).toBe(true);
    expect(result.burnRates["5m"]).toBeCloseTo(1000, 6);
    expect(result.status).toBe("breaching"); // the budget itself is spent
  });

  it("budget spent past 100% is not capped", () => {
    const events: RawEvent[] = [];
    for (let i = 0; i < 1000; i++) events.push({ t: AT - 10 * DAY - i * MIN, good: i >= 14 });
    const result = evaluateSlo(inputFrom(events, 0.99, 30 * DAY));
    expect(result.errorBudget.consumed).toBeCloseTo(1.4, 10);
    expect(result.errorBudget.remaining).toBeCloseTo(-0.4, 10);
    expect(result.status).toBe("breaching");
    expect(result.exhaustion).toEqual({ "1h": AT, "1d": AT });
  });

  it("a window longer than the data counts what there is", () => {
    const events: RawEvent[] = [
      { t: AT - 2 * DAY, good: true },
      { t: AT - DAY, good: false },
      { t: AT - HOUR / 2, good: true },
      { t: AT - 60 * DAY, good: false }, // outside the window
    ];
    const result = evaluateSlo(inputFrom(events, 0.5, 30 * DAY));
    expect(result.events).toEqual({ good: 2, bad: 1, total: 3 });
    expect(result.sli).toBeCloseTo(2 / 3, 12);
  });

  it("windows are left-open and right-closed", () => {
    const events: RawEvent[] = [
      { t: AT - 5 * MIN, good: false },
      { t: AT, good: true },
    ];
    const input = inputFrom(events, 0.9, 30 * DAY);
    expect(input.counts["5m"]).toEqual({ good: 1, total: 1 });
  });

  it("exhaustion forecasts from the 1h and 1d burn rates", () => {
    // 0.2% errors for two days at 99%: burn 0.2, 80% of the budget left.
    const events: RawEvent[] = [];
    for (let m = 0; m < 2 * 24 * 60; m++) {
      for (let i = 0; i < 5; i++)
        events.push({ t: AT - m * MIN - i, good: !(m % 100 === 0 && i === 0) });
    }
    const input = inputFrom(events, 0.99, 30 * DAY);
    const result = evaluateSlo(input);
    expect(result.errorBudget.remaining).toBeGreaterThan(0.7);
    const rate1d = burnRateOf(input.counts["1d"]!, 0.99)!;
    const expected = AT + Math.round((result.errorBudget.remaining / rate1d) * 30 * DAY);
    expect(result.exhaustion?.["1d"]).toBe(expected);
  });
});

describe("timeslices", () => {
  it("counts good slices against the target, skipping empty ones", () => {
    const slices = [
      { good: 99, total: 100 },
      { good: 90, total: 100 },
      { good: 0, total: 0 },
      { good: 100, total: 100 },
    ];
    expect(timesliceSli(slices, "timeslices", 0.95)).toEqual({
      sli: 2 / 3,
      goodSlices: 2,
      slices: 3,
    });
    expect(timesliceSli(slices, "ratioTimeslices", 0.95).sli).toBeCloseTo((0.99 + 0.9 + 1) / 3, 12);
  });
});

describe("the run's result", () => {
  it("is the worst gated status", () => {
    expect(
      runResultOf([
        { status: "ok", gated: true },
        { status: "warning", gated: true },
      ]),
    ).toBe("warn");
    expect(
      runResultOf([
        { status: "breaching", gated: false },
        { status: "ok", gated: true },
      ]),
    ).toBe("pass");
    expect(
      runResultOf([
        { status: "error", gated: true },
        { status: "warning", gated: true },
      ]),
    ).toBe("unknown");
    expect(
      runResultOf([
        { status: "error", gated: true },
        { status: "breaching", gated: true },
      ]),
    ).toBe("fail");
  });
});

const eventsArb = fc.array(
  fc.record({
    // mostly recent, so the short windows see traffic
    t: fc.oneof(
      fc.integer({ min: AT - 2 * HOUR, max: AT + HOUR }),
      fc.integer({ min: AT - 40 * DAY, max: AT }),
    ),
    good: fc.boolean(),
  }),
  { maxLength: 300 },
);
const objectiveArb = fc.constantFrom(0.9, 0.95, 0.99, 0.995, 0.999);

describe("against the reference (property-based)", () => {
  it("SLI, budget and burn rates equal the definitions", () => {
    fc.assert(
      fc.property(eventsArb, objectiveArb, fc.constantFrom(28, 30), (events, objective, days) => {
        const result = evaluateSlo(inputFrom(events, objective, days * DAY));
        const all = countIn(events, AT - days * DAY, AT);
        if (all.total === 0) {
          expect(result.sli).toBeNull();
          return;
        }
        expect(result.events).toEqual(all);
        expect(result.sli).toBeCloseTo(all.good / all.total, 12);
        expect(result.errorBudget.consumed).toBeCloseTo(all.bad / all.total / (1 - objective), 9);
        expect(result.errorBudget.remaining + result.errorBudget.consumed).toBeCloseTo(1, 12);
        const oneHour = countIn(events, AT - HOUR, AT);
        expect(result.burnRates["1h"]).toEqual(
          oneHour.total === 0
            ? null
            : expect.closeTo(oneHour.bad / oneHour.total / (1 - objective), 9),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("alerts and status equal the reference", () => {
    fc.assert(
      fc.property(
        eventsArb,
        objectiveArb,
        fc.integer({ min: 0, max: 20 }),
        (events, objective, minEvents) => {
          const result = evaluateSlo(inputFrom(events, objective, 30 * DAY, { minEvents }));
          for (const [i, rule] of DEFAULT_BURN_RATE_WINDOWS.entries()) {
            expect(result.alerts[i]!.firing).toBe(
              referenceAlertFires(events, AT, rule, objective, 30 * DAY, minEvents),
            );
          }
          expect(result.status).toBe(
            referenceStatus(
              events,
              AT,
              30 * DAY,
              objective,
              DEFAULT_BURN_RATE_WINDOWS,
              minEvents,
              0,
              0.25,
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the burn-down ends at the remaining budget and never rises", () => {
    fc.assert(
      fc.property(eventsArb, objectiveArb, (events, objective) => {
        const windowMs = 30 * DAY;
        const buckets = Array.from({ length: 30 }, (_, i) => {
          const c = countIn(events, AT - windowMs + i * DAY, AT - windowMs + (i + 1) * DAY);
          return { good: c.good, total: c.total };
        });
        const result = evaluateSlo(inputFrom(events, objective, windowMs, { buckets }));
        if (result.sli === null) return;
        const last = result.burnDown[result.burnDown.length - 1]!;
        expect(last.remaining).toBeCloseTo(result.errorBudget.remaining, 9);
        for (let i = 1; i < result.burnDown.length; i++) {
          expect(result.burnDown[i]!.remaining).toBeLessThanOrEqual(
            result.burnDown[i - 1]!.remaining,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("helpers agree with each other", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), objectiveArb, (good, bad, objective) => {
        const c = { good, total: good + bad };
        const sli = sliOf(c);
        const budget = errorBudgetOf(sli, objective);
        if (sli === null) expect(budget.remaining).toBe(1);
        else expect(budget.consumed).toBeCloseTo(burnRateOf(c, objective)!, 9);
      }),
    );
  });
});
