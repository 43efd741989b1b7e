/**
 * The `logs` source: structured JSON log files (NDJSON, .gz, globs, stdin)
 * evaluated locally with LogQL log pipelines. All the requests on the
 * sources that read the same files the same way are answered from one read
 * of them; big inputs are read by the run's one pool of worker threads, big
 * plain files in byte ranges.
 */

import { availableParallelism } from "node:os";
import type { LogsSourceSpec } from "../../definition/model.js";
import { type SloError, sourceError } from "../../errors.js";
import type { CountRequest, CountResult, LineSample, Source } from "../types.js";
import { cachedRead, type LogCacheOptions } from "./cache/cached-read.js";
import { planRequest, type RequestPlan } from "./evaluation/request-plan.js";
import { Tally } from "./evaluation/tally.js";
import {
  type JobResult,
  type LogJob,
  OrderedMerge,
  planJobs,
  type ReadDiagnostics,
  runJob,
} from "./parallel/jobs.js";
import { JobError, WorkerPool, workersAvailable } from "./parallel/worker-pool.js";
import { type LogInput, resolveInputs } from "./reading/inputs.js";

export interface LogsSourceOptions {
  /** what "-" reads; process.stdin by default. It can be read only once. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** called as input is read: raw bytes so far and in all (stdin counts in neither total) */
  onProgress?: ((bytesDone: number, bytesTotal: number) => void) | undefined;
  /** most worker threads alive at once, for the whole run; 0 reads on this thread only. Default: the cores available. */
  workers?: number | undefined;
  /** files smaller than this in all are read on this thread (default 64 MiB: starting workers costs) */
  parallelMinBytes?: number | undefined;
  /** the tally cache: what earlier runs counted, so a rerun reads only what is new; absent, no cache */
  cache?: LogCacheOptions | undefined;
}

export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Byte ranges per worker for a big plain file: two each, so the work evens
 * out. More, smaller ranges measured slower (1 GB: 1.26 s with 2, 1.35 s with
 * 4, median of 6): each is a round trip through the main thread, which has to
 * wait for a core while both workers run.
 */
const RANGES_PER_WORKER = 2;

export function createLogsSource(spec: LogsSourceSpec, options: LogsSourceOptions = {}): Source {
  return {
    name: spec.name,
    type: "logs",
    count: async (requests) => (await countLogSources([{ spec, requests }], options))[0]!,
    findDeploys: async (deploys, range) =>
      (await import("../deploys/log-file-deploys.js")).findLogFileDeploys(
        spec,
        deploys,
        range,
        options,
      ),
  };
}

/** A logs source and the requests on it. */
export interface LogsCount {
  spec: LogsSourceSpec;
  requests: CountRequest[];
}

/**
 * Count every source's requests, each answer a result or the error for that
 * request. Sources that read the same files the same way (the same files in
 * the same order, the same timestamp option and labels) share one read, so
 * many SLO files that each declare a source over one log read it once; the
 * worker threads of every read come from one pool.
 */
export async function countLogSources(
  counts: LogsCount[],
  options: LogsSourceOptions = {},
): Promise<(CountResult | SloError)[][]> {
  const answers = counts.map((c) => new Array<CountResult | SloError>(c.requests.length));
  const prepared = await Promise.all(counts.map((c, i) => prepareSource(c, answers[i]!)));
  const reads = sharedReads(prepared.filter((p): p is PreparedSource => p !== null));

  const bytesTotal = reads.reduce((sum, read) => sum + fileBytes(read.inputs), 0);
  let bytesDone = 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        bytesDone += n;
        options.onProgress!(bytesDone, bytesTotal);
      }
    : undefined;

  const workers = options.workers ?? availableParallelism();
  const parallel =
    workers > 0 &&
    bytesTotal >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES) &&
    workersAvailable();
  const pool = parallel ? new WorkerPool(workers) : null;
  const context: ReadContext = {
    pool,
    rangeBytes: pool ? bytesTotal / (workers * RANGES_PER_WORKER) : Number.POSITIVE_INFINITY,
    parallelMinBytes: options.parallelMinBytes ?? PARALLEL_MIN_BYTES,
    stdin: options.stdin,
    onBytes,
    cache: options.cache,
  };
  try {
    await Promise.all(reads.map((read) => countRead(read, context)));
  } finally {
    await pool?.close();
  }
  return answers;
}

/** A source whose requests compiled and whose paths resolved. */
interface PreparedSource {
  spec: LogsSourceSpec;
  inputs: LogInput[];
  plans: RequestPlan[];
  requests: CountRequest[];
  /** where each plan's answer goes */
  answers: (CountResult | SloError)[];
  planIndex: number[];
}

/** Compile the requests and resolve the paths; what fails is answered here (null: nothing left to read). */
async function prepareSource(
  { spec, requests }: LogsCount,
  answers: (CountResult | SloError)[],
): Promise<PreparedSource | null> {
  const source: PreparedSource = {
    spec,
    inputs: [],
    plans: [],
    requests: [],
    answers,
    planIndex: [],
  };
  requests.forEach((request, i) => {
    const plan = planRequest(request, spec);
    if ("kind" in plan) {
      source.plans.push(plan);
      source.requests.push(request);
      source.planIndex.push(i);
    } else {
      answers[i] = plan;
    }
  });
  if (source.plans.length === 0) return null;
  const inputs = await resolveInputs(spec.name, spec.paths, spec.baseDir);
  if (!Array.isArray(inputs)) {
    for (const i of source.planIndex) answers[i] = inputs;
    return null;
  }
  source.inputs = inputs;
  return source;
}

/** Sources that read the same files the same way, read together; the first one's inputs name the files. */
interface SharedRead {
  sources: PreparedSource[];
  inputs: LogInput[];
}

function sharedReads(sources: PreparedSource[]): SharedRead[] {
  const reads = new Map<string, SharedRead>();
  for (const source of sources) {
    const key = readKey(source);
    const read = reads.get(key);
    if (read) read.sources.push(source);
    else reads.set(key, { sources: [source], inputs: source.inputs });
  }
  return [...reads.values()];
}

/** What decides how lines are read: the files in order, how the time is read, the labels. */
function readKey({ spec, inputs }: PreparedSource): string {
  const labels = Object.entries(spec.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const files = inputs.map((i) => (i.kind === "file" ? [i.path, i.gzip] : "-"));
  const from = spec.timestampFrom ? [spec.timestampFrom.kind, spec.timestampFrom.expression] : null;
  const time = [spec.timestamp, spec.timestampFormat ?? null, from];
  return JSON.stringify([files, time, labels]);
}

function fileBytes(inputs: LogInput[]): number {
  return inputs.reduce((sum, input) => sum + (input.kind === "file" ? input.size : 0), 0);
}

interface ReadContext {
  pool: WorkerPool | null;
  rangeBytes: number;
  parallelMinBytes: number;
  stdin: NodeJS.ReadableStream | undefined;
  onBytes: ((n: number) => void) | undefined;
  cache: LogCacheOptions | undefined;
}

/** One read for every source in it; each gets its own requests' answers, with its own file names. */
async function countRead(read: SharedRead, context: ReadContext): Promise<void> {
  const spec = read.sources[0]!.spec;
  const plans = read.sources.flatMap((s) => s.plans);
  const requests = read.sources.flatMap((s) => s.requests);
  let tallies: (Tally | null)[] = plans.map(() => null);
  let diagnostics: ReadDiagnostics | null = null;
  try {
    if (context.cache) {
      const cached = await cachedRead(
        { spec, inputs: read.inputs, plans, requests },
        context.cache,
        (indices, jobs, onResult) =>
          runSome(jobs, spec, indices, plans, requests, context, onResult),
        context.rangeBytes,
      );
      if (cached) ({ tallies, diagnostics } = cached);
    }
    // what the cache did not answer (or all, without it): read cold, as always
    const cold = plans.flatMap((_, i) => (tallies[i] === null ? [i] : []));
    if (cold.length > 0) {
      const counted = await readCold(read.inputs, spec, cold, plans, requests, context);
      cold.forEach((p, k) => {
        tallies[p] = counted.tallies[k]!;
      });
      // a cached read's diagnostics cover every plan; a cold read after it only some
      diagnostics ??= counted.diagnostics;
    }
  } catch (error) {
    for (const source of read.sources) {
      const failure = readError(source.spec, error, displayMap(read.inputs, source.inputs));
      for (const i of source.planIndex) source.answers[i] = failure;
    }
    return;
  }
  let first = 0;
  for (const source of read.sources) {
    const own = displayMap(read.inputs, source.inputs);
    source.plans.forEach((plan, k) => {
      source.answers[source.planIndex[k]!] = answerOf(plan, tallies[first + k]!, diagnostics!, own);
    });
    first += source.plans.length;
  }
}

/** A source's answer to one request, its samples named as the source names its files. */
function answerOf(
  plan: RequestPlan,
  tally: Tally,
  diagnostics: ReadDiagnostics,
  display: (file: string) => string,
): CountResult {
  const samples = (list: LineSample[]) => list.map((s) => ({ ...s, file: display(s.file) }));
  const grouped = tally.groups();
  return {
    windows: tally.windows(),
    series: tally.series(),
    ...(grouped ? { groups: grouped.groups, untallied: grouped.untallied } : {}),
    breakdown: tally.breakdown(),
    diagnostics: {
      lines: diagnostics.lines,
      malformed: {
        count: diagnostics.malformed.count,
        samples: samples(diagnostics.malformed.samples),
      },
      tooLong: {
        count: diagnostics.tooLong.count,
        samples: samples(diagnostics.tooLong.samples),
      },
      noTimestamp: {
        count: diagnostics.noTimestamp.count,
        samples: samples(diagnostics.noTimestamp.samples),
      },
      ...(diagnostics.damaged.count > 0
        ? {
            damaged: {
              count: diagnostics.damaged.count,
              files: diagnostics.damaged.files.map((f) => ({ ...f, file: display(f.file) })),
            },
          }
        : {}),
      ...(plan.kind === "latency" ? { missingField: tally.state.missingField } : {}),
    },
    excluded: tally.excluded(),
    excludedOnce: tally.excludedOnce(),
  };
}

/** The read's name of each file to a source's own (the inputs are the same files, in the same order). */
function displayMap(readInputs: LogInput[], own: LogInput[]): (file: string) => string {
  if (readInputs === own) return (file) => file;
  const names = new Map(readInputs.map((input, i) => [input.display, own[i]!.display]));
  return (file) => names.get(file) ?? file;
}

/** Some of a read's plans (by index) counted cold: every file from the start. */
async function readCold(
  inputs: LogInput[],
  spec: LogsSourceSpec,
  indices: number[],
  allPlans: RequestPlan[],
  allRequests: CountRequest[],
  context: ReadContext,
): Promise<{ tallies: Tally[]; diagnostics: ReadDiagnostics }> {
  const plans = indices.map((i) => allPlans[i]!);
  const jobs = planJobs(inputs, context.rangeBytes);
  const tallies = plans.map((plan) => new Tally(plan));
  const merge = new OrderedMerge(jobs, tallies);
  if (context.pool) {
    const requests = indices.map((i) => allRequests[i]!);
    await runParallel(jobs, spec, requests, plans, context, merge);
  } else {
    await runHere(jobs, jobs.keys(), plans, spec, context, merge);
  }
  return { tallies, diagnostics: merge.diagnostics };
}

/**
 * The cache's jobs over some of the plans, each result as it comes: in the
 * pool when there is one and they read enough to be worth it (a rerun's
 * few new lines are read here, without waiting for threads to start).
 */
async function runSome(
  jobs: LogJob[],
  spec: LogsSourceSpec,
  indices: number[],
  allPlans: RequestPlan[],
  allRequests: CountRequest[],
  context: ReadContext,
  onResult: (job: number, result: JobResult) => void,
): Promise<void> {
  const plans = indices.map((i) => allPlans[i]!);
  const bytes = jobs.reduce(
    (sum, job) =>
      sum +
      (job.kind === "range"
        ? Math.min(job.to, job.from + context.parallelMinBytes) - job.from
        : job.input.kind === "file"
          ? job.input.size
          : 0),
    0,
  );
  if (context.pool && bytes >= context.parallelMinBytes) {
    const requests = indices.map((i) => allRequests[i]!);
    await context.pool.run(spec, requests, jobs, onResult, context.onBytes);
    return;
  }
  const options = { stdin: context.stdin, onBytes: context.onBytes };
  for (const [j, job] of jobs.entries()) {
    try {
      onResult(j, await runJob(job, plans, spec, options));
    } catch (error) {
      throw new JobError(job, error instanceof Error ? error.message : String(error));
    }
  }
}

async function runHere(
  jobs: LogJob[],
  indices: Iterable<number>,
  plans: RequestPlan[],
  spec: LogsSourceSpec,
  context: ReadContext,
  merge: OrderedMerge,
): Promise<void> {
  const options = { stdin: context.stdin, onBytes: context.onBytes };
  for (const j of indices) {
    const job = jobs[j]!;
    try {
      merge.add(j, await runJob(job, plans, spec, options));
    } catch (error) {
      throw new JobError(job, error instanceof Error ? error.message : String(error));
    }
  }
}

/** Files and ranges in the pool's workers; stdin (which only this thread can read) here, meanwhile. */
async function runParallel(
  jobs: LogJob[],
  spec: LogsSourceSpec,
  requests: CountRequest[],
  plans: RequestPlan[],
  context: ReadContext,
  merge: OrderedMerge,
): Promise<void> {
  const isStdin = (j: number) => {
    const job = jobs[j]!;
    return job.kind === "stream" && job.input.kind === "stdin";
  };
  const all = [...jobs.keys()];
  const fileJobs = all.filter((j) => !isStdin(j));
  const stdinJobs = all.filter(isStdin);
  await Promise.all([
    context.pool!.run(
      spec,
      requests,
      fileJobs.map((j) => jobs[j]!),
      (i, result) => merge.add(fileJobs[i]!, result),
      context.onBytes,
    ),
    runHere(jobs, stdinJobs, plans, spec, context, merge),
  ]);
}

function readError(
  spec: LogsSourceSpec,
  error: unknown,
  display: (file: string) => string,
): SloError {
  const reason = error instanceof Error ? error.message : String(error);
  if (!(error instanceof JobError)) {
    return sourceError(`logs source '${spec.name}': cannot read: ${reason}`);
  }
  const file = error.job.kind === "range" ? error.job.display : error.job.input.display;
  return sourceError(`logs source '${spec.name}': cannot read ${display(file)}: ${reason}`);
}
