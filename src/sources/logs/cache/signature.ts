/**
 * What makes cached counts valid, hashed: a source's reading settings (the
 * settings signature: how lines, times and labels are read) and, per
 * request, what it counts (the request signature). Paths are not in either:
 * the cache file is the log file's own. Windows, `at` and corrections are
 * not either: the cache keeps absolute minute buckets, and corrections only
 * say which buckets to leave out when the counts are read.
 */

import { createHash } from "node:crypto";
import type { LogsSourceSpec } from "../../../definition/model.js";
import type { CountRequest } from "../../types.js";
import type { RequestPlan } from "../evaluation/request-plan.js";

/** Bumped whenever what a cache file holds, or how lines are counted into it, changes. */
export const CACHE_FORMAT_VERSION = 1;

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** How the source reads each line: time field and format, text parsers, labels. */
export function settingsSignature(spec: LogsSourceSpec, sloVersion: string): string {
  const labels = Object.entries(spec.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const from = spec.timestampFrom ? [spec.timestampFrom.kind, spec.timestampFrom.expression] : null;
  return hash([
    CACHE_FORMAT_VERSION,
    sloVersion,
    spec.timestamp,
    spec.timestampFormat ?? null,
    from,
    labels,
  ]);
}

/** What one request counts: the queries as the plan uses them, how an event is judged, groups and breakdown fields. */
export function requestSignature(
  request: CountRequest,
  plan: RequestPlan,
  settings: string,
): string {
  const indicator = request.slo.indicator;
  const judged =
    indicator.kind === "ratio"
      ? [
          "ratio",
          indicator.total,
          plan.kind === "ratio" && plan.bad ? ["bad", indicator.bad] : ["good", indicator.good],
        ]
      : indicator.kind === "latency"
        ? [
            "latency",
            indicator.events,
            indicator.field,
            indicator.unit,
            indicator.threshold,
            indicator.op ?? "lte",
          ]
        : [indicator.kind];
  return hash([settings, judged, plan.grouping?.by ?? null, plan.breakdown?.by ?? null]);
}
