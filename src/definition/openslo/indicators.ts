/**
 * OpenSLO DataSources, metric sources and SLIs -> slo's sources and
 * indicators. Prometheus, Loki and (slo's own) Logs DataSources map to
 * sources; any other type (Datadog, CloudWatch, ...) maps to a source of type
 * `unsupported` that keeps what was written: its SLOs load and convert back
 * to OpenSLO, and each is reported as not evaluated.
 */

import { dirname } from "node:path";
import { DEFAULT_LATENCY_UNIT, DEFAULT_SOURCE } from "../../defaults.js";
import type { DocReader, Json } from "../doc-reader.js";
import { parseDuration } from "../duration.js";
import { isRecord } from "../formats.js";
import { leUnit } from "../histogram.js";
import { implicitLoki, implicitPrometheus } from "../implicit-sources.js";
import { type LogTimestamp, readLogTimestamp, type TimestampOption } from "../log-timestamp.js";
import type {
  HistogramType,
  LatencyIndicator,
  LogsSourceSpec,
  LokiSourceSpec,
  PrometheusSourceSpec,
  RatioIndicator,
  ReadableSourceSpec,
  SampledIndicator,
  SourceSpec,
  UnsupportedSourceSpec,
} from "../model.js";
import { hasWindowPlaceholder, isSelector } from "../promql.js";
import { rawRatioQueries, unwrapSummedSelector } from "../ratio-queries.js";
import {
  checkAll,
  checkInOrder,
  durationWithinLimit,
  httpUrl,
  logqlParses,
  lokiFieldIsLabel,
  promqlParses,
  type Rule,
} from "../rules.js";
import type { YamlPath } from "../yaml-source.js";
import { type ConnectionFields, connectionFields } from "./connection-details.js";
import { at, type DataSourceDef, lookup, type OpenSloContext, type OsObject } from "./objects.js";

type SourceType = ReadableSourceSpec["type"];

/** OpenSLO type names are free text: `Prometheus`, `prometheus`, `Loki`... */
export function sourceTypeOf(type: string): SourceType | undefined {
  const t = type.trim().toLowerCase();
  if (t === "prometheus") return "prometheus";
  if (t === "loki") return "loki";
  if (t === "logs") return "logs";
  return undefined;
}

export const OPENSLO_TYPE_NAME: Record<SourceType, string> = {
  prometheus: "Prometheus",
  loki: "Loki",
  logs: "Logs",
};

const SUPPORTED_TYPES = "Prometheus, Loki, or Logs (slo's NDJSON log files)";

export function dataSource(ctx: OpenSloContext, o: OsObject): DataSourceDef | undefined {
  if (ctx.dataSources.has(o)) return ctx.dataSources.get(o);
  const def = readDataSource(o);
  ctx.dataSources.set(o, def);
  return def;
}

/** A DataSource of a type slo cannot query keeps its connectionDetails, unread. */
function readDataSource(o: OsObject): DataSourceDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "type", "connectionDetails"]);
  const typeText = r.string([...spec, "type"], true);
  if (typeText === undefined) return undefined;
  const type = sourceTypeOf(typeText);
  if (!type) {
    const written = r.value([...spec, "connectionDetails"]);
    // {} says nothing: the same source as none (the writer puts {} back, as DataSources need one)
    const empty = isRecord(written) && Object.keys(written).length === 0;
    const connectionDetails = empty ? undefined : written;
    return {
      source: { type: "unsupported", name: o.name, sourceType: typeText, connectionDetails },
    };
  }
  const cd = connectionFields(r, [...spec, "connectionDetails"]);
  if (!cd) return undefined;
  const before = r.errors.length;
  const source = type === "logs" ? logsConnection(o, cd) : httpConnection(o, cd, type);
  return source && r.errors.length === before ? { source } : undefined;
}

function logsConnection(o: OsObject, cd: ConnectionFields): LogsSourceSpec | undefined {
  const { r } = o;
  cd.allow(["paths", "timestamp", "labels"]);
  const paths = logPaths(r, cd.path("paths"));
  const time = logTimestamp(r, cd.path("timestamp"));
  const labels = r.labels(cd.path("labels"));
  if (!paths || !time) return undefined;
  return { type: "logs", name: o.name, paths, ...time, labels, baseDir: dirname(r.ydoc.file) };
}

/** The timestamp option, as the native format reads it: a field name, or { pattern/regexp, field, format }. */
function logTimestamp(r: DocReader, path: YamlPath): LogTimestamp | undefined {
  const raw = r.value(path);
  if (raw !== undefined && typeof raw !== "string" && !isTimestampObject(raw)) {
    r.fail(path, "timestamp must be a field name or { pattern or regexp, field, format }");
    return undefined;
  }
  const time = readLogTimestamp(raw);
  checkAll(r, path, time.problems, (problems) => problems);
  return time.value;
}

function isTimestampObject(raw: unknown): raw is Exclude<TimestampOption, string | undefined> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return false;
  const keys = ["field", "format", "pattern", "regexp"];
  return Object.entries(raw).every(([k, v]) => keys.includes(k) && typeof v === "string");
}

/** A file, a glob, or a list of them. */
function logPaths(r: DocReader, path: YamlPath): string[] | undefined {
  const raw = r.value(path);
  if (typeof raw === "string" && raw !== "") return [raw];
  if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === "string")) return raw;
  if (raw === undefined) r.missing(path);
  else r.fail(path, "expected a file, a glob, or a list of them");
  return undefined;
}

const HTTP_KEYS = ["url", "headers", "bearerToken", "basicAuth", "timeout", "retries"];

function httpConnection(
  o: OsObject,
  cd: ConnectionFields,
  type: "prometheus" | "loki",
): PrometheusSourceSpec | LokiSourceSpec | undefined {
  const { r } = o;
  cd.allow(type === "loki" ? [...HTTP_KEYS, "tenant"] : HTTP_KEYS);
  const url = r.string(cd.path("url"), true);
  if (url !== undefined) checkAll(r, cd.path("url"), url, httpUrl);
  const headers = httpHeaders(r, cd.path("headers"));
  const bearerToken = r.string(cd.path("bearerToken"));
  const basicAuth = readBasicAuth(r, cd.path("basicAuth"));
  const timeoutMs = readTimeout(r, cd.path("timeout"));
  const retries = readRetries(r, cd.path("retries"));
  const tenant = type === "loki" ? r.string(cd.path("tenant")) : undefined;
  if (url === undefined) return undefined;
  const common = {
    name: o.name,
    url: url.replace(/\/+$/, ""),
    headers,
    bearerToken,
    basicAuth,
    timeoutMs,
    retries,
  };
  return type === "prometheus" ? { type, ...common } : { type, ...common, tenant };
}

function httpHeaders(r: DocReader, path: YamlPath): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.record(path) ?? {})) {
    if (typeof v === "string") headers[k] = v;
    else r.fail([...path, k], "expected a string");
  }
  return headers;
}

function readBasicAuth(
  r: DocReader,
  path: YamlPath,
): { username: string; password: string } | undefined {
  if (!r.record(path)) return undefined;
  r.keys(path, ["username", "password"]);
  const username = r.string([...path, "username"], true);
  const password = r.string([...path, "password"], true);
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

function readTimeout(r: DocReader, path: YamlPath): number {
  const text = r.string(path);
  if (text === undefined) return DEFAULT_SOURCE.timeoutMs;
  const ms = parseDuration(text);
  if (ms !== null && checkAll(r, path, { text, ms }, durationWithinLimit)) return ms;
  if (ms === null) r.fail(path, "expected a duration like 30s");
  return DEFAULT_SOURCE.timeoutMs;
}

const retriesFromZeroToTen: Rule<number> = (n) =>
  Number.isInteger(n) && n >= 0 && n <= 10
    ? undefined
    : { message: "expected a whole number from 0 to 10" };

function readRetries(r: DocReader, path: YamlPath): number {
  const retries = r.number(path) ?? DEFAULT_SOURCE.retries;
  checkAll(r, path, retries, retriesFromZeroToTen);
  return retries;
}

/** A metricSource resolved: the source it reads and the query fields of its spec. */
export interface MetricSource {
  source: SourceSpec;
  spec: Json;
  specPath: YamlPath;
}

export function metricSource(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
): MetricSource | undefined {
  r.keys(path, ["metricSourceRef", "type", "spec"]);
  if (!r.record(path, true)) return undefined;
  const ref = r.string([...path, "metricSourceRef"]);
  const typeText = r.string([...path, "type"]);
  const specPath = [...path, "spec"];
  const spec = r.record(specPath, true);
  if (!spec) return undefined;
  const source =
    ref !== undefined
      ? referencedSource(ctx, r, path, ref, typeText)
      : sourceOfType(ctx, r, path, typeText);
  return source && { source, spec, specPath };
}

interface Reference {
  ref: string;
  typeText: string | undefined;
  def: DataSourceDef;
}

/** A type as OpenSLO names it: `Prometheus`, or what an unsupported DataSource says (`Datadog`). */
export function openSloTypeName(source: SourceSpec): string {
  return source.type === "unsupported" ? source.sourceType : OPENSLO_TYPE_NAME[source.type];
}

/** Type names are free text: `Datadog` and `datadog` are one type. */
function sameType(typeText: string, source: SourceSpec): boolean {
  return source.type === "unsupported"
    ? typeText.trim().toLowerCase() === source.sourceType.trim().toLowerCase()
    : sourceTypeOf(typeText) === source.type;
}

const typeMatchesDataSource: Rule<Reference> = ({ ref, typeText, def }) =>
  typeText !== undefined && !sameType(typeText, def.source)
    ? {
        at: ["type"],
        message: `type ${typeText} does not match DataSource '${ref}', which is ${openSloTypeName(def.source)}`,
      }
    : undefined;

/** metricSourceRef: the DataSource it names must exist and agree with type. */
function referencedSource(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  ref: string,
  typeText: string | undefined,
): SourceSpec | undefined {
  const ds = lookup(ctx, "DataSource", r, [...path, "metricSourceRef"], ref);
  const def = ds && dataSource(ctx, ds);
  if (!def) return undefined;
  const reference: Reference = { ref, typeText, def };
  if (!checkInOrder(r, path, reference, typeMatchesDataSource)) return undefined;
  return def.source;
}

interface TypeOnly {
  typeText: string | undefined;
  type: SourceType | undefined;
  /** the DataSources loaded of that type */
  candidates: SourceSpec[];
}

const namesRefOrType: Rule<TypeOnly> = ({ typeText }) =>
  typeText === undefined
    ? { message: "a metricSource needs metricSourceRef (a DataSource) or type" }
    : undefined;

const oneDataSourceOfType: Rule<TypeOnly> = ({ typeText, candidates }) =>
  candidates.length > 1
    ? {
        at: ["type"],
        message: `${candidates.length} DataSources of type ${typeText} are loaded; name one with metricSourceRef`,
        hint: `defined: ${candidates.map((c) => c.name).join(", ")}`,
      }
    : undefined;

const logsNeedDataSource: Rule<TypeOnly> = ({ type, candidates }) =>
  type === "logs" && candidates.length === 0
    ? {
        at: ["type"],
        message: "a Logs metric source needs a DataSource with connectionDetails.paths",
      }
    : undefined;

/**
 * No reference: the one DataSource of that type, or the server the
 * environment names; a type slo cannot query without a DataSource is a
 * source of its own, named after the type (`datadog`).
 */
function sourceOfType(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  typeText: string | undefined,
): SourceSpec | undefined {
  const type = typeText === undefined ? undefined : sourceTypeOf(typeText);
  const candidates = typeText === undefined ? [] : sourcesOfType(ctx, typeText);
  const found: TypeOnly = { typeText, type, candidates };
  const rules = [namesRefOrType, oneDataSourceOfType, logsNeedDataSource];
  if (!checkInOrder(r, path, found, ...rules) || typeText === undefined) return undefined;
  if (found.candidates[0]) return found.candidates[0];
  if (type === "logs") return undefined;
  return type === undefined ? implicitUnsupported(ctx, typeText) : implicitSource(ctx, type);
}

function sourcesOfType(ctx: OpenSloContext, typeText: string): SourceSpec[] {
  const sources: SourceSpec[] = [];
  for (const o of ctx.index.get("DataSource")?.values() ?? []) {
    const def = dataSource(ctx, o);
    if (def && sameType(typeText, def.source)) sources.push(def.source);
  }
  return sources;
}

/** A name no DataSource has: the type's, else the type's with `-default`. */
function implicitName(ctx: OpenSloContext, base: string): string {
  const taken = ctx.index.get("DataSource")?.has(base) ?? false;
  return taken ? `${base}-default` : base;
}

function implicitSource(ctx: OpenSloContext, type: "prometheus" | "loki"): SourceSpec {
  const existing = ctx.implicit.get(type);
  if (existing) return existing;
  const name = implicitName(ctx, type);
  const source =
    type === "prometheus" ? implicitPrometheus(name, ctx.env) : implicitLoki(name, ctx.env);
  ctx.implicit.set(type, source);
  return source;
}

function implicitUnsupported(ctx: OpenSloContext, typeText: string): UnsupportedSourceSpec {
  const key = typeText.trim().toLowerCase();
  const existing = ctx.implicit.get(key);
  if (existing?.type === "unsupported") return existing;
  const base = key.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "source";
  const source: UnsupportedSourceSpec = {
    type: "unsupported",
    name: implicitName(ctx, base),
    sourceType: typeText.trim(),
  };
  ctx.implicit.set(key, source);
  return source;
}

const QUERY_KEYS: Record<SourceType, string[]> = {
  prometheus: ["query", "promql"],
  loki: ["query", "logql"],
  logs: ["query", "logql"],
};

/** The one query of a metricSource spec, checked with its grammar; where it was, for errors. */
function queryOf(
  r: DocReader,
  ms: MetricSource,
  extraKeys: string[],
): { text: string; path: YamlPath } | undefined {
  const type = ms.source.type;
  // The query of a source slo cannot query is kept as written, never read (unsupportedSli).
  if (type === "unsupported") return undefined;
  const allowed = QUERY_KEYS[type];
  r.keys(ms.specPath, [...allowed, ...extraKeys]);
  const present = allowed.filter((k) => ms.spec[k] !== undefined);
  if (present.length !== 1) {
    r.fail(
      ms.specPath,
      present.length === 0
        ? `missing required key '${allowed[0]}' (the ${OPENSLO_TYPE_NAME[type]} query)`
        : `give one of ${present.join(" or ")}, not both`,
    );
    return undefined;
  }
  const path = [...ms.specPath, present[0]!];
  const text = r.string(path, true);
  if (text === undefined) return undefined;
  return checkQuery(r, path, text, type) ? { text, path } : undefined;
}

function checkQuery(r: DocReader, path: YamlPath, text: string, type: SourceType): boolean {
  return checkAll(r, path, text, type === "prometheus" ? promqlParses : logqlParses(type));
}

export type SliDef =
  /** a raw ratio without {{window}} is a SampledIndicator: the ratio sampled over time */
  | { kind: "ratio"; indicator: RatioIndicator | SampledIndicator; source: SourceSpec }
  | {
      kind: "threshold";
      source: SourceSpec;
      /** everything of the latency indicator but the threshold, which the objective gives */
      query: string;
      field?: string | undefined;
      unit: LatencyIndicator["unit"];
      /** prometheus: slo's own key in the metric's spec, beside the query */
      histogramType?: HistogramType | undefined;
    };

const oneMetric: Rule<{ ratio: boolean; threshold: boolean }> = ({ ratio, threshold }) =>
  ratio === threshold
    ? { message: "an SLI needs exactly one of ratioMetric or thresholdMetric" }
    : undefined;

/** An SLI object (a document, or inline under an SLO's spec.indicator). */
export function readSli(ctx: OpenSloContext, o: OsObject): SliDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "ratioMetric", "thresholdMetric"]);
  const ratio = r.has([...spec, "ratioMetric"]);
  const threshold = r.has([...spec, "thresholdMetric"]);
  if (!checkAll(r, spec, { ratio, threshold }, oneMetric)) return undefined;
  return ratio
    ? ratioMetric(ctx, r, [...spec, "ratioMetric"])
    : thresholdMetric(ctx, r, [...spec, "thresholdMetric"]);
}

const RATIO_KEYS = ["counter", "good", "bad", "total", "rawType", "raw"];

/** The keys of a ratioMetric that hold something. */
type Given = Set<string>;

function ratioMetric(ctx: OpenSloContext, r: DocReader, path: YamlPath): SliDef | undefined {
  r.keys(path, RATIO_KEYS);
  if (!r.record(path, true)) return undefined;
  const counter = r.boolean([...path, "counter"]);
  const given: Given = new Set(RATIO_KEYS.filter((k) => r.has([...path, k])));
  return given.has("raw")
    ? rawRatio(ctx, r, path, given)
    : countedRatio(ctx, r, path, given, counter);
}

const rawAlone: Rule<Given> = (given) =>
  ["good", "bad", "total"]
    .filter((key) => given.has(key))
    .map((key) => ({ key, message: `raw cannot be used together with ${key}` }));

const rawTypeKnown: Rule<string> = (rawType) =>
  rawType !== "success" && rawType !== "failure"
    ? { message: `expected success or failure, got ${rawType}` }
    : undefined;

const rawNeedsPrometheus: Rule<SourceSpec> = (source) =>
  source.type !== "prometheus"
    ? {
        message: `a raw (precomputed) ratio needs a Prometheus source; on ${openSloTypeName(source)} write good or bad, and total`,
      }
    : undefined;

/**
 * A raw ratio as OpenSLO files write it, without {{window}}: a ratio at each
 * instant, sampled over time like a thresholdMetric's value.
 */
function sampledRatio(source: SourceSpec, query: string, rawType: string): SliDef {
  const indicator: SampledIndicator = {
    kind: "sampled",
    source: source.name,
    query: query.trim(),
    judge: { kind: "ratio", of: rawType === "failure" ? "bad" : "good" },
  };
  return { kind: "ratio", indicator, source };
}

/** raw: one precomputed ratio query, of good (rawType: success) or bad events. */
function rawRatio(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  given: Given,
): SliDef | undefined {
  checkAll(r, path, given, rawAlone);
  const rawType = r.string([...path, "rawType"], true);
  if (rawType !== undefined && !checkAll(r, [...path, "rawType"], rawType, rawTypeKnown))
    return undefined;
  const ms = part(ctx, r, [...path, "raw"]);
  if (!ms || rawType === undefined) return undefined;
  if (ms.source.type === "unsupported") return unsupportedRatio(r, path, ms.source);
  if (!checkAll(r, [...path, "raw"], ms.source, rawNeedsPrometheus)) return undefined;
  const q = queryOf(r, ms, []);
  if (!q) return undefined;
  if (!hasWindowPlaceholder(q.text)) return sampledRatio(ms.source, q.text, rawType);
  const { numerator, total } = rawRatioQueries(q.text);
  const indicator: RatioIndicator = {
    kind: "ratio",
    source: ms.source.name,
    total,
    ...(rawType === "failure" ? { bad: numerator } : { good: numerator }),
  };
  return { kind: "ratio", indicator, source: ms.source };
}

const rawTypeGoesWithRaw: Rule<Given> = (given) =>
  given.has("rawType") ? { key: "rawType", message: "rawType goes with raw" } : undefined;

const goodOrBad: Rule<Given> = (given) =>
  given.has("good") === given.has("bad")
    ? { message: "a ratioMetric needs exactly one of good or bad, and total (or raw)" }
    : undefined;

interface Counted {
  numeratorKey: "good" | "bad";
  numerator: MetricSource;
  total: MetricSource;
}

const oneSource: Rule<Counted> = ({ numeratorKey, numerator, total }) =>
  numerator.source !== total.source
    ? {
        at: ["total"],
        message: `${numeratorKey} reads '${numerator.source.name}' but total reads '${total.source.name}'; slo evaluates both from one source`,
      }
    : undefined;

/** good or bad, and total: two counts of events from one source. */
function countedRatio(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  given: Given,
  counter: boolean | undefined,
): SliDef | undefined {
  checkAll(r, path, given, rawTypeGoesWithRaw);
  if (!checkAll(r, path, given, goodOrBad)) return undefined;
  if (!given.has("total")) {
    r.missing([...path, "total"]);
    return undefined;
  }
  const numeratorKey = given.has("good") ? "good" : "bad";
  const numerator = part(ctx, r, [...path, numeratorKey]);
  const total = part(ctx, r, [...path, "total"]);
  if (!numerator || !total || !checkAll(r, path, { numeratorKey, numerator, total }, oneSource))
    return undefined;
  if (total.source.type === "unsupported") return unsupportedRatio(r, path, total.source);
  const numeratorQuery = countingQuery(r, numerator, counter);
  const totalQuery = countingQuery(r, total, counter);
  if (numeratorQuery === undefined || totalQuery === undefined) return undefined;
  return {
    kind: "ratio",
    source: total.source,
    indicator: {
      kind: "ratio",
      source: total.source.name,
      total: totalQuery,
      ...(numeratorKey === "good" ? { good: numeratorQuery } : { bad: numeratorQuery }),
    },
  };
}

/**
 * The metric of a source slo cannot query, kept as written (JSON of the
 * ratioMetric or thresholdMetric): `slo convert --to openslo` writes it back,
 * nothing reads it.
 */
function keptAsWritten(r: DocReader, path: YamlPath): string {
  return JSON.stringify(r.value(path));
}

function unsupportedRatio(r: DocReader, path: YamlPath, source: UnsupportedSourceSpec): SliDef {
  return {
    kind: "ratio",
    source,
    indicator: { kind: "ratio", source: source.name, total: keptAsWritten(r, path) },
  };
}

/** `good:`, `bad:`, `total:`, `raw:` each hold one metricSource. */
function part(ctx: OpenSloContext, r: DocReader, path: YamlPath): MetricSource | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, ["metricSource"]);
  return metricSource(ctx, r, [...path, "metricSource"]);
}

/**
 * A Prometheus query slo can count over any window: a counter selector, the
 * sum of one (OpenSLO examples write `sum(x)`), or a query with {{window}}.
 * Log queries count lines and need nothing more.
 */
function countingQuery(
  r: DocReader,
  ms: MetricSource,
  counter: boolean | undefined,
): string | undefined {
  const q = queryOf(r, ms, []);
  if (!q) return undefined;
  if (ms.source.type !== "prometheus" || hasWindowPlaceholder(q.text)) return q.text;
  if (counter === false) {
    r.fail(
      q.path,
      "counter: false (a gauge) cannot be counted over a window",
      "write a query that counts the window's events with {{window}}, e.g. sum(increase(x[{{window}}])), or use a counter with counter: true",
    );
    return undefined;
  }
  if (isSelector(q.text)) return q.text.trim();
  const inner = unwrapSummedSelector(q.text);
  if (inner !== null) return inner;
  r.fail(
    q.path,
    "slo counts a counter over each window: give the counter's selector (slo writes sum(increase(...[window]))) or a query with {{window}} where the range goes",
    'e.g. http_requests_total{code=~"5.."}, or sum(increase(http_requests_total{code=~"5.."}[{{window}}]))',
  );
  return undefined;
}

type LatencyUnit = LatencyIndicator["unit"];
const UNITS: readonly LatencyUnit[] = ["ns", "us", "ms", "s"];

function thresholdMetric(ctx: OpenSloContext, r: DocReader, path: YamlPath): SliDef | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, ["metricSource"]);
  const ms = metricSource(ctx, r, [...path, "metricSource"]);
  if (!ms) return undefined;
  if (ms.source.type === "unsupported") {
    return { kind: "threshold", source: ms.source, query: keptAsWritten(r, path), unit: "s" };
  }
  const before = r.errors.length;
  const prometheus = ms.source.type === "prometheus";
  const q = queryOf(r, ms, prometheus ? ["unit", "histogramType"] : ["field", "unit"]);
  const unit = latencyUnit(r, [...ms.specPath, "unit"]);
  const type = prometheus ? histogramType(r, [...ms.specPath, "histogramType"]) : undefined;
  if (!q || r.errors.length > before) return undefined;
  return prometheus ? histogramThreshold(ms, q, unit, type) : logThreshold(r, ms, q, unit);
}

const HISTOGRAM_TYPES: readonly HistogramType[] = ["native", "classic"];

function histogramType(r: DocReader, path: YamlPath): HistogramType | undefined {
  const text = r.string(path);
  if (text === undefined || (HISTOGRAM_TYPES as readonly string[]).includes(text))
    return text as HistogramType | undefined;
  r.fail(path, `expected native or classic, got ${JSON.stringify(text)}`);
  return undefined;
}

function latencyUnit(r: DocReader, path: YamlPath): LatencyUnit | undefined {
  const text = r.string(path);
  if (text === undefined || (UNITS as readonly string[]).includes(text))
    return text as LatencyUnit | undefined;
  r.fail(path, `expected one of ${UNITS.join(", ")}`);
  return undefined;
}

type Query = { text: string; path: YamlPath };

/**
 * Prometheus: the objective's op decides between a histogram (a bare
 * selector compared with lte) and a value sampled over time (see slo.ts).
 */
function histogramThreshold(
  ms: MetricSource,
  q: Query,
  unit: LatencyUnit | undefined,
  type: HistogramType | undefined,
): SliDef | undefined {
  return {
    kind: "threshold",
    source: ms.source,
    query: q.text.trim(),
    unit: unit ?? histogramUnit(q.text),
    ...(type !== undefined ? { histogramType: type } : {}),
  };
}

const logThresholdNamesField: Rule<string | undefined> = (field) =>
  field === undefined
    ? {
        message:
          "a thresholdMetric on logs needs field: the event field holding the value (e.g. duration)",
      }
    : undefined;

function logThreshold(
  r: DocReader,
  ms: MetricSource,
  q: Query,
  unit: LatencyUnit | undefined,
): SliDef | undefined {
  const field = r.string([...ms.specPath, "field"]);
  if (!checkAll(r, ms.specPath, field, logThresholdNamesField) || field === undefined)
    return undefined;
  if (!checkAll(r, [...ms.specPath, "field"], field, lokiFieldIsLabel(ms.source.type)))
    return undefined;
  return {
    kind: "threshold",
    source: ms.source,
    query: q.text,
    field,
    unit: unit ?? DEFAULT_LATENCY_UNIT.logs,
  };
}

/** The unit a histogram's buckets are in, by Prometheus' naming convention; seconds otherwise. */
export function histogramUnit(selector: string): LatencyIndicator["unit"] {
  const metric = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(selector)?.[1] ?? "";
  return leUnit(metric.replace(/_(bucket|count|sum)$/, ""));
}
