/**
 * The Loki source: counts log events with `/loki/api/v1/query`, sending
 * `sum(count_over_time(<log query> | __error__="" [W]))` 1 ns after the end
 * of each window (`time` in nanoseconds), so the same LogQL runs on files or
 * on Loki (measured on Loki 2.7.5, ../shared/docs/loki.md sections 4 and 8):
 *
 * - Loki fails a whole metric query (HTTP 400, "pipeline error") when one
 *   line in range carries `__error__` (a parser or a numeric filter failed):
 *   `| __error__=""` after the last stage drops those lines instead. It also
 *   makes `| json` parse every line, where without it Loki skips parsing when
 *   no label is needed and counts lines that are not JSON, which a log file
 *   counts as malformed. How many lines were dropped so is asked with a log
 *   query (`| __error__!=""`: no metric query can count them, as they fail it).
 * - An instant query at `time=T` over [W] counts (T-W, T), open at both ends:
 *   at T+1ns it counts (T-W+1ns, T], so a line exactly at T counts as in a
 *   log file (LogQL ranges are whole milliseconds: only a line 1 ns after a
 *   window's start is left out). A query_range point counts (s-step, s]
 *   except the last, open at `end`: `end` is sent 1 ns later too.
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

import { isNoErrorTest, type LogQuery } from "../definition/logql/ast.js";
import { parseLogQuery } from "../definition/logql/parse.js";
import type {
  LatencyIndicator,
  LokiSourceSpec,
  RatioIndicator,
  SloSpec,
  ThresholdOp,
} from "../definition/model.js";
import { sourceError, toSloError } from "../errors.js";
import { MAX_LOKI_ERROR_LINES, MAX_REPORTED_VALUE_CHARS } from "../limits.js";
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
  countWithPlan,
  type EventQueries,
  LABEL_NAME,
  topBadValues,
} from "./query-api/counting.js";
import { splitRange } from "./query-api/series.js";
import { createQueryApiSource } from "./query-api/source.js";
import {
  type BreakdownEntry,
  type CountRequest,
  type CountResult,
  type ErrorLines,
  longestWindow,
  type Source,
  type WindowRequest,
} from "./types.js";

/** Loki's default `max_query_length`: the longest range one query may cover. */
export const LOKI_MAX_QUERY_LENGTH_MS = 721 * 3_600_000;

const WORDING: AnswerWording = {
  notAVector: (resultType) => `expected a vector, got ${resultType}`,
  manySeries: (count) => `the query returned ${count} series, expected one`,
  notACount: (value) => `the query returned ${value}, not an event count`,
};

const LOKI: QueryApiDialect = {
  pathPrefix: "/loki/api/v1",
  formatTime: lokiTime,
  formatEndTime: lokiEndTime,
  maxQueryLengthMs: LOKI_MAX_QUERY_LENGTH_MS,
  failureReason: lokiError,
  wording: WORDING,
};

export function createLokiSource(spec: LokiSourceSpec): Source {
  return createQueryApiSource(spec, {
    dialect: LOKI,
    // Loki answers errors in plain text; some versions and gateways in Prometheus' JSON.
    describeErrorBody: (body) =>
      describeJsonError(body, (a) => lokiError(a) ?? stringOr(a.message)),
    where: (label, displayUrl) => `${label} at ${displayUrl}`,
    headers: spec.tenant ? { "X-Scope-OrgID": spec.tenant } : undefined,
    count: countRequest,
    findDeploys: async (api, deploys, range) =>
      (await import("./deploys/loki-deploys.js")).findLokiDeploys(api, deploys, range, spec.name),
  });
}

// ---------------------------------------------------------------------------
// What to ask for

/** Two of the three log queries; the third count follows from them. */
interface LogQueries {
  total?: string | undefined;
  good?: string | undefined;
  bad?: string | undefined;
  /** latency: the events as written, to count those without a numeric field */
  events?: string | undefined;
  /** the events the SLO counts (total, or latency's events), for the lines Loki marks with __error__ */
  scope?: string | undefined;
}

async function countRequest(api: QueryApi, request: CountRequest): Promise<CountResult> {
  const queries = logQueries(request);
  const longest = longestWindow(request.windows);
  const [result, errors] = await Promise.all([
    countWithPlan(
      api,
      {
        queries: countingQueries(queries, request.slo.grouping?.by),
        breakdown: (breakdown, window) => breakdownOf(api, queries, breakdown, window),
      },
      request,
    ),
    queries.scope && longest ? errorLinesOrWarning(api, queries.scope, longest) : undefined,
  ]);
  const diagnostics = { ...result.diagnostics, queries: api.queries };
  if (typeof errors === "string") diagnostics.warnings = [...(diagnostics.warnings ?? []), errors];
  else if (errors && errors.count > 0) diagnostics.errorLines = errors;
  return { ...result, diagnostics };
}

/** Each log query as the metric query that counts its events over a range. */
/** by: a grouped SLO's labels; the events without a numeric field are counted for the whole. */
function countingQueries(queries: LogQueries, by?: readonly string[]): EventQueries {
  const counting = (
    logQuery: string | undefined,
    labels?: readonly string[],
  ): RangeQuery | undefined =>
    logQuery === undefined ? undefined : (rangeMs) => countQuery(logQuery, rangeMs, labels);
  return {
    total: counting(queries.total, by),
    good: counting(queries.good, by),
    bad: counting(queries.bad, by),
    events: counting(queries.events),
  };
}

/** The metric queries that count an SLO's events, as this source sends them: `slo rules --format loki` writes the same. */
export function lokiEventQueries(slo: SloSpec): EventQueries {
  return countingQueries(logQueries({ slo, windows: [], series: [] }));
}

function logQueries(request: CountRequest): LogQueries {
  const { indicator, name } = request.slo;
  if (indicator.kind === "sampled")
    throw sourceError(
      `SLO '${name}': a sampled value needs a prometheus source; on loki, name the field that holds the value`,
    );
  return indicator.kind === "ratio"
    ? ratioQueries(indicator, name)
    : latencyQueries(indicator, name);
}

function ratioQueries(indicator: RatioIndicator, sloName: string): LogQueries {
  const scope = indicator.total;
  if (indicator.bad !== undefined) return { total: indicator.total, bad: indicator.bad, scope };
  if (indicator.good !== undefined) return { total: indicator.total, good: indicator.good, scope };
  throw sourceError(`SLO '${sloName}': a ratio needs good or bad as well as total`);
}

export function latencyQueries(indicator: LatencyIndicator, sloName: string): LogQueries {
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
  const op = indicator.op ?? "lte";
  return {
    good: `${base} | ${field} ${LOGQL_OP[op]} ${threshold} | __error__=""`,
    bad: `${base} | ${field} ${LOGQL_OP[NEGATED[op]]} ${threshold} | __error__=""`,
    events: `${base} | __error__=""`,
    scope: events,
  };
}

const LOGQL_OP: Record<ThresholdOp, string> = { lt: "<", lte: "<=", gt: ">", gte: ">=" };
const NEGATED: Record<ThresholdOp, ThresholdOp> = { lt: "gte", lte: "gt", gt: "lte", gte: "lt" };

/** A number as a LogQL literal: plain decimal, never exponent notation. */
function formatLogQLNumber(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

// ---------------------------------------------------------------------------
// Breakdown

async function breakdownOf(
  api: QueryApi,
  queries: LogQueries,
  breakdown: Breakdown,
  window: WindowRequest,
): Promise<BreakdownEntry[]> {
  if (!LABEL_NAME.test(breakdown.by)) {
    throw sourceError(`'${breakdown.by}' is not a LogQL label name`);
  }
  // Per label value over the whole window, then bad = bad, or total - good; ranked here
  // so a window split in parts still ranks on its sums.
  const bad = new Map<string, number>();
  if (queries.bad) {
    for (const [value, n] of await countBy(api, queries.bad, breakdown.by, window))
      bad.set(value, n);
  } else if (queries.total && queries.good) {
    const [total, good] = await Promise.all([
      countBy(api, queries.total, breakdown.by, window),
      countBy(api, queries.good, breakdown.by, window),
    ]);
    for (const [value, n] of total) bad.set(value, n - (good.get(value) ?? 0));
  }
  return topBadValues(bad, breakdown);
}

/** Events per value of `label` in (start, end], summed over the parts Loki accepts. */
async function countBy(
  api: QueryApi,
  logQuery: string,
  label: string,
  w: WindowRequest,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const p of splitRange(w.startMs, w.endMs, LOKI_MAX_QUERY_LENGTH_MS)) {
    const query = `sum by (${label}) (count_over_time(${countable(logQuery)} [${formatLokiDuration(p.endMs - p.startMs)}]))`;
    for (const sample of await api.instant(query, p.endMs, "breakdown")) {
      const value = sample.metric[label] ?? "";
      out.set(value, (out.get(value) ?? 0) + api.eventCount(sample.value, query, "breakdown"));
    }
  }
  return out;
}

function lokiError(answer: ErrorFields): string | undefined {
  return stringOr(answer.error);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

// ---------------------------------------------------------------------------
// Queries, times and ranges

/** The metric query that counts a log query's events over a range; lines with __error__ are not counted. */
export function countQuery(logQuery: string, rangeMs: number, by?: readonly string[]): string {
  const sum = by ? `sum by (${by.join(", ")})` : "sum";
  return `${sum}(count_over_time(${countable(logQuery)} [${formatLokiDuration(rangeMs)}]))`;
}

/**
 * The log query as a metric query can count it: ending in `| __error__=""`
 * when any stage can set __error__ (anything but line filters), unless it
 * already does. A query slo cannot parse gets it too: it is harmless.
 */
export function countable(logQuery: string): string {
  const parsed = parseLogQuery(logQuery, { requireSelector: true });
  if (parsed.ok && !canErr(parsed.query)) return closed(logQuery);
  if (parsed.ok && endsWithNoErrorFilter(parsed.query)) return closed(logQuery);
  return `${closed(logQuery)} | __error__=""`;
}

function canErr(query: LogQuery): boolean {
  return query.stages.some((stage) => stage.kind !== "line");
}

function endsWithNoErrorFilter(query: LogQuery): boolean {
  const last = query.stages.at(-1);
  return last?.kind === "filter" && isNoErrorTest(last.expr);
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
  return lokiNanos(ms).toString();
}

/** 1 ns after `ms`: Loki leaves out a line exactly at an instant query's time or a range's end. */
export function lokiEndTime(ms: number): string {
  return (lokiNanos(ms) + 1n).toString();
}

function lokiNanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

// ---------------------------------------------------------------------------
// Lines Loki marks with __error__

/** A log query's lines with __error__ in the window, read with log queries; a failure is a warning. */
async function errorLinesOrWarning(
  api: QueryApi,
  logQuery: string,
  window: WindowRequest,
): Promise<ErrorLines | string> {
  try {
    return await errorLines(api, logQuery, window);
  } catch (error) {
    return `counting the lines Loki marks with __error__ failed: ${toSloError(error).message}`;
  }
}

interface LokiStream {
  stream?: Record<string, string>;
  values?: [string, string][];
}

/**
 * Up to MAX_LOKI_ERROR_LINES of them, oldest first: a log query covers
 * [start, end), so (S, E] is asked as [S+1ns, E+1ns), in parts Loki accepts.
 */
async function errorLines(
  api: QueryApi,
  logQuery: string,
  window: WindowRequest,
): Promise<ErrorLines> {
  const query = `${closed(logQuery)} | __error__!=""`;
  const found: ErrorLines = { count: 0, atLeast: false };
  let firstNs: bigint | undefined;
  for (const part of splitRange(window.startMs, window.endMs, LOKI_MAX_QUERY_LENGTH_MS)) {
    const limit = MAX_LOKI_ERROR_LINES - found.count;
    const data = await api.call(
      "/query_range",
      {
        query,
        start: lokiEndTime(part.startMs),
        end: lokiEndTime(part.endMs),
        limit: String(limit),
        direction: "forward",
      },
      query,
    );
    const streams = (Array.isArray(data.result) ? data.result : []) as LokiStream[];
    for (const s of streams) {
      const values = s.values ?? [];
      found.count += values.length;
      const ns = values[0] ? BigInt(values[0][0]) : undefined;
      if (ns !== undefined && (firstNs === undefined || ns < firstNs)) {
        firstNs = ns;
        found.first = { atMs: Number(ns / 1_000_000n), ...describeStream(s.stream ?? {}) };
      }
    }
    if (found.count >= MAX_LOKI_ERROR_LINES) {
      return { ...found, count: MAX_LOKI_ERROR_LINES, atLeast: true };
    }
  }
  return found;
}

/** The stream's own labels as LogQL writes them, and its error. */
function describeStream(labels: Record<string, string>): { stream: string; error: string } {
  const own = Object.entries(labels)
    .filter(([name]) => name !== "__error__" && name !== "__error_details__")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const stream = `{${own.join(", ")}}`;
  return {
    stream:
      stream.length > MAX_REPORTED_VALUE_CHARS
        ? `${stream.slice(0, MAX_REPORTED_VALUE_CHARS - 1)}…`
        : stream,
    error: labels.__error__ ?? "",
  };
}
