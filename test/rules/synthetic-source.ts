/**
 * Sources for tests that compare two evaluations on the same data.
 *
 * - hashedSource: events per minute derived deterministically from the
 *   indicator's own text (queries, threshold), so two SLO definitions get the
 *   same counts exactly when they mean the same indicator.
 * - counterSource: cumulative counters per series selector, sampled each
 *   minute, counted the way Prometheus' increase() counts them on such
 *   series (v(end) - v(start)); the same data promtool is given.
 */

import type { Indicator, SampledIndicator, SourceSpec } from "../../src/definition/model.js";
import type { CountRequest, CountResult, Counts, Source } from "../../src/sources/types.js";

const MINUTE = 60_000;

function hashText(text: string): number {
  // FNV-1a: stable across runs and platforms.
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** A well-mixed 32-bit number for (text, minute); the text is hashed once per series. */
function hash(base: number, n: number): number {
  let h = (base ^ Math.imul(n | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Everything that decides which events an indicator counts, and how. */
function indicatorKey(ind: Indicator): { total: string; numerator: string; kind: "good" | "bad" } {
  if (ind.kind === "ratio") {
    const kind = ind.bad !== undefined ? "bad" : "good";
    return { total: `total:${ind.total}`, numerator: `${kind}:${ind.bad ?? ind.good}`, kind };
  }
  if (ind.kind === "sampled") throw new Error("a sampled value has no rules");
  const UNIT_MS = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 };
  const thresholdMs = Number((ind.threshold * UNIT_MS[ind.unit]).toPrecision(12));
  const what = `${ind.histogram ?? ""}|${ind.events ?? ""}|${ind.field ?? ""}`;
  return {
    total: `latency-total:${what}`,
    numerator: `latency-good:${what}|${thresholdMs}`,
    kind: "good",
  };
}

/** Per-minute counts -> counts over (start, end] from prefix sums. */
class MinuteSeries {
  private readonly prefix: Map<string, Float64Array> = new Map();
  constructor(
    private readonly first: number,
    private readonly last: number,
    private readonly perMinute: (key: string, minute: number) => number,
  ) {}

  private sums(key: string): Float64Array {
    let p = this.prefix.get(key);
    if (!p) {
      p = new Float64Array(this.last - this.first + 2);
      for (let m = this.first; m <= this.last; m++) {
        p[m - this.first + 1] = p[m - this.first]! + this.perMinute(key, m);
      }
      this.prefix.set(key, p);
    }
    return p;
  }

  /** Events at minutes m with start < m*60000 <= end. */
  count(key: string, startMs: number, endMs: number): number {
    const p = this.sums(key);
    const idx = (ms: number) =>
      Math.min(Math.max(Math.floor(ms / MINUTE) - this.first + 1, 0), p.length - 1);
    return p[idx(endMs)]! - p[idx(startMs)]!;
  }
}

function span(requests: CountRequest[]): { first: number; last: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const r of requests) {
    for (const w of r.windows) {
      start = Math.min(start, w.startMs);
      end = Math.max(end, w.endMs);
    }
    for (const s of r.series) {
      start = Math.min(start, s.startMs);
      end = Math.max(end, s.startMs + s.count * s.stepMs);
    }
  }
  return { first: Math.floor(start / MINUTE) - 1, last: Math.ceil(end / MINUTE) + 1 };
}

function answer(
  request: CountRequest,
  count: (startMs: number, endMs: number) => Counts,
): CountResult {
  const windows: Record<string, Counts> = {};
  for (const w of request.windows) windows[w.key] = count(w.startMs, w.endMs);
  const series: Record<string, Counts[]> = {};
  for (const s of request.series) {
    series[s.key] = Array.from({ length: s.count }, (_, i) =>
      count(s.startMs + i * s.stepMs, s.startMs + (i + 1) * s.stepMs),
    );
  }
  return { windows, series, breakdown: [], diagnostics: {} };
}

export function hashedSource(spec: SourceSpec): Source {
  return {
    name: spec.name,
    type: spec.type,
    async count(requests) {
      const { first, last } = span(requests);
      const bases = new Map<string, number>();
      const base = (key: string) => bases.get(key) ?? bases.set(key, hashText(key)).get(key)!;
      const data = new MinuteSeries(first, last, (key, m) =>
        key.startsWith("total") || key.startsWith("latency-total")
          ? 40 + (hash(base(key), m) % 40)
          : hash(base(key), m) % 3,
      );
      return requests.map((request) => {
        const ind = request.slo.indicator;
        if (ind.kind === "sampled") return hashedSamples(ind, first, last);
        const key = indicatorKey(ind);
        return answer(request, (s, e) => {
          const total = data.count(key.total, s, e);
          const n = data.count(key.numerator, s, e);
          // Good and bad differ on purpose: swapping them must change the report.
          return { total, good: key.kind === "bad" ? total - n : total - 2 * n };
        });
      });
    },
  };
}

/**
 * A sampled value every minute, from the query's text: around the threshold
 * (some samples on each side of it), or a ratio near 1. The pipeline judges
 * and counts them, as it does Prometheus' samples.
 */
function hashedSamples(ind: SampledIndicator, first: number, last: number): CountResult {
  const base = hashText(`sampled:${ind.query}`);
  const atMs: number[] = [];
  const values: number[] = [];
  for (let m = first; m <= last; m++) {
    const unit = (hash(base, m) % 1000) / 1000;
    atMs.push(m * MINUTE);
    values.push(ind.judge.kind === "ratio" ? 0.9 + unit / 10 : ind.judge.threshold * (0.5 + unit));
  }
  return {
    windows: {},
    series: {},
    breakdown: [],
    diagnostics: {},
    samples: { atMs, values, judge: ind.judge, stepMs: MINUTE, query: ind.query },
  };
}

/**
 * Cumulative counters, one per series selector as the SLO writes it; value at
 * minute m (m >= 0), 0 before. The indicator's total and bad (or good)
 * selectors must be keys of `counters`.
 */
export function counterSource(
  spec: SourceSpec,
  counters: Record<string, (minute: number) => number>,
): Source {
  const at = (selector: string, ms: number) => {
    const f = counters[selector];
    if (!f) throw new Error(`counterSource: no series for ${selector}`);
    const minute = Math.floor(ms / MINUTE);
    return minute < 0 ? 0 : f(minute);
  };
  return {
    name: spec.name,
    type: spec.type,
    async count(requests) {
      return requests.map((request) => {
        const ind = request.slo.indicator;
        if (ind.kind !== "ratio") throw new Error("counterSource: ratio indicators only");
        const numerator = (ind.bad ?? ind.good)!;
        return answer(request, (s, e) => {
          const total = at(ind.total, e) - at(ind.total, s);
          const n = at(numerator, e) - at(numerator, s);
          return { total, good: ind.bad !== undefined ? total - n : n };
        });
      });
    },
  };
}
