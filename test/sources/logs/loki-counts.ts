/**
 * Counting the same LogQL on the real Loki and on the logs source, for the
 * tests that compare the two (loki-agreement, loki-differential): the same
 * lines pushed to Loki under a stream and written to a log file, each query
 * counted by both over the same windows, (end - W, end].
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SloError } from "../../../src/errors.js";
import { countQuery, lokiEndTime } from "../../../src/sources/loki.js";
import type { WindowRequest } from "../../../src/sources/types.js";
import { nanos, type RunningLoki } from "../../support/loki.js";
import { countAll, logsSpec, ratio, request } from "./helpers.js";

/** A query that reads __error__ or __error_details__: Loki's metric query fails whole on it, its log query does not. */
export const READS_ERRORS = /__error(?:_details)?__/;

/** One line and its time (ms since the epoch). */
export type TimedLine = [ms: number, line: string];

/** The lines in Loki under `stream` and in <dir>/app.log (each line carries its own time for the logs source); the dir. */
export async function storeLines(
  loki: RunningLoki,
  stream: Record<string, string>,
  lines: TimedLine[],
): Promise<string> {
  await loki.push([{ stream, values: lines.map(([ms, line]) => [nanos(ms), line]) }]);
  const dir = mkdtempSync(join(tmpdir(), "slo-loki-counts-"));
  writeFileSync(join(dir, "app.log"), `${lines.map(([, line]) => line).join("\n")}\n`);
  return dir;
}

/** How many lines Loki's log query returns over (end - W, end]. */
export async function lokiLogQueryCount(
  loki: RunningLoki,
  query: string,
  w: WindowRequest,
): Promise<number> {
  const params = new URLSearchParams({
    query,
    start: nanos(w.startMs, 1),
    end: lokiEndTime(w.endMs),
    limit: "5000",
    direction: "forward",
  });
  const body = await lokiAnswer(loki, "query_range", params, query);
  const result = (body as { data: { result: { values: unknown[] }[] } }).data.result;
  return result.reduce((sum, stream) => sum + stream.values.length, 0);
}

/**
 * What Loki counts for the log query over (end - W, end] with the metric
 * query the Loki source sends (countQuery, at the instant the source uses).
 */
export async function lokiMetricCount(
  loki: RunningLoki,
  logQuery: string,
  w: WindowRequest,
): Promise<number> {
  const query = countQuery(logQuery, w.endMs - w.startMs);
  const params = new URLSearchParams({ query, time: lokiEndTime(w.endMs) });
  const body = await lokiAnswer(loki, "query", params, query);
  const result = (body as { data: { result: { value: [number, string] }[] } }).data.result;
  return result.reduce((sum, sample) => sum + Number(sample.value[1]), 0);
}

async function lokiAnswer(
  loki: RunningLoki,
  endpoint: string,
  params: URLSearchParams,
  query: string,
): Promise<unknown> {
  const response = await fetch(`${loki.url}/loki/api/v1/${endpoint}?${params}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`Loki: ${query}: HTTP ${response.status} ${body}`);
  return JSON.parse(body);
}

/**
 * Each query's count by the logs source, per window key, reading the file
 * once for all of them; a query the source refuses gives its error's text.
 */
export async function logsSourceCounts(
  dir: string,
  labels: Record<string, string>,
  queries: string[],
  windows: WindowRequest[],
): Promise<(Record<string, number> | string)[]> {
  const results = await countAll(
    logsSpec(["app.log"], { baseDir: dir, labels }),
    queries.map((query) => request(ratio({ total: query, bad: query }), { windows })),
  );
  return results.map((result) =>
    result instanceof SloError
      ? result.format()
      : Object.fromEntries(windows.map((w) => [w.key, result.windows[w.key]!.total])),
  );
}

/** Run `task` over `items`, at most `width` at a time, keeping their order. */
export async function inBatches<I, O>(
  items: I[],
  width: number,
  task: (item: I) => Promise<O>,
): Promise<O[]> {
  const out: O[] = [];
  for (let i = 0; i < items.length; i += width) {
    out.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  }
  return out;
}
