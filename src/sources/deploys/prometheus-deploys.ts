/**
 * Deploys on Prometheus (and VictoriaMetrics): a series whose version label
 * changes at a deploy, e.g. build_info{job="ctrl",version="v2"}. A deploy is
 * the first sample of a version that was not there just before it:
 *
 * 1. Coarse: one query_range of `count by (<label>) (last_over_time(<series>[L]))`
 *    over the range, at a step that keeps it under the point limit: at each
 *    point, the versions with a sample in the L before it (L: the step, at
 *    least Prometheus' 5-minute lookback, so no scrape interval leaves a
 *    version out between points).
 * 2. A version at a point that was not at the one before is new there: its
 *    first sample is between the two points. It is a deploy when it was
 *    never seen before in the range, or when another version was there at
 *    the point before (a rollback); a version back after a gap in the data
 *    (no version at all) is the same deploy still running. The versions at
 *    the range's start were deployed before it.
 * 3. Exact: for each deploy, the raw samples of that version between the two
 *    points (an instant query of `<series,label="v">[step]`): the first is the
 *    deploy's time, to the sample.
 */

import type { Deploy, DeploySpec } from "../../definition/model.js";
import { formatPromDuration, formatSelector, selectorParts } from "../../definition/promql.js";
import { sourceError, specError } from "../../errors.js";
import { MAX_DEPLOYS_FOUND } from "../../limits.js";
import { promTime } from "../prometheus.js";
import type { QueryApi, QueryData } from "../query-api/client.js";
import { MAX_POINTS_PER_QUERY } from "../query-api/series.js";
import { FoundDeploys } from "./found-deploys.js";

/** Prometheus' default lookback delta: how far back an instant vector finds a sample. */
const PROMETHEUS_LOOKBACK_MS = 5 * 60_000;

/** The finest coarse step: finer costs points and finds nothing the exact step does not. */
const MIN_STEP_MS = 60_000;

interface Range {
  startMs: number;
  endMs: number;
}

/** The coarse points: startMs + k*stepMs for k = 0..count-1, the last at or after endMs. */
interface Points {
  startMs: number;
  stepMs: number;
  count: number;
}

/** A version first seen at point k (k >= 1): its first sample is in (point k-1, point k]. */
interface NewVersion {
  version: string;
  k: number;
}

export async function findPrometheusDeploys(
  api: QueryApi,
  deploys: DeploySpec,
  range: Range,
  sourceName: string,
): Promise<Deploy[]> {
  if (deploys.kind !== "version-label") {
    throw specError(
      `deploys: prometheus source '${sourceName}' finds deploys with series and versionLabel, not query and version`,
      deploys.at,
    );
  }
  const parts = selectorParts(deploys.series);
  if (!parts) {
    throw specError(`deploys: series: expected a series selector, name{labels}`, deploys.at);
  }
  if (range.endMs <= range.startMs) return [];
  const points = pointsFor(range);
  const label = deploys.versionLabel;
  const present = await versionsAtPoints(api, deploys.series, label, points);
  const found = newVersions(present, points.count).slice(-MAX_DEPLOYS_FOUND);
  const selectorOf = (version: string) =>
    formatSelector(parts.metric, [...parts.matchers, `${label}=${JSON.stringify(version)}`]);
  const times = await Promise.all(
    found.map((v) => firstSampleBetween(api, selectorOf(v.version), points, v.k)),
  );
  const result = new FoundDeploys();
  found.forEach((v, i) => {
    const atMs = times[i]!;
    if (atMs > range.startMs && atMs <= range.endMs) result.add(atMs, v.version);
  });
  return result.newestOldestFirst();
}

function pointsFor(range: Range): Points {
  const span = range.endMs - range.startMs;
  const fewest = Math.ceil(span / (MAX_POINTS_PER_QUERY - 1) / 1000) * 1000;
  const stepMs = Math.max(MIN_STEP_MS, fewest);
  return { startMs: range.startMs, stepMs, count: Math.ceil(span / stepMs) + 1 };
}

const pointTime = (points: Points, k: number) => points.startMs + k * points.stepMs;

/** The versions present at each point: index k holds those with a sample in the lookback before it. */
async function versionsAtPoints(
  api: QueryApi,
  series: string,
  label: string,
  points: Points,
): Promise<Set<string>[]> {
  const lookback = formatPromDuration(Math.max(points.stepMs, PROMETHEUS_LOOKBACK_MS));
  const query = `count by (${label}) (last_over_time(${series.trim()}[${lookback}]))`;
  const data = await api.call(
    "/query_range",
    {
      query,
      start: promTime(points.startMs),
      end: promTime(pointTime(points, points.count - 1)),
      step: String(points.stepMs / 1000),
      // VictoriaMetrics would otherwise align start to the step and shift every point
      nocache: "1",
    },
    query,
  );
  const present = Array.from({ length: points.count }, () => new Set<string>());
  for (const s of matrixOf(api, data, query)) {
    const version = s.metric[label];
    if (version === undefined || version === "") continue;
    for (const t of s.times) {
      const k = Math.round((t - points.startMs) / points.stepMs);
      if (k >= 0 && k < points.count) present[k]!.add(version);
    }
  }
  return present;
}

/** The versions new at each point that are deploys, oldest first. */
function newVersions(present: Set<string>[], count: number): NewVersion[] {
  const seen = new Set(present[0]);
  const found: NewVersion[] = [];
  for (let k = 1; k < count; k++) {
    const before = present[k - 1]!;
    for (const version of [...present[k]!].sort()) {
      if (before.has(version)) continue;
      // never seen: a deploy; back after another version: a rollback; back after no data: not one
      if (!seen.has(version) || before.size > 0) found.push({ version, k });
      seen.add(version);
    }
  }
  return found;
}

/** The first sample of `selector` in (point k-1, point k]; point k itself if the server shows none. */
async function firstSampleBetween(
  api: QueryApi,
  selector: string,
  points: Points,
  k: number,
): Promise<number> {
  const after = pointTime(points, k - 1);
  const at = pointTime(points, k);
  const query = `${selector}[${formatPromDuration(points.stepMs)}]`;
  const data = await api.call("/query", { query, time: promTime(at) }, query);
  let first = Number.POSITIVE_INFINITY;
  for (const s of matrixOf(api, data, query)) {
    for (const t of s.times) if (t > after && t <= at && t < first) first = t;
  }
  return Number.isFinite(first) ? first : at;
}

/** The series of a matrix answer, each with its sample times in ms. */
function matrixOf(
  api: QueryApi,
  data: QueryData,
  query: string,
): { metric: Record<string, string>; times: number[] }[] {
  if (data.resultType !== "matrix" || !Array.isArray(data.result)) {
    throw sourceError(
      `${api.where}: deploys: expected a matrix, got ${String(data.resultType)}; query: ${query}`,
    );
  }
  return data.result.map((item) => {
    const { metric, values } = item as { metric?: Record<string, string>; values?: unknown };
    const samples = Array.isArray(values) ? values : [];
    return {
      metric: metric ?? {},
      times: samples.map((p) => Math.round(Number((p as [unknown, unknown])[0]) * 1000)),
    };
  });
}
