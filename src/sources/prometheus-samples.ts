/**
 * A value sampled over time on Prometheus: a query_range of the query itself
 * on one grid of instants, ending at the request's latest end and reaching
 * back to its earliest start, one sample per step. Timeslices sample once per
 * slice, at its end; occurrences every DEFAULT_SAMPLE_STEP_MS. The samples go
 * back as read: the pipeline judges and counts them.
 */

import { DEFAULT_SAMPLE_STEP_MS } from "../defaults.js";
import type { SampleJudge, SloSpec } from "../definition/model.js";
import { sourceError } from "../errors.js";
import { MAX_SAMPLES_PER_SLO } from "../limits.js";
import type { QueryApi } from "./query-api/client.js";
import { type QueryLimits, seriesChunks } from "./query-api/series.js";
import type { CountRequest, CountResult, SeriesRequest } from "./types.js";

const SECOND_MS = 1000;

export async function sampleRequest(
  api: QueryApi,
  limits: QueryLimits,
  request: CountRequest,
  query: string,
  judge: SampleJudge,
  warnings: string[] = [],
): Promise<CountResult> {
  const grid = sampleGrid(request, sampleStep(request.slo));
  const atMs: number[] = [];
  const values: number[] = [];
  // Chunks are read in order so the samples stay in time order.
  for (const chunk of seriesChunks(grid, limits)) {
    const series = await api.range(query, chunk, grid.stepMs);
    if (series.length > 1) throw manySeries(api, request.slo, query, series.length);
    for (const [t, v] of series[0]?.values ?? []) {
      atMs.push(t);
      values.push(v);
    }
  }
  return {
    windows: {},
    series: {},
    breakdown: [],
    diagnostics: { queries: api.queries, ...(warnings.length > 0 ? { warnings } : {}) },
    samples: { atMs, values, judge, stepMs: grid.stepMs, query },
  };
}

/** Timeslices: one sample per slice; occurrences: the default step. */
function sampleStep(slo: SloSpec): number {
  return slo.budgetingMethod !== "occurrences" && slo.timeslice
    ? slo.timeslice.durationMs
    : DEFAULT_SAMPLE_STEP_MS;
}

/** Instants end - (n-1)*step .. end covering every window and bucket; a longer step past the limit. */
function sampleGrid(request: CountRequest, baseStepMs: number): SeriesRequest {
  const ends = [
    ...request.windows.map((w) => w.endMs),
    ...request.series.map((s) => s.startMs + s.count * s.stepMs),
  ];
  const starts = [
    ...request.windows.map((w) => w.startMs),
    ...request.series.map((s) => s.startMs),
  ];
  const endMs = Math.max(...ends);
  const span = Math.max(0, endMs - Math.min(...starts));
  const fitting = Math.ceil(span / MAX_SAMPLES_PER_SLO / SECOND_MS) * SECOND_MS;
  const stepMs = Math.max(baseStepMs, fitting);
  const count = Math.max(1, Math.ceil(span / stepMs));
  return { key: "samples", startMs: endMs - count * stepMs, stepMs, count };
}

function manySeries(api: QueryApi, slo: SloSpec, query: string, count: number) {
  return sourceError(
    `${api.where}: SLO '${slo.name}': the query returned ${count} series; a sampled value must be one series at each instant: ${query}`,
    "aggregate it to one value, e.g. max(...), avg(...) or histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
  );
}
