/**
 * A logs source's read, cut into jobs (a file, a byte range of a big plain
 * file, stdin) that run on this thread or in workers, each with its own
 * Evaluator; their results are merged in job order, so the counts and the
 * samples do not depend on which job finished first.
 */

import type { LogsSourceSpec } from "../../../definition/model.js";
import type { DamagedInput, LineSample } from "../../types.js";
import {
  Evaluator,
  type EventTally,
  emptyDiagnostics,
  MAX_SAMPLES,
  type SampledCount,
  type ScanDiagnostics,
} from "../evaluation/evaluator.js";
import { evaluatorEvents } from "../evaluation/evaluator-events.js";
import { type MinuteState, MinuteTally } from "../evaluation/minute-tally.js";
import type { RequestPlan } from "../evaluation/request-plan.js";
import type { Tally, TallyState } from "../evaluation/tally.js";
import type { LogInput } from "../reading/inputs.js";
import { readLines } from "../reading/line-splitter.js";
import { readRangeLines } from "../reading/range-reader.js";
import { fileChunks, GzipDamage, sniffedChunks } from "../reading/stream-chunks.js";

export type LogJob = (
  | { kind: "stream"; input: LogInput }
  | { kind: "range"; path: string; display: string; from: number; to: number }
) & {
  /** the tally cache: count into minute buckets over (fromMs, toMs] (MinuteTally), not into windows */
  minutes?: { fromMs: number; toMs: number } | undefined;
};

export interface JobResult {
  /** empty for a job with `minutes` */
  tallies: TallyState[];
  /** a job with `minutes`: each plan's buckets */
  minuteTallies?: MinuteState[] | undefined;
  /** samples carry line numbers counted from the job's first line */
  diagnostics: ScanDiagnostics;
  /** the input broke part-way (a damaged .gz): the lines before it are in the tallies */
  damage?: { offset: number; reason: string } | undefined;
}

/** The diagnostics of a whole read: the lines' and the inputs that broke part-way. */
export interface ReadDiagnostics extends ScanDiagnostics {
  damaged: { count: number; files: DamagedInput[] };
}

/** Smallest byte range worth a job of its own. */
export const MIN_RANGE_BYTES = 16 * 1024 * 1024;

/**
 * The jobs for the inputs: plain files cut into ranges (whole when small), a
 * .gz file or stdin whole (they cannot be cut). A big file's ranges are of
 * about rangeBytes, then halve towards its end (down to minRangeBytes): the
 * threads take the next job as they finish one, so the last jobs being small
 * evens out threads that ran at different speeds (a busy machine), where
 * equal ranges left one thread idle while the other read its last one.
 */
export function planJobs(
  inputs: LogInput[],
  rangeBytes: number,
  minRangeBytes = MIN_RANGE_BYTES,
): LogJob[] {
  const jobs: LogJob[] = [];
  const size = Math.max(rangeBytes, minRangeBytes);
  for (const input of inputs) {
    if (input.kind === "stdin" || input.gzip) {
      jobs.push({ kind: "stream", input });
      continue;
    }
    const bounds = rangeBounds(input.size, size, minRangeBytes);
    for (let i = 0; i + 1 < bounds.length; i++) {
      jobs.push({
        kind: "range",
        path: input.path,
        display: input.display,
        from: bounds[i]!,
        // the last range reads to the end, even if the file grew meanwhile
        to: i + 2 === bounds.length ? Number.POSITIVE_INFINITY : bounds[i + 1]!,
      });
    }
  }
  return jobs;
}

/**
 * Where a file of fileSize bytes is cut: ranges of size while more than size
 * is left, then each half of what is left (at least minSize); a file of
 * about one range (up to 1.5 of it) is not cut at all.
 */
export function rangeBounds(fileSize: number, size: number, minSize: number): number[] {
  if (fileSize <= size * 1.5) return [0, fileSize];
  const bounds = [0];
  let from = 0;
  while (from < fileSize) {
    const left = fileSize - from;
    let take = left > size ? size : Math.max(minSize, left / 2);
    if (left - take < minSize) take = left;
    from = Math.min(fileSize, Math.floor(from + take));
    bounds.push(from);
  }
  return bounds;
}

export async function runJob(
  job: LogJob,
  plans: RequestPlan[],
  spec: LogsSourceSpec,
  options: {
    stdin?: NodeJS.ReadableStream | undefined;
    onBytes?: ((n: number) => void) | undefined;
  },
): Promise<JobResult> {
  const minutes = job.minutes
    ? plans.map((plan) => new MinuteTally(plan, job.minutes!.fromMs, job.minutes!.toMs))
    : null;
  const evaluator = new Evaluator<EventTally>(plans, spec, {
    tallies: minutes ? { list: minutes, ...job.minutes! } : undefined,
  });
  const states = () =>
    minutes
      ? { tallies: [], minuteTallies: minutes.map((t) => t.state) }
      : { tallies: evaluator.tallies.map((t) => (t as Tally).state) };
  const buffers = evaluator.readBuffers;
  if (job.kind === "range") {
    await readRangeLines(
      job.path,
      { from: job.from, to: job.to },
      evaluatorEvents(evaluator, job.display, job.from === 0),
      { buffers, onBytes: options.onBytes },
    );
  } else {
    const { input } = job;
    const chunks =
      input.kind === "stdin"
        ? sniffedChunks(options.stdin ?? process.stdin)
        : fileChunks(input.path, input.gzip, options.onBytes);
    try {
      await readLines(chunks, evaluatorEvents(evaluator, input.display, true), buffers);
    } catch (error) {
      // the lines before the damage stay counted; the read reports the rest as missing
      if (!(error instanceof GzipDamage)) throw error;
      return {
        ...states(),
        diagnostics: evaluator.diagnostics,
        damage: { offset: error.offset, reason: error.message },
      };
    }
  }
  return { ...states(), diagnostics: evaluator.diagnostics };
}

/** Add the job results, in job order, to the tallies; the diagnostics of them all. */
export function mergeResults(
  jobs: LogJob[],
  results: JobResult[],
  tallies: Tally[],
): ReadDiagnostics {
  const merge = new OrderedMerge(jobs, tallies);
  results.forEach((result, j) => {
    merge.add(j, result);
  });
  return merge.diagnostics;
}

/**
 * Job results added to the tallies in job order as they come (samples and
 * their line numbers depend on it): only results that came before an
 * earlier job's wait, so a read of many files does not hold every file's
 * tallies at once.
 */
export class OrderedMerge {
  readonly diagnostics: ReadDiagnostics = {
    ...emptyDiagnostics(),
    damaged: { count: 0, files: [] },
  };
  private readonly waiting = new Map<number, JobResult>();
  private next = 0;
  /** lines before each job in its file, for the samples' line numbers */
  private readonly linesBefore = new Map<string, number>();

  constructor(
    private readonly jobs: LogJob[],
    private readonly tallies: Tally[],
  ) {}

  add(index: number, result: JobResult): void {
    this.waiting.set(index, result);
    for (let ready = this.waiting.get(this.next); ready; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.mergeOne(this.jobs[this.next]!, ready);
      this.next++;
    }
  }

  private mergeOne(job: LogJob, result: JobResult): void {
    const merged = this.diagnostics;
    const file = job.kind === "range" ? job.path : job.input.kind === "file" ? job.input.path : "-";
    const offset = this.linesBefore.get(file) ?? 0;
    this.linesBefore.set(file, offset + result.diagnostics.lines);
    result.tallies.forEach((state, p) => {
      this.tallies[p]!.merge(state);
    });
    merged.lines += result.diagnostics.lines;
    addSamples(merged.malformed, result.diagnostics.malformed, offset);
    addSamples(merged.tooLong, result.diagnostics.tooLong, offset);
    addSamples(merged.noTimestamp, result.diagnostics.noTimestamp, offset);
    if (result.damage) addDamaged(merged.damaged, job, result);
  }
}

function addDamaged(into: ReadDiagnostics["damaged"], job: LogJob, result: JobResult): void {
  into.count++;
  if (into.files.length >= MAX_SAMPLES) return;
  const file = job.kind === "range" ? job.display : job.input.display;
  into.files.push({ file, ...result.damage!, lines: result.diagnostics.lines });
}

function addSamples(into: SampledCount, from: SampledCount, lineOffset: number): void {
  into.count += from.count;
  for (const sample of from.samples) {
    if (into.samples.length >= MAX_SAMPLES) break;
    const shifted: LineSample = { ...sample, line: sample.line + lineOffset };
    into.samples.push(shifted);
  }
}
