/**
 * The source for a source spec: one factory, so the pipeline does not care
 * which. Each kind loads on first use: `slo validate` and a logs-only run
 * never load the HTTP sources.
 */

import type { LogsSourceSpec, SourceSpec, UnsupportedSourceSpec } from "../definition/model.js";
import { type SloError, sourceError, toSloError } from "../errors.js";
import type { LogsSourceOptions } from "./logs/index.js";
import type { CountRequest, CountResult, Source } from "./types.js";

export type SourceOptions = LogsSourceOptions;

export async function createSource(spec: SourceSpec, options: SourceOptions = {}): Promise<Source> {
  switch (spec.type) {
    case "logs":
      return (await import("./logs/index.js")).createLogsSource(spec, options);
    case "prometheus":
      return (await import("./prometheus.js")).createPrometheusSource(spec);
    case "loki":
      return (await import("./loki.js")).createLokiSource(spec);
    case "unsupported":
      throw notSupported(spec);
  }
}

/**
 * What each SLO on a source slo cannot query (an OpenSLO Datadog DataSource)
 * is reported with: not evaluated, the others are.
 */
export function notSupported(spec: UnsupportedSourceSpec): SloError {
  return sourceError(
    `source type ${spec.sourceType} is not supported by slo; slo reads prometheus, loki and logs`,
    `this SLO is not evaluated; mark it slo/gate: "false" to report it without failing the run, or evaluate it where its ${spec.sourceType} data is`,
  );
}

/** A source and the requests on it. */
export interface SourceCount {
  spec: SourceSpec;
  requests: CountRequest[];
}

type Answers = (CountResult | SloError)[];

/**
 * Count every source's requests, each source's answers in its requests'
 * order. The HTTP sources count each on its own; the logs sources count
 * together, so those over the same files share one read and every read
 * shares one pool of worker threads.
 */
export async function countSources(
  counts: SourceCount[],
  options: SourceOptions = {},
): Promise<Answers[]> {
  const answers = new Array<Answers>(counts.length);
  const logs: number[] = [];
  const others: Promise<void>[] = [];
  counts.forEach((count, i) => {
    if (count.spec.type === "logs") logs.push(i);
    else
      others.push(
        countSafely((spec) => createSource(spec, options), count).then((a) => {
          answers[i] = a;
        }),
      );
  });
  await Promise.all([...others, countLogs(counts, logs, options, answers)]);
  return answers;
}

async function countLogs(
  counts: SourceCount[],
  indices: number[],
  options: SourceOptions,
  answers: Answers[],
): Promise<void> {
  if (indices.length === 0) return;
  const logsCounts = indices.map((i) => ({
    spec: counts[i]!.spec as LogsSourceSpec,
    requests: counts[i]!.requests,
  }));
  try {
    const { countLogSources } = await import("./logs/index.js");
    const results = await countLogSources(logsCounts, options);
    indices.forEach((i, k) => {
      answers[i] = results[k]!;
    });
  } catch (error) {
    const e = toSloError(error);
    for (const i of indices) answers[i] = counts[i]!.requests.map(() => e);
  }
}

/** One source's answers; a source that throws answers each request with the error. */
export async function countSafely(
  factory: (spec: SourceSpec) => Source | Promise<Source>,
  { spec, requests }: SourceCount,
): Promise<Answers> {
  if (spec.type === "unsupported") return requests.map(() => notSupported(spec));
  try {
    const source = await factory(spec);
    return await source.count(requests);
  } catch (error) {
    const e = toSloError(error);
    return requests.map(() => e);
  }
}
