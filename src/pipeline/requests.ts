/** What to ask a source for one SLO at one instant: its windows, buckets and breakdown. */

import { DEFAULT_LOG_BREAKDOWN_FIELD } from "../defaults.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../definition/duration.js";
import type { BurnRateWindow, SloSet, SloSpec, SourceSpec } from "../definition/model.js";
import { alertHistoryStep, heldSeriesKey, ruleReachMs, ruleStep } from "../engine/alert-history.js";
import { type WindowBounds, type WindowDefinition, windowBounds } from "../engine/windows.js";
import { specError } from "../errors.js";
import { MAX_HELD_BUCKETS } from "../limits.js";
import type { CountRequest, WindowRequest } from "../sources/types.js";

/** Burn-down chart resolution: enough points for a smooth line, few enough for one query_range. */
export const BURN_DOWN_POINTS = 120;
export const BREAKDOWN_LIMIT = 10;
/** How finely the previous window's coverage is measured: buckets of about 1% of it. */
export const PREVIOUS_COVERAGE_BUCKETS = 100;
/** Fewer buckets than this would measure coverage too coarsely to be worth whole minutes. */
const MIN_WHOLE_MINUTE_COVERAGE_BUCKETS = 50;
/** Alert history resolution is the alert windows' common step (5m): cap its buckets (~34 days at 5m). */
export const ALERT_HISTORY_MAX_BUCKETS = 10_000;

/**
 * The resolution `slo check` judges a rule's alertAfter at: Prometheus'
 * default evaluation interval, one minute, when the rule's windows and
 * alertAfter are whole minutes; else the largest step that divides them.
 */
export const HELD_STEP_MS = 60_000;

export interface PlanOptions {
  /** also count the buckets the alert history is computed from (slo report) */
  alertHistory?: boolean;
}

export interface SloPlan {
  request: CountRequest;
  bounds: WindowBounds;
  /** keys of the series in the request */
  bucketsKey: string;
  slicesKey?: string | undefined;
  /**
   * The window before this one, for the trend: a request of its own, so the
   * sources' "longest window" (breakdown, diagnostics) stays this window's.
   */
  previous: WindowBounds;
  previousRequest: CountRequest;
  previousKey: string;
  previousSlicesKey?: string | undefined;
  /** buckets over the previous window: how much of it has data (the trend needs most of it) */
  previousCoverageKey: string;
  /** the alert history's bucket series, when asked for */
  history?: { key: string; startMs: number; stepMs: number } | undefined;
  /** per rule with an alertAfter, the series that tells whether it held (keys of `request.series`) */
  held: { key: string; stepMs: number }[];
}

export function planSlo(
  slo: SloSpec,
  sourceType: SourceSpec["type"],
  atMs: number,
  options: PlanOptions = {},
): SloPlan {
  const definition = windowDefinitionOf(slo);
  const bounds = windowBounds(definition, atMs);
  // The window before: rolling (start - W, start], calendar the whole previous period.
  const previous = windowBounds(definition, bounds.startMs);
  const lengths = new Map<string, number>([
    ["1h", HOUR_MS],
    ["1d", DAY_MS],
  ]);
  for (const w of slo.alerting.windows) lengths.set(w.short, w.shortMs).set(w.long, w.longMs);
  const windows: WindowRequest[] = [...lengths].map(([key, ms]) => ({
    key,
    startMs: atMs - ms,
    endMs: atMs,
  }));
  windows.push({ key: slo.window.label, startMs: bounds.startMs, endMs: atMs });
  const previousSeries: CountRequest["series"] = [
    {
      key: PREVIOUS_COVERAGE_KEY,
      startMs: previous.startMs,
      stepMs:
        (previous.endMs - previous.startMs) / coverageBuckets(previous.endMs - previous.startMs),
      count: coverageBuckets(previous.endMs - previous.startMs),
    },
  ];

  const series: CountRequest["series"] = [];
  const span = atMs - bounds.startMs;
  const points = burnDownPoints(span);
  series.push({ key: "burnDown", startMs: bounds.startMs, stepMs: span / points, count: points });
  let slicesKey: string | undefined;
  if (slo.budgetingMethod !== "occurrences" && slo.timeslice) {
    // Slices end at `at`, so a rolling window holds whole slices.
    const step = slo.timeslice.durationMs;
    const count = Math.max(1, Math.ceil(span / step));
    slicesKey = "slices";
    series.push({ key: slicesKey, startMs: atMs - count * step, stepMs: step, count });
    const previousCount = Math.max(1, Math.ceil((previous.endMs - previous.startMs) / step));
    previousSeries.push({
      key: PREVIOUS_SLICES_KEY,
      startMs: previous.endMs - previousCount * step,
      stepMs: step,
      count: previousCount,
    });
  }
  const history = options.alertHistory ? historySeries(slo, bounds, atMs) : undefined;
  if (history) series.push(history);
  const held = heldSeries(slo, atMs);
  series.push(...held);
  // Logs name their events by `msg`, like the talk's daily error summary; metrics need a label named.
  const breakdownBy =
    slo.breakdownBy ?? (sourceType === "prometheus" ? undefined : DEFAULT_LOG_BREAKDOWN_FIELD);
  return {
    request: {
      slo,
      windows,
      series,
      breakdown: breakdownBy
        ? { by: breakdownBy, limit: BREAKDOWN_LIMIT, window: slo.window.label }
        : undefined,
    },
    bounds,
    bucketsKey: "burnDown",
    slicesKey,
    previous,
    previousRequest: {
      slo,
      windows: [{ key: PREVIOUS_KEY, startMs: previous.startMs, endMs: previous.endMs }],
      series: previousSeries,
    },
    previousKey: PREVIOUS_KEY,
    previousSlicesKey: slicesKey ? PREVIOUS_SLICES_KEY : undefined,
    previousCoverageKey: PREVIOUS_COVERAGE_KEY,
    history: history && { key: history.key, startMs: history.startMs, stepMs: history.stepMs },
    held: held.map((h) => ({ key: h.key, stepMs: h.stepMs })),
  };
}

/** Per rule with an alertAfter, buckets ending at `at` over its long window and its alertAfter. */
function heldSeries(slo: SloSpec, atMs: number): CountRequest["series"] {
  const series = new Map<string, CountRequest["series"][number]>();
  for (const rule of slo.alerting.windows) {
    if ((rule.alertAfterMs ?? 0) <= 0 || slo.alerting[rule.severity].disable) continue;
    const stepMs = heldSeriesStep(slo, rule);
    const count = ruleReachMs(rule) / stepMs;
    const key = heldSeriesKey(rule);
    series.set(key, { key, startMs: atMs - count * stepMs, stepMs, count });
  }
  return [...series.values()];
}

/** HELD_STEP_MS where its buckets are few enough, else the coarsest step that divides the rule's lengths. */
function heldSeriesStep(slo: SloSpec, rule: BurnRateWindow): number {
  const fine = ruleStep(rule, HELD_STEP_MS);
  if (ruleReachMs(rule) / fine <= MAX_HELD_BUCKETS) return fine;
  const coarse = ruleStep(rule);
  if (ruleReachMs(rule) / coarse <= MAX_HELD_BUCKETS) return coarse;
  throw specError(
    `SLO '${slo.name}': the ${rule.severity} alert over ${rule.long}/${rule.short} with alertAfter ${rule.alertAfter ?? ""} would be judged on ${ruleReachMs(rule) / coarse} buckets, over the limit of ${MAX_HELD_BUCKETS}`,
    slo.at,
    "make the windows and alertAfter whole multiples of a longer step (whole minutes, or whole 5 minutes)",
  );
}

export function windowDefinitionOf(slo: SloSpec): WindowDefinition {
  return slo.window.kind === "rolling"
    ? { kind: "rolling", durationMs: slo.window.durationMs }
    : {
        kind: "calendar",
        count: slo.window.count,
        unit: slo.window.unit,
        timeZone: slo.window.timeZone,
        start: slo.window.start?.wallClock,
      };
}

/** The oldest instant any SLO's window at `atMs` starts at: how far back deploys are wanted. */
export function oldestWindowStart(set: SloSet, atMs: number): number {
  const starts = set.services.flatMap((s) =>
    s.slos.map((slo) => windowBounds(windowDefinitionOf(slo), atMs).startMs),
  );
  return starts.length > 0 ? Math.min(...starts) : atMs;
}

const PREVIOUS_KEY = "previous";
const PREVIOUS_SLICES_KEY = "previousSlices";
const PREVIOUS_COVERAGE_KEY = "previousCoverage";

/**
 * The burn-down's points over a span: BURN_DOWN_POINTS, one a minute when
 * the span is shorter, or the most points between BURN_DOWN_POINTS / 2 and
 * BURN_DOWN_POINTS whose edges fall on whole minutes (a calendar window's
 * span so far), so a rerun can count them from the logs' minute cache.
 */
export function burnDownPoints(spanMs: number): number {
  const minutes = spanMs / MINUTE_MS;
  if (minutes < BURN_DOWN_POINTS) return Math.max(1, Math.floor(minutes));
  if (!Number.isInteger(minutes)) return BURN_DOWN_POINTS;
  for (let n = BURN_DOWN_POINTS; n >= BURN_DOWN_POINTS / 2; n--) {
    if (minutes % n === 0) return n;
  }
  return BURN_DOWN_POINTS;
}

/**
 * How many buckets measure the previous window's coverage: the most, up to
 * PREVIOUS_COVERAGE_BUCKETS, whose edges fall on whole minutes (96 for a
 * day, 7 or 28 days; 100 for 30 days), so a rerun can count them from the
 * logs' minute cache; PREVIOUS_COVERAGE_BUCKETS when none fits.
 */
export function coverageBuckets(lengthMs: number): number {
  const minutes = lengthMs / MINUTE_MS;
  if (!Number.isInteger(minutes)) return PREVIOUS_COVERAGE_BUCKETS;
  for (let n = PREVIOUS_COVERAGE_BUCKETS; n >= MIN_WHOLE_MINUTE_COVERAGE_BUCKETS; n--) {
    if (minutes % n === 0) return n;
  }
  return PREVIOUS_COVERAGE_BUCKETS;
}

/** Buckets ending at `at`, reaching one longest alert window before the SLO window's start. */
function historySeries(
  slo: SloSpec,
  bounds: WindowBounds,
  atMs: number,
): CountRequest["series"][number] | undefined {
  const rules = slo.alerting.windows;
  const stepMs = alertHistoryStep(rules);
  if (rules.length === 0 || stepMs <= 0) return undefined;
  const longest = Math.max(...rules.map(ruleReachMs));
  const wanted = Math.ceil((atMs - (bounds.startMs - longest)) / stepMs);
  const count = Math.max(1, Math.min(ALERT_HISTORY_MAX_BUCKETS, wanted));
  return { key: "alertHistory", startMs: atMs - count * stepMs, stepMs, count };
}
