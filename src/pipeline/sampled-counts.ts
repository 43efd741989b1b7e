/**
 * A sampled value's samples -> the counts every window and bucket of its
 * request asks for, judged by the engine (engine/samples.ts). The source only
 * reads the samples: sources may not import the engine.
 */

import { formatDuration } from "../definition/duration.js";
import type { SampleJudge } from "../definition/model.js";
import { countSamplesIn, countSamplesPerBucket, type Judge } from "../engine/samples.js";
import type { CountRequest, CountResult } from "../sources/types.js";

/** The result with its counts filled from its samples; a result of counts as it is. */
export function countedFromSamples(
  request: CountRequest,
  result: CountResult,
  slicesKey?: string,
): CountResult {
  const sampled = result.samples;
  if (!sampled) return result;
  const judge = engineJudge(sampled.judge);
  const samples = { atMs: sampled.atMs, values: sampled.values };
  const windows = Object.fromEntries(
    request.windows.map((w) => [w.key, countSamplesIn(samples, judge, w)]),
  );
  const series = Object.fromEntries(
    request.series.map((s) => [s.key, countSamplesPerBucket(samples, judge, s)]),
  );
  const slices = slicesKey === undefined ? undefined : series[slicesKey];
  const { slo } = request;
  const notes = [
    samplingNote(sampled.stepMs, slo.budgetingMethod === "occurrences" || !slo.timeslice),
  ];
  const withoutData = slices?.filter((c) => c.total === 0).length ?? 0;
  if (slices && withoutData > 0)
    notes.push(
      `${withoutData} of ${slices.length} time slice(s) had no sample (the query returned nothing): not counted`,
    );
  const warnings = [...(result.diagnostics.warnings ?? []), ...notes];
  return { ...result, windows, series, diagnostics: { ...result.diagnostics, warnings } };
}

function samplingNote(stepMs: number, eachAnEvent: boolean): string {
  const every = formatDuration(stepMs);
  return eachAnEvent
    ? `a sampled value: the query was read every ${every}, each sample counted as one event`
    : `a sampled value: the query was read once per ${every} time slice, at its end`;
}

function engineJudge(judge: SampleJudge): Judge {
  return judge.kind === "threshold"
    ? { kind: "threshold", op: judge.op, threshold: judge.threshold }
    : judge;
}
