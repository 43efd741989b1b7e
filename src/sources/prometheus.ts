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

import type {
  LatencyIndicator,
  PrometheusSourceSpec,
  RatioIndicator,
} from "../definition/model.js";
import {
  formatPromDuration,
  formatSelector,
  hasWindowPlaceholder,
  selectorParts,
  windowQuery,
} from "../definition/promql.js";
import { type SloError, sourceError, toSloError } from "../errors.js";
import type { HttpClient } from "../http/client.js";
import { clientForSource, countEachSlo } from "./per-slo.js";
import type {
  BreakdownEntry,
  CountRequest,
  CountResult,
  Counts,
  SeriesRequest,
  Source,
  SourceDiagnostics,
} from "./types.js";
import { breakdownWindow } from "./types.js";

/** Prometheus refuses more than 11,000 points per series in one query_range. */
export const MAX_POINTS_PER_QUERY = 10_000;
/** Queries longer than this go in a POST body: proxies cut long URLs. */
const MAX_GET_QUERY_CHARS = 3000;

export function createPrometheusSource(spec: PrometheusSourceSpec): Source {
  const label = `prometheus source '${spec.name}'`;
  const client = clientForSource(spec, label, describePrometheusError);
  return {
    name: spec.name,
    type: "prometheus",
    count(requests) {
      return countEachSlo(requests, () => new PrometheusApi(client, label), countRequest);
    },
  };
}

// ---------------------------------------------------------------------------
// What to ask for

/**
 * The queries of one SLO. `numerator` counts good or bad events, as the
 * indicator declares them; the window's length is filled in per query.
 */
interface IndicatorQueries {
  numeratorKind: "good" | "bad";
  total(rangeMs: number): string;
  numerator(rangeMs: number): string;
  /** bad events per value of `label`, or null when the queries cannot be split by label */
  badBy(label: string, rangeMs: number): string | null;
  /** the selector whose absence explains an empty total, if there is one */
  totalSelector?: string | undefined;
  /** nothing to ask: every count is zero (a histogram with no buckets yet) */
  noData?: boolean;
  warnings: string[];
}

async function countRequest(api: PrometheusApi, request: CountRequest): Promise<CountResult> {
  const { indicator } = request.slo;
  const queries =
    indicator.kind === "ratio"
      ? ratioQueries(indicator, request.slo.name)
      : await histogramQueries(api, indicator, request);

  if (queries.noData) return noDataResult(request, queries.warnings, api.queries);

  // Windows, series and the breakdown all at once; the client keeps the server's load bounded.
  const longest = longestWindow(request);
  const breakdownAnswer = breakdownOrWarning(api, queries, request, breakdownWindow(request));
  const windowAnswers = Promise.all(
    request.windows.map(async (w): Promise<[string, Counts]> => {
      const length = w.endMs - w.startMs;
      const [total, numerator] = await Promise.all([
        api.count(queries.total(length), w.endMs, `window ${w.key}`),
        api.count(queries.numerator(length), w.endMs, `window ${w.key}`),
      ]);
      return [w.key, countsOf(total, numerator, queries.numeratorKind)];
    }),
  );
  const seriesAnswers = Promise.all(
    request.series.map(async (s): Promise<[string, Counts[]]> => {
      const [total, numerator] = await Promise.all([
        api.countSeries((ms) => queries.total(ms), s),
        api.countSeries((ms) => queries.numerator(ms), s),
      ]);
      return [s.key, total.map((t, i) => countsOf(t, numerator[i] ?? 0, queries.numeratorKind))];
    }),
  );

  const [windowEntries, seriesEntries, [breakdown, breakdownWarning]] = await Promise.all([
    windowAnswers,
    seriesAnswers,
    breakdownAnswer,
  ]);
  const windows = Object.fromEntries(windowEntries);
  const warnings = [...queries.warnings];
  if (breakdownWarning) warnings.push(breakdownWarning);
  if (longest && queries.totalSelector && (windows[longest.key]?.total ?? 0) === 0) {
    const missing = await api.metricMissing(queries.totalSelector, longest.startMs, longest.endMs);
    if (missing) {
      warnings.push(
        `${api.where}: ${queries.totalSelector} has no series between ${iso(longest.startMs)} and ${iso(longest.endMs)}: is the metric name or a label misspelt?`,
      );
    }
  }
  const diagnostics: SourceDiagnostics = { queries: api.queries };
  if (warnings.length > 0) diagnostics.warnings = warnings;
  return { windows, series: Object.fromEntries(seriesEntries), breakdown, diagnostics };
}

/** What spent the budget is a nicety: a breakdown that fails costs the SLO only a warning. */
async function breakdownOrWarning(
  api: PrometheusApi,
  queries: IndicatorQueries,
  request: CountRequest,
  longest: CountRequest["windows"][number] | undefined,
): Promise<[BreakdownEntry[], string | undefined]> {
  if (!request.breakdown || !longest) return [[], undefined];
  try {
    return [await breakdownOf(api, queries, request.breakdown, longest), undefined];
  } catch (error) {
    return [[], `breakdown by ${request.breakdown.by} failed: ${toSloError(error).message}`];
  }
}

function noDataResult(request: CountRequest, warnings: string[], queries: number): CountResult {
  const zero = (): Counts => ({ good: 0, total: 0 });
  const diagnostics: SourceDiagnostics = { queries, warnings };
  return {
    windows: Object.fromEntries(request.windows.map((w) => [w.key, zero()])),
    series: Object.fromEntries(
      request.series.map((s) => [s.key, Array.from({ length: s.count }, zero)]),
    ),
    breakdown: [],
    diagnostics,
  };
}

/** good from a good or a bad count; extrapolated counters can overshoot by a little, so clamp. */
function countsOf(total: number, numerator: number, kind: "good" | "bad"): Counts {
  const good = kind === "good" ? numerator : total - numerator;
  return { good: Math.min(Math.max(good, 0), total), total };
}

function longestWindow(request: CountRequest): CountRequest["windows"][number] | undefined {
  let best: CountRequest["windows"][number] | undefined;
  for (const w of request.windows) {
    if (!best || w.endMs - w.startMs > best.endMs - best.startMs) best = w;
  }
  return best;
}

function ratioQueries(indicator: RatioIndicator, sloName: string): IndicatorQueries {
  const numeratorKind = indicator.bad !== undefined ? "bad" : "good";
  const numeratorText = indicator.bad ?? indicator.good;
  if (numeratorText === undefined) {
    throw sourceError(`SLO '${sloName}': a ratio needs good or bad as well as total`);
  }
  const build = (role: string, text: string) => {
    if (windowQuery(text, 60_000) === null) {
      throw sourceError(
        `SLO '${sloName}': the ${role} query is neither a series selector nor a query with {{window}}`,
        'write a counter selector such as http_requests_total{code=~"5.."}, or put [{{window}}] where the range goes',
      );
    }
    return (rangeMs: number) => windowQuery(text, rangeMs)!;
  };
  const total = build("total", indicator.total);
  const numerator = build(numeratorKind, numeratorText);
  const totalSel = plainSelector(indicator.total);
  const numeratorSel = plainSelector(numeratorText);
  return {
    numeratorKind,
    total,
    numerator,
    totalSelector: totalSel,
    warnings: [],
    badBy(label, rangeMs) {
      if (!totalSel || !numeratorSel) return null;
      const range = formatPromDuration(rangeMs);
      const by = (sel: string) => `sum by (${label}) (increase(${sel}[${range}]))`;
      return numeratorKind === "bad"
        ? by(numeratorSel)
        : badFromGood(by(totalSel), by(numeratorSel));
    },
  };
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

// ---------------------------------------------------------------------------
// Histograms

const UNIT_SECONDS: Record<LatencyIndicator["unit"], number> = {
  ns: 1e-9,
  us: 1e-6,
  ms: 1e-3,
  s: 1,
};

/**
 * The unit a histogram's `le` is in: the one its name says, by Prometheus'
 * naming convention (`_milliseconds`), else seconds, the convention's base unit.
 */
function histogramUnitSeconds(metric: string): { seconds: number; name: string } {
  if (/_(milliseconds|ms)$/.test(metric)) return { seconds: 1e-3, name: "ms" };
  if (/_(microseconds|us)$/.test(metric)) return { seconds: 1e-6, name: "us" };
  if (/_(nanoseconds|ns)$/.test(metric)) return { seconds: 1e-9, name: "ns" };
  return { seconds: 1, name: "s" };
}

async function histogramQueries(
  api: PrometheusApi,
  indicator: LatencyIndicator,
  request: CountRequest,
): Promise<IndicatorQueries> {
  const sloName = request.slo.name;
  const parts = indicator.histogram ? selectorParts(indicator.histogram) : null;
  if (!parts || parts.metric === "") {
    throw sourceError(
      `SLO '${sloName}': latency on prometheus needs histogram: metric{labels}, a classic histogram's name without _bucket`,
    );
  }
  if (parts.matchers.some((m) => /^\s*"?le"?\s*(=|!=|=~|!~)/.test(m))) {
    throw sourceError(
      `SLO '${sloName}': the histogram selector must not match on le; slo picks the bucket`,
    );
  }
  const metric = parts.metric.replace(/_(bucket|count|sum)$/, "");
  const bucketSelector = formatSelector(`${metric}_bucket`, parts.matchers);
  const countSelector = formatSelector(`${metric}_count`, parts.matchers);
  const unit = histogramUnitSeconds(metric);
  const threshold = (indicator.threshold * UNIT_SECONDS[indicator.unit]) / unit.seconds;

  const startMs = Math.min(
    ...request.windows.map((w) => w.startMs),
    ...request.series.map((s) => s.startMs),
  );
  const endMs = Math.max(
    ...request.windows.map((w) => w.endMs),
    ...request.series.map((s) => s.startMs + s.count * s.stepMs),
  );
  const les = await api.labelValues("le", bucketSelector, startMs, endMs);
  const sel = formatSelector(metric, parts.matchers);
  if (les.length === 0) {
    // No buckets at all is no data (a service with no traffic yet), not an error.
    const none = () => "";
    return {
      numeratorKind: "good",
      total: none,
      numerator: none,
      badBy: () => null,
      noData: true,
      warnings: [
        `${api.where}: histogram ${sel} has no buckets between ${iso(startMs)} and ${iso(endMs)}: no data`,
      ],
    };
  }
  const matching = les.filter((le) => sameBound(parsePromValue(le), threshold));
  if (matching.length === 0) {
    const bounds = [...new Set(les)].sort((a, b) => parsePromValue(a) - parsePromValue(b));
    throw sourceError(
      `SLO '${sloName}': histogram ${sel} has no bucket at the threshold ${indicator.thresholdText} (le="${formatNumber(threshold)}", in ${unit.name}); its buckets are le = ${bounds.join(", ")}`,
      `choose a threshold equal to one of those bounds (the histogram is taken to be in ${unit.name}, by its name)`,
    );
  }
  // The same bound written two ways ("1" and "1.0", from a Prometheus 3 upgrade) is one bucket.
  const leMatcher =
    matching.length === 1
      ? `le=${JSON.stringify(matching[0])}`
      : `le=~${JSON.stringify(matching.map(escapeRegex).join("|"))}`;
  const goodSelector = formatSelector(`${metric}_bucket`, [...parts.matchers, leMatcher]);
  const increase = (s: string, rangeMs: number) =>
    `sum(increase(${s}[${formatPromDuration(rangeMs)}]))`;
  return {
    numeratorKind: "good",
    total: (ms) => increase(countSelector, ms),
    numerator: (ms) => increase(goodSelector, ms),
    totalSelector: countSelector,
    warnings: [],
    badBy(label, rangeMs) {
      const range = formatPromDuration(rangeMs);
      const by = (s: string) => `sum by (${label}) (increase(${s}[${range}]))`;
      return badFromGood(by(countSelector), by(goodSelector));
    },
  };
}

function sameBound(le: number, threshold: number): boolean {
  return Math.abs(le - threshold) <= 1e-9 * Math.max(1, Math.abs(threshold));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---------------------------------------------------------------------------
// Breakdown

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

async function breakdownOf(
  api: PrometheusApi,
  queries: IndicatorQueries,
  breakdown: NonNullable<CountRequest["breakdown"]>,
  window: CountRequest["windows"][number],
): Promise<BreakdownEntry[]> {
  if (!LABEL_NAME.test(breakdown.by)) {
    throw sourceError(`breakdown: '${breakdown.by}' is not a Prometheus label name`);
  }
  const bad = queries.badBy(breakdown.by, window.endMs - window.startMs);
  if (bad === null) return [];
  const limit = Math.max(1, Math.floor(breakdown.limit));
  const samples = await api.instant(`topk(${limit}, ${bad} > 0)`, window.endMs, "breakdown");
  return samples
    .map((s) => ({ value: s.metric[breakdown.by] ?? "", count: s.value }))
    .filter((e) => Number.isFinite(e.count) && e.count > 0)
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, limit);
}

// ---------------------------------------------------------------------------
// The HTTP API

interface Sample {
  metric: Record<string, string>;
  value: number;
}

interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

/** The Prometheus HTTP API for one request: counts the queries it sends and asks each once. */
class PrometheusApi {
  queries = 0;
  private readonly cache = new Map<string, Promise<number>>();
  private readonly cancelled = new AbortController();

  constructor(
    private readonly client: HttpClient,
    private readonly label: string,
  ) {}

  /** Who answers, for notes: the source and its url, credentials removed. */
  get where(): string {
    return `${this.label} at ${this.client.displayUrl.replace(/\/$/, "")}`;
  }

  /** Abandon every query still in flight or waiting to retry. */
  cancel(): void {
    this.cancelled.abort();
  }

  /** The single number a counting query returns at `atMs`; no series is 0 events. */
  count(query: string, atMs: number, what: string): Promise<number> {
    const key = `${atMs} ${query}`;
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.instant(query, atMs, what).then((samples) => this.single(samples, query, what));
      this.cache.set(key, answer);
    }
    return answer;
  }

  async instant(query: string, atMs: number, what: string): Promise<Sample[]> {
    const data = await this.call("/api/v1/query", { query, time: promTime(atMs) }, query);
    if (data.resultType === "scalar") {
      return [{ metric: {}, value: parsePromValue(pairOf(data.result)[1]) }];
    }
    if (data.resultType !== "vector" || !Array.isArray(data.result)) {
      throw this.badAnswer(`expected a vector for ${what}, got ${String(data.resultType)}`, query);
    }
    return data.result.map((item) => {
      const { metric, value } = item as { metric?: Record<string, string>; value?: unknown };
      return { metric: metric ?? {}, value: parsePromValue(pairOf(value)[1]) };
    });
  }

  /**
   * Counts per bucket (start + i*step, start + (i+1)*step]: a query_range of
   * `query(step)` evaluated at each bucket's end, in chunks under the point limit.
   */
  async countSeries(query: (rangeMs: number) => string, s: SeriesRequest): Promise<number[]> {
    const out = new Array<number>(s.count).fill(0);
    const text = query(s.stepMs);
    const firstEnd = s.startMs + s.stepMs;
    const chunks: Promise<void>[] = [];
    for (let from = 0; from < s.count; from += MAX_POINTS_PER_QUERY) {
      const to = Math.min(s.count, from + MAX_POINTS_PER_QUERY) - 1;
      chunks.push(
        this.range(text, firstEnd + from * s.stepMs, firstEnd + to * s.stepMs, s.stepMs).then(
          (series) => {
            if (series.length > 1) {
              throw this.badAnswer(
                `the query returned ${series.length} series; wrap it in sum()`,
                text,
              );
            }
            for (const [t, v] of series[0]?.values ?? []) {
              const i = Math.round((t - firstEnd) / s.stepMs);
              if (i >= 0 && i < s.count) out[i] = this.checked(v, text, `series ${s.key}`);
            }
          },
        ),
      );
    }
    await Promise.all(chunks);
    return out;
  }

  private async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<RangeSeries[]> {
    const data = await this.call(
      "/api/v1/query_range",
      // nocache: VictoriaMetrics would otherwise align start to the step and shift every bucket.
      {
        query,
        start: promTime(startMs),
        end: promTime(endMs),
        step: String(stepMs / 1000),
        nocache: "1",
      },
      query,
    );
    if (data.resultType !== "matrix" || !Array.isArray(data.result)) {
      throw this.badAnswer(`expected a matrix, got ${String(data.resultType)}`, query);
    }
    return data.result.map((item) => {
      const { metric, values } = item as { metric?: Record<string, string>; values?: unknown };
      const points = Array.isArray(values) ? values : [];
      return {
        metric: metric ?? {},
        values: points.map((p): [number, number] => {
          const [t, v] = pairOf(p);
          return [Math.round(t * 1000), parsePromValue(v)];
        }),
      };
    });
  }

  /** Label values among the series `match` selects: the `le` bounds of a histogram. */
  async labelValues(
    label: string,
    match: string,
    startMs: number,
    endMs: number,
  ): Promise<string[]> {
    this.queries++;
    const body = await this.client.requestJson({
      signal: this.cancelled.signal,
      path: `/api/v1/label/${encodeURIComponent(label)}/values`,
      params: { "match[]": [match], start: promTime(startMs), end: promTime(endMs) },
      context: `label values of ${label} for ${match}`,
    });
    const data = this.successData(body, match);
    if (!Array.isArray(data)) throw this.badAnswer("expected a list of label values", match);
    return data.filter((v): v is string => typeof v === "string");
  }

  /** True when no series matches `selector` anywhere in the range. */
  async metricMissing(selector: string, startMs: number, endMs: number): Promise<boolean> {
    const names = await this.labelValues("__name__", selector, startMs, endMs);
    return names.length === 0;
  }

  private async call(
    path: string,
    params: Record<string, string>,
    query: string,
  ): Promise<{ resultType?: unknown; result?: unknown }> {
    this.queries++;
    const long = params.query !== undefined && params.query.length > MAX_GET_QUERY_CHARS;
    const body = await this.client.requestJson({
      signal: this.cancelled.signal,
      path,
      ...(long ? { form: params } : { params }),
      context: `query: ${shorten(query)}`,
    });
    const data = this.successData(body, query);
    if (typeof data !== "object" || data === null)
      throw this.badAnswer("the answer has no data", query);
    return data as { resultType?: unknown; result?: unknown };
  }

  private successData(body: unknown, query: string): unknown {
    const answer = body as {
      status?: unknown;
      data?: unknown;
      error?: unknown;
      errorType?: unknown;
    };
    if (typeof answer !== "object" || answer === null || answer.status !== "success") {
      const reason =
        typeof answer?.error === "string"
          ? `${String(answer.errorType ?? "error")}: ${answer.error}`
          : "status is not success";
      throw this.badAnswer(reason, query);
    }
    return answer.data;
  }

  private single(samples: Sample[], query: string, what: string): number {
    if (samples.length === 0) return 0;
    if (samples.length > 1) {
      throw this.badAnswer(
        `the query returned ${samples.length} series for ${what}; wrap it in sum()`,
        query,
      );
    }
    return this.checked(samples[0]!.value, query, what);
  }

  /** Counts are finite and not negative; a tiny negative is float noise. */
  private checked(value: number, query: string, what: string): number {
    if (Number.isFinite(value) && value >= -1e-9) return Math.max(0, value);
    throw this.badAnswer(
      `the query returned ${formatNumber(value)} for ${what}, not an event count`,
      query,
    );
  }

  private badAnswer(message: string, query: string): SloError {
    return sourceError(
      this.client.redact(`${this.where}: ${message}; query: ${shorten(query)}`),
      "the query must count events: counters wrapped in sum(increase(...[{{window}}]))",
    );
  }
}

// ---------------------------------------------------------------------------
// Values and times

/** A sample value as Prometheus writes it: a decimal string, "NaN", "+Inf" or "-Inf". */
export function parsePromValue(text: unknown): number {
  if (typeof text === "number") return text;
  if (typeof text !== "string") return Number.NaN;
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  return text.trim() === "" ? Number.NaN : Number(text);
}

function pairOf(value: unknown): [number, unknown] {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), value[1]];
  return [Number.NaN, undefined];
}

/** Unix seconds with milliseconds, exactly: `1764000000.000`. */
export function promTime(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function describePrometheusError(body: string): string | undefined {
  try {
    const answer = JSON.parse(body) as { errorType?: unknown; error?: unknown };
    if (typeof answer.error === "string")
      return `${String(answer.errorType ?? "error")}: ${answer.error}`;
  } catch {
    // not Prometheus' JSON: the caller shows an excerpt
  }
  return undefined;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(Number(n.toPrecision(12)));
}

function shorten(query: string): string {
  const flat = query.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
