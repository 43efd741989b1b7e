/**
 * issue 14 §3 "Measured, not assumed": slo verify's false positives and its
 * detection, by simulation with fixed seeds (bench/verify-simulation.ts,
 * which `npm run bench` prints). docs/verify.md quotes these figures.
 */

import { describe, expect, it } from "vitest";
import {
  binomialDraw,
  DEPLOYS_PER_SCENARIO,
  DETECTION,
  detectedFrom,
  NO_CHANGE_SCENARIOS,
  SIMULATION_THRESHOLDS,
  seededRandom,
  simulateIncrease,
  simulateNoChange,
} from "../../bench/verify-simulation.js";

function meanAndVariance(draws: number[]): { mean: number; variance: number } {
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
  return { mean, variance };
}

describe("the simulation's randomness", () => {
  it("repeats itself from a seed, and stays in [0, 1)", () => {
    const a = seededRandom(14);
    const b = seededRandom(14);
    const c = seededRandom(15);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("is uniform enough: the mean and the share under 0.1 of 100,000 draws", () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 100_000 }, () => random());
    const { mean } = meanAndVariance(draws);
    // standard errors: sqrt(1/12/1e5) = 0.0009 and sqrt(0.09/1e5) = 0.00095
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(draws.filter((x) => x < 0.1).length / draws.length - 0.1)).toBeLessThan(0.004);
  });

  it("draws binomials with the right mean and variance, by inversion and by the normal approximation", () => {
    const random = seededRandom(2);
    for (const [n, p] of [
      [1000, 0.005],
      [200, 0.3],
      [100_000, 0.001],
      [1_000_000, 0.01],
    ] as const) {
      const draws = Array.from({ length: 20_000 }, () => binomialDraw(random, n, p));
      const { mean, variance } = meanAndVariance(draws);
      const expected = n * p * (1 - p);
      // 5 standard errors of the mean; the variance within 5%
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(expected / draws.length));
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.05);
      expect(draws.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
    }
    expect(binomialDraw(random, 100, 0)).toBe(0);
    expect(binomialDraw(random, 100, 1)).toBe(100);
  });
});

describe("slo verify with no change in the error rate", () => {
  const alpha = 1 - SIMULATION_THRESHOLDS.confidence;

  for (const scenario of NO_CHANGE_SCENARIOS) {
    it(`${scenario.name}: regressed in at most 1% of ${DEPLOYS_PER_SCENARIO} deploys`, () => {
      const shares = simulateNoChange(scenario);
      expect(shares.deploys).toBe(DEPLOYS_PER_SCENARIO);
      expect(shares.regressed).toBeLessThanOrEqual(alpha);
      expect(shares.regressed + shares.inconclusive + shares.pass).toBeCloseTo(1, 12);
    });
  }

  it("at low traffic the baseline of ~1,000 events is too small: almost all inconclusive, almost none pass", () => {
    const low = simulateNoChange(NO_CHANGE_SCENARIOS[0]!);
    expect(low.inconclusive).toBeGreaterThan(0.99);
    expect(low.pass).toBeLessThan(0.005);
  });
});

describe("slo verify on a 5x increase", () => {
  const rows = DETECTION.afterEvents.map((events) => ({ events, ...simulateIncrease(events) }));

  it("detects it in at least 95% of deploys from 3,000 events after the deploy on (measured)", () => {
    expect(detectedFrom(rows, 0.95)).toBe(3000);
    const at = (events: number) => rows.find((r) => r.events === events)!;
    expect(at(2000).regressed).toBeLessThan(0.95);
    for (const r of rows.filter((row) => row.events >= 3000)) {
      expect(r.regressed).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("never passes it: what is not caught yet is inconclusive, and that share only falls", () => {
    for (const r of rows) expect(r.pass).toBe(0);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.inconclusive).toBeLessThanOrEqual(rows[i - 1]!.inconclusive);
    }
  });

  it("detectedFrom reads the table: the first size from which every larger one is at the share", () => {
    const table = [100, 200, 300, 400].map((events, i) => ({
      events,
      regressed: [0.96, 0.5, 0.95, 0.99][i]!,
    }));
    expect(detectedFrom(table, 0.95)).toBe(300);
    expect(detectedFrom(table, 0.999)).toBeNull();
  });
});
