/**
 * A Pyrra indicator into slo's: `ratio` (errors / total), `latency` (a
 * histogram bucket over its count) and `latencyNative` (a native histogram
 * below a latency), with their `grouping` (slo's groupBy). `bool_gauge`
 * needs per-sample gauges: slo does not read it yet, and says so where it is written.
 */

import { DEFAULT_GROUP_LIMIT } from "../../defaults.js";
import type { DocReader } from "../doc-reader.js";
import { histogramParts, leUnit } from "../histogram.js";
import type { GroupingSpec, Indicator } from "../model.js";
import { PROM_LABEL_NAME } from "../promql.js";
import { checkInOrder, promqlParses } from "../rules.js";
import type { YamlPath } from "../yaml-source.js";
import {
  hasLeMatcher,
  histogramLatency,
  matchersMissingFromErrors,
  parseSelector,
  pyrraSelector,
  thresholdText,
} from "./selectors.js";
import { promDurationMs } from "./windows.js";

export const SOURCE_NAME = "prometheus";

/** Pyrra's four indicators, in the order its validation names them. */
const INDICATORS = ["ratio", "latency", "latencyNative", "bool_gauge"] as const;

/** The reader errors go to, and the one for warnings (what Pyrra itself only warns about). */
export interface Readers {
  r: DocReader;
  w: DocReader;
}

/** `spec.indicator`: exactly one of Pyrra's four, as Pyrra's validation requires. */
export function indicatorOf({ r, w }: Readers, specPath: YamlPath): Indicator | undefined {
  const path = [...specPath, "indicator"];
  if (!r.record(path, true)) return undefined;
  r.keys(path, INDICATORS);
  const present = INDICATORS.filter((k) => r.has([...path, k]));
  if (present.length !== 1) {
    r.fail(
      specPath,
      present.length === 0
        ? "one of ratio, latency, latencyNative or bool_gauge must be set"
        : `only one indicator may be set; found ${present.join(" and ")}`,
      undefined,
      "indicator",
    );
    return undefined;
  }
  const kind = present[0]!;
  const at = [...path, kind];
  if (kind === "bool_gauge") {
    r.fail(
      path,
      "Pyrra's bool_gauge indicator (the share of samples where a gauge is 1) is not supported yet: slo counts events",
      "count the checks with two counters (all, and failed) and write a ratio indicator",
      kind,
    );
    return undefined;
  }
  if (!r.record(at, true)) return undefined;
  return kind === "ratio"
    ? ratioOf({ r, w }, at)
    : kind === "latency"
      ? latencyOf({ r, w }, at)
      : latencyNativeOf(r, at);
}

/** Prometheus label names: Pyrra writes `sum by (...)` of them. */

/**
 * `spec.indicator.<kind>.grouping`: one SLO per value of these labels, slo's
 * `groupBy`. Pyrra keeps every value; slo keeps its default `groupLimit`
 * (the rest one "(other)" group, with a warning). Empty or null is none.
 * `valid` is false when the list is written wrong (an error is reported).
 */
export function groupingOf(
  r: DocReader,
  specPath: YamlPath,
): { valid: boolean; grouping?: GroupingSpec | undefined } {
  const indicatorPath = [...specPath, "indicator"];
  const kind = ["ratio", "latency", "latencyNative"].find((k) => r.has([...indicatorPath, k]));
  if (kind === undefined) return { valid: true };
  const path = [...indicatorPath, kind, "grouping"];
  if (r.value(path) === null) return { valid: true };
  const list = r.list(path);
  if (!list || list.length === 0) return { valid: list !== undefined || !r.has(path) };
  const by: string[] = [];
  let valid = true;
  list.forEach((item, i) => {
    if (typeof item !== "string" || !PROM_LABEL_NAME.test(item)) {
      r.fail(
        [...path, i],
        `grouping: '${String(item)}' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*): Pyrra sums by it`,
      );
      valid = false;
    } else if (by.includes(item)) {
      r.fail([...path, i], `grouping: '${item}' is named twice`);
      valid = false;
    } else by.push(item);
  });
  return valid ? { valid, grouping: { by, limit: DEFAULT_GROUP_LIMIT } } : { valid };
}

/** A `{metric: <selector>}` mapping: its selector, checked as Pyrra checks it. */
function metricOf(r: DocReader, path: YamlPath): string | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, ["metric"]);
  const at = [...path, "metric"];
  const text = r.string(at, true);
  if (text === undefined || !checkInOrder(r, at, text, promqlParses, pyrraSelector))
    return undefined;
  return text.trim();
}

function ratioOf({ r, w }: Readers, path: YamlPath): Indicator | undefined {
  r.keys(path, ["errors", "total", "grouping"]);
  const errors = metricOf(r, [...path, "errors"]);
  const total = metricOf(r, [...path, "total"]);
  if (errors === undefined || total === undefined) return undefined;
  const errorsAt = [...path, "errors", "metric"];
  if (errors === total) {
    w.fail(errorsAt, "ratio errors metric should be different from ratio total metric (Pyrra)");
  }
  const missing = matchersMissingFromErrors(errors, total);
  if (missing.length > 0) {
    w.fail(
      errorsAt,
      `errors counts series that total does not: total matches ${missing.join(", ")} and errors does not, so the SLI can fall below 0`,
      `add ${missing.join(", ")} to errors: Pyrra expects the errors to be among the total`,
    );
  }
  return { kind: "ratio", source: SOURCE_NAME, bad: errors, total };
}

function latencyOf({ r, w }: Readers, path: YamlPath): Indicator | undefined {
  r.keys(path, ["success", "total", "grouping"]);
  const success = metricOf(r, [...path, "success"]);
  const total = metricOf(r, [...path, "total"]);
  const successAt = [...path, "success", "metric"];
  if (success === undefined || !checkInOrder(r, successAt, success, hasLeMatcher)) return undefined;
  if (total === undefined) return undefined;
  // Pyrra's own warnings, word for word.
  if (!parseSelector(success)?.metric.endsWith("_bucket"))
    w.fail(successAt, "latency success metric should usually be a histogram bucket (Pyrra)");
  if (!parseSelector(total)?.metric.endsWith("_count"))
    w.fail(
      [...path, "total", "metric"],
      "latency total metric should usually be a histogram count (Pyrra)",
    );
  const histogram = histogramLatency(success, total);
  if (!histogram) return { kind: "ratio", source: SOURCE_NAME, good: success, total };
  return {
    kind: "latency",
    source: SOURCE_NAME,
    histogram: histogram.histogram,
    unit: leUnitOf(histogram.histogram),
    threshold: histogram.le,
    thresholdText: thresholdText(histogram.le),
  };
}

/**
 * `latencyNative`: the total is the native histogram, `latency` (a Prometheus
 * duration) the threshold; Pyrra counts `histogram_fraction(0, latency, ...)`
 * as slo does, so any latency works.
 */
function latencyNativeOf(r: DocReader, path: YamlPath): Indicator | undefined {
  r.keys(path, ["latency", "total", "grouping"]);
  const total = metricOf(r, [...path, "total"]);
  const latencyAt = [...path, "latency"];
  const value = r.value(latencyAt);
  if (value === undefined || value === null) {
    r.missing(latencyAt);
    return undefined;
  }
  const text = typeof value === "string" ? value.trim() : undefined;
  const ms = text === undefined ? null : promDurationMs(text);
  if (text === undefined || ms === null || ms === 0) {
    r.fail(
      latencyAt,
      `expected a Prometheus duration such as 200ms or 1s, got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  if (total === undefined) return undefined;
  return {
    kind: "latency",
    source: SOURCE_NAME,
    histogram: total,
    histogramType: "native",
    unit: "ms",
    threshold: ms,
    thresholdText: text,
  };
}

function leUnitOf(histogram: string): ReturnType<typeof leUnit> {
  return leUnit(histogramParts(histogram)?.metric ?? histogram);
}
