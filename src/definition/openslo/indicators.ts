/**
 * OpenSLO DataSources, metric sources and SLIs -> slo's sources and
 * indicators. Prometheus, Loki and (slo's own) Logs DataSources map to
 * sources; any other type is an error where an SLO uses it.
 */

import { dirname } from "node:path";
import { DEFAULT_SOURCE } from "../../defaults.js";
import { specError } from "../../errors.js";
import { type DocReader, formatPath, type Json } from "../doc-reader.js";
import { parseDuration } from "../duration.js";
import { implicitLoki, implicitPrometheus } from "../implicit-sources.js";
import { parseLogQuery } from "../logql/parse.js";
import type { LatencyIndicator, RatioIndicator, SourceSpec } from "../model.js";
import { checkPromQL, hasWindowPlaceholder, isSelector } from "../promql.js";
import { rawRatioQueries, unwrapSummedSelector } from "../ratio-queries.js";
import { positionInScalar, type YamlPath } from "../yaml-source.js";
import { at, type DataSourceDef, lookup, type OpenSloContext, type OsObject } from "./objects.js";

type SourceType = SourceSpec["type"];

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

function readDataSource(o: OsObject): DataSourceDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "type", "connectionDetails"]);
  const typeText = r.string([...spec, "type"], true);
  if (typeText === undefined) return undefined;
  const type = sourceTypeOf(typeText);
  if (!type) return { unsupported: typeText };
  const cd = [...spec, "connectionDetails"];
  if (!r.record(cd, true)) return undefined;
  const before = r.errors.length;
  if (type === "logs") {
    r.keys(cd, ["paths", "timestamp", "labels"]);
    const raw = r.value([...cd, "paths"]);
    let paths: string[] | undefined;
    if (typeof raw === "string" && raw !== "") paths = [raw];
    else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === "string")) {
      paths = raw as string[];
    } else if (raw === undefined) r.missing([...cd, "paths"]);
    else r.fail([...cd, "paths"], "expected a file, a glob, or a list of them");
    const timestamp = r.string([...cd, "timestamp"]) ?? "t";
    const labels = r.labels([...cd, "labels"]);
    if (!paths || r.errors.length > before) return undefined;
    return {
      source: {
        type: "logs",
        name: o.name,
        paths,
        timestamp,
        labels,
        baseDir: dirname(r.ydoc.file),
      },
    };
  }
  const keys = ["url", "headers", "bearerToken", "basicAuth", "timeout", "retries"];
  r.keys(cd, type === "loki" ? [...keys, "tenant"] : keys);
  const url = r.string([...cd, "url"], true);
  if (url !== undefined) checkUrl(r, [...cd, "url"], url);
  const headers: Record<string, string> = {};
  const rawHeaders = r.record([...cd, "headers"]);
  for (const [k, v] of Object.entries(rawHeaders ?? {})) {
    if (typeof v === "string") headers[k] = v;
    else r.fail([...cd, "headers", k], "expected a string");
  }
  const bearerToken = r.string([...cd, "bearerToken"]);
  let basicAuth: { username: string; password: string } | undefined;
  if (r.record([...cd, "basicAuth"])) {
    r.keys([...cd, "basicAuth"], ["username", "password"]);
    const username = r.string([...cd, "basicAuth", "username"], true);
    const password = r.string([...cd, "basicAuth", "password"], true);
    if (username !== undefined && password !== undefined) basicAuth = { username, password };
  }
  let timeoutMs: number = DEFAULT_SOURCE.timeoutMs;
  const timeout = r.string([...cd, "timeout"]);
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === null) r.fail([...cd, "timeout"], "expected a duration like 30s");
    else timeoutMs = ms;
  }
  const retries = r.number([...cd, "retries"]) ?? DEFAULT_SOURCE.retries;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    r.fail([...cd, "retries"], "expected a whole number from 0 to 10");
  }
  const tenant = type === "loki" ? r.string([...cd, "tenant"]) : undefined;
  if (url === undefined || r.errors.length > before) return undefined;
  const common = {
    name: o.name,
    url: url.replace(/\/+$/, ""),
    headers,
    bearerToken,
    basicAuth,
    timeoutMs,
    retries,
  };
  return {
    source: type === "prometheus" ? { type, ...common } : { type: "loki", ...common, tenant },
  };
}

function checkUrl(r: DocReader, path: YamlPath, url: string): void {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    // The URL may hold a password: name the field, not the value.
    r.fail(path, "expected an http:// or https:// URL");
  }
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
  if (ref !== undefined) {
    const ds = lookup(ctx, "DataSource", r, [...path, "metricSourceRef"], ref);
    if (!ds) return undefined;
    const def = dataSource(ctx, ds);
    if (!def) return undefined;
    if ("unsupported" in def) {
      r.fail(
        [...path, "metricSourceRef"],
        `DataSource '${ref}' is of type ${def.unsupported}, which slo cannot evaluate`,
        `slo reads ${SUPPORTED_TYPES}`,
      );
      return undefined;
    }
    if (typeText !== undefined && sourceTypeOf(typeText) !== def.source.type) {
      r.fail(
        [...path, "type"],
        `type ${typeText} does not match DataSource '${ref}', which is ${OPENSLO_TYPE_NAME[def.source.type]}`,
      );
      return undefined;
    }
    return { source: def.source, spec, specPath };
  }
  if (typeText === undefined) {
    r.fail(path, "a metricSource needs metricSourceRef (a DataSource) or type");
    return undefined;
  }
  const type = sourceTypeOf(typeText);
  if (!type) {
    r.fail(
      [...path, "type"],
      `metric source type ${typeText} cannot be evaluated by slo`,
      `slo reads ${SUPPORTED_TYPES}`,
    );
    return undefined;
  }
  // No reference: the one DataSource of that type, or the server the environment names.
  const candidates = [...(ctx.index.get("DataSource")?.values() ?? [])].filter((o) => {
    const def = dataSource(ctx, o);
    return def !== undefined && "source" in def && def.source.type === type;
  });
  if (candidates.length > 1) {
    r.fail(
      [...path, "type"],
      `${candidates.length} DataSources of type ${typeText} are loaded; name one with metricSourceRef`,
      `defined: ${candidates.map((c) => c.name).join(", ")}`,
    );
    return undefined;
  }
  if (candidates.length === 1) {
    const def = dataSource(ctx, candidates[0]!) as { source: SourceSpec };
    return { source: def.source, spec, specPath };
  }
  if (type === "logs") {
    r.fail(
      [...path, "type"],
      "a Logs metric source needs a DataSource with connectionDetails.paths",
    );
    return undefined;
  }
  return { source: implicitSource(ctx, type), spec, specPath };
}

function implicitSource(ctx: OpenSloContext, type: "prometheus" | "loki"): SourceSpec {
  const existing = ctx.implicit.get(type);
  if (existing) return existing;
  const taken = ctx.index.get("DataSource")?.has(type) ?? false;
  const name = taken ? `${type}-default` : type;
  const source =
    type === "prometheus" ? implicitPrometheus(name, ctx.env) : implicitLoki(name, ctx.env);
  ctx.implicit.set(type, source);
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
  const allowed = QUERY_KEYS[ms.source.type];
  r.keys(ms.specPath, [...allowed, ...extraKeys]);
  const present = allowed.filter((k) => ms.spec[k] !== undefined);
  if (present.length !== 1) {
    r.fail(
      ms.specPath,
      present.length === 0
        ? `missing required key '${allowed[0]}' (the ${OPENSLO_TYPE_NAME[ms.source.type]} query)`
        : `give one of ${present.join(" or ")}, not both`,
    );
    return undefined;
  }
  const path = [...ms.specPath, present[0]!];
  const text = r.string(path, true);
  if (text === undefined) return undefined;
  return checkQuery(r, path, text, ms.source.type) ? { text, path } : undefined;
}

function checkQuery(r: DocReader, path: YamlPath, text: string, type: SourceType): boolean {
  if (type === "prometheus") {
    const checked = checkPromQL(text);
    if (checked.ok) return true;
    r.errors.push(
      specError(
        `${r.subject}: ${formatPath(path)}: PromQL: ${checked.message}`,
        positionInScalar(r.ydoc, path, checked.offset),
      ),
    );
    return false;
  }
  const parsed = parseLogQuery(text, { requireSelector: type === "loki" });
  if (parsed.ok) return true;
  r.errors.push(
    specError(
      `${r.subject}: ${formatPath(path)}: LogQL: ${parsed.message}`,
      positionInScalar(r.ydoc, path, parsed.offset),
    ),
  );
  return false;
}

export type SliDef =
  | { kind: "ratio"; indicator: RatioIndicator; source: SourceSpec }
  | {
      kind: "threshold";
      source: SourceSpec;
      /** everything of the latency indicator but the threshold, which the objective gives */
      query: string;
      field?: string | undefined;
      unit: LatencyIndicator["unit"];
    };

/** An SLI object (a document, or inline under an SLO's spec.indicator). */
export function readSli(ctx: OpenSloContext, o: OsObject): SliDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "ratioMetric", "thresholdMetric"]);
  const ratio = r.has([...spec, "ratioMetric"]);
  const threshold = r.has([...spec, "thresholdMetric"]);
  if (ratio === threshold) {
    r.fail(spec, "an SLI needs exactly one of ratioMetric or thresholdMetric");
    return undefined;
  }
  return ratio
    ? ratioMetric(ctx, r, [...spec, "ratioMetric"])
    : thresholdMetric(ctx, r, [...spec, "thresholdMetric"]);
}

function ratioMetric(ctx: OpenSloContext, r: DocReader, path: YamlPath): SliDef | undefined {
  r.keys(path, ["counter", "good", "bad", "total", "rawType", "raw"]);
  if (!r.record(path, true)) return undefined;
  const counter = r.boolean([...path, "counter"]);
  const has = (k: string) => r.has([...path, k]);
  if (has("raw")) {
    for (const k of ["good", "bad", "total"]) {
      if (has(k)) r.fail(path, `raw cannot be used together with ${k}`, undefined, k);
    }
    const rawType = r.string([...path, "rawType"], true);
    if (rawType !== undefined && rawType !== "success" && rawType !== "failure") {
      r.fail([...path, "rawType"], `expected success or failure, got ${rawType}`);
      return undefined;
    }
    const ms = part(ctx, r, [...path, "raw"]);
    if (!ms || rawType === undefined) return undefined;
    if (ms.source.type !== "prometheus") {
      r.fail(
        [...path, "raw"],
        `a raw (precomputed) ratio needs a Prometheus source; on ${OPENSLO_TYPE_NAME[ms.source.type]} write good or bad, and total`,
      );
      return undefined;
    }
    const q = queryOf(r, ms, []);
    if (!q) return undefined;
    if (!hasWindowPlaceholder(q.text)) {
      r.fail(
        q.path,
        "a raw ratio query must take the window as {{window}} (e.g. ...[{{window}}]) so slo can ask it for each window",
      );
      return undefined;
    }
    const { numerator, total } = rawRatioQueries(q.text);
    const indicator: RatioIndicator = {
      kind: "ratio",
      source: ms.source.name,
      total,
      ...(rawType === "failure" ? { bad: numerator } : { good: numerator }),
    };
    return { kind: "ratio", indicator, source: ms.source };
  }
  if (has("rawType")) r.fail(path, "rawType goes with raw", undefined, "rawType");
  if (has("good") === has("bad")) {
    r.fail(path, "a ratioMetric needs exactly one of good or bad, and total (or raw)");
    return undefined;
  }
  if (!has("total")) {
    r.missing([...path, "total"]);
    return undefined;
  }
  const numeratorKey = has("good") ? "good" : "bad";
  const numerator = part(ctx, r, [...path, numeratorKey]);
  const total = part(ctx, r, [...path, "total"]);
  if (!numerator || !total) return undefined;
  if (numerator.source !== total.source) {
    r.fail(
      [...path, "total"],
      `${numeratorKey} reads '${numerator.source.name}' but total reads '${total.source.name}'; slo evaluates both from one source`,
    );
    return undefined;
  }
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

const UNITS = ["ns", "us", "ms", "s"] as const;

function thresholdMetric(ctx: OpenSloContext, r: DocReader, path: YamlPath): SliDef | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, ["metricSource"]);
  const ms = metricSource(ctx, r, [...path, "metricSource"]);
  if (!ms) return undefined;
  const before = r.errors.length;
  const extra = ms.source.type === "prometheus" ? ["unit"] : ["field", "unit"];
  const q = queryOf(r, ms, extra);
  const unitText = r.string([...ms.specPath, "unit"]);
  if (unitText !== undefined && !(UNITS as readonly string[]).includes(unitText)) {
    r.fail([...ms.specPath, "unit"], `expected one of ${UNITS.join(", ")}`);
  }
  if (!q || r.errors.length > before) return undefined;
  if (ms.source.type === "prometheus") {
    if (!isSelector(q.text)) {
      r.fail(
        q.path,
        'a thresholdMetric on Prometheus names a histogram: its selector without _bucket, e.g. http_request_duration_seconds{job="api"}',
        "slo counts the requests at or below the threshold from the histogram's buckets; it cannot compare a query's value over time",
      );
      return undefined;
    }
    return {
      kind: "threshold",
      source: ms.source,
      query: q.text.trim(),
      unit: (unitText as LatencyIndicator["unit"]) ?? histogramUnit(q.text),
    };
  }
  const field = r.string([...ms.specPath, "field"]);
  if (field === undefined) {
    r.fail(
      ms.specPath,
      "a thresholdMetric on logs needs field: the event field holding the value (e.g. duration)",
    );
    return undefined;
  }
  // Loki filters on a label: json and logfmt name nested keys with `_`, never `.`.
  if (ms.source.type === "loki" && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(field)) {
    r.fail(
      [...ms.specPath, "field"],
      `field '${field}' is not a LogQL label name (letters, digits and _, not starting with a digit)`,
      `json and logfmt turn nested keys into labels joined with _: write ${field.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^(?=\d)/, "_")}`,
    );
    return undefined;
  }
  return {
    kind: "threshold",
    source: ms.source,
    query: q.text,
    field,
    unit: (unitText as LatencyIndicator["unit"]) ?? "ms",
  };
}

/** The unit a histogram's buckets are in, by Prometheus' naming convention; seconds otherwise. */
export function histogramUnit(selector: string): LatencyIndicator["unit"] {
  const metric = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(selector)?.[1] ?? "";
  const base = metric.replace(/_(bucket|count|sum)$/, "");
  if (/_(milliseconds|ms)$/.test(base)) return "ms";
  if (/_(microseconds|us)$/.test(base)) return "us";
  if (/_(nanoseconds|ns)$/.test(base)) return "ns";
  return "s";
}
