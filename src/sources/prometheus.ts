/**
 * The Prometheus source: counts events with the HTTP API
 * (`/api/v1/query`, `/api/v1/query_range`), so Prometheus, Thanos, Mimir,
 * Cortex and VictoriaMetrics all work. Every query is evaluated at the end of
 * its window (`time=`), never at "now", so a run can be reproduced.
 *
 * Per SLO and window: one query for the total and one for good (or bad)
 * events. Latency comes from a classic histogram: good = the `le` bucket at
 * the threshold, total = `_count`.
 */

import {
  bucketsAt,
  histogramParts,
  leMatcher,
  leUnit,
  sortedBounds,
  thresholdAsLe,
} from "../definition/histogram.js";
import type {
  LatencyIndicator,
  PrometheusSourceSpec,
  RatioIndicator,
  SampleJudge,
} from "../definition/model.js";
import {
  formatPromDuration,
  formatPromNumber,
  formatSelector,
  groupedWindowQuery,
  hasWindowPlaceholder,
  selectorParts,
  windowQuery,
} from "../definition/promql.js";
import { sourceError } from "../errors.js";
import { sampleRequest } from "./prometheus-samples.js";
import {
  type AnswerWording,
  describeJsonError,
  type ErrorFields,
  type QueryApi,
  type QueryApiDialect,
  type RangeQuery,
} from "./query-api/client.js";
import {
  type Breakdown,
  breakdownLimit,
  type CountingPlan,
  countWithPlan,
  type EventQueries,
  LABEL_NAME,
  topBadValues,
} from "./query-api/counting.js";
import type { TimeRange } from "./query-api/series.js";
import { createQueryApiSource } from "./query-api/source.js";
import type {
  BreakdownEntry,
  CountRequest,
  CountResult,
  Counts,
  Source,
  SourceDiagnostics,
  WindowRequest,
} from "./types.js";

const WORDING: AnswerWording = {
  notAVector: (resultType, what) => `expected a vector for ${what}, got ${resultType}`,
  manySeries: (count, what) =>
    `the query returned ${count} series${what === undefined ? "" : ` for ${what}`}; wrap it in sum()`,
  notACount: (value, what) =>
    `the query returned ${formatPromNumber(value)} for ${what}, not an event count`,
  hint: "the query must count events: counters wrapped in sum(increase(...[{{window}}]))",
};

const PROMETHEUS: QueryApiDialect = {
  pathPrefix: "/api/v1",
  formatTime: promTime,
  // VictoriaMetrics would otherwise align start to the step and shift every bucket.
  rangeParams: { nocache: "1" },
  failureReason: prometheusError,
  wording: WORDING,
};

export function createPrometheusSource(spec: PrometheusSourceSpec): Source {
  return createQueryApiSource(spec, {
    dialect: PROMETHEUS,
    describeErrorBody: (body) => describeJsonError(body, prometheusError),
    where: (label, displayUrl) => `${label} at ${displayUrl.replace(/\/$/, "")}`,
    count: countRequest,
    findDeploys: async (api, deploys, range) =>
      (await import("./deploys/prometheus-deploys.js")).findPrometheusDeploys(
        api,
        deploys,
        range,
        spec.name,
      ),
  });
}

// ---------------------------------------------------------------------------
// What to ask for

/** The queries of one SLO: total, and good or bad as the indicator declares them. */
interface PrometheusQueries {
  events: EventQueries;
  /** bad events per value of `label`, or null when the queries cannot be split by label */
  badBy(label: string, rangeMs: number): string | null;
  /** the selector whose absence explains an empty total, if there is one */
  totalSelector?: string | undefined;
}

/** A histogram with no buckets at all: no data (a service with no traffic yet), not an error. */
interface NoBuckets {
  noData: string;
}

/**
 * No buckets, but the selector itself has series: it names a gauge (an
 * OpenSLO thresholdMetric on a plain metric), whose value is sampled and
 * compared with the threshold instead.
 */
interface NotAHistogram {
  sampleInstead: { query: string; judge: SampleJudge; note: string };
}

async function countRequest(api: QueryApi, request: CountRequest): Promise<CountResult> {
  const { indicator } = request.slo;
  if (indicator.kind === "sampled")
    return sampleRequest(api, PROMETHEUS, request, indicator.query, indicator.judge);
  const by = request.slo.grouping?.by;
  const queries =
    indicator.kind === "ratio"
      ? ratioQueries(indicator, request.slo.name, by)
      : await histogramQueries(api, indicator, request);
  if ("sampleInstead" in queries) {
    const { query, judge, note } = queries.sampleInstead;
    return sampleRequest(api, PROMETHEUS, request, query, judge, [note]);
  }
  if ("noData" in queries) return noDataResult(request, queries.noData, api.queries);
  return countWithPlan(api, countingPlan(api, queries), request);
}

function countingPlan(api: QueryApi, queries: PrometheusQueries): CountingPlan {
  const { totalSelector } = queries;
  return {
    queries: queries.events,
    breakdown: (breakdown, window) => breakdownOf(api, queries, breakdown, window),
    explainNoEvents: totalSelector
      ? (longest) => explainMissingMetric(api, totalSelector, longest)
      : undefined,
  };
}

function noDataResult(request: CountRequest, warning: string, queries: number): CountResult {
  const zero = (): Counts => ({ good: 0, total: 0 });
  const diagnostics: SourceDiagnostics = { queries, warnings: [warning] };
  return {
    windows: Object.fromEntries(request.windows.map((w) => [w.key, zero()])),
    series: Object.fromEntries(
      request.series.map((s) => [s.key, Array.from({ length: s.count }, zero)]),
    ),
    breakdown: [],
    diagnostics,
  };
}

function ratioQueries(
  indicator: RatioIndicator,
  sloName: string,
  by: readonly string[] | undefined,
): PrometheusQueries {
  const numeratorKind = indicator.bad !== undefined ? "bad" : "good";
  const numeratorText = indicator.bad ?? indicator.good;
  if (numeratorText === undefined) {
    throw sourceError(`SLO '${sloName}': a ratio needs good or bad as well as total`);
  }
  const build = (role: string, text: string): RangeQuery => {
    if (windowQuery(text, 60_000) === null) {
      throw sourceError(
        `SLO '${sloName}': the ${role} query is neither a series selector nor a query with {{window}}`,
        'write a counter selector such as http_requests_total{code=~"5.."}, or put [{{window}}] where the range goes',
      );
    }
    return by
      ? (rangeMs) => groupedWindowQuery(text, rangeMs, by)!
      : (rangeMs) => windowQuery(text, rangeMs)!;
  };
  const total = build("total", indicator.total);
  const numerator = build(numeratorKind, numeratorText);
  const totalSel = plainSelector(indicator.total);
  const numeratorSel = plainSelector(numeratorText);
  return {
    events: { total, [numeratorKind]: numerator },
    totalSelector: totalSel,
    badBy(label, rangeMs) {
      if (!totalSel || !numeratorSel) return null;
      const by = (sel: string) => increaseBy(label, sel, rangeMs);
      return numeratorKind === "bad"
        ? by(numeratorSel)
        : badFromGood(by(totalSel), by(numeratorSel));
    },
  };
}

function increaseBy(label: string, selector: string, rangeMs: number): string {
  return `sum by (${label}) (increase(${selector}[${formatPromDuration(rangeMs)}]))`;
}

/** total - good per label value; a value with no good series at all counts all of its total. */
function badFromGood(total: string, good: string): string {
  return `(${total} - (${good} or ${total} * 0))`;
}

/** The canonical text of a plain selector, or undefined for full queries. */
function plainSelector(text: string): string | undefined {
  if (hasWindowPlaceholder(text)) return undefined;
  const parts = selectorParts(text);
  return parts ? formatSelector(parts.metric, parts.matchers) : undefined;
}

/** A note when no series matches `selector` anywhere in the window. */
async function explainMissingMetric(
  api: QueryApi,
  selector: string,
  longest: WindowRequest,
): Promise<string | undefined> {
  const names = await api.labelValues("__name__", selector, longest);
  if (names.length > 0) return undefined;
  return `${api.where}: ${selector} has no series between ${iso(longest.startMs)} and ${iso(longest.endMs)}: is the metric name or a label misspelt?`;
}

// ---------------------------------------------------------------------------
// Histograms

async function histogramQueries(
  api: QueryApi,
  indicator: LatencyIndicator,
  request: CountRequest,
): Promise<PrometheusQueries | NoBuckets | NotAHistogram> {
  const sloName = request.slo.name;
  const parts = histogramParts(indicator.histogram);
  if (!parts) {
    throw sourceError(
      `SLO '${sloName}': latency on prometheus needs histogram: metric{labels}, a classic histogram's name without _bucket`,
    );
  }
  if (parts.matchers.some((m) => /^\s*"?le"?\s*(=|!=|=~|!~)/.test(m))) {
    throw sourceError(
      `SLO '${sloName}': the histogram selector must not match on le; slo picks the bucket`,
    );
  }
  const { metric, matchers } = parts;
  const countSelector = formatSelector(`${metric}_count`, matchers);
  const threshold = thresholdAsLe(indicator.threshold, indicator.unit, metric);
  const span = requestSpan(request);
  const les = await api.labelValues("le", formatSelector(`${metric}_bucket`, matchers), span);
  const sel = formatSelector(metric, matchers);
  if (les.length === 0) {
    if ((await api.labelValues("__name__", sel, span)).length > 0)
      return gaugeInstead(sel, threshold, indicator);
    return {
      noData: `${api.where}: histogram ${sel} has no buckets between ${iso(span.startMs)} and ${iso(span.endMs)}: no data`,
    };
  }
  const matching = bucketsAt(les, threshold);
  if (matching.length === 0) {
    const unit = leUnit(metric);
    throw sourceError(
      `SLO '${sloName}': histogram ${sel} has no bucket at the threshold ${indicator.thresholdText} (le="${formatPromNumber(threshold)}", in ${unit}); its buckets are le = ${sortedBounds(les).join(", ")}`,
      `choose a threshold equal to one of those bounds (the histogram is taken to be in ${unit}, by its name)`,
    );
  }
  const goodSelector = formatSelector(`${metric}_bucket`, [...matchers, leMatcher(matching)]);
  const sum = request.slo.grouping ? `sum by (${request.slo.grouping.by.join(", ")})` : "sum";
  const increase =
    (selector: string): RangeQuery =>
    (rangeMs) =>
      `${sum}(increase(${selector}[${formatPromDuration(rangeMs)}]))`;
  return {
    events: { total: increase(countSelector), good: increase(goodSelector) },
    totalSelector: countSelector,
    badBy: (label, rangeMs) =>
      badFromGood(
        increaseBy(label, countSelector, rangeMs),
        increaseBy(label, goodSelector, rangeMs),
      ),
  };
}

function gaugeInstead(
  selector: string,
  threshold: number,
  indicator: LatencyIndicator,
): NotAHistogram {
  const judge: SampleJudge = {
    kind: "threshold",
    op: "lte",
    threshold,
    thresholdText: indicator.thresholdText,
  };
  return {
    sampleInstead: {
      query: selector,
      judge,
      note: `${selector} has no _bucket series but has values: it is taken as a gauge, sampled and good at or below ${formatPromNumber(threshold)}`,
    },
  };
}

/** From the earliest start to the latest end of everything the request asks for. */
function requestSpan(request: CountRequest): TimeRange {
  return {
    startMs: Math.min(
      ...request.windows.map((w) => w.startMs),
      ...request.series.map((s) => s.startMs),
    ),
    endMs: Math.max(
      ...request.windows.map((w) => w.endMs),
      ...request.series.map((s) => s.startMs + s.count * s.stepMs),
    ),
  };
}

// ---------------------------------------------------------------------------
// Breakdown

async function breakdownOf(
  api: QueryApi,
  queries: PrometheusQueries,
  breakdown: Breakdown,
  window: WindowRequest,
): Promise<BreakdownEntry[]> {
  if (!LABEL_NAME.test(breakdown.by)) {
    throw sourceError(`breakdown: '${breakdown.by}' is not a Prometheus label name`);
  }
  const bad = queries.badBy(breakdown.by, window.endMs - window.startMs);
  if (bad === null) return [];
  const limit = breakdownLimit(breakdown);
  const samples = await api.instant(`topk(${limit}, ${bad} > 0)`, window.endMs, "breakdown");
  return topBadValues(
    samples.map((s) => [s.metric[breakdown.by] ?? "", s.value]),
    breakdown,
  );
}

// ---------------------------------------------------------------------------
// The API's own

/** Unix seconds with milliseconds, exactly: `1764000000.000`. */
export function promTime(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function prometheusError(answer: ErrorFields): string | undefined {
  return typeof answer.error === "string"
    ? `${String(answer.errorType ?? "error")}: ${answer.error}`
    : undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
