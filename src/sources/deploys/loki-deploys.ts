/**
 * Deploys on Loki: the lines a LogQL log query selects in (start, end], read
 * with log queries (`query_range`) newest first, in pages of at most
 * MAX_LOKI_LINES_PER_QUERY lines, until MAX_DEPLOYS_FOUND deploys are found
 * or the range is read. Each line's version is a label of its stream: Loki
 * puts what `| json` and `| logfmt` extract into the labels it answers with
 * (a field named like a stream label as <name>_extracted, which wins, as the
 * line's own field does on log files). The query ends with `| __error__=""`
 * where a stage can fail, as the counting queries do, so a line a parser
 * fails on is no deploy on Loki as in a log file.
 *
 * A log query covers [start, end): (S, E] is asked as [S+1ns, E+1ns)
 * (../shared/docs/loki.md section 4), in parts Loki's max_query_length
 * accepts, the newest first.
 */

import type { Deploy, DeploySpec } from "../../definition/model.js";
import { specError } from "../../errors.js";
import { MAX_DEPLOYS_FOUND, MAX_LOKI_LINES_PER_QUERY } from "../../limits.js";
import { countable, LOKI_MAX_QUERY_LENGTH_MS, lokiEndTime } from "../loki.js";
import type { QueryApi } from "../query-api/client.js";
import { splitRange } from "../query-api/series.js";
import { FoundDeploys, noVersionFound } from "./found-deploys.js";

interface LokiStream {
  stream?: Record<string, string>;
  values?: [string, string][];
}

/** One line of an answer. */
interface LokiLine {
  ns: bigint;
  labels: Record<string, string>;
  /** what tells two lines at the same instant apart */
  key: string;
}

export async function findLokiDeploys(
  api: QueryApi,
  deploys: DeploySpec,
  range: { startMs: number; endMs: number },
  sourceName: string,
): Promise<Deploy[]> {
  if (deploys.kind !== "log-lines") {
    throw specError(
      `deploys: loki source '${sourceName}' finds deploys with query and version, not series and versionLabel`,
      deploys.at,
    );
  }
  const query = countable(deploys.query);
  const found = new FoundDeploys();
  const parts = splitRange(range.startMs, range.endMs, LOKI_MAX_QUERY_LENGTH_MS).reverse();
  for (const part of parts) {
    await readPart(api, query, part, (line) => {
      found.add(nanosToMs(line.ns), versionOf(line.labels, deploys.version));
      return found.count < MAX_DEPLOYS_FOUND;
    });
    if (found.count >= MAX_DEPLOYS_FOUND) break;
  }
  noVersionFound(found, `loki source '${sourceName}': deploys`, deploys.version);
  return found.newestOldestFirst();
}

/**
 * Every line of (start, end], newest first, handed to `take` until it says
 * it has enough. A page ends at its oldest line's instant, included again in
 * the next page (other lines may share it), whose lines already seen there
 * are passed over; a page of nothing new moves past that instant.
 */
async function readPart(
  api: QueryApi,
  query: string,
  part: { startMs: number; endMs: number },
  take: (line: LokiLine) => boolean,
): Promise<void> {
  const start = lokiEndTime(part.startMs);
  let end = BigInt(lokiEndTime(part.endMs));
  let seenAtEnd = new Set<string>();
  for (;;) {
    const data = await api.call(
      "/query_range",
      {
        query,
        start,
        end: end.toString(),
        limit: String(MAX_LOKI_LINES_PER_QUERY),
        direction: "backward",
      },
      query,
    );
    const lines = linesOf(data.result);
    const fresh = lines.filter((l) => !(seenAtEnd.has(l.key) && l.ns === end - 1n));
    for (const line of fresh) if (!take(line)) return;
    if (lines.length < MAX_LOKI_LINES_PER_QUERY) return;
    const oldest = lines[lines.length - 1]!.ns;
    if (fresh.length === 0) {
      // a whole page at one instant, all seen: what is left there cannot be read; go on before it
      end = oldest;
      seenAtEnd = new Set();
      continue;
    }
    const atOldest = lines.filter((l) => l.ns === oldest).map((l) => l.key);
    // a page all at the last page's oldest instant adds to what was seen there
    seenAtEnd = oldest === end - 1n ? new Set([...seenAtEnd, ...atOldest]) : new Set(atOldest);
    end = oldest + 1n;
  }
}

/** The streams' lines, newest first (of equal instants, in a fixed order). */
function linesOf(result: unknown): LokiLine[] {
  const streams = (Array.isArray(result) ? result : []) as LokiStream[];
  const lines: LokiLine[] = [];
  for (const s of streams) {
    const labels = s.stream ?? {};
    const streamKey = JSON.stringify(Object.entries(labels).sort());
    for (const [ns, text] of s.values ?? []) {
      lines.push({ ns: BigInt(ns), labels, key: `${streamKey}\n${ns}\n${text}` });
    }
  }
  return lines.sort((a, b) => (a.ns === b.ns ? (a.key < b.key ? -1 : 1) : a.ns > b.ns ? -1 : 1));
}

function versionOf(labels: Record<string, string>, version: string): string | undefined {
  const extracted = `${version}_extracted`;
  if (Object.hasOwn(labels, extracted)) return labels[extracted];
  return Object.hasOwn(labels, version) ? labels[version] : undefined;
}

/** Unix nanoseconds -> epoch milliseconds, the digits below a millisecond kept as a fraction. */
function nanosToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}
