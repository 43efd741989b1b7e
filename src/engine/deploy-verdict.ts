/**
 * `slo verify`'s judgement of one deploy on one SLO: did the error ratio of
 * the window after it rise above the baseline's, beyond chance (Fisher's
 * exact test, one-sided) and by enough to matter (a burn rate and an
 * increase)? And when the window is too small to tell, how many more events
 * it needs. docs/verify.md has the maths and the measured error rates.
 */

import { badOf, burnRateOf, type Counts, errorRatioOf } from "./budget.js";

export type DeployVerdict = "pass" | "regressed" | "inconclusive";

export interface VerifyThresholds {
  confidence: number;
  minBurn: number;
  minIncrease: number;
  minEvents: number;
}

export interface DeployComparisonInput extends VerifyThresholds {
  objective: number;
  baseline: Counts;
  after: Counts;
  /**
   * The baseline is as long as the after window and grows with it (slo
   * verify's windows: waiting lengthens both), so eventsNeeded assumes it
   * keeps its events per after event. Absent: the baseline stays as it is.
   */
  baselineGrows?: boolean | undefined;
  /** how the reason names the baseline: "before" (the default) or "a week earlier" */
  baselineName?: string | undefined;
}

export interface DeployComparison {
  verdict: DeployVerdict;
  /** one-sided exact p-value that the after window's error ratio is higher than the baseline's; null when either window has no events */
  pValue: number | null;
  baselineRatio: number | null;
  afterRatio: number | null;
  baselineBurnRate: number | null;
  afterBurnRate: number | null;
  /** inconclusive for want of traffic: how many MORE events the after window needs (at the rate that would just count as a regression) before the test could say `regressed`; null when the verdict is not inconclusive, or when no number of after events would do (the baseline has no events) */
  eventsNeeded: number | null;
  /** one line for people: the numbers that decided */
  reason: string;
}

// ---------------------------------------------------------------------------
// The hypergeometric, accurate at any size
// ---------------------------------------------------------------------------

const LN_2PI = Math.log(2 * Math.PI);

/** ln(n!) - ln(sqrt(2 pi n) (n/e)^n) for n = 0..15, from sums of logs (exact enough at this size). */
const SMALL_STIRLING_ERRORS: readonly number[] = (() => {
  const errors = [0];
  let lnFactorial = 0;
  for (let n = 1; n <= 15; n++) {
    lnFactorial += Math.log(n);
    errors.push(lnFactorial - (n + 0.5) * Math.log(n) + n - 0.5 * LN_2PI);
  }
  return errors;
})();

/**
 * Stirling's error for ln(n!), for whole n: the table, then the series
 * 1/12n - 1/360n^3 + ..., whose first omitted term is below 2e-14 from n = 16.
 */
function stirlingError(n: number): number {
  if (n <= 15) return SMALL_STIRLING_ERRORS[n]!;
  const nn = n * n;
  if (n > 500) return (1 / 12 - 1 / 360 / nn) / n;
  if (n > 80) return (1 / 12 - (1 / 360 - 1 / 1260 / nn) / nn) / n;
  if (n > 35) return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / 1680 / nn) / nn) / nn) / n;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / nn) / nn) / nn) / nn) / n;
}

/**
 * x ln(x / np) + np - x without the cancellation that formula has when x is
 * near np (Loader's "deviance" term; a series there).
 */
function deviance(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let sum = (x - np) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / np) + np - x;
}

/**
 * ln P(Binomial(n, p) = x), q = 1 - p given apart so neither loses digits,
 * by Loader's saddle-point method: lnΓ differences of numbers near 10^8
 * would cancel away most of their digits; this keeps ~15 at any n.
 */
function logBinomialPmf(x: number, n: number, p: number, q: number): number {
  if (p === 0) return x === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return x === n ? 0 : Number.NEGATIVE_INFINITY;
  if (x < 0 || x > n) return Number.NEGATIVE_INFINITY;
  if (x === 0) return n === 0 ? 0 : p < 0.1 ? -deviance(n, n * q) - n * p : n * Math.log(q);
  if (x === n) return q < 0.1 ? -deviance(n, n * p) - n * q : n * Math.log(p);
  const lc =
    stirlingError(n) -
    stirlingError(x) -
    stirlingError(n - x) -
    deviance(x, n * p) -
    deviance(n - x, n * q);
  return lc - 0.5 * (LN_2PI + Math.log(x) + Math.log1p(-x / n));
}

/** ln P(X = x), X the bad events among `drawn` taken from `bad` bad and `good` good without replacement. */
function logHypergeometricPmf(x: number, bad: number, good: number, drawn: number): number {
  const all = bad + good;
  const p = drawn / all;
  const q = (all - drawn) / all;
  return (
    logBinomialPmf(x, bad, p, q) +
    logBinomialPmf(drawn - x, good, p, q) -
    logBinomialPmf(drawn, all, p, q)
  );
}

/** Relative size of a tail term or bound below which it no longer changes the sum of the tail. */
const NEGLIGIBLE = 1e-17;

/**
 * The sum of a tail of the hypergeometric from its first term on, in units
 * of that first term. `ratio(k)` is term(next)/term(k); past the mode the
 * ratios only fall (the distribution is log-concave), so once the running
 * term times r/(1-r) is negligible, everything after it is too.
 */
function tailInFirstTerms(
  first: number,
  last: number,
  step: 1 | -1,
  ratio: (k: number) => number,
): number {
  let sum = 1;
  let term = 1;
  for (let k = first; k !== last; k += step) {
    const r = ratio(k);
    term *= r;
    sum += term;
    if (r < 1 && (term * r) / (1 - r) <= sum * NEGLIGIBLE) break;
  }
  return sum;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Fisher's exact test, one-sided (after ratio greater): P(X >= afterBad) under the hypergeometric with the margins fixed */
export function fisherOneSided(
  baselineBad: number,
  baselineTotal: number,
  afterBad: number,
  afterTotal: number,
): number {
  if (
    ![baselineBad, baselineTotal, afterBad, afterTotal].every(isCount) ||
    baselineBad > baselineTotal ||
    afterBad > afterTotal
  ) {
    throw new RangeError(
      `fisherOneSided: ${baselineBad} of ${baselineTotal} and ${afterBad} of ${afterTotal} are not a table of whole events`,
    );
  }
  const all = baselineTotal + afterTotal;
  const bad = baselineBad + afterBad;
  const good = all - bad;
  const drawn = afterTotal;
  const lowest = Math.max(0, drawn - good);
  const highest = Math.min(bad, drawn);
  if (afterBad <= lowest) return 1;
  // term(k+1)/term(k) and term(k-1)/term(k) of P(X = k)
  const up = (k: number) => ((bad - k) * (drawn - k)) / ((k + 1) * (good - drawn + k + 1));
  const down = (k: number) => (k * (good - drawn + k)) / ((bad - k + 1) * (drawn - k + 1));
  const mode = Math.floor(((drawn + 1) * (bad + 1)) / (all + 2));
  if (afterBad > mode) {
    // the upper tail's terms fall from afterBad on: sum them
    const tail = tailInFirstTerms(afterBad, highest, 1, up);
    const p = Math.exp(logHypergeometricPmf(afterBad, bad, good, drawn) + Math.log(tail));
    return Math.min(1, p);
  }
  // afterBad is at or below the mode, so p is not small: 1 - the lower tail loses nothing that matters
  const below = tailInFirstTerms(afterBad - 1, lowest, -1, down);
  const lower = Math.exp(logHypergeometricPmf(afterBad - 1, bad, good, drawn) + Math.log(below));
  return Math.min(1, Math.max(0, 1 - lower));
}

// ---------------------------------------------------------------------------
// The rule
// ---------------------------------------------------------------------------

/** Whole events for the exact test: Prometheus' increase() extrapolates, so its counts can be fractional. */
interface WholeCounts {
  bad: number;
  total: number;
}

function wholeCounts(c: Counts): WholeCounts {
  const total = Number.isFinite(c.total) ? Math.max(0, Math.round(c.total)) : 0;
  const bad = Number.isFinite(badOf(c)) ? Math.round(badOf(c)) : 0;
  return { total, bad: Math.min(total, Math.max(0, bad)) };
}

/**
 * Past this many after events the search for eventsNeeded gives up (null):
 * doubles stop counting single events well before 2^53, and no SLO's window
 * holds 10^15 events.
 */
const MOST_EVENTS_SEARCHED = 2 ** 50;

/**
 * What a regression is on this SLO: an error ratio at least minBurn times
 * the budget and at least minIncrease times the baseline's, and which
 * after windows could show one.
 */
class Regression {
  /** the smallest error ratio that counts */
  readonly ratio: number;
  readonly byIncrease: boolean;
  private readonly alpha: number;
  private readonly baseline: WholeCounts;
  /** baseline events per after event, when the baseline grows with the after window */
  private readonly baselinePerAfterEvent: number | null;

  constructor(
    private readonly input: DeployComparisonInput,
    readonly baselineRatio: number,
  ) {
    const byBurn = input.minBurn * (1 - input.objective);
    const byIncrease = input.minIncrease * baselineRatio;
    this.ratio = Math.max(byBurn, byIncrease);
    this.byIncrease = byIncrease >= byBurn;
    this.alpha = 1 - input.confidence;
    this.baseline = wholeCounts(input.baseline);
    const after = wholeCounts(input.after).total;
    // no events after yet: same length, so as many as the baseline has per event, one
    this.baselinePerAfterEvent = input.baselineGrows
      ? after > 0
        ? this.baseline.total / after
        : 1
      : null;
  }

  /** The baseline when the after window holds n events: as it is, or grown with it at its own error ratio. */
  private baselineAt(n: number): WholeCounts {
    if (this.baselinePerAfterEvent === null) return this.baseline;
    const total = Math.max(this.baseline.total, Math.round(n * this.baselinePerAfterEvent));
    return { total, bad: Math.round(total * this.baselineRatio) };
  }

  /** The rule's level, in the very float operations the reference uses, so the two never disagree at a boundary. */
  meetsLevel(ratio: number): boolean {
    const { minBurn, minIncrease, objective } = this.input;
    return ratio >= minBurn * (1 - objective) && ratio >= minIncrease * this.baselineRatio;
  }

  /** The fewest bad events, at least one, that meet the level among n; null when none can (the level is over 100%). */
  fewestBad(n: number): number | null {
    if (!this.meetsLevel(1)) return null;
    let k = Math.min(n, Math.max(1, Math.ceil(n * this.ratio)));
    while (k > 1 && this.meetsLevel((k - 1) / n)) k--;
    while (!this.meetsLevel(k / n)) k++;
    return k;
  }

  /** The most events among which k bad ones still meet the level; Infinity when any number does. */
  mostEvents(k: number): number {
    if (this.ratio <= 0) return Number.POSITIVE_INFINITY;
    let m = Math.floor(k / this.ratio);
    if (m > MOST_EVENTS_SEARCHED) return Number.POSITIVE_INFINITY;
    while (m > k && !this.meetsLevel(k / m)) m--;
    while (this.meetsLevel(k / (m + 1))) m++;
    return m;
  }

  /**
   * Could an after window of n events show the smallest regression? Judged
   * at the least regressed window with its bad count: fewestBad(n) bad
   * events among as many events as still meet the level. At exactly
   * fewestBad(n) of n the ratio saws up and down with n, and with it the
   * p-value (one bad event of one can be significant, one of two not), so
   * that test would turn on and off as events arrive; this one only turns
   * on (the property tests check it, as a bisection needs).
   */
  detectable(n: number): boolean {
    if (n < 1) return false;
    const k = this.fewestBad(n);
    if (k === null) return false;
    const m = this.mostEvents(k);
    if (!Number.isFinite(m)) return false;
    const baseline = this.baselineAt(n);
    return fisherOneSided(baseline.bad, baseline.total, k, m) < this.alpha;
  }

  /** The smallest after window from which on detectable holds, after n; null past MOST_EVENTS_SEARCHED. */
  firstDetectable(n: number): number | null {
    if (this.detectable(n)) return n;
    let low = n;
    let high = Math.max(1, 2 * n);
    while (!this.detectable(high)) {
      low = high;
      high *= 2;
      if (high > MOST_EVENTS_SEARCHED) return null;
    }
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (this.detectable(mid)) high = mid;
      else low = mid;
    }
    return high;
  }

  describe(): string {
    const conf = `${trim(this.input.confidence * 100)}%`;
    const what = this.byIncrease
      ? `a ${trim(this.input.minIncrease)}x increase (${percent(this.ratio)} errors)`
      : `errors at ${percent(this.ratio)} (burn ${trim(this.input.minBurn)}x)`;
    return `${what} at ${conf}`;
  }
}

/**
 * regressed: the after window's error ratio is higher beyond chance (p <
 * 1 - confidence), burns at least minBurn times the budget and is at least
 * minIncrease times the baseline's. A baseline that already burns fast
 * passes minBurn by itself, so such an SLO is judged on the increase.
 * A regression the data show counts whatever the traffic: too little
 * traffic only stops a pass. Fewer than minEvents events after the deploy
 * decide nothing, as they page nobody.
 */
export function compareDeploy(input: DeployComparisonInput): DeployComparison {
  const baseline = wholeCounts(input.baseline);
  const after = wholeCounts(input.after);
  const numbers = {
    pValue:
      baseline.total > 0 && after.total > 0
        ? fisherOneSided(baseline.bad, baseline.total, after.bad, after.total)
        : null,
    baselineRatio: errorRatioOf(input.baseline),
    afterRatio: errorRatioOf(input.after),
    baselineBurnRate: burnRateOf(input.baseline, input.objective),
    afterBurnRate: burnRateOf(input.after, input.objective),
  };
  if (baseline.total === 0 || numbers.baselineRatio === null) {
    return {
      ...numbers,
      verdict: "inconclusive",
      eventsNeeded: null,
      reason: `no events in the baseline window: nothing to compare ${events(after.total)} after the deploy with`,
    };
  }
  const regression = new Regression(input, numbers.baselineRatio);
  const enoughEvents = after.total > 0 && after.total >= input.minEvents;
  const significant = numbers.pValue !== null && numbers.pValue < 1 - input.confidence;
  if (
    enoughEvents &&
    significant &&
    numbers.afterRatio !== null &&
    regression.meetsLevel(numbers.afterRatio)
  ) {
    return {
      ...numbers,
      verdict: "regressed",
      eventsNeeded: null,
      reason: `${headline(numbers, input.baselineName)}, ${pClause(numbers.pValue!, input.confidence)}`,
    };
  }
  // Searched from minEvents on: a window too small to count may show a regression that a
  // larger one, at the rule's level, does not (one bad of one is 100%, eight of nine 89%).
  const first = regression.firstDetectable(Math.max(after.total, input.minEvents));
  if (!enoughEvents || first !== after.total) {
    const eventsNeeded = first === null ? null : first - after.total;
    return {
      ...numbers,
      verdict: "inconclusive",
      eventsNeeded,
      reason: tooFewReason(input, after.total, baseline.total, first, eventsNeeded, regression),
    };
  }
  return {
    ...numbers,
    verdict: "pass",
    eventsNeeded: null,
    reason: passReason(input, numbers),
  };
}

const RANK: Record<DeployVerdict, number> = { pass: 0, inconclusive: 1, regressed: 2 };

/** the worse of two comparisons (regressed > inconclusive > pass), for --baseline both */
export function worseOf(a: DeployComparison, b: DeployComparison): DeployComparison {
  return RANK[b.verdict] > RANK[a.verdict] ? b : a;
}

// ---------------------------------------------------------------------------
// Reasons
// ---------------------------------------------------------------------------

interface Numbers {
  pValue: number | null;
  baselineRatio: number | null;
  afterRatio: number | null;
  baselineBurnRate: number | null;
  afterBurnRate: number | null;
}

/** "errors 2.10% after vs 0.40% before (5.3x, burn 21x)" */
function headline(n: Numbers, baselineName = "before"): string {
  const after = n.afterRatio ?? 0;
  const before = n.baselineRatio ?? 0;
  const increase = before > 0 ? `${times(after / before)}, ` : "";
  const burn = times(n.afterBurnRate ?? 0);
  return `errors ${percent(after)} after vs ${percent(before)} ${baselineName} (${increase}burn ${burn})`;
}

function pClause(p: number, confidence: number): string {
  const alpha = trim(1 - confidence);
  const shown = p === 0 ? "p < 1e-300" : `p = ${p < 0.001 ? p.toExponential(1) : p.toPrecision(2)}`;
  return p < 1 - confidence ? `${shown} < ${alpha}` : `${shown}, not below ${alpha}`;
}

/** Every part of the rule the after window missed. */
function passReason(input: DeployComparisonInput, n: Numbers): string {
  const parts = [pClause(n.pValue!, input.confidence)];
  const after = n.afterRatio ?? 0;
  const before = n.baselineRatio ?? 0;
  if (after < input.minIncrease * before) {
    const fast =
      (n.baselineBurnRate ?? 0) >= input.minBurn
        ? ` (the baseline already burns at ${times(n.baselineBurnRate!)}: judged on the increase)`
        : "";
    parts.push(`under min-increase ${trim(input.minIncrease)}x${fast}`);
  }
  if (after < input.minBurn * (1 - input.objective)) {
    parts.push(`under min-burn ${trim(input.minBurn)}x`);
  }
  return `${headline(n, input.baselineName)}, ${parts.join("; ")}`;
}

function tooFewReason(
  input: DeployComparisonInput,
  afterTotal: number,
  baselineTotal: number,
  first: number | null,
  eventsNeeded: number | null,
  regression: Regression,
): string {
  const have =
    afterTotal === 0 ? "no events after the deploy" : `${events(afterTotal)} after the deploy`;
  const short =
    afterTotal < input.minEvents
      ? `${have}, fewer than the ${count(input.minEvents)} the SLO needs`
      : have;
  if (regression.ratio <= regression.baselineRatio) {
    return `${short}; a regression here is no higher than the baseline's ${percent(regression.baselineRatio)} errors (min-increase ${trim(input.minIncrease)}x), which no test can tell from chance: raise min-increase above 1`;
  }
  if (regression.fewestBad(1) === null) {
    return `${short}; a regression here needs over 100% errors (${regression.describe()}), so no after window can show one`;
  }
  if (eventsNeeded === null) {
    const never = `the baseline's ${count(baselineTotal)} events are too few to detect ${regression.describe()}, however many come after the deploy`;
    return afterTotal === 0 || afterTotal < input.minEvents ? `${short}; ${never}` : never;
  }
  if (first !== null && first <= input.minEvents) {
    return `${short}; ${count(eventsNeeded)} more needed`;
  }
  const sep = afterTotal < input.minEvents ? ";" : ",";
  return `${short}${sep} ${count(eventsNeeded)} more needed to detect ${regression.describe()}`;
}

/** A figure as people write it: 0.99 -> "0.99", 1 - 0.99 -> "0.01", not 0.010000000000000009. */
function trim(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function percent(ratio: number): string {
  const pct = ratio * 100;
  if (pct === 0 || pct >= 0.1) return `${pct.toFixed(2)}%`;
  return `${pct.toPrecision(2)}%`;
}

/** 21x, 5.3x, 0.15x */
function times(x: number): string {
  if (!Number.isFinite(x)) return "∞x";
  if (Number(x.toFixed(1)) >= 10) return `${x.toFixed(0)}x`;
  if (x >= 1 || x === 0) return `${x.toFixed(1)}x`;
  return `${x.toPrecision(2)}x`;
}

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** "1 event", "1,200 events", "no events" */
function events(n: number): string {
  if (n === 0) return "no events";
  return `${count(n)} event${n === 1 ? "" : "s"}`;
}

function count(n: number): string {
  return COUNT.format(n);
}
