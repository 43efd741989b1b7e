import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Counts } from "../../src/engine/budget.js";
import {
  compareDeploy,
  type DeployComparison,
  type DeployComparisonInput,
  fisherOneSided,
  worseOf,
} from "../../src/engine/deploy-verdict.js";
import {
  binomial,
  type ReferenceInput,
  ReferenceRule,
  referenceFisher,
  referencePmf,
} from "./deploy-verdict-reference.js";

function counts(bad: number, total: number): Counts {
  return { good: total - bad, total };
}

const THRESHOLDS = { confidence: 0.99, minBurn: 2, minIncrease: 1.5, minEvents: 10 };

function input(
  baseline: [bad: number, total: number],
  after: [bad: number, total: number],
  overrides: Partial<DeployComparisonInput> = {},
): DeployComparisonInput {
  return {
    objective: 0.999,
    ...THRESHOLDS,
    baseline: counts(...baseline),
    after: counts(...after),
    ...overrides,
  };
}

function expectClose(actual: number, expected: number, relative: number): void {
  if (expected === 0) expect(actual).toBe(0);
  else expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(relative);
}

/** A 2x2 table of at most 60 events: what the BigInt reference can enumerate at once. */
const smallTable = fc
  .record({ n1: fc.integer({ min: 1, max: 30 }), n2: fc.integer({ min: 1, max: 30 }) })
  .chain(({ n1, n2 }) =>
    fc.record({
      n1: fc.constant(n1),
      n2: fc.constant(n2),
      b1: fc.integer({ min: 0, max: n1 }),
      b2: fc.integer({ min: 0, max: n2 }),
    }),
  );

describe("binomial (the reference's own check)", () => {
  it("agrees with factorials and Pascal's rule", () => {
    const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));
    for (let n = 0; n <= 40; n++) {
      for (let k = 0; k <= n; k++) {
        expect(binomial(n, k)).toBe(factorial(n) / (factorial(k) * factorial(n - k)));
        if (k > 0 && k < n)
          expect(binomial(n, k)).toBe(binomial(n - 1, k - 1) + binomial(n - 1, k));
      }
    }
  });
});

describe("fisherOneSided", () => {
  it("gives scipy's fisher_exact(..., alternative='greater') on hand-picked tables", () => {
    // scipy 1.17: fisher_exact([[afterBad, afterGood], [baselineBad, baselineGood]], alternative="greater")
    const cases: [number, number, number, number, number][] = [
      [4, 1000, 12, 1000, 0.03782333576278144],
      [2, 1000, 10, 1000, 0.019005623746425695],
      [8, 2000, 9, 400, 0.0006302752233137825],
      [400, 100_000, 520, 100_000, 4.116673307929393e-5],
      [3, 20, 7, 25, 0.2500246657932421],
      [40, 10_000, 210, 10_000, 1.2295155238419167e-29],
      [400, 100_000, 410, 100_000, 0.3756821521222847],
    ];
    for (const [b1, n1, b2, n2, p] of cases) expectClose(fisherOneSided(b1, n1, b2, n2), p, 1e-10);
  });

  it("gives the 50-digit sum of the tail at ten million and a hundred million events", () => {
    // mpmath at 50 digits, to 17 (scipy 1.17 is 3e-9 off on both)
    expectClose(fisherOneSided(1000, 10_000_000, 1200, 10_000_000), 1.0897171243055922e-5, 1e-12);
    expectClose(
      fisherOneSided(40_000, 100_000_000, 41_000, 100_000_000),
      2.233128987490065e-4,
      1e-12,
    );
  });

  it("gives the values worked out by hand", () => {
    // all 3 bad events of 20 fall among the 10 after: C(17,7)/C(20,10) = 2/19
    expectClose(fisherOneSided(0, 10, 3, 10), 2 / 19, 1e-14);
    // the one after event is bad: 6 bad of 1001, drawn once
    expectClose(fisherOneSided(5, 1000, 1, 1), 6 / 1001, 1e-14);
    // 3 bad of 6, 3 drawn, at least 2 bad: (C(3,2)C(3,1) + C(3,3)) / C(6,3) = 10/20
    expectClose(fisherOneSided(1, 3, 2, 3), 0.5, 1e-14);
    expect(fisherOneSided(5, 1000, 0, 200)).toBe(1);
    expect(fisherOneSided(0, 1000, 0, 1000)).toBe(1);
  });

  it("agrees with the exact BigInt enumeration to 1e-9 on every table of up to 60 events", () => {
    fc.assert(
      fc.property(smallTable, ({ n1, b1, n2, b2 }) => {
        expectClose(fisherOneSided(b1, n1, b2, n2), referenceFisher(b1, n1, b2, n2), 1e-9);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with the exact enumeration at the far tail, where the mass is tiny", () => {
    // the most extreme table: every bad event after the deploy
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (n1, n2, bad) => {
          const b2 = Math.min(bad, n2);
          expectClose(fisherOneSided(0, n1, b2, n2), referencePmf(0, n1, b2, n2), 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees with the exact enumeration when one window is large", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 100, max: 20_000 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n2, afterRate, baselineShare) => {
          const b1 = Math.round(baselineShare * n1);
          const b2 = Math.min(n2, Math.round(afterRate * n2));
          expectClose(fisherOneSided(b1, n1, b2, n2), referenceFisher(b1, n1, b2, n2), 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("falls as the after window's bad count rises, its totals fixed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (n1, n2, share, rate) => {
          const b1 = Math.round(share * rate * n1);
          let previous = 1;
          const top = Math.min(n2, Math.round(rate * n2) + 20);
          for (let b2 = 0; b2 <= top; b2++) {
            const p = fisherOneSided(b1, n1, b2, n2);
            expect(p).toBeLessThanOrEqual(previous * (1 + 1e-12));
            previous = p;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("rises as good events join the after window, its bad count fixed", () => {
    // what eventsNeeded relies on: within one bad count the largest window is the hardest
    fc.assert(
      fc.property(smallTable, fc.integer({ min: 1, max: 200 }), ({ n1, b1, n2, b2 }, more) => {
        const p = fisherOneSided(b1, n1, b2, n2);
        expect(fisherOneSided(b1, n1, b2, n2 + more)).toBeGreaterThanOrEqual(p * (1 - 1e-12));
      }),
      { numRuns: 1000 },
    );
  });

  it("is symmetric: two tails of one table add to one, and swapped windows share one mass", () => {
    fc.assert(
      fc.property(smallTable, ({ n1, b1, n2, b2 }) => {
        // P(X >= b2) + P(X <= b2 - 1) = 1, the second as the good events' upper tail
        if (b2 >= 1 && b1 <= n1 - 1) {
          const lower = fisherOneSided(n1 - b1 - 1, n1, n2 - b2 + 1, n2);
          expect(fisherOneSided(b1, n1, b2, n2) + lower).toBeCloseTo(1, 12);
        }
        // P(after >= b2) + P(baseline >= b1) = 1 + P(this very table)
        const both = fisherOneSided(b1, n1, b2, n2) + fisherOneSided(b2, n2, b1, n1);
        expect(both - 1).toBeCloseTo(referencePmf(b1, n1, b2, n2), 12);
      }),
      { numRuns: 1000 },
    );
  });

  it("gives identical windows a p of at least one half", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, r) => {
          const b = Math.round(r * n);
          expect(fisherOneSided(b, n, b, n)).toBeGreaterThanOrEqual(0.5);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses counts that are no table: a bug in its caller, not the user's", () => {
    expect(() => fisherOneSided(5, 4, 0, 1)).toThrow(RangeError);
    expect(() => fisherOneSided(-1, 4, 0, 1)).toThrow(RangeError);
    expect(() => fisherOneSided(1.5, 4, 0, 1)).toThrow(RangeError);
  });
});

describe("compareDeploy on hand examples", () => {
  it("regressed: a 5x increase with a p that leaves no doubt", () => {
    const c = compareDeploy(input([40, 10_000], [210, 10_000]));
    expect(c.verdict).toBe("regressed");
    expectClose(c.pValue!, 1.2295155238419167e-29, 1e-9);
    expect(c.baselineRatio).toBeCloseTo(0.004, 12);
    expect(c.afterRatio).toBeCloseTo(0.021, 12);
    expect(c.baselineBurnRate).toBeCloseTo(4, 9);
    expect(c.afterBurnRate).toBeCloseTo(21, 9);
    expect(c.eventsNeeded).toBeNull();
    expect(c.reason).toBe(
      "errors 2.10% after vs 0.40% before (5.3x, burn 21x), p = 1.2e-29 < 0.01",
    );
  });

  it("pass: the same error ratio on a window large enough to have shown a regression", () => {
    const c = compareDeploy(input([400, 100_000], [410, 100_000]));
    expect(c.verdict).toBe("pass");
    expectClose(c.pValue!, 0.3756821521222847, 1e-9);
    expect(c.reason).toBe(
      "errors 0.41% after vs 0.40% before (1.0x, burn 4.1x), p = 0.38, not below 0.01; under min-increase 1.5x (the baseline already burns at 4.0x: judged on the increase)",
    );
  });

  it("pass: a baseline that already burns fast is judged on the increase, not the level", () => {
    // burn 12x after (well over min-burn 2) but 1.2x the baseline's ratio, and p = 0.099
    const c = compareDeploy(input([100, 10_000], [120, 10_000]));
    expect(c.verdict).toBe("pass");
    expectClose(c.pValue!, 0.09880398934032238, 1e-9);
    expect(c.reason).toContain("the baseline already burns at 10x: judged on the increase");
  });

  it("pass: significant but smaller than min-increase", () => {
    // 4,700 bad vs 4,000 of a million: p tiny, but 1.175x < 1.5x
    const c = compareDeploy(input([4000, 1_000_000], [4700, 1_000_000]));
    expect(c.pValue!).toBeLessThan(1e-9);
    expect(c.verdict).toBe("pass");
    expect(c.reason).toMatch(
      /^errors 0\.47% after vs 0\.40% before \(1\.2x, burn 4\.7x\), p = \S+ < 0\.01; under min-increase 1\.5x/,
    );
  });

  it("pass: significant but burning slower than min-burn", () => {
    // 0.15% errors after vs 0.01% before, objective 99%: burn 0.15 < 2
    const c = compareDeploy(input([10, 100_000], [150, 100_000], { objective: 0.99 }));
    expect(c.pValue!).toBeLessThan(1e-9);
    expect(c.verdict).toBe("pass");
    expect(c.reason).toContain("(15x, burn 0.15x)");
    expect(c.reason).toContain("; under min-burn 2x");
  });

  it("inconclusive: says how many more events would detect the smallest regression", () => {
    // Worked out independently with scipy: at a 0.20% baseline of 50,000 events, the smallest
    // regression is 0.30% (1.5x); 57 bad of 19,000 after gives p = 0.01014 (no), 58 bad of
    // 19,333 gives p = 0.00974 (yes), so from 19,001 events on the test can see it.
    const c = compareDeploy(input([100, 50_000], [10, 5000]));
    expect(c.verdict).toBe("inconclusive");
    expect(c.eventsNeeded).toBe(14_001);
    expect(c.reason).toBe(
      "5,000 events after the deploy, 14,001 more needed to detect a 1.5x increase (0.30% errors) at 99%",
    );
    // the same baseline with the after window at exactly those sizes
    expect(compareDeploy(input([100, 50_000], [10, 19_000])).verdict).toBe("inconclusive");
    expect(compareDeploy(input([100, 50_000], [10, 19_001])).verdict).toBe("pass");
    expect(compareDeploy(input([100, 50_000], [57, 19_000])).verdict).toBe("inconclusive");
    expect(compareDeploy(input([100, 50_000], [58, 19_001])).verdict).toBe("regressed");
  });

  it("inconclusive: the smallest regression is a burn rate when the baseline is quiet", () => {
    // scipy: no bad event in 5,000 before, so the smallest regression is burning 2x (0.20%
    // errors): 3 bad of 1,499 after gives p = 0.0123 (no), 4 of 1,999 p = 0.0066 (yes)
    const quiet = compareDeploy(input([0, 5000], [0, 100]));
    expect(quiet.verdict).toBe("inconclusive");
    expect(quiet.eventsNeeded).toBe(1400);
    expect(quiet.reason).toBe(
      "100 events after the deploy, 1,400 more needed to detect errors at 0.20% (burn 2x) at 99%",
    );
    // and at a 0.40% baseline of 100,000 the smallest is 0.60% (1.5x): 42 bad of 7,000
    // gives p = 0.01036, 43 of 7,166 p = 0.00964
    const busy = compareDeploy(input([400, 100_000], [3, 1000]));
    expect(busy.verdict).toBe("inconclusive");
    expect(busy.eventsNeeded).toBe(6001);
  });

  it("with a baseline that grows with the after window, a small baseline still gets a number", () => {
    // slo verify's windows: the baseline is as long as the after window, so waiting grows both.
    // 2 bad of 1,000 before and 1,000 after: as it is, that baseline is too small for any after
    // window (below); grown one baseline event per after event, a larger window will do.
    const grown = compareDeploy(input([2, 1000], [10, 1000], { baselineGrows: true }));
    expect(grown.verdict).toBe("inconclusive");
    expect(grown.eventsNeeded).not.toBeNull();
    // what the number promises: that many more events after, the baseline grown as many, and the
    // smallest regression (0.30% errors) is detected
    const n = 1000 + grown.eventsNeeded!;
    const at = compareDeploy(
      input([Math.round(n * 0.002), n], [Math.ceil(n * 0.003), n], { baselineGrows: true }),
    );
    expect(at.verdict).toBe("regressed");
    // a handful of events on each side: a number, not "never"
    const quiet = compareDeploy(input([0, 3], [1, 3], { baselineGrows: true }));
    expect(quiet.verdict).toBe("inconclusive");
    expect(quiet.eventsNeeded).toBeGreaterThan(0);
    expect(compareDeploy(input([0, 3], [1, 3])).eventsNeeded).toBeNull();
  });

  it("inconclusive with no number: a baseline too small to show any regression", () => {
    // 2 bad of 1,000 before: even an endless after window at 0.3% leaves p near 0.42
    const c = compareDeploy(input([2, 1000], [10, 10_000]));
    expect(c.verdict).toBe("inconclusive");
    expect(c.eventsNeeded).toBeNull();
    expect(c.reason).toBe(
      "the baseline's 1,000 events are too few to detect a 1.5x increase (0.30% errors) at 99%, however many come after the deploy",
    );
  });

  it("inconclusive: fewer events than minEvents, even all bad", () => {
    // scipy: at 50 bad of 10,000 before, 104 of 13,866 after p = 0.01008, 105 of 14,000 p = 0.00997
    const c = compareDeploy(input([50, 10_000], [3, 3]));
    expect(c.verdict).toBe("inconclusive");
    expect(c.eventsNeeded).toBe(13_864);
    expect(c.reason).toBe(
      "3 events after the deploy, fewer than the 10 the SLO needs; 13,864 more needed to detect a 1.5x increase (0.75% errors) at 99%",
    );
    // with minEvents out of the way, 3 bad of 3 is a regression beyond doubt
    expect(compareDeploy(input([50, 10_000], [3, 3], { minEvents: 0 })).verdict).toBe("regressed");
    // and once the test could see the smallest regression, minEvents alone holds it back
    const few = compareDeploy(input([0, 100_000], [0, 4]));
    expect(few.verdict).toBe("inconclusive");
    expect(few.eventsNeeded).toBe(6);
    expect(few.reason).toBe(
      "4 events after the deploy, fewer than the 10 the SLO needs; 6 more needed",
    );
  });

  it("a regression the data show counts before the window could show the smallest one", () => {
    // 1 bad of 1 after vs 5 of 1,000 before: p = 6/1001 < 0.01, though 1 event could never
    // show a 1.5x increase; too little traffic only stops a pass
    const c = compareDeploy(input([5, 1000], [1, 1], { minEvents: 1 }));
    expect(c.verdict).toBe("regressed");
    expectClose(c.pValue!, 6 / 1001, 1e-12);
  });

  it("inconclusive without events on either side", () => {
    const noAfter = compareDeploy(input([5, 1000], [0, 0], { minEvents: 0 }));
    expect(noAfter).toMatchObject({ verdict: "inconclusive", pValue: null, afterRatio: null });
    expect(noAfter.afterBurnRate).toBeNull();
    expect(noAfter.reason).toContain("no events after the deploy");
    const noBaseline = compareDeploy(input([0, 0], [5, 1000]));
    expect(noBaseline).toMatchObject({
      verdict: "inconclusive",
      pValue: null,
      baselineRatio: null,
      eventsNeeded: null,
    });
    expect(noBaseline.reason).toBe(
      "no events in the baseline window: nothing to compare 1,000 events after the deploy with",
    );
  });

  it("never detects anything when a regression would need more than 100% errors", () => {
    // objective 40%: burning twice the budget means 120% errors
    const c = compareDeploy(input([100, 1000], [1000, 1000], { objective: 0.4 }));
    expect(c.verdict).toBe("inconclusive");
    expect(c.eventsNeeded).toBeNull();
    expect(c.reason).toContain("over 100% errors");
  });

  it("never detects a regression that is no increase (min-increase 1 on a fast-burning baseline)", () => {
    const c = compareDeploy(input([500, 100_000], [1, 200], { minIncrease: 1 }));
    expect(c.verdict).toBe("inconclusive");
    expect(c.eventsNeeded).toBeNull();
    expect(c.reason).toBe(
      "200 events after the deploy; a regression here is no higher than the baseline's 0.50% errors (min-increase 1x), which no test can tell from chance: raise min-increase above 1",
    );
  });

  it("rounds fractional counts (Prometheus' increase() extrapolates) to whole events", () => {
    const fractional = compareDeploy({
      ...input([0, 0], [0, 0]),
      baseline: { good: 9959.6, total: 10_000.4 },
      after: { good: 4940.2, total: 5000.1 },
    });
    // 40.8 bad of 10,000.4 -> 41 of 10,000; 59.9 of 5,000.1 -> 60 of 5,000
    expectClose(fractional.pValue!, fisherOneSided(41, 10_000, 60, 5000), 1e-15);
    expectClose(fractional.pValue!, 6.475393241044841e-8, 1e-9);
    expect(fractional.afterRatio).toBeCloseTo(59.9 / 5000.1, 12);
  });
});

describe("compareDeploy against the rule applied literally", () => {
  const setup = fc.record({
    objective: fc.constantFrom(0.9, 0.95, 0.99, 0.995, 0.999),
    confidence: fc.constantFrom(0.8, 0.9, 0.95, 0.99),
    minBurn: fc.constantFrom(1, 1.5, 2, 5, 10),
    minIncrease: fc.constantFrom(1.2, 1.5, 2, 3),
    minEvents: fc.integer({ min: 0, max: 15 }),
  });

  function engineInput(r: ReferenceInput): DeployComparisonInput {
    return {
      objective: r.objective,
      confidence: r.confidence,
      minBurn: r.minBurn,
      minIncrease: r.minIncrease,
      minEvents: r.minEvents,
      baseline: counts(r.baselineBad, r.baselineTotal),
      after: counts(r.afterBad, r.afterTotal),
    };
  }

  function referenceOf(
    s: typeof setup extends fc.Arbitrary<infer T> ? T : never,
    t: {
      n1: number;
      b1: number;
      n2: number;
      b2: number;
    },
  ): ReferenceInput {
    return {
      ...s,
      baselineBad: t.b1,
      baselineTotal: t.n1,
      afterBad: t.b2,
      afterTotal: t.n2,
    };
  }

  it("gives the reference's verdict and p on random small inputs", () => {
    fc.assert(
      fc.property(setup, smallTable, (s, t) => {
        const r = referenceOf(s, t);
        const c = compareDeploy(engineInput(r));
        const rule = new ReferenceRule(r);
        const verdict = rule.verdict();
        fc.pre(!rule.borderline);
        expect(c.verdict).toBe(verdict);
        expectClose(c.pValue!, referenceFisher(t.b1, t.n1, t.b2, t.n2), 1e-9);
      }),
      { numRuns: 400 },
    );
  });

  it("eventsNeeded: that many more at the smallest regression is regressed, one fewer inconclusive", () => {
    fc.assert(
      fc.property(setup, smallTable, (s, t) => {
        const r = referenceOf(s, t);
        const c = compareDeploy(engineInput(r));
        if (c.verdict !== "inconclusive" || c.eventsNeeded === null) return;
        expect(c.eventsNeeded).toBeGreaterThanOrEqual(1);
        const rule = new ReferenceRule(r);
        const enough = t.n2 + c.eventsNeeded;
        const atEnough = { ...r, afterTotal: enough, afterBad: rule.minBad(enough)! };
        expect(compareDeploy(engineInput(atEnough)).verdict).toBe("regressed");
        const enoughRule = new ReferenceRule(atEnough);
        const enoughVerdict = enoughRule.verdict();
        fc.pre(!enoughRule.borderline);
        expect(enoughVerdict).toBe("regressed");
        const short = enough - 1;
        // with one fewer, even a window as bad as the rule's level is not yet conclusive
        const shortDetectable = rule.detectable(short);
        fc.pre(!rule.borderline);
        expect(short < r.minEvents || !shortDetectable).toBe(true);
        const atShort = { ...r, afterTotal: short, afterBad: 0 };
        expect(compareDeploy(engineInput(atShort)).verdict).toBe("inconclusive");
      }),
      { numRuns: 300 },
    );
  });

  it("eventsNeeded is null only when no after window could be told from the baseline", () => {
    fc.assert(
      fc.property(setup, smallTable, (s, t) => {
        const r = referenceOf(s, t);
        const c = compareDeploy(engineInput(r));
        if (c.verdict !== "inconclusive" || c.eventsNeeded !== null) return;
        // the reference scans far past any window it could need
        const rule = new ReferenceRule(r);
        for (const n of [t.n2 + 1, 1000, 10_000, 100_000]) expect(rule.detectable(n)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("detectability is monotone in the after window's size", () => {
  // Bisection over a function that is not monotone finds a crossing, not the first one.
  // Judged at the largest window with that bad count (not at ceil(n * pAlt) bad of n,
  // whose ratio saws up and down with n), detectability only ever turns on.
  it("once the test could detect the smallest regression, more events never undo it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.constantFrom(0.99, 0.995, 0.999, 0.9999),
        fc.constantFrom(0.9, 0.95, 0.99, 0.999),
        fc.constantFrom(1.1, 1.5, 2, 5),
        (n1, rate, objective, confidence, minIncrease) => {
          const b1 = Math.round(rate * n1);
          let detected = false;
          const thresholds = { ...THRESHOLDS, objective, confidence, minIncrease, minEvents: 0 };
          for (let n2 = 1; n2 <= 20_000; n2 = Math.ceil(n2 * 1.05)) {
            // no bad events after: never regressed, so inconclusive means "too few events"
            const c = compareDeploy({
              ...thresholds,
              baseline: counts(b1, n1),
              after: counts(0, n2),
            });
            if (detected) expect(c.verdict).toBe("pass");
            detected = c.verdict === "pass";
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("event by event on small baselines, against the reference", () => {
    // error ratios up to 10% before, so that a regression is under 20% errors
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom(0.9, 0.95, 0.99),
        fc.constantFrom(0.8, 0.9, 0.95),
        (n1, bad, objective, confidence) => {
          const b1 = Math.min(bad, Math.floor(n1 / 10));
          const rule = new ReferenceRule({
            objective,
            confidence,
            minBurn: 1,
            minIncrease: 1.5,
            minEvents: 0,
            baselineBad: b1,
            baselineTotal: n1,
            afterBad: 0,
            afterTotal: 0,
          });
          let detected = false;
          for (let n2 = 1; n2 <= 150; n2++) {
            const now = rule.detectable(n2);
            if (detected) expect(now).toBe(true);
            detected = now;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("where detectability flickers", () => {
  it("at regressions of over 20% errors on a handful of events: the crossing still holds", () => {
    // 4 bad of 7 before: a regression is 86% errors. 5 bad of 5 gives p = 0.159 < 0.2, but
    // the next largest window, 6 bad of 7, gives p = 0.280, so 6 to 8 events are too few again.
    const at = (n2: number, b2: number) =>
      compareDeploy({
        objective: 0.9,
        confidence: 0.8,
        minBurn: 1,
        minIncrease: 1.5,
        minEvents: 0,
        baseline: counts(4, 7),
        after: counts(b2, n2),
      });
    expect([4, 5, 6, 8, 9].map((n) => at(n, 0).verdict)).toEqual([
      "inconclusive",
      "pass",
      "inconclusive",
      "inconclusive",
      "pass",
    ]);
    const c = at(6, 0);
    expect(c.eventsNeeded).toBe(3);
    expect(at(9, 8).verdict).toBe("regressed");
    expect(at(8, 7).verdict).toBe("inconclusive");
  });
});

describe("worseOf", () => {
  const made = (verdict: DeployComparison["verdict"]): DeployComparison => ({
    ...compareDeploy(input([40, 10_000], [40, 10_000])),
    verdict,
    reason: verdict,
  });

  it("regressed beats inconclusive beats pass, either way round", () => {
    const order = ["pass", "inconclusive", "regressed"] as const;
    for (const a of order) {
      for (const b of order) {
        const worse = order[Math.max(order.indexOf(a), order.indexOf(b))];
        expect(worseOf(made(a), made(b)).verdict).toBe(worse);
      }
    }
  });

  it("keeps the first of two equally bad comparisons, whole", () => {
    const first = made("pass");
    expect(worseOf(first, made("pass"))).toBe(first);
  });
});
