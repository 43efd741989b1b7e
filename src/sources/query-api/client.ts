/**
 * The query API Prometheus and Loki share: `query`, `query_range` and
 * `label/<name>/values` under each one's prefix, with the same JSON answers.
 * One `QueryApi` serves one SLO's request: it counts the queries it sends,
 * asks each once, can cancel them all, and checks that every answer is a
 * count of events. What differs between the two (prefix, time format,
 * limits, the wording of errors) is the dialect each source passes in.
 */

import { parsePromNumber } from "../../definition/promql.js";
import { type SloError, sourceError } from "../../errors.js";
import type { HttpClient } from "../../http/client.js";
import type { SeriesRequest } from "../types.js";
import {
  bucketAt,
  bucketRanges,
  bucketsTooLong,
  type QueryLimits,
  seriesChunks,
  type TimeRange,
  windowParts,
} from "./series.js";

/** Queries longer than this go in a POST body: proxies cut long URLs. */
const MAX_GET_QUERY_CHARS = 3000;

/** A counting query for a range of `rangeMs`, evaluated at the range's end. */
export type RangeQuery = (rangeMs: number) => string;

/** The error fields of an answer: Prometheus' `errorType` and `error`, Loki's `error`. */
export interface ErrorFields {
  error?: unknown;
  errorType?: unknown;
  message?: unknown;
}

/** What sets one query API apart from another; its limits beyond the points per query. */
export interface QueryApiDialect extends QueryLimits {
  /** where the API's paths start: `/api/v1`, `/loki/api/v1` */
  pathPrefix: string;
  /** a time parameter as the API takes it */
  formatTime(ms: number): string;
  /**
   * An instant query's `time` and a query_range's `end`, when the API leaves
   * out a sample exactly at them (Loki): a moment later, so ranges stay
   * (start, end]. formatTime when absent.
   */
  formatEndTime?(ms: number): string;
  /** parameters added to every query_range */
  rangeParams?: Record<string, string>;
  /** the reason an answer whose status is not success gives, if it gives one */
  failureReason(answer: ErrorFields): string | undefined;
  wording: AnswerWording;
}

/** How errors about an answer that is not one event count read; `what` is what was counted. */
export interface AnswerWording {
  notAVector(resultType: string, what: string): string;
  /** `what` is left out for a query_range */
  manySeries(count: number, what: string | undefined): string;
  notACount(value: number, what: string): string;
  /** what a counting query must be, after any of them */
  hint?: string;
}

/** Who answers: the client, and how notes name it (the source and its url). */
export interface QueryApiServer {
  client: HttpClient;
  where: string;
  /** headers every query carries: Loki's tenant */
  headers?: Record<string, string> | undefined;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface QueryData {
  resultType?: unknown;
  result?: unknown;
}

/** The query API for one request: counts the queries it sends and asks each once. */
export class QueryApi {
  queries = 0;
  private readonly cache = new Map<string, Promise<number>>();
  private readonly cancelled = new AbortController();

  constructor(
    private readonly server: QueryApiServer,
    private readonly dialect: QueryApiDialect,
  ) {}

  /** Who answers, for notes: the source and its url, credentials removed. */
  get where(): string {
    return this.server.where;
  }

  /** Abandon every query still in flight or waiting to retry. */
  cancel(): void {
    this.cancelled.abort();
  }

  /** Events in (start, end], summed over the parts one query each may cover. */
  async countWindow(query: RangeQuery, window: TimeRange, what: string): Promise<number> {
    const parts = windowParts(window, this.dialect);
    const counts = await Promise.all(
      parts.map((p) => this.countAt(query(p.endMs - p.startMs), p.endMs, what)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Counts per bucket (start + i*step, start + (i+1)*step]: a query_range of
   * `query(step)` evaluated at each bucket's end, in chunks the server accepts.
   */
  async countSeries(query: RangeQuery, s: SeriesRequest, what: string): Promise<number[]> {
    if (bucketsTooLong(s, this.dialect)) {
      return Promise.all(bucketRanges(s).map((bucket) => this.countWindow(query, bucket, what)));
    }
    const out = new Array<number>(s.count).fill(0);
    const text = query(s.stepMs);
    await Promise.all(
      seriesChunks(s, this.dialect).map(async (chunk) => {
        const series = await this.range(text, chunk, s.stepMs);
        if (series.length > 1) {
          throw this.badAnswer(this.dialect.wording.manySeries(series.length, undefined), text);
        }
        for (const [t, v] of series[0]?.values ?? []) {
          const i = bucketAt(s, t);
          if (i !== undefined) out[i] = this.eventCount(v, text, what);
        }
      }),
    );
    return out;
  }

  /**
   * A grouped SLO's events in (start, end] per group: `query` sums by the
   * labels `by`, each series is a group, keyed by its values as JSON (""
   * where a series lacks a label, as `sum by` writes it).
   */
  async countWindowByGroup(
    query: RangeQuery,
    window: TimeRange,
    what: string,
    by: readonly string[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const p of windowParts(window, this.dialect)) {
      const text = query(p.endMs - p.startMs);
      for (const sample of await this.instant(text, p.endMs, what)) {
        const key = groupValuesKey(sample.metric, by);
        out.set(key, (out.get(key) ?? 0) + this.eventCount(sample.value, text, what));
      }
    }
    return out;
  }

  /** A grouped SLO's counts per bucket per group, as countSeries counts them for one. */
  async countSeriesByGroup(
    query: RangeQuery,
    s: SeriesRequest,
    what: string,
    by: readonly string[],
  ): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    const bucketsOf = (key: string) => {
      let buckets = out.get(key);
      if (!buckets) {
        buckets = new Array<number>(s.count).fill(0);
        out.set(key, buckets);
      }
      return buckets;
    };
    if (bucketsTooLong(s, this.dialect)) {
      const ranges = bucketRanges(s);
      for (let i = 0; i < ranges.length; i++)
        for (const [key, count] of await this.countWindowByGroup(query, ranges[i]!, what, by))
          bucketsOf(key)[i] = count;
      return out;
    }
    const text = query(s.stepMs);
    for (const chunk of seriesChunks(s, this.dialect)) {
      for (const series of await this.range(text, chunk, s.stepMs)) {
        const buckets = bucketsOf(groupValuesKey(series.metric, by));
        for (const [t, v] of series.values) {
          const i = bucketAt(s, t);
          if (i !== undefined) buckets[i] = this.eventCount(v, text, what);
        }
      }
    }
    return out;
  }

  /** The samples of an instant query at `atMs`; a scalar answer is one sample. */
  async instant(query: string, atMs: number, what: string): Promise<Sample[]> {
    const params = { query, time: this.endTime(atMs) };
    const data = await this.call("/query", params, query);
    if (data.resultType === "scalar") {
      return [{ metric: {}, value: parsePromNumber(pairOf(data.result)[1]) }];
    }
    if (data.resultType !== "vector" || !Array.isArray(data.result)) {
      const wording = this.dialect.wording;
      throw this.badAnswer(wording.notAVector(String(data.resultType), what), query);
    }
    return data.result.map((item) => {
      const { metric, value } = item as { metric?: Record<string, string>; value?: unknown };
      return { metric: metric ?? {}, value: parsePromNumber(pairOf(value)[1]) };
    });
  }

  /** Label values among the series `match` selects, e.g. the `le` bounds of a histogram. */
  async labelValues(label: string, match: string, range: TimeRange): Promise<string[]> {
    this.queries++;
    const body = await this.server.client.requestJson({
      signal: this.cancelled.signal,
      path: `${this.dialect.pathPrefix}/label/${encodeURIComponent(label)}/values`,
      params: {
        "match[]": [match],
        start: this.dialect.formatTime(range.startMs),
        end: this.dialect.formatTime(range.endMs),
      },
      headers: this.server.headers,
      context: `label values of ${label} for ${match}`,
    });
    const data = this.successData(body, match);
    if (!Array.isArray(data)) throw this.badAnswer("expected a list of label values", match);
    return data.filter((v): v is string => typeof v === "string");
  }

  /** Counts are finite and not negative; a tiny negative is float noise. */
  eventCount(value: number, query: string, what: string): number {
    if (Number.isFinite(value) && value >= -1e-9) return Math.max(0, value);
    throw this.badAnswer(this.dialect.wording.notACount(value, what), query);
  }

  /** The single number a counting query returns at `atMs`; no series is 0 events. */
  private countAt(query: string, atMs: number, what: string): Promise<number> {
    const key = `${atMs} ${query}`;
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.instant(query, atMs, what).then((samples) => this.single(samples, query, what));
      this.cache.set(key, answer);
    }
    return answer;
  }

  private single(samples: Sample[], query: string, what: string): number {
    if (samples.length === 0) return 0;
    if (samples.length > 1) {
      throw this.badAnswer(this.dialect.wording.manySeries(samples.length, what), query);
    }
    return this.eventCount(samples[0]!.value, query, what);
  }

  /** The series of a query_range evaluated every `stepMs` from chunk start to end, both included. */
  async range(query: string, chunk: TimeRange, stepMs: number): Promise<RangeSeries[]> {
    const params = {
      query,
      start: this.dialect.formatTime(chunk.startMs),
      end: this.endTime(chunk.endMs),
      step: String(stepMs / 1000),
      ...this.dialect.rangeParams,
    };
    const data = await this.call("/query_range", params, query);
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
          return [Math.round(t * 1000), parsePromNumber(v)];
        }),
      };
    });
  }

  private endTime(ms: number): string {
    return (this.dialect.formatEndTime ?? this.dialect.formatTime)(ms);
  }

  /** One query to `endpoint` (under the prefix), counted, cancellable; the answer's data. */
  async call(endpoint: string, params: Record<string, string>, query: string): Promise<QueryData> {
    this.queries++;
    const long = query.length > MAX_GET_QUERY_CHARS;
    const body = await this.server.client.requestJson({
      signal: this.cancelled.signal,
      path: `${this.dialect.pathPrefix}${endpoint}`,
      ...(long ? { form: params } : { params }),
      headers: this.server.headers,
      context: `query: ${shorten(query)}`,
    });
    const data = this.successData(body, query);
    if (typeof data !== "object" || data === null) {
      throw this.badAnswer("the answer has no data", query);
    }
    return data as QueryData;
  }

  private successData(body: unknown, query: string): unknown {
    const answer = body as ({ status?: unknown; data?: unknown } & ErrorFields) | null;
    if (typeof answer !== "object" || answer === null || answer.status !== "success") {
      const fields = { error: answer?.error, errorType: answer?.errorType };
      throw this.badAnswer(this.dialect.failureReason(fields) ?? "status is not success", query);
    }
    return answer.data;
  }

  private badAnswer(message: string, query: string): SloError {
    return sourceError(
      this.server.client.redact(`${this.where}: ${message}; query: ${shorten(query)}`),
      this.dialect.wording.hint,
    );
  }
}

// ---------------------------------------------------------------------------
// Values

/** `[time, value]`, as both APIs write a sample. */
function pairOf(value: unknown): [number, unknown] {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), value[1]];
  return [Number.NaN, undefined];
}

/** An error body's explanation, from its JSON error fields; plain text gives none. */
export function describeJsonError(
  body: string,
  describe: (answer: ErrorFields) => string | undefined,
): string | undefined {
  try {
    const answer = JSON.parse(body) as unknown;
    if (typeof answer === "object" && answer !== null) return describe(answer as ErrorFields);
  } catch {
    // not JSON: the caller shows an excerpt
  }
  return undefined;
}

/** The query on one line and at most 300 characters, for messages. */
function shorten(query: string): string {
  const flat = query.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** A series' values of the labels `by`, as JSON: the key of its group. */
export function groupValuesKey(metric: Record<string, string>, by: readonly string[]): string {
  return JSON.stringify(by.map((label) => metric[label] ?? ""));
}
