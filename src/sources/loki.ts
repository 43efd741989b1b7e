/**
 * The Loki source: counts log events with `/loki/api/v1/query`, sending
 * `sum(count_over_time(<log query> [W]))` at the end of each window (`time`
 * in nanoseconds), so the same LogQL runs on files or on Loki.
 *
 * Loki refuses a range longer than `max_query_length` (721h by default):
 * longer windows are split into consecutive sub-windows and summed, which is
 * exact for counts because Loki's ranges are left-open, right-closed, like
 * ours.
 *
 * Latency: an event is good when its field, read as a number in the
 * indicator's unit, is at most the threshold. Two queries per window:
 *   good: `<events> | <field> <= T | __error__=""`
 *   bad:  `<events> | <field> > T  | __error__=""`
 * and total = good + bad. Loki's numeric label filter drops a line without
 * the field and marks one whose field is not a number with __error__, which
 * the last stage drops: so, as for log files, an event without a numeric
 * field is not counted, and one more query on the longest window (the events
 * as written) says how many there were.
 */

import type { LatencyIndicator, LokiSourceSpec, RatioIndicator } from "../definition/model.js";
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
  WindowRequest,
} from "./types.js";
import { breakdownWindow } from "./types.js";

/** Loki's default `max_query_length`: the longest range one query may cover. */
export const LOKI_MAX_QUERY_LENGTH_MS = 721 * 3_600_000;
/** Loki refuses more than 11,000 points per series in one query_range. */
const MAX_POINTS_PER_QUERY = 10_000;
const MAX_GET_QUERY_CHARS = 3000;

export function createLokiSource(spec: LokiSourceSpec): Source {
  const label = `loki source '${spec.name}'`;
  const client = clientForSource(spec, label, describeLokiError);
  return {
    name: spec.name,
    type: "loki",
    count(requests) {
      return countEachSlo(requests, () => new LokiApi(client, label, spec.tenant), countRequest);
    },
  };
}

// ---------------------------------------------------------------------------
// What to ask for

/** Two of the three log queries; the third count follows from them. */
interface IndicatorQueries {
  total?: string | undefined;
  good?: string | undefined;
  bad?: string | undefined;
  /** latency: the events as written, to count those without a numeric field */
  events?: string | undefined;
}

async function countRequest(api: LokiApi, request: CountRequest): Promise<CountResult> {
  const queries = indicatorQueries(request);
  const kinds = (["total", "good", "bad"] as const).filter((k) => queries[k] !== undefined);

  // Windows, series and the breakdown all at once; the client keeps the server's load bounded.
  const longest = longestWindow(request.windows);
  const breakdownAnswer = breakdownOrWarning(api, queries, request, breakdownWindow(request));
  const windowAnswers = Promise.all(
    request.windows.map(async (w): Promise<[string, Counts]> => {
      const values = await Promise.all(kinds.map((k) => api.countWindow(queries[k]!, w)));
      return [w.key, countsOf(Object.fromEntries(kinds.map((k, i) => [k, values[i]!])))];
    }),
  );
  const seriesAnswers = Promise.all(
    request.series.map(async (s): Promise<[string, Counts[]]> => {
      const values = await Promise.all(kinds.map((k) => api.countSeries(queries[k]!, s)));
      const counts = Array.from({ length: s.count }, (_, i) =>
        countsOf(Object.fromEntries(kinds.map((k, j) => [k, values[j]![i] ?? 0]))),
      );
      return [s.key, counts];
    }),
  );
  const eventsAnswer =
    queries.events && longest
      ? api.countWindow(queries.events, longest)
      : Promise.resolve(undefined);
  const [windowEntries, seriesEntries, [breakdown, breakdownWarning], events] = await Promise.all([
    windowAnswers,
    seriesAnswers,
    breakdownAnswer,
    eventsAnswer,
  ]);
  const windows = Object.fromEntries(windowEntries);
  const warnings: string[] = breakdownWarning ? [breakdownWarning] : [];
  const diagnostics: SourceDiagnostics = {};
  if (events !== undefined && longest) {
    diagnostics.missingField = Math.max(0, events - (windows[longest.key]?.total ?? 0));
  }
  diagnostics.queries = api.queries;
  if (warnings.length > 0) diagnostics.warnings = warnings;
  return { windows, series: Object.fromEntries(seriesEntries), breakdown, diagnostics };
}

/** What spent the budget is a nicety: a breakdown that fails costs the SLO only a warning. */
async function breakdownOrWarning(
  api: LokiApi,
  queries: IndicatorQueries,
  request: CountRequest,
  longest: WindowRequest | undefined,
): Promise<[BreakdownEntry[], string | undefined]> {
  if (!request.breakdown || !longest) return [[], undefined];
  try {
    return [await breakdownOf(api, queries, request.breakdown, longest), undefined];
  } catch (error) {
    return [[], `breakdown by ${request.breakdown.by} failed: ${toSloError(error).message}`];
  }
}

function countsOf(c: { total?: number; good?: number; bad?: number }): Counts {
  const total = c.total ?? (c.good ?? 0) + (c.bad ?? 0);
  const good = c.good ?? total - (c.bad ?? 0);
  return { good: Math.min(Math.max(good, 0), total), total };
}

function longestWindow(windows: WindowRequest[]): WindowRequest | undefined {
  let best: WindowRequest | undefined;
  for (const w of windows) if (!best || w.endMs - w.startMs > best.endMs - best.startMs) best = w;
  return best;
}

function indicatorQueries(request: CountRequest): IndicatorQueries {
  const { indicator, name } = request.slo;
  return indicator.kind === "ratio"
    ? ratioQueries(indicator, name)
    : latencyQueries(indicator, name);
}

function ratioQueries(indicator: RatioIndicator, sloName: string): IndicatorQueries {
  if (indicator.bad !== undefined) return { total: indicator.total, bad: indicator.bad };
  if (indicator.good !== undefined) return { total: indicator.total, good: indicator.good };
  throw sourceError(`SLO '${sloName}': a ratio needs good or bad as well as total`);
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function latencyQueries(indicator: LatencyIndicator, sloName: string): IndicatorQueries {
  const { events, field } = indicator;
  if (!events || !field) {
    throw sourceError(`SLO '${sloName}': latency on loki needs events (a LogQL query) and field`);
  }
  if (!LABEL_NAME.test(field)) {
    throw sourceError(
      `SLO '${sloName}': field '${field}' is not a LogQL label name`,
      "json and logfmt turn nested keys into labels joined with _, e.g. http_duration",
    );
  }
  const threshold = formatLogQLNumber(indicator.threshold);
  const base = closed(events);
  return {
    good: `${base} | ${field} <= ${threshold} | __error__=""`,
    bad: `${base} | ${field} > ${threshold} | __error__=""`,
    events: `${base} | __error__=""`,
  };
}

/** A number as a LogQL literal: plain decimal, never exponent notation. */
function formatLogQLNumber(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

// ---------------------------------------------------------------------------
// Breakdown

async function breakdownOf(
  api: LokiApi,
  queries: IndicatorQueries,
  breakdown: NonNullable<CountRequest["breakdown"]>,
  window: WindowRequest,
): Promise<BreakdownEntry[]> {
  if (!LABEL_NAME.test(breakdown.by)) {
    throw sourceError(`'${breakdown.by}' is not a LogQL label name`);
  }
  // Per label value over the whole window, then bad = bad, or total - good; ranked here
  // so a window split in parts still ranks on its sums.
  const bad = new Map<string, number>();
  if (queries.bad) {
    for (const [value, n] of await api.countBy(queries.bad, breakdown.by, window))
      bad.set(value, n);
  } else if (queries.total && queries.good) {
    const [total, good] = await Promise.all([
      api.countBy(queries.total, breakdown.by, window),
      api.countBy(queries.good, breakdown.by, window),
    ]);
    for (const [value, n] of total) bad.set(value, n - (good.get(value) ?? 0));
  }
  const limit = Math.max(1, Math.floor(breakdown.limit));
  return [...bad]
    .filter(([, n]) => n > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, limit);
}

// ---------------------------------------------------------------------------
// The HTTP API

interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

/** Loki's query API for one request: splits long ranges, counts the queries it sends. */
class LokiApi {
  queries = 0;
  private readonly cache = new Map<string, Promise<number>>();
  private readonly cancelled = new AbortController();

  constructor(
    private readonly client: HttpClient,
    private readonly label: string,
    private readonly tenant: string | undefined,
  ) {}

  /** Abandon every query still in flight or waiting to retry. */
  cancel(): void {
    this.cancelled.abort();
  }

  /** Events matching a log query in (start, end], summed over sub-windows Loki accepts. */
  countWindow(logQuery: string, w: { startMs: number; endMs: number }): Promise<number> {
    const parts = splitRange(w.startMs, w.endMs, LOKI_MAX_QUERY_LENGTH_MS);
    return Promise.all(
      parts.map((p) => this.countAt(countQuery(logQuery, p.endMs - p.startMs), p.endMs)),
    ).then((counts) => counts.reduce((a, b) => a + b, 0));
  }

  /** Events per value of `label` in (start, end]. */
  async countBy(logQuery: string, label: string, w: WindowRequest): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const p of splitRange(w.startMs, w.endMs, LOKI_MAX_QUERY_LENGTH_MS)) {
      const query = `sum by (${label}) (count_over_time(${closed(logQuery)} [${formatLokiDuration(p.endMs - p.startMs)}]))`;
      for (const sample of await this.instant(query, p.endMs)) {
        const value = sample.metric[label] ?? "";
        out.set(value, (out.get(value) ?? 0) + this.checked(sample.value, query));
      }
    }
    return out;
  }

  private countAt(query: string, atMs: number): Promise<number> {
    const key = `${atMs} ${query}`;
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.instant(query, atMs).then((samples) => {
        if (samples.length > 1) {
          throw this.badAnswer(`the query returned ${samples.length} series, expected one`, query);
        }
        return samples[0] ? this.checked(samples[0].value, query) : 0;
      });
      this.cache.set(key, answer);
    }
    return answer;
  }

  /**
   * Counts per bucket (start + i*step, start + (i+1)*step]: query_range
   * evaluated at each bucket's end, in chunks under both of Loki's limits
   * (points per series, and the range one query may span).
   */
  async countSeries(logQuery: string, s: SeriesRequest): Promise<number[]> {
    if (s.stepMs > LOKI_MAX_QUERY_LENGTH_MS) {
      // Buckets longer than Loki's range limit: count each one like a window.
      return Promise.all(
        Array.from({ length: s.count }, (_, i) =>
          this.countWindow(logQuery, {
            startMs: s.startMs + i * s.stepMs,
            endMs: s.startMs + (i + 1) * s.stepMs,
          }),
        ),
      );
    }
    const out = new Array<number>(s.count).fill(0);
    const query = countQuery(logQuery, s.stepMs);
    const firstEnd = s.startMs + s.stepMs;
    const bySpan = Math.floor((LOKI_MAX_QUERY_LENGTH_MS - s.stepMs) / s.stepMs) + 1;
    const perChunk = Math.max(1, Math.min(MAX_POINTS_PER_QUERY, bySpan));
    const chunks: Promise<void>[] = [];
    for (let from = 0; from < s.count; from += perChunk) {
      const to = Math.min(s.count, from + perChunk) - 1;
      chunks.push(
        this.range(query, firstEnd + from * s.stepMs, firstEnd + to * s.stepMs, s.stepMs).then(
          (series) => {
            if (series.length > 1) {
              throw this.badAnswer(
                `the query returned ${series.length} series, expected one`,
                query,
              );
            }
            for (const [t, v] of series[0]?.values ?? []) {
              const i = Math.round((t - firstEnd) / s.stepMs);
              if (i >= 0 && i < s.count) out[i] = this.checked(v, query);
            }
          },
        ),
      );
    }
    await Promise.all(chunks);
    return out;
  }

  private async instant(
    query: string,
    atMs: number,
  ): Promise<{ metric: Record<string, string>; value: number }[]> {
    const data = await this.call("/loki/api/v1/query", { query, time: lokiTime(atMs) }, query);
    if (data.resultType !== "vector" || !Array.isArray(data.result)) {
      throw this.badAnswer(`expected a vector, got ${String(data.resultType)}`, query);
    }
    return data.result.map((item) => {
      const { metric, value } = item as { metric?: Record<string, string>; value?: unknown };
      return { metric: metric ?? {}, value: sampleValue(value) };
    });
  }

  private async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<RangeSeries[]> {
    const data = await this.call(
      "/loki/api/v1/query_range",
      { query, start: lokiTime(startMs), end: lokiTime(endMs), step: String(stepMs / 1000) },
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
        values: points.map((p): [number, number] => [
          Math.round(Number((p as unknown[])[0]) * 1000),
          sampleValue(p),
        ]),
      };
    });
  }

  private async call(
    path: string,
    params: Record<string, string>,
    query: string,
  ): Promise<{ resultType?: unknown; result?: unknown }> {
    this.queries++;
    const long = query.length > MAX_GET_QUERY_CHARS;
    const body = await this.client.requestJson({
      signal: this.cancelled.signal,
      path,
      ...(long ? { form: params } : { params }),
      headers: this.tenant ? { "X-Scope-OrgID": this.tenant } : {},
      context: `query: ${shorten(query)}`,
    });
    const answer = body as { status?: unknown; data?: unknown; error?: unknown };
    if (typeof answer !== "object" || answer === null || answer.status !== "success") {
      const reason = typeof answer?.error === "string" ? answer.error : "status is not success";
      throw this.badAnswer(reason, query);
    }
    if (typeof answer.data !== "object" || answer.data === null) {
      throw this.badAnswer("the answer has no data", query);
    }
    return answer.data as { resultType?: unknown; result?: unknown };
  }

  private checked(value: number, query: string): number {
    if (Number.isFinite(value) && value >= 0) return value;
    throw this.badAnswer(`the query returned ${value}, not an event count`, query);
  }

  private badAnswer(message: string, query: string): SloError {
    return sourceError(
      this.client.redact(
        `${this.label} at ${this.client.displayUrl}: ${message}; query: ${shorten(query)}`,
      ),
    );
  }
}

/** `[ts, "value"]`: Loki writes values as strings. */
function sampleValue(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2) return Number.NaN;
  const v = pair[1];
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v.trim() === "") return Number.NaN;
  if (v === "NaN") return Number.NaN;
  if (v === "+Inf" || v === "-Inf")
    return v === "+Inf" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return Number(v);
}

/** Loki answers errors in plain text; some versions and gateways in Prometheus' JSON. */
function describeLokiError(body: string): string | undefined {
  try {
    const answer = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof answer.error === "string") return answer.error;
    if (typeof answer.message === "string") return answer.message;
  } catch {
    // plain text: the caller shows an excerpt
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Queries, times and ranges

export function countQuery(logQuery: string, rangeMs: number): string {
  return `sum(count_over_time(${closed(logQuery)} [${formatLokiDuration(rangeMs)}]))`;
}

/**
 * The query ready for more text after it: LogQL's `#` comments run to the end
 * of the line, so a query that may hold one ends with a newline.
 */
function closed(logQuery: string): string {
  const text = logQuery.trim();
  return text.includes("#") ? `${text}\n` : text;
}

const GO_UNITS: [string, number][] = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/** A range in one Go duration unit (`720h`, not `30d`: older Loki parses ranges with Go's time.ParseDuration). */
export function formatLokiDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  for (const [unit, size] of GO_UNITS) if (whole % size === 0) return `${whole / size}${unit}`;
  return `${whole}ms`;
}

/** Unix nanoseconds as an exact integer string (beyond what a double holds). */
export function lokiTime(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

/** (start, end] in consecutive parts of at most `maxMs`, the last ending at `end`. */
export function splitRange(
  startMs: number,
  endMs: number,
  maxMs: number,
): { startMs: number; endMs: number }[] {
  const parts: { startMs: number; endMs: number }[] = [];
  for (let end = endMs; end > startMs; end -= maxMs) {
    parts.push({ startMs: Math.max(startMs, end - maxMs), endMs: end });
  }
  return parts.reverse();
}

function shorten(query: string): string {
  const flat = query.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
