/**
 * `slo verify`'s error rates, measured: many simulated deploys through
 * compareDeploy with fixed seeds. With no change in the error rate, the
 * share judged `regressed` must stay at or below 1 - confidence; with a 5x
 * increase, how often it is caught, by the after window's size.
 *
 * Run by `npm run bench` (and alone: `npm run bench -- --verify-only`);
 * test/engine/deploy-verdict-simulation.test.ts asserts the same figures.
 */

import { compareDeploy, type DeployVerdict } from "../src/engine/deploy-verdict.js";

/** mulberry32: a 32-bit seeded generator, uniform in [0, 1); small and plenty for a few million draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Above this mean, binomial draws use the normal approximation: (1-p)^n, where inversion starts, would underflow near 745. */
const MOST_MEAN_BY_INVERSION = 500;

/**
 * A Binomial(n, p) draw. Exact by inversion (walking the pmf up from 0 until
 * it passes a uniform draw) while n*p is at most 500, which covers every
 * scenario below; past that the normal approximation, rounded and clamped.
 */
export function binomialDraw(random: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const mean = n * p;
  if (mean > MOST_MEAN_BY_INVERSION) {
    const u = 1 - random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.min(n, Math.max(0, Math.round(mean + z * Math.sqrt(mean * (1 - p)))));
  }
  const u = random();
  const odds = p / (1 - p);
  let k = 0;
  let pmf = Math.exp(n * Math.log1p(-p));
  let cdf = pmf;
  while (u > cdf && k < n) {
    pmf *= (odds * (n - k)) / (k + 1);
    k++;
    cdf += pmf;
  }
  return k;
}

export const SIMULATION_THRESHOLDS = {
  confidence: 0.99,
  minBurn: 2,
  minIncrease: 1.5,
  minEvents: 10,
} as const;

export const DEPLOYS_PER_SCENARIO = 2000;
export const SEED = 14;

export interface NoChangeScenario {
  name: string;
  objective: number;
  errorRatio: number;
  /** events in each window, drawn uniformly within 20% of these, as traffic varies */
  baselineEvents: number;
  afterEvents: number;
}

export const NO_CHANGE_SCENARIOS: readonly NoChangeScenario[] = [
  {
    name: "low traffic",
    objective: 0.995,
    errorRatio: 0.005,
    baselineEvents: 1000,
    afterEvents: 200,
  },
  {
    name: "low traffic, baseline burning 5x",
    objective: 0.999,
    errorRatio: 0.005,
    baselineEvents: 1000,
    afterEvents: 200,
  },
  {
    name: "medium traffic",
    objective: 0.99,
    errorRatio: 0.01,
    baselineEvents: 10_000,
    afterEvents: 10_000,
  },
  {
    name: "high traffic",
    objective: 0.999,
    errorRatio: 0.001,
    baselineEvents: 100_000,
    afterEvents: 100_000,
  },
  {
    name: "high traffic, baseline burning 2x",
    objective: 0.9995,
    errorRatio: 0.001,
    baselineEvents: 100_000,
    afterEvents: 100_000,
  },
];

export interface Shares {
  deploys: number;
  regressed: number;
  inconclusive: number;
  pass: number;
  /** p < 1 - confidence alone, whatever the levels and the traffic: the exact test's own false positives */
  significant: number;
  /** compareDeploy's mean time a call */
  microsPerComparison: number;
}

function share(verdicts: DeployVerdict[], verdict: DeployVerdict): number {
  return verdicts.filter((v) => v === verdict).length / verdicts.length;
}

function aroundRandom(random: () => number, events: number): number {
  return Math.round(events * (0.8 + 0.4 * random()));
}

/** One simulated deploy's windows: bad and total events before and after. */
interface DrawnDeploy {
  baselineBad: number;
  baselineTotal: number;
  afterBad: number;
  afterTotal: number;
}

/** DEPLOYS_PER_SCENARIO deploys drawn by `draw`, each judged by the engine; the shares of each verdict. */
function judgeMany(objective: number, draw: () => DrawnDeploy): Shares {
  const verdicts: DeployVerdict[] = [];
  let significant = 0;
  let micros = 0;
  for (let i = 0; i < DEPLOYS_PER_SCENARIO; i++) {
    const d = draw();
    const t0 = performance.now();
    const c = compareDeploy({
      ...SIMULATION_THRESHOLDS,
      objective,
      baseline: { good: d.baselineTotal - d.baselineBad, total: d.baselineTotal },
      after: { good: d.afterTotal - d.afterBad, total: d.afterTotal },
    });
    micros += (performance.now() - t0) * 1000;
    verdicts.push(c.verdict);
    if (c.pValue !== null && c.pValue < 1 - SIMULATION_THRESHOLDS.confidence) significant++;
  }
  return {
    deploys: verdicts.length,
    regressed: share(verdicts, "regressed"),
    inconclusive: share(verdicts, "inconclusive"),
    pass: share(verdicts, "pass"),
    significant: significant / verdicts.length,
    microsPerComparison: micros / verdicts.length,
  };
}

/** Deploys that change nothing: both windows drawn at the same error ratio. */
export function simulateNoChange(scenario: NoChangeScenario, seed = SEED): Shares {
  const random = seededRandom(seed + NO_CHANGE_SCENARIOS.indexOf(scenario));
  return judgeMany(scenario.objective, () => {
    const baselineTotal = aroundRandom(random, scenario.baselineEvents);
    const afterTotal = aroundRandom(random, scenario.afterEvents);
    return {
      baselineTotal,
      afterTotal,
      baselineBad: binomialDraw(random, baselineTotal, scenario.errorRatio),
      afterBad: binomialDraw(random, afterTotal, scenario.errorRatio),
    };
  });
}

export const DETECTION = {
  objective: 0.999,
  baselineRatio: 0.002,
  increase: 5,
  /** events in the after window; the baseline is as long and as busy (steady traffic) */
  afterEvents: [100, 300, 1000, 2000, 3000, 5000, 10_000, 30_000],
} as const;

/** Deploys that multiply the error ratio by DETECTION.increase, with `events` in each window. */
export function simulateIncrease(events: number, seed = SEED): Shares {
  const random = seededRandom(seed + events);
  return judgeMany(DETECTION.objective, () => ({
    baselineTotal: events,
    afterTotal: events,
    baselineBad: binomialDraw(random, events, DETECTION.baselineRatio),
    afterBad: binomialDraw(random, events, DETECTION.baselineRatio * DETECTION.increase),
  }));
}

/** The smallest after-window size in the table from which on detection stays at or above `share`; null if none. */
export function detectedFrom(
  rows: readonly { events: number; regressed: number }[],
  atLeast: number,
): number | null {
  let from: number | null = null;
  for (const row of rows) {
    if (row.regressed < atLeast) from = null;
    else from ??= row.events;
  }
  return from;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Both tables, as Markdown on stdout; false when a false-positive share is over its bound. */
export function printVerifySimulation(): boolean {
  const alpha = 1 - SIMULATION_THRESHOLDS.confidence;
  const { confidence, minBurn, minIncrease, minEvents } = SIMULATION_THRESHOLDS;
  console.log(
    `\n**slo verify, simulated** (${count(DEPLOYS_PER_SCENARIO)} deploys a row, seed ${SEED}; confidence ${confidence}, min-burn ${minBurn}, min-increase ${minIncrease}, minEvents ${minEvents})\n`,
  );
  console.log(
    "No change in the error rate: the share judged `regressed` must stay at or below 1%.\n",
  );
  console.log(
    "| scenario | objective | error ratio | baseline events | after events | regressed | bound | p < 0.01 alone | inconclusive | pass | µs a comparison |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  let within = true;
  for (const s of NO_CHANGE_SCENARIOS) {
    const r = simulateNoChange(s);
    within = within && r.regressed <= alpha;
    console.log(
      `| ${s.name} | ${s.objective * 100}% | ${pct(s.errorRatio)} | ~${count(s.baselineEvents)} | ~${count(s.afterEvents)} | ${pct(r.regressed)} | ${r.regressed <= alpha ? "<=" : "OVER"} ${pct(alpha)} | ${pct(r.significant)} | ${pct(r.inconclusive)} | ${pct(r.pass)} | ${r.microsPerComparison.toFixed(0)} |`,
    );
  }
  console.log(
    `\nA ${DETECTION.increase}x increase (${pct(DETECTION.baselineRatio)} -> ${pct(DETECTION.baselineRatio * DETECTION.increase)} errors, objective ${DETECTION.objective * 100}%), baseline as many events as after:\n`,
  );
  console.log("| after events | detected (regressed) | inconclusive | pass | µs a comparison |");
  console.log("|---:|---:|---:|---:|---:|");
  const rows = DETECTION.afterEvents.map((events) => ({ events, ...simulateIncrease(events) }));
  for (const r of rows) {
    console.log(
      `| ${count(r.events)} | ${pct(r.regressed)} | ${pct(r.inconclusive)} | ${pct(r.pass)} | ${r.microsPerComparison.toFixed(0)} |`,
    );
  }
  const from = detectedFrom(rows, 0.95);
  console.log(
    from === null
      ? "\ndetection stays under 95% at every size simulated"
      : `\ndetection >= 95% from ${count(from)} events after the deploy`,
  );
  return within;
}
