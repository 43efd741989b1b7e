/**
 * A slow, obviously correct `slo verify` test, for the fast one to agree with:
 * Fisher's one-sided p by enumerating the hypergeometric with BigInt binomial
 * coefficients (exact rationals, one division at the end), and the verdict
 * rule applied literally, scanning event counts one by one where the engine
 * computes or searches.
 */

export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  const r = Math.min(k, n - k);
  let c = 1n;
  for (let i = 1; i <= r; i++) c = (c * BigInt(n - r + i)) / BigInt(i);
  return c;
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** num / den to the nearest double, with 64 bits of quotient whatever their sizes. */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = bitLength(den) - bitLength(num) + 64;
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return Number(q) * 2 ** -shift;
}

/** P(X >= afterBad), X the after window's bad events with both margins fixed: exactly. */
export function referenceFisher(
  baselineBad: number,
  baselineTotal: number,
  afterBad: number,
  afterTotal: number,
): number {
  const n = baselineTotal + afterTotal;
  const bad = baselineBad + afterBad;
  let tail = 0n;
  for (let x = afterBad; x <= Math.min(bad, afterTotal); x++) {
    tail += binomial(bad, x) * binomial(n - bad, afterTotal - x);
  }
  return ratioToNumber(tail, binomial(n, afterTotal));
}

/** P(X = afterBad), the hypergeometric's mass, exactly. */
export function referencePmf(
  baselineBad: number,
  baselineTotal: number,
  afterBad: number,
  afterTotal: number,
): number {
  const n = baselineTotal + afterTotal;
  const bad = baselineBad + afterBad;
  return ratioToNumber(
    binomial(bad, afterBad) * binomial(n - bad, afterTotal - afterBad),
    binomial(n, afterTotal),
  );
}

export interface ReferenceInput {
  objective: number;
  confidence: number;
  minBurn: number;
  minIncrease: number;
  minEvents: number;
  baselineBad: number;
  baselineTotal: number;
  afterBad: number;
  afterTotal: number;
}

/** How far a scan for the largest after window goes before calling it endless. */
const SCAN_LIMIT = 1_000_000;

export class ReferenceRule {
  /**
   * Set when some p came within 1e-9 of 1 - confidence: there the exact
   * rational and any double (the engine's or this one's) may fall on either
   * side, and the two need not agree.
   */
  borderline = false;

  constructor(private readonly input: ReferenceInput) {}

  private significant(p: number): boolean {
    const alpha = 1 - this.input.confidence;
    if (Math.abs(p - alpha) <= 1e-9 * alpha) this.borderline = true;
    return p < alpha;
  }

  private get baselineRatio(): number {
    return this.input.baselineBad / this.input.baselineTotal;
  }

  /** The rule's level, as issue 14 states it: burns at least minBurn times, and at least minIncrease times the baseline. */
  meetsLevel(ratio: number): boolean {
    const { minBurn, minIncrease, objective } = this.input;
    return ratio >= minBurn * (1 - objective) && ratio >= minIncrease * this.baselineRatio;
  }

  /** The fewest bad events (at least one) among n that meet the level; null if none do. */
  minBad(n: number): number | null {
    for (let k = 1; k <= n; k++) if (this.meetsLevel(k / n)) return k;
    return null;
  }

  /** The most events that k bad events still meet the level in; Infinity past the scan. */
  lastTotal(k: number): number {
    let m = k;
    while (this.meetsLevel(k / (m + 1))) {
      m++;
      if (m > SCAN_LIMIT) return Number.POSITIVE_INFINITY;
    }
    return m;
  }

  /**
   * Whether n after events could show the smallest regression: the window
   * with minBad(n) bad events, as large as it can grow and still meet the
   * level, reaches p < 1 - confidence.
   */
  detectable(n: number): boolean {
    if (n < 1) return false;
    const k = this.minBad(n);
    if (k === null) return false;
    const m = this.lastTotal(k);
    if (!Number.isFinite(m)) return false;
    const { baselineBad, baselineTotal } = this.input;
    return this.significant(referenceFisher(baselineBad, baselineTotal, k, m));
  }

  /**
   * A regression that the data already show counts whatever the traffic;
   * too little traffic only stops a pass. Fewer than minEvents after events
   * decide nothing, as they raise no alert.
   */
  verdict(): "pass" | "regressed" | "inconclusive" {
    const { baselineBad, baselineTotal, afterBad, afterTotal, minEvents } = this.input;
    if (baselineTotal === 0 || afterTotal === 0 || afterTotal < minEvents) return "inconclusive";
    const p = referenceFisher(baselineBad, baselineTotal, afterBad, afterTotal);
    if (this.significant(p) && this.meetsLevel(afterBad / afterTotal)) return "regressed";
    return this.detectable(afterTotal) ? "pass" : "inconclusive";
  }
}
