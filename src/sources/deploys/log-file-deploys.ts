/**
 * Deploys in log files: the lines a LogQL log query selects, each a deploy
 * at the line's time of the version its `version` field holds. The query runs
 * through the logs source's own compiled queries and line readers, so a
 * deploy line is matched exactly as the counting queries match lines; the
 * version is read as the breakdown field is (a capture of the query's
 * pattern or regexp, else the line's field, else a stream label). Lines
 * are read as the counting evaluator reads them: by the fast path's
 * tokenizer where it can, else parsed in full, with the same answers.
 */

import { parseLogQuery } from "../../definition/logql/parse.js";
import type { Deploy, DeploySpec, LogsSourceSpec } from "../../definition/model.js";
import { SloError, sourceError, specError } from "../../errors.js";
import { type CompiledQuery, compileQuery, nameId } from "../logs/evaluation/compiled-query.js";
import { FastLine } from "../logs/fast-path/fast-line.js";
import { JsonExtractor } from "../logs/fast-path/json-extractor.js";
import { jsonTokenizer } from "../logs/fast-path/json-tokenizer.js";
import {
  type LineRecord,
  ParsedLine,
  parseJsonObject,
  TextLine,
} from "../logs/line-parsing/line-record.js";
import { type LineTime, lineTimeReader } from "../logs/line-parsing/line-time.js";
import type { BufferProvider } from "../logs/reading/buffer-provider.js";
import { type LogInput, resolveInputs } from "../logs/reading/inputs.js";
import { readLines } from "../logs/reading/line-splitter.js";
import { fileChunks, GzipDamage, sniffedChunks } from "../logs/reading/stream-chunks.js";
import { FoundDeploys, noVersionFound } from "./found-deploys.js";

export interface LogDeploysOptions {
  /** what "-" reads; process.stdin by default */
  stdin?: NodeJS.ReadableStream | undefined;
}

export async function findLogFileDeploys(
  spec: LogsSourceSpec,
  deploys: DeploySpec,
  range: { startMs: number; endMs: number },
  options: LogDeploysOptions = {},
): Promise<Deploy[]> {
  const label = `logs source '${spec.name}'`;
  if (deploys.kind !== "log-lines") {
    throw specError(
      `deploys: ${label} finds deploys with query and version, not series and versionLabel`,
      deploys.at,
    );
  }
  const parsed = parseLogQuery(deploys.query, { requireSelector: false });
  if (!parsed.ok) {
    throw specError(`deploys: query: LogQL: ${parsed.message}`, deploys.at);
  }
  const query = compileQuery(parsed.query, spec.labels);
  const found = new FoundDeploys();
  if (query.matchesNothing) return [];
  const inputs = await resolveInputs(spec.name, spec.paths, spec.baseDir);
  if (inputs instanceof SloError) throw inputs;
  const scan: DeployScan = {
    spec,
    query,
    version: deploys.version,
    versionId: nameId(deploys.version),
    lineTime: lineTimeReader(spec, nameId(spec.timestamp)),
    range,
    found,
    ...fastPath(spec, query, deploys.version),
  };
  for (const input of inputs) await scanInput(input, scan, options, label);
  noVersionFound(found, `${label}: deploys`, deploys.version);
  return found.newestOldestFirst();
}

interface DeployScan {
  spec: LogsSourceSpec;
  query: CompiledQuery;
  version: string;
  versionId: number;
  lineTime: LineTime;
  range: { startMs: number; endMs: number };
  found: FoundDeploys;
  /** the fast path, when this thread has its tokenizer */
  fast: { extractor: JsonExtractor; line: FastLine } | null;
  buffers: BufferProvider | undefined;
}

/** The fast path's reader for the fields this search reads, as the evaluator sets it up. */
function fastPath(
  spec: LogsSourceSpec,
  query: CompiledQuery,
  version: string,
): Pick<DeployScan, "fast" | "buffers"> {
  const tokenizer = jsonTokenizer();
  if (tokenizer === null) return { fast: null, buffers: undefined };
  const fields = [spec.timestamp, version];
  const extractor = new JsonExtractor({
    flat: [...query.jsonLabels, ...fields],
    raw: fields,
    timestamp: spec.timestamp,
    equals: query.jsonEquals,
  });
  return { fast: { extractor, line: new FastLine(extractor, spec.labels) }, buffers: tokenizer };
}

async function scanInput(
  input: LogInput,
  scan: DeployScan,
  options: LogDeploysOptions,
  label: string,
): Promise<void> {
  const chunks =
    input.kind === "stdin"
      ? sniffedChunks(options.stdin ?? process.stdin)
      : fileChunks(input.path, input.gzip);
  try {
    await readLines(
      chunks,
      {
        onLine(buf, start, end, lineNo) {
          const from = lineNo === 1 && hasByteOrderMark(buf, start, end) ? start + 3 : start;
          scanLine(lineAt(buf, from, end, scan), scan);
        },
      },
      scan.buffers,
    );
  } catch (error) {
    // as when counting: the deploys before a damaged .gz's break are kept
    if (error instanceof GzipDamage) return;
    const reason = error instanceof Error ? error.message : String(error);
    throw sourceError(`${label}: cannot read ${input.display}: ${reason}`);
  }
}

/** The line buf[start, end), read by the fast path where it can; null when blank. */
function lineAt(buf: Buffer, start: number, end: number, scan: DeployScan): LineRecord | null {
  if (scan.fast?.extractor.scan(buf, start, end)) {
    scan.fast.line.reset(buf, start, end);
    return scan.fast.line;
  }
  return lineRecord(buf.toString("utf8", start, end), scan.spec.labels);
}

/** One line: a deploy when its time is in range and the query selects it. */
function scanLine(line: LineRecord | null, scan: DeployScan): void {
  if (line === null) return;
  const t = scan.lineTime(line);
  if (t === null || t <= scan.range.startMs || t > scan.range.endMs) return;
  if (!scan.query.matches(line)) return;
  const version =
    scan.query.capturedLabel?.(line, scan.version) ?? line.fieldText(scan.version, scan.versionId);
  scan.found.add(t, version);
}

/** A line as the evaluator reads it: a JSON object, else text (logfmt, or a captured time). */
function lineRecord(text: string, labels: Record<string, string>): LineRecord | null {
  if (text.trim() === "") return null;
  const object = parseJsonObject(text);
  return object === null ? new TextLine(text, labels) : new ParsedLine(text, object, labels);
}

function hasByteOrderMark(buf: Buffer, start: number, end: number): boolean {
  return (
    end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf
  );
}
