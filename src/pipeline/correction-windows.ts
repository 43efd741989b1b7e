/**
 * Corrections on their way through the count: each SLO's periods over
 * everything its requests cover, merged (an event excluded twice is
 * excluded once), then left out of the counts.
 *
 * - A logs source skips the events itself, in the same read: the requests
 *   carry the periods (`CountRequest.excluded`), and the answer says how
 *   many each correction left out of the SLO's window.
 * - Every other source (Prometheus, VictoriaMetrics, Loki, a sampled
 *   value) counts each period clipped to each window as a window of its
 *   own, its `increase` or `count_over_time` evaluated at its end; the
 *   window's counts less its pieces' are the included events. A piece that
 *   several windows share (a whole period inside each) is counted once.
 *   Buckets (burn-down, alert history, timeslices) lose the covered share
 *   of their counts, as if their events were spread evenly: exact for a
 *   bucket inside a period or outside all, an estimate for one a period's
 *   edge cuts.
 */

import { correctionPeriods, TooManyPeriods } from "../definition/correction-periods.js";
import type { CorrectionSpec, SloSpec, SourceSpec } from "../definition/model.js";
import { windowPeriodMs } from "../definition/openslo/durations.js";
import { clipIntervals, coveredMs, type Interval, mergeIntervals } from "../engine/intervals.js";
import { specError } from "../errors.js";
import { MAX_CORRECTION_PERIODS_PER_WINDOW, MAX_CORRECTION_PERIODS_REPORTED } from "../limits.js";
import type { ReportCorrection } from "../report/schema.js";
import { MAX_POINTS_PER_QUERY } from "../sources/query-api/series.js";
import {
  addCounts,
  type CountRequest,
  type CountResult,
  type Counts,
  type CountsOverTime,
  type WindowRequest,
} from "../sources/types.js";

interface CorrectionPeriods {
  spec: CorrectionSpec;
  /** its own periods over the requests' span, merged */
  periods: Interval[];
}

export interface CorrectionsPlan {
  corrections: CorrectionPeriods[];
  merged: Interval[];
  /** the SLO window's key and range */
  window: WindowRequest;
  /** the source skips the events itself (logs) */
  skipped: boolean;
  /** otherwise: per request, each window's pieces and where each piece is counted */
  pieces: Map<CountRequest, RequestPieces>;
  /** otherwise: per correction, its pieces inside the SLO window (keys in the main request) */
  perCorrection: string[][];
}

/**
 * The corrections of `slo` over everything `requests` cover, added to them
 * as the source needs; undefined when no period touches them. `main` is the
 * request holding the SLO's window (keyed `slo.window.label`).
 */
export function planCorrections(
  slo: SloSpec,
  sourceType: SourceSpec["type"],
  main: CountRequest,
  others: CountRequest[],
): CorrectionsPlan | undefined {
  const window = main.windows.find((w) => w.key === slo.window.label);
  if (!slo.corrections || slo.corrections.length === 0 || !window) return undefined;
  const requests = [main, ...others];
  const span = spanOf(requests);
  const corrections = slo.corrections.map((spec) => ({
    spec,
    periods: mergeIntervals(periodsOf(slo, spec, span)),
  }));
  const merged = mergeIntervals(corrections.flatMap((c) => c.periods));
  if (merged.length === 0) return undefined;
  const plan: CorrectionsPlan = {
    corrections,
    merged,
    window,
    skipped: sourceType === "logs",
    pieces: new Map(),
    perCorrection: [],
  };
  if (plan.skipped) {
    const excluded = {
      periods: merged,
      corrections: corrections.map((c) => c.periods),
      window: window.key,
    };
    for (const request of requests) request.excluded = excluded;
    return plan;
  }
  // Each correction's own pieces of the window, for what it excluded: the merged ones unless they overlap.
  const own = corrections.map((c) => clipIntervals(c.periods, window.startMs, window.endMs));
  for (const request of requests)
    plan.pieces.set(request, addPieces(request, merged, request === main ? own.flat() : []));
  plan.perCorrection = own.map((pieces) => pieces.map(pieceKey));
  return plan;
}

function spanOf(requests: CountRequest[]): Interval {
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const r of requests) {
    for (const w of r.windows) {
      startMs = Math.min(startMs, w.startMs);
      endMs = Math.max(endMs, w.endMs);
    }
    for (const s of r.series) {
      startMs = Math.min(startMs, s.startMs);
      endMs = Math.max(endMs, s.startMs + s.count * s.stepMs);
    }
  }
  return { startMs, endMs };
}

/** The limit holds per window's length: the span (window, previous window, history) may hold a few. */
function periodsOf(slo: SloSpec, spec: CorrectionSpec, span: Interval): Interval[] {
  const windows = Math.max(1, Math.ceil((span.endMs - span.startMs) / windowPeriodMs(slo.window)));
  const limit = MAX_CORRECTION_PERIODS_PER_WINDOW * windows;
  try {
    return correctionPeriods(spec, span.startMs, span.endMs, limit);
  } catch (error) {
    if (!(error instanceof TooManyPeriods)) throw error;
    throw specError(
      `SLO '${slo.name}': the correction has more than ${limit.toLocaleString("en-US")} periods between ${new Date(span.startMs).toISOString()} and ${new Date(span.endMs).toISOString()}, ${MAX_CORRECTION_PERIODS_PER_WINDOW.toLocaleString("en-US")} per window of the SLO`,
      spec.at,
      "a less frequent rule, or one longer period",
    );
  }
}

const PIECE_PREFIX = "correction:";
const BATCH_PREFIX = "correction-batch:";

/** Where one piece's counts come from: a window of its own, or a bucket of a batch. */
type PieceSource = { window: string } | { series: string; index: number };

interface RequestPieces {
  /** each window's pieces (piece keys) */
  byWindow: Map<string, string[]>;
  sources: Map<string, PieceSource>;
}

const pieceKey = (p: Interval) => `${PIECE_PREFIX}${p.startMs}-${p.endMs}`;

/**
 * Each window's pieces, counted where they are cheapest: pieces of one
 * length on one grid (a recurring correction's whole periods) as buckets of
 * one series, a query_range per kind; the rest as windows of their own.
 */
function addPieces(
  request: CountRequest,
  merged: Interval[],
  extra: Interval[] = [],
): RequestPieces {
  const byWindow = new Map<string, string[]>();
  const all = new Map<string, Interval>();
  for (const w of request.windows) {
    const inside = clipIntervals(merged, w.startMs, w.endMs);
    if (inside.length === 0) continue;
    for (const p of inside) all.set(pieceKey(p), p);
    byWindow.set(w.key, inside.map(pieceKey));
  }
  for (const p of extra) all.set(pieceKey(p), p);
  const sources = new Map<string, PieceSource>();
  for (const batch of batches([...all.values()])) {
    const first = batch[0]!;
    const stepMs = first.endMs - first.startMs;
    const count = (batch.at(-1)!.endMs - first.startMs) / stepMs;
    const series = `${BATCH_PREFIX}${first.startMs}-${stepMs}`;
    request.series.push({ key: series, startMs: first.startMs, stepMs, count });
    for (const p of batch)
      sources.set(pieceKey(p), { series, index: (p.startMs - first.startMs) / stepMs });
  }
  for (const [key, p] of all) {
    if (sources.has(key)) continue;
    request.windows.push({ key, startMs: p.startMs, endMs: p.endMs });
    sources.set(key, { window: key });
  }
  return { byWindow, sources };
}

/**
 * Pieces of one length whose starts are whole lengths apart, oldest first,
 * where one query_range of them costs less than a query each: its points
 * within one query (MAX_POINTS_PER_QUERY) and at least two pieces.
 */
function batches(pieces: Interval[]): Interval[][] {
  const byLength = new Map<number, Interval[]>();
  for (const p of pieces) {
    const length = p.endMs - p.startMs;
    byLength.set(length, [...(byLength.get(length) ?? []), p]);
  }
  const found: Interval[][] = [];
  for (const [length, list] of byLength) {
    const sorted = list.sort((a, b) => a.startMs - b.startMs);
    let batch: Interval[] = [];
    const close = () => {
      if (batch.length >= 2) found.push(batch);
      batch = [];
    };
    for (const p of sorted) {
      const first = batch[0];
      const onGrid =
        first !== undefined &&
        (p.startMs - first.startMs) % length === 0 &&
        (p.endMs - first.startMs) / length <= MAX_POINTS_PER_QUERY;
      if (!onGrid) close();
      batch.push(p);
    }
    close();
  }
  return found;
}

/**
 * The result with the corrections' events left out (the source skipped them,
 * or they are subtracted here): from the whole, and from each group of a
 * grouped SLO, whose answer holds the same pieces per group.
 */
export function withoutCorrections(
  plan: CorrectionsPlan | undefined,
  request: CountRequest,
  result: CountResult,
): CountResult {
  if (!plan || plan.skipped) return result;
  const pieces = plan.pieces.get(request);
  if (!pieces) return result;
  const holdsWindow =
    request.windows.some((w) => w.key === plan.window.key) && plan.perCorrection.length > 0;
  const without = (counted: CountsOverTime): CountsOverTime => {
    const { counts, countsOf } = subtractPieces(plan, pieces, request, counted);
    const excluded = holdsWindow
      ? plan.perCorrection.map((keys) => addCounts(keys.map(countsOf)))
      : counted.excluded;
    // The window's pieces are of the merged periods: each excluded event once.
    const excludedOnce = holdsWindow
      ? addCounts((pieces.byWindow.get(plan.window.key) ?? []).map(countsOf))
      : counted.excludedOnce;
    return {
      ...counts,
      ...(excluded ? { excluded } : {}),
      ...(excludedOnce ? { excludedOnce } : {}),
    };
  };
  return {
    ...result,
    ...without(result),
    ...(result.groups ? { groups: result.groups.map((g) => ({ ...g, ...without(g) })) } : {}),
    ...(result.untallied ? { untallied: without(result.untallied) } : {}),
  };
}

function subtractPieces(
  plan: CorrectionsPlan,
  pieces: RequestPieces,
  request: CountRequest,
  counted: CountsOverTime,
): { counts: CountsOverTime; countsOf: (key: string) => Counts | undefined } {
  const countsOf = (key: string): Counts | undefined => {
    const source = pieces.sources.get(key);
    if (!source) return undefined;
    return "window" in source
      ? counted.windows[source.window]
      : counted.series[source.series]?.[source.index];
  };
  const windows: Record<string, Counts> = {};
  for (const [key, counts] of Object.entries(counted.windows)) {
    if (key.startsWith(PIECE_PREFIX)) continue;
    windows[key] = less(counts, addCounts((pieces.byWindow.get(key) ?? []).map(countsOf)));
  }
  const series = Object.fromEntries(
    request.series
      .filter((s) => !s.key.startsWith(BATCH_PREFIX))
      .map((s) => [
        s.key,
        (counted.series[s.key] ?? []).map((counts, i) => {
          const startMs = s.startMs + i * s.stepMs;
          const share = coveredMs(plan.merged, startMs, startMs + s.stepMs) / s.stepMs;
          return scaled(counts, 1 - share);
        }),
      ]),
  );
  return { counts: { windows, series }, countsOf };
}

/** A window less its pieces: a counter's extrapolation can make the pieces a little more. */
function less(whole: Counts, pieces: Counts): Counts {
  const total = Math.max(0, whole.total - pieces.total);
  const bad = Math.max(0, whole.total - whole.good - (pieces.total - pieces.good));
  return { good: Math.max(0, Math.min(total, total - bad)), total };
}

function scaled(counts: Counts, factor: number): Counts {
  if (factor >= 1) return counts;
  const f = Math.max(0, factor);
  return { good: counts.good * f, total: counts.total * f };
}

/** The corrections that touched the SLO's window: their periods there and the events they left out. */
export function reportCorrections(
  plan: CorrectionsPlan | undefined,
  result: CountResult,
): ReportCorrection[] | undefined {
  if (!plan) return undefined;
  const { startMs, endMs } = plan.window;
  const reported: ReportCorrection[] = [];
  plan.corrections.forEach((c, i) => {
    const touching = c.periods.filter((p) => p.startMs < endMs && p.endMs > startMs);
    if (touching.length === 0) return;
    const shown = touching.slice(-MAX_CORRECTION_PERIODS_REPORTED);
    const excluded = result.excluded?.[i] ?? { good: 0, total: 0 };
    reported.push({
      ...(c.spec.reason !== undefined ? { reason: c.spec.reason } : {}),
      category: c.spec.category,
      ...(c.spec.rrule !== undefined ? { rrule: c.spec.rrule } : {}),
      timeZone: c.spec.timeZone,
      occurrences: shown.map((p) => ({
        start: new Date(p.startMs).toISOString(),
        end: new Date(p.endMs).toISOString(),
      })),
      ...(touching.length > shown.length
        ? { occurrencesLeftOut: touching.length - shown.length }
        : {}),
      excluded: {
        good: excluded.good,
        bad: excluded.total - excluded.good,
        total: excluded.total,
      },
    });
  });
  return reported.length > 0 ? reported : undefined;
}
