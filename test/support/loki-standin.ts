/**
 * A stand-in for Grafana Loki, which cannot be installed here. It speaks the
 * documented HTTP API the loki source uses (`/ready`, `/loki/api/v1/push`
 * in the JSON format, `/loki/api/v1/query`, `/loki/api/v1/query_range`),
 * with Loki's JSON response shapes (vector and matrix, values as strings),
 * and evaluates the metric query shapes slo sends:
 *
 *   sum(count_over_time(<log query> [W]))
 *   sum by (label) (count_over_time(<log query> [W]))
 *
 * Log queries are parsed with slo's own parser (src/definition/logql/, the
 * official grammar) but EVALUATED here, independently of the logs source,
 * with Loki's semantics (pkg/logql/log/label_filter.go): a numeric filter
 * drops a line without the label and marks one whose value is not a number
 * with __error__; a metric query that keeps a line with __error__ fails with
 * Loki's "pipeline error" (HTTP 400). Ranges are (t - W, t], as in Loki.
 * Loki's limits are enforced: max_query_length (721h) and 11,000 points.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LabelFilterExpr, LogQuery, StreamMatcher } from "../../src/definition/logql/ast.js";
import {
  parseGoDuration,
  parseGoFloat,
  parseHumanBytes,
} from "../../src/definition/logql/literals.js";
import { parseLogQuery } from "../../src/definition/logql/parse.js";
import { compileLogQLRegex } from "../../src/definition/logql/regex.js";

export interface LokiStandInOptions {
  /** like Loki with auth_enabled: true, a request without X-Scope-OrgID gets 401 */
  multiTenant?: boolean;
  maxQueryLengthMs?: number;
}

export interface PushStream {
  stream: Record<string, string>;
  /** [nanoseconds as a string, line] */
  values: [string, string][];
}

export interface RecordedQuery {
  path: string;
  query: string;
  params: Record<string, string>;
  tenant: string | undefined;
}

export interface LokiStandIn {
  url: string;
  /** every query request, in order of arrival */
  queries: RecordedQuery[];
  /** push through the HTTP API, as an agent would */
  push(streams: PushStream[], tenant?: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  ns: bigint;
  line: string;
}

interface Stream {
  labels: Record<string, string>;
  entries: Entry[];
}

const DEFAULT_MAX_QUERY_LENGTH_MS = 721 * 3_600_000;
const MAX_POINTS = 11_000;
/** Loki's tenant when auth is disabled. */
const SINGLE_TENANT = "fake";

export async function startLokiStandIn(options: LokiStandInOptions = {}): Promise<LokiStandIn> {
  const tenants = new Map<string, Map<string, Stream>>();
  const queries: RecordedQuery[] = [];
  const maxLengthMs = options.maxQueryLengthMs ?? DEFAULT_MAX_QUERY_LENGTH_MS;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, String(error instanceof Error ? error.stack : error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const body = await readBody(req);
    if (url.pathname === "/ready") return send(res, 200, "ready");

    const header = req.headers["x-scope-orgid"];
    const orgId = Array.isArray(header) ? header[0] : header;
    if (options.multiTenant && !orgId) return send(res, 401, "no org id");
    const tenant = options.multiTenant ? orgId! : SINGLE_TENANT;

    if (url.pathname === "/loki/api/v1/push" && req.method === "POST") {
      const streams = tenants.get(tenant) ?? new Map<string, Stream>();
      tenants.set(tenant, streams);
      ingest(streams, JSON.parse(body) as { streams: PushStream[] });
      return send(res, 204, "");
    }

    const params = new URLSearchParams(url.search);
    if (req.method === "POST" && body) {
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
    const flat = Object.fromEntries(params);
    const query = params.get("query") ?? "";
    const streams = [...(tenants.get(tenant)?.values() ?? [])];
    if (url.pathname === "/loki/api/v1/query" || url.pathname === "/loki/api/v1/query_range") {
      queries.push({ path: url.pathname, query, params: flat, tenant: orgId });
    }
    try {
      if (url.pathname === "/loki/api/v1/query") {
        const at = parseTime(params.get("time")) ?? BigInt(Date.now()) * 1_000_000n;
        const metric = parseMetricQuery(query);
        if (metric.rangeNs > BigInt(maxLengthMs) * 1_000_000n)
          throw tooLong(metric.rangeNs, maxLengthMs);
        const groups = evaluate(streams, metric, [at]);
        return sendJson(res, {
          status: "success",
          data: {
            resultType: "vector",
            result: [...groups].map(([value, counts]) => ({
              metric: metric.by && value !== "" ? { [metric.by]: value } : {},
              value: [seconds(at), String(counts[0])],
            })),
            stats: {},
          },
        });
      }
      if (url.pathname === "/loki/api/v1/query_range") {
        const start = parseTime(params.get("start"));
        const end = parseTime(params.get("end"));
        const step = parseStep(params.get("step"));
        if (start === undefined || end === undefined || step === undefined || step <= 0n) {
          throw new BadRequest("start, end and step are required");
        }
        const metric = parseMetricQuery(query);
        if (end - start + metric.rangeNs > BigInt(maxLengthMs) * 1_000_000n) {
          throw tooLong(end - start + metric.rangeNs, maxLengthMs);
        }
        const points: bigint[] = [];
        for (let t = start; t <= end; t += step) {
          points.push(t);
          if (points.length > MAX_POINTS) {
            throw new BadRequest(
              "exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter",
            );
          }
        }
        const groups = evaluate(streams, metric, points);
        return sendJson(res, {
          status: "success",
          data: {
            resultType: "matrix",
            result: [...groups].map(([value, counts]) => ({
              metric: metric.by && value !== "" ? { [metric.by]: value } : {},
              // Loki leaves out steps without samples.
              values: points.flatMap((t, i) =>
                counts[i]! > 0 ? [[seconds(t), String(counts[i])]] : [],
              ),
            })),
            stats: {},
          },
        });
      }
    } catch (error) {
      if (error instanceof BadRequest) return send(res, 400, error.message);
      throw error;
    }
    send(res, 404, "404 page not found\n");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    queries,
    async push(streams, tenant) {
      const response = await fetch(`${url}/loki/api/v1/push`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(tenant ? { "X-Scope-OrgID": tenant } : {}),
        },
        body: JSON.stringify({ streams }),
      });
      if (response.status !== 204)
        throw new Error(`push: HTTP ${response.status} ${await response.text()}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class BadRequest extends Error {}

function tooLong(ns: bigint, limitMs: number): BadRequest {
  const hours = (n: number) => `${n}h0m0s`;
  return new BadRequest(
    `the query time range exceeds the limit (query length: ${hours(Number(ns / 3_600_000_000_000n))}, limit: ${hours(limitMs / 3_600_000)})`,
  );
}

function ingest(streams: Map<string, Stream>, push: { streams: PushStream[] }): void {
  for (const s of push.streams) {
    const key = JSON.stringify(Object.entries(s.stream).sort());
    const stream = streams.get(key) ?? { labels: { ...s.stream }, entries: [] };
    streams.set(key, stream);
    for (const [ns, line] of s.values) stream.entries.push({ ns: BigInt(ns), line });
    stream.entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------
// Metric queries

interface MetricQuery {
  by: string | undefined;
  log: LogQuery;
  rangeNs: bigint;
}

const METRIC_SHAPE =
  /^\s*sum\s*(?:by\s*\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*)?\(\s*count_over_time\s*\(([\s\S]*)\[\s*([0-9a-zµμ.]+)\s*\]\s*\)\s*\)\s*$/;

function parseMetricQuery(text: string): MetricQuery {
  const m = METRIC_SHAPE.exec(text);
  if (!m) {
    throw new BadRequest(
      `parse error : the stand-in answers sum(count_over_time(<log query> [range])) and sum by (label) (...) only, not: ${text}`,
    );
  }
  const seconds = parseGoDuration(m[3]!, { allowDays: true });
  if (seconds === null || seconds <= 0) throw new BadRequest(`parse error : invalid range ${m[3]}`);
  const parsed = parseLogQuery(m[2]!.trim(), { requireSelector: true });
  if (!parsed.ok) throw new BadRequest(`parse error at offset ${parsed.offset}: ${parsed.message}`);
  return { by: m[1], log: parsed.query, rangeNs: BigInt(Math.round(seconds * 1e9)) };
}

/**
 * Counts per group (the `by` label's value, "" without `by`) at each time t,
 * over (t - range, t]. A group with no events at any time is left out.
 */
function evaluate(streams: Stream[], query: MetricQuery, times: bigint[]): Map<string, number[]> {
  // bigints: Math.min and Math.max do not take them
  let low = times[0]!;
  let high = times[0]!;
  for (const t of times) {
    if (t < low) low = t;
    if (t > high) high = t;
  }
  low -= query.rangeNs;
  const matched: { ns: bigint; group: string }[] = [];
  for (const stream of streams) {
    if (!matchesSelector(stream.labels, query.log.selector ?? [])) continue;
    for (const entry of stream.entries) {
      if (entry.ns <= low || entry.ns > high) continue;
      const labels = runPipeline(query.log, stream.labels, entry.line);
      if (!labels) continue;
      const error = labels.get("__error__");
      if (error) {
        throw new BadRequest(
          `pipeline error: '${error}' for series: '${formatLabels(labels)}'.\nUse a label filter to intentionally skip this error. (e.g | __error__!="${error}").\nTo skip all potential errors you can match empty errors.(e.g __error__="")\n`,
        );
      }
      matched.push({ ns: entry.ns, group: query.by ? (labels.get(query.by) ?? "") : "" });
    }
  }
  const byGroup = new Map<string, bigint[]>();
  for (const { ns, group } of matched) {
    const list = byGroup.get(group) ?? [];
    byGroup.set(group, list);
    list.push(ns);
  }
  const groups = new Map<string, number[]>();
  for (const [group, list] of byGroup) {
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const counts = times.map((t) => countUpTo(list, t) - countUpTo(list, t - query.rangeNs));
    if (counts.some((c) => c > 0)) groups.set(group, counts);
  }
  return groups;
}

/** How many of the sorted times are <= t. */
function countUpTo(sorted: bigint[], t: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------
// Log queries, with Loki's semantics

function matchesSelector(labels: Record<string, string>, matchers: StreamMatcher[]): boolean {
  return matchers.every((m) => matchString(labels[m.label] ?? "", m.op, m.value));
}

function matchString(value: string, op: StreamMatcher["op"], pattern: string): boolean {
  switch (op) {
    case "=":
      return value === pattern;
    case "!=":
      return value !== pattern;
    case "=~":
      return compileLogQLRegex(pattern, true).test(value);
    case "!~":
      return !compileLogQLRegex(pattern, true).test(value);
  }
}

/** The line's labels after the pipeline, or null when a stage drops it. */
function runPipeline(
  query: LogQuery,
  stream: Record<string, string>,
  line: string,
): Map<string, string> | null {
  const labels = new Map(Object.entries(stream));
  for (const stage of query.stages) {
    switch (stage.kind) {
      case "line": {
        const hit =
          stage.op === "|=" || stage.op === "!="
            ? line.includes(stage.value)
            : compileLogQLRegex(stage.value, false).test(line);
        if (hit !== (stage.op === "|=" || stage.op === "|~")) return null;
        break;
      }
      case "json":
        extractJson(line, labels, stream);
        break;
      case "logfmt":
        extractLogfmt(line, labels, stream);
        break;
      case "filter":
        if (!filter(stage.expr, labels)) return null;
        break;
    }
  }
  return labels;
}

function setError(labels: Map<string, string>, error: string): void {
  if (!labels.get("__error__")) labels.set("__error__", error);
}

/** Extracted names that clash with stream labels get `_extracted`, as in Loki. */
function setExtracted(
  labels: Map<string, string>,
  stream: Record<string, string>,
  key: string,
  value: string,
): void {
  const name = key.replace(/[^a-zA-Z0-9_]/g, "_");
  labels.set(name in stream ? `${name}_extracted` : name, value);
}

function extractJson(
  line: string,
  labels: Map<string, string>,
  stream: Record<string, string>,
): void {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    setError(labels, "JSONParserErr");
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    setError(labels, "JSONParserErr");
    return;
  }
  const walk = (object: Record<string, unknown>, prefix: string) => {
    for (const [key, v] of Object.entries(object)) {
      const name = prefix ? `${prefix}_${key}` : key;
      if (v !== null && typeof v === "object") {
        if (!Array.isArray(v)) walk(v as Record<string, unknown>, name);
      } else if (v !== null) {
        setExtracted(labels, stream, name, String(v));
      }
    }
  };
  walk(value as Record<string, unknown>, "");
}

function extractLogfmt(
  line: string,
  labels: Map<string, string>,
  stream: Record<string, string>,
): void {
  const pair = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g;
  for (let m = pair.exec(line); m; m = pair.exec(line)) {
    const raw = m[2] ?? "";
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    setExtracted(labels, stream, m[1]!, value);
  }
}

function filter(expr: LabelFilterExpr, labels: Map<string, string>): boolean {
  switch (expr.kind) {
    case "and": {
      const left = filter(expr.left, labels);
      const right = filter(expr.right, labels);
      return left && right;
    }
    case "or":
      return filter(expr.left, labels) || filter(expr.right, labels);
    case "string":
      return matchString(labels.get(expr.label) ?? "", expr.op, expr.value);
    case "number": {
      const raw = labels.get(expr.label);
      if (raw === undefined) return false; // no such label: dropped
      const value =
        expr.valueKind === "duration"
          ? parseGoDuration(raw)
          : expr.valueKind === "bytes"
            ? parseHumanBytes(raw)
            : parseGoFloat(raw);
      if (value === null) {
        setError(labels, "LabelFilterErr"); // kept, with the error
        return true;
      }
      switch (expr.op) {
        case "==":
          return value === expr.value;
        case "!=":
          return value !== expr.value;
        case ">":
          return value > expr.value;
        case ">=":
          return value >= expr.value;
        case "<":
          return value < expr.value;
        case "<=":
          return value <= expr.value;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// HTTP plumbing

/** Loki's time parameters: nanoseconds, (fractional) seconds, or RFC 3339. */
function parseTime(text: string | null): bigint | undefined {
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return text.length > 12 ? BigInt(text) : BigInt(text) * 1_000_000_000n;
  if (/^\d+\.\d+$/.test(text)) return BigInt(Math.round(Number(text) * 1e6)) * 1000n;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}

/** A step: a duration ("30s") or a number of seconds ("30", "2.5"). */
function parseStep(text: string | null): bigint | undefined {
  if (!text) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(text)
    ? Number(text)
    : parseGoDuration(text, { allowDays: true });
  return seconds === null ? undefined : BigInt(Math.round(seconds * 1e9));
}

/** Loki writes sample times as seconds, a number with up to millisecond precision. */
function seconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000;
}

function formatLabels(labels: Map<string, string>): string {
  const parts = [...labels]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(", ")}}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}
