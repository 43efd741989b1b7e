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

/**
 * What one request counts: the queries as the plan uses them, how an event
 * is judged, the groups' fields, and the breakdown field its buckets keep
 * (a request without a breakdown can share the buckets of one with it).
 */
export function requestSignature(
  request: CountRequest,
  plan: RequestPlan,
  settings: string,
  breakdownBy: string | null,
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
  return hash([settings, judged, plan.grouping?.by ?? null, breakdownBy]);
}

/**
 * Each plan's signature (null: not on whole minutes, not cached) and the
 * plan whose buckets it shares: plans that count the same events (the
 * current and the previous window of one SLO) share one set of buckets,
 * kept with the breakdown field of the one that has one.
 */
export function sharedSignatures(
  requests: CountRequest[],
  plans: RequestPlan[],
  cacheable: boolean[],
  settings: string,
): { signatures: (string | null)[]; shares: number[] } {
  const base = plans.map((p, i) =>
    cacheable[i] ? requestSignature(requests[i]!, p, settings, null) : null,
  );
  const fields = new Map<string, Set<string>>();
  plans.forEach((p, i) => {
    const key = base[i];
    if (key === null || key === undefined || p.breakdown === null) return;
    const set = fields.get(key) ?? new Set();
    set.add(p.breakdown.by);
    fields.set(key, set);
  });
  const signatures = plans.map((p, i) => {
    const key = base[i];
    if (key === null || key === undefined) return null;
    const by = fields.get(key);
    // one breakdown field among them: all share it; several: each keeps its own
    const kept = by === undefined ? null : by.size === 1 ? [...by][0]! : (p.breakdown?.by ?? null);
    return requestSignature(requests[i]!, p, settings, kept);
  });
  const first = new Map<string, number>();
  plans.forEach((p, i) => {
    const sig = signatures[i];
    if (sig === null || sig === undefined) return;
    const had = first.get(sig);
    if (had === undefined || (plans[had]!.breakdown === null && p.breakdown !== null))
      first.set(sig, i);
  });
  const shares = signatures.map((sig, i) => (sig === null ? i : first.get(sig)!));
  return { signatures, shares };
}
