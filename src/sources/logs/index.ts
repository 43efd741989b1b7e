/**
 * The `logs` source: structured JSON log files (NDJSON, .gz, globs, stdin)
 * evaluated locally with LogQL log pipelines. All the requests on a source
 * are answered from one read of its files; big inputs are read by worker
 * threads, big plain files in byte ranges.
 */

import { availableParallelism } from "node:os";
import type { LogsSourceSpec } from "../../definition/model.js";
import { type SloError, sourceError } from "../../errors.js";
import type { CountRequest, CountResult, Source } from "../types.js";
import { planRequest, type RequestPlan } from "./evaluation/request-plan.js";
import { Tally } from "./evaluation/tally.js";
import { type JobResult, type LogJob, mergeResults, planJobs, runJob } from "./parallel/jobs.js";
import { JobError, runInWorkers, workersAvailable } from "./parallel/worker-pool.js";
import { resolveInputs } from "./reading/inputs.js";

export interface LogsSourceOptions {
  /** what "-" reads; process.stdin by default. It can be read only once. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** called as input is read: raw bytes so far and in all (stdin counts in neither total) */
  onProgress?: ((bytesDone: number, bytesTotal: number) => void) | undefined;
  /** most worker threads to use; 0 reads on this thread only. Default: the cores available. */
  workers?: number | undefined;
  /** files smaller than this in all are read on this thread (default 64 MiB: starting workers costs) */
  parallelMinBytes?: number | undefined;
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
    count: (requests) => countLogs(spec, requests, options),
  };
}

async function countLogs(
  spec: LogsSourceSpec,
  requests: CountRequest[],
  options: LogsSourceOptions,
): Promise<(CountResult | SloError)[]> {
  const answers: (CountResult | SloError)[] = [];
  const plans: RequestPlan[] = [];
  const planned: CountRequest[] = [];
  const planIndex: number[] = [];
  requests.forEach((request, i) => {
    const plan = planRequest(request, spec);
    if ("kind" in plan) {
      plans.push(plan);
      planned.push(request);
      planIndex.push(i);
    } else {
      answers[i] = plan;
    }
  });
  if (plans.length === 0) return answers;
  const failAll = (error: SloError) => {
    for (const i of planIndex) answers[i] = error;
    return answers;
  };

  const inputs = await resolveInputs(spec.name, spec.paths, spec.baseDir);
  if (!Array.isArray(inputs)) return failAll(inputs);

  const bytesTotal = inputs.reduce(
    (sum, input) => sum + (input.kind === "file" ? input.size : 0),
    0,
  );
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
  const jobs = planJobs(
    inputs,
    parallel ? bytesTotal / (workers * RANGES_PER_WORKER) : Number.POSITIVE_INFINITY,
  );

  let results: JobResult[];
  try {
    results = parallel
      ? await runParallel(jobs, spec, planned, plans, workers, options.stdin, onBytes)
      : await runHere(jobs, plans, spec, options.stdin, onBytes);
  } catch (error) {
    return failAll(readError(spec, error));
  }

  const tallies = plans.map((plan) => new Tally(plan));
  const diagnostics = mergeResults(jobs, results, tallies);
  plans.forEach((plan, p) => {
    const tally = tallies[p]!;
    answers[planIndex[p]!] = {
      windows: tally.windows(),
      series: tally.series(),
      breakdown: tally.breakdown(),
      diagnostics: {
        lines: diagnostics.lines,
        malformed: {
          count: diagnostics.malformed.count,
          samples: [...diagnostics.malformed.samples],
        },
        noTimestamp: {
          count: diagnostics.noTimestamp.count,
          samples: [...diagnostics.noTimestamp.samples],
        },
        ...(diagnostics.damaged.count > 0
          ? {
              damaged: {
                count: diagnostics.damaged.count,
                files: diagnostics.damaged.files.map((f) => ({ ...f })),
              },
            }
          : {}),
        ...(plan.kind === "latency" ? { missingField: tally.state.missingField } : {}),
      },
    };
  });
  return answers;
}

async function runHere(
  jobs: LogJob[],
  plans: RequestPlan[],
  spec: LogsSourceSpec,
  stdin: NodeJS.ReadableStream | undefined,
  onBytes: ((n: number) => void) | undefined,
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of jobs) {
    try {
      results.push(await runJob(job, plans, spec, { stdin, onBytes }));
    } catch (error) {
      throw new JobError(job, error instanceof Error ? error.message : String(error));
    }
  }
  return results;
}

/** Files and ranges in workers; stdin (which only this thread can read) here, meanwhile. */
async function runParallel(
  jobs: LogJob[],
  spec: LogsSourceSpec,
  requests: CountRequest[],
  plans: RequestPlan[],
  workers: number,
  stdin: NodeJS.ReadableStream | undefined,
  onBytes: ((n: number) => void) | undefined,
): Promise<JobResult[]> {
  const isStdin = (job: LogJob) => job.kind === "stream" && job.input.kind === "stdin";
  const fileJobs = jobs.filter((job) => !isStdin(job));
  const stdinJobs = jobs.filter(isStdin);
  const [fileResults, stdinResults] = await Promise.all([
    runInWorkers(fileJobs, spec, requests, workers, onBytes),
    runHere(stdinJobs, plans, spec, stdin, onBytes),
  ]);
  let f = 0;
  let s = 0;
  return jobs.map((job) => (isStdin(job) ? stdinResults[s++]! : fileResults[f++]!));
}

function readError(spec: LogsSourceSpec, error: unknown): SloError {
  const reason = error instanceof Error ? error.message : String(error);
  if (!(error instanceof JobError)) {
    return sourceError(`logs source '${spec.name}': cannot read: ${reason}`);
  }
  const display = error.job.kind === "range" ? error.job.display : error.job.input.display;
  return sourceError(`logs source '${spec.name}': cannot read ${display}: ${reason}`);
}
