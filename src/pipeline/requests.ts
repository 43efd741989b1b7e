/** What to ask a source for one SLO at one instant: its windows, buckets and breakdown. */

import { type WindowBounds, windowBounds } from "../engine/windows.js";
import type { CountRequest, WindowRequest } from "../sources/types.js";
import { DAY_MS, HOUR_MS } from "../spec/duration.js";
import type { SloSpec, SourceSpec } from "../spec/model.js";

/** Burn-down chart resolution: enough points for a smooth line, few enough for one query_range. */
export const BURN_DOWN_POINTS = 120;
export const BREAKDOWN_LIMIT = 10;

export interface SloPlan {
  request: CountRequest;
  bounds: WindowBounds;
  /** keys of the series in the request */
  bucketsKey: string;
  slicesKey?: string | undefined;
}

export function planSlo(slo: SloSpec, sourceType: SourceSpec["type"], atMs: number): SloPlan {
  const bounds = windowBounds(
    slo.window.kind === "rolling"
      ? { kind: "rolling", durationMs: slo.window.durationMs }
      : { kind: "calendar", unit: slo.window.unit, timeZone: slo.window.timeZone },
    atMs,
  );
  const lengths = new Map<string, number>([
    ["1h", HOUR_MS],
    ["1d", DAY_MS],
  ]);
  for (const w of slo.alerting.windows) lengths.set(w.short, w.shortMs).set(w.long, w.longMs);
  const windows: WindowRequest[] = [...lengths].map(([key, ms]) => ({
    key,
    startMs: atMs - ms,
    endMs: atMs,
  }));
  windows.push({ key: slo.window.label, startMs: bounds.startMs, endMs: atMs });

  const series: CountRequest["series"] = [];
  const span = atMs - bounds.startMs;
  const points = Math.max(1, Math.min(BURN_DOWN_POINTS, Math.floor(span / 60_000)));
  series.push({ key: "burnDown", startMs: bounds.startMs, stepMs: span / points, count: points });
  let slicesKey: string | undefined;
  if (slo.budgetingMethod !== "occurrences" && slo.timeslice) {
    // Slices end at `at`, so a rolling window holds whole slices.
    const step = slo.timeslice.durationMs;
    const count = Math.max(1, Math.ceil(span / step));
    slicesKey = "slices";
    series.push({ key: slicesKey, startMs: atMs - count * step, stepMs: step, count });
  }
  // Logs name their events by `msg`, like the talk's daily error summary; metrics need a label named.
  const breakdownBy = slo.breakdownBy ?? (sourceType === "prometheus" ? undefined : "msg");
  return {
    request: {
      slo,
      windows,
      series,
      breakdown: breakdownBy ? { by: breakdownBy, limit: BREAKDOWN_LIMIT } : undefined,
    },
    bounds,
    bucketsKey: "burnDown",
    slicesKey,
  };
}
