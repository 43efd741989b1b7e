/**
 * What every source does: turn an SLO's indicator into event counts over
 * time windows. The engine takes these numbers; the source does the I/O.
 */

import type { Deploy, DeploySpec, SampleJudge, SloSpec } from "../definition/model.js";
import type { SloError } from "../errors.js";

export interface Counts {
  good: number;
  total: number;
}

/** A window (startMs, endMs]: left-open, right-closed. */
export interface WindowRequest {
  key: string;
  startMs: number;
  endMs: number;
}

/** Buckets i = 0..count-1, each (startMs + i*stepMs, startMs + (i+1)*stepMs]. */
export interface SeriesRequest {
  key: string;
  startMs: number;
  stepMs: number;
  count: number;
}

/** A period (startMs, endMs], like a window. */
export interface Period {
  startMs: number;
  endMs: number;
}

/**
 * Corrections a source leaves out as it reads (logs): an event inside one
 * of `periods` is counted nowhere; those inside the window keyed `window`
 * are counted per correction instead (an event in two corrections' periods
 * counts for both there, once in none of the windows).
 */
export interface ExcludedPeriods {
  /** every correction's periods merged, oldest first, none touching */
  periods: Period[];
  /** each correction's own periods, merged, in the SLO's order */
  corrections: Period[][];
  window: string;
}

export interface CountRequest {
  slo: SloSpec;
  windows: WindowRequest[];
  series: SeriesRequest[];
  /** events a source that reads them one by one leaves out (logs); others get windows to subtract */
  excluded?: ExcludedPeriods | undefined;
  /** group bad events by this field or label, over the window keyed `window` (default: the longest) */
  breakdown?: { by: string; limit: number; window?: string | undefined } | undefined;
}

/**
 * Bad events of one value of the breakdown field, or in one of slo's own
 * buckets: "none", the events without the field. A bucket is never a value,
 * so a field whose value is the text "(none)" stays apart from it.
 * truncated: the value was cut to MAX_REPORTED_VALUE_CHARS, ending with "…".
 * maxOvercount: the count may be over the truth, by this much at most (a
 * bounded counter's error); absent, the count is exact.
 */
export type BreakdownEntry =
  | { value: string; truncated?: boolean; count: number; maxOvercount?: number }
  | { bucket: "none"; count: number; maxOvercount?: number };

export interface LineSample {
  file: string;
  line: number;
  text: string;
}

/** logs: an input that broke part-way (a damaged .gz): the lines before the break are counted, the rest is not */
export interface DamagedInput {
  file: string;
  /** bytes of the file decoded before the break was found */
  offset: number;
  reason: string;
  /** lines read from it before the break */
  lines: number;
}

/** Lines Loki marked with __error__ in the longest window, counted up to MAX_LOKI_ERROR_LINES. */
export interface ErrorLines {
  count: number;
  /** true when the count stopped at the limit: there are at least that many */
  atLeast: boolean;
  /** the oldest: when, its labels as LogQL writes them (cut to MAX_REPORTED_VALUE_CHARS), its __error__ */
  first?: { atMs: number; stream: string; error: string };
}

export interface SourceDiagnostics {
  /** logs: lines read in all */
  lines?: number;
  /** logs: lines that are not JSON objects */
  malformed?: { count: number; samples: LineSample[] };
  /** logs: lines over the line limit (MAX_LINE_BYTES), skipped unread */
  tooLong?: { count: number; samples: LineSample[] };
  /** logs: lines with no parseable timestamp */
  noTimestamp?: { count: number; samples: LineSample[] };
  /** logs: inputs that broke part-way, so the counts are partial (the first few named) */
  damaged?: { count: number; files: DamagedInput[] };
  /** loki: lines of the SLO's events Loki marked with __error__ (a parser or filter failed), not counted */
  errorLines?: ErrorLines;
  /** latency on logs: matching events that lack the latency field (not counted) */
  missingField?: number;
  /** http sources: queries sent */
  queries?: number;
  /** what the user should know but did not stop the count (a missing metric, a failed breakdown) */
  warnings?: string[];
}

/**
 * A value sampled over time, handed over as read: the pipeline judges and
 * counts the samples of every window and bucket (engine/samples.ts).
 */
export interface SampledValues {
  /** sample times in order, each with its value */
  atMs: number[];
  values: number[];
  judge: SampleJudge;
  /** one sample every stepMs, the last at the request's latest end */
  stepMs: number;
  query: string;
}

/** The counts of some of a grouped SLO's events: every window and series of its request. */
export interface CountsOverTime {
  windows: Record<string, Counts>;
  series: Record<string, Counts[]>;
  /** with corrections: per correction, the events of these it left out of the SLO's window */
  excluded?: Counts[] | undefined;
  /** the events the corrections together left out of the SLO's window, each once (corrections may overlap) */
  excludedOnce?: Counts | undefined;
}

/** One group of a grouped SLO (`groupBy`): the counts of its events alone. */
export interface GroupCounts extends CountsOverTime {
  /** the group's value of each groupBy label or field, in groupBy order; "" where an event has none */
  values: string[];
}

export interface CountResult {
  /** empty when `samples` is given: the counts follow from the samples; a grouped SLO: all its groups' */
  windows: Record<string, Counts>;
  series: Record<string, Counts[]>;
  /** a grouped SLO (`slo.grouping`): each group's counts, in no order */
  groups?: GroupCounts[] | undefined;
  /**
   * logs: the events of the values first seen once the tally held all it
   * keeps apart (tally.ts: groupValuesTallied), counted together: they
   * belong to "(other)"
   */
  untallied?: CountsOverTime | undefined;
  breakdown: BreakdownEntry[];
  diagnostics: SourceDiagnostics;
  samples?: SampledValues | undefined;
  /** per correction of `request.excluded.corrections`: the events it left out of its window */
  excluded?: Counts[] | undefined;
  /** the events the corrections together left out of the window, each once */
  excludedOnce?: Counts | undefined;
}

export interface Source {
  readonly name: string;
  readonly type: string;
  /**
   * Count every request. One failed request does not fail the others:
   * each answer is a result or the error for that SLO.
   */
  count(requests: CountRequest[]): Promise<(CountResult | SloError)[]>;
  /**
   * The deploys `spec` finds in (startMs, endMs], oldest first, each with
   * origin "source". Throws an SloError naming the source when it cannot
   * be read.
   */
  findDeploys?(spec: DeploySpec, range: { startMs: number; endMs: number }): Promise<Deploy[]>;
}

/** The window a breakdown groups over: the one it names, else the request's longest. */
export function breakdownWindow(request: CountRequest): WindowRequest | undefined {
  const named = request.breakdown?.window;
  const exact = named === undefined ? undefined : request.windows.find((w) => w.key === named);
  return exact ?? longestWindow(request.windows);
}

/** The longest of the windows; the first of equals. */
export function longestWindow(windows: readonly WindowRequest[]): WindowRequest | undefined {
  let longest: WindowRequest | undefined;
  for (const w of windows) {
    if (!longest || w.endMs - w.startMs > longest.endMs - longest.startMs) longest = w;
  }
  return longest;
}

/** Counts added up; a missing one counts as none. */
export function addCounts(list: readonly (Counts | undefined)[]): Counts {
  let good = 0;
  let total = 0;
  for (const c of list) {
    good += c?.good ?? 0;
    total += c?.total ?? 0;
  }
  return { good, total };
}
