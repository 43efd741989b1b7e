/**
 * Every request's counts from one pass over the lines: each line is parsed
 * once, its timestamp read once, and then judged by every request's queries.
 */

import { parseGoDurationNanos, parseGoFloat } from "../../../definition/logql/literals.js";
import type { LogsSourceSpec } from "../../../definition/model.js";
import type { LineSample } from "../../types.js";
import { FastLine } from "../fast-path/fast-line.js";
import { JsonExtractor } from "../fast-path/json-extractor.js";
import { jsonTokenizer } from "../fast-path/json-tokenizer.js";
import {
  type LineRecord,
  ParsedLine,
  parseJsonObject,
  TextLine,
} from "../line-parsing/line-record.js";
import { type LineTime, lineTimeReader, readsTimeFromText } from "../line-parsing/line-time.js";
import type { BufferProvider } from "../reading/buffer-provider.js";
import { type BreakdownKey, NONE_KEY, valueKey } from "./breakdown-key.js";
import { type CompiledQuery, nameId } from "./compiled-query.js";
import { PlanJudge } from "./plan-judge.js";
import { reportedText } from "./reported-text.js";
import { fieldsRead, type LatencyPlan, queriesOf, type RequestPlan } from "./request-plan.js";
import { Tally } from "./tally.js";

export const MAX_SAMPLES = 5;

export interface SampledCount {
  count: number;
  samples: LineSample[];
}

export interface ScanDiagnostics {
  lines: number;
  malformed: SampledCount;
  /** lines over MAX_LINE_BYTES: skipped unread, whatever they hold */
  tooLong: SampledCount;
  noTimestamp: SampledCount;
}

export function emptyDiagnostics(): ScanDiagnostics {
  return {
    lines: 0,
    malformed: { count: 0, samples: [] },
    tooLong: { count: 0, samples: [] },
    noTimestamp: { count: 0, samples: [] },
  };
}

export interface EvaluatorOptions<T extends EventTally = Tally> {
  /** read lines with JsonExtractor where it can (default); false: always JSON.parse */
  fastPath?: boolean;
  /** count into these (one per plan) from fromMs on instead of a Tally per plan: the tally cache's minute buckets (each keeps to its own end) */
  tallies?: { list: T[]; fromMs: number; toMs: number } | undefined;
}

/** What the evaluator counts an event into: a Tally, or the cache's MinuteTally. */
export interface EventTally {
  covers(t: number): boolean;
  wantsBreakdown(t: number): boolean;
  record(t: number, good: boolean, breakdownKey?: BreakdownKey, group?: string[]): void;
  missingField(t: number): void;
}

export class Evaluator<T extends EventTally = Tally> {
  readonly tallies: T[];
  readonly diagnostics: ScanDiagnostics = emptyDiagnostics();
  /** (fromMs, toMs]: lines outside every request's windows are skipped early */
  private readonly fromMs: number;
  private readonly toMs: number;
  private readonly lineTime: LineTime;
  /** lines that are not JSON are read as text (their time comes from the text) rather than malformed */
  private readonly textLines: boolean;
  private readonly extractor: JsonExtractor | null;
  private readonly fastLine: FastLine | null;
  /** per plan, its judge on the fast path (or null: countEvent); null when no plan has one */
  private readonly judges: (PlanJudge | null)[] | null;
  /** where the readers best read this evaluator's lines to: the fast path's memory, when it has one */
  readonly readBuffers: BufferProvider | undefined;

  constructor(
    readonly plans: RequestPlan[],
    private readonly spec: LogsSourceSpec,
    options: EvaluatorOptions<T> = {},
  ) {
    const given = options.tallies;
    this.tallies = given ? given.list : (plans.map((p) => new Tally(p)) as unknown as T[]);
    this.fromMs = given ? given.fromMs : Math.min(...plans.map((p) => p.fromMs));
    // the cache's buckets see events past their end too: each moves droppedFrom, so a
    // later run that needs them reads them again instead of taking the buckets as whole
    this.toMs = given ? Number.POSITIVE_INFINITY : Math.max(...plans.map((p) => p.toMs));
    this.lineTime = lineTimeReader(spec, nameId(spec.timestamp));
    this.textLines = readsTimeFromText(spec);
    const tokenizer = options.fastPath === false ? null : jsonTokenizer();
    if (tokenizer === null) {
      this.extractor = null;
      this.fastLine = null;
      this.judges = null;
      this.readBuffers = undefined;
    } else {
      // every field slo reads itself, plus every label a query reads after | json
      const fields = [spec.timestamp, ...plans.flatMap(fieldsRead)];
      const queries = plans.flatMap(queriesOf);
      this.extractor = new JsonExtractor({
        flat: [...queries.flatMap((q) => [...q.jsonLabels]), ...fields],
        raw: fields,
        timestamp: spec.timestamp,
        equals: queries.flatMap((q) => q.jsonEquals),
      });
      this.fastLine = new FastLine(this.extractor, spec.labels);
      this.judges = judgesOf(plans, spec, this.extractor, this.fastLine);
      this.readBuffers = tokenizer;
    }
  }

  /** One line as bytes buf[start, end) (without its line break). */
  lineBytes(buf: Buffer, start: number, end: number, file: string, lineNo: number): void {
    if (this.extractor?.scan(buf, start, end)) {
      this.diagnostics.lines++;
      this.fastLine!.reset(buf, start, end);
      if (this.judges === null) this.record(this.fastLine!, file, lineNo);
      else this.judge(this.judges, file, lineNo);
    } else {
      this.line(buf.toString("utf8", start, end), file, lineNo);
    }
  }

  /** One line of text (without its line break), parsed with JSON.parse. */
  line(text: string, file: string, lineNo: number): void {
    this.diagnostics.lines++;
    if (isBlank(text)) return;
    const object = parseJsonObject(text);
    if (object === null) {
      if (this.textLines) this.record(new TextLine(text, this.spec.labels), file, lineNo);
      else this.notJson(text, file, lineNo);
      return;
    }
    try {
      this.record(new ParsedLine(text, object, this.spec.labels), file, lineNo);
    } catch (error) {
      // JSON.parse takes nesting `| json` cannot flatten (thousands of levels):
      // the first label read throws before the line is counted anywhere.
      if (!(error instanceof RangeError)) throw error;
      this.malformed(text, file, lineNo);
    }
  }

  /**
   * A line that is not a JSON object: its events count when `| logfmt` finds
   * its timestamp field in it (a logfmt log); else it is malformed.
   */
  private notJson(text: string, file: string, lineNo: number): void {
    const line = new TextLine(text, this.spec.labels);
    if (line.timestamp(this.spec.timestamp) === null) this.malformed(text, file, lineNo);
    else this.record(line, file, lineNo);
  }

  /** A line that is neither a JSON object nor logfmt with a timestamp. */
  malformed(text: string, file: string, lineNo: number): void {
    addSample(this.diagnostics.malformed, text, file, lineNo);
  }

  /** A line over MAX_LINE_BYTES, of which the reader kept only the first bytes. */
  tooLong(head: string, file: string, lineNo: number): void {
    this.diagnostics.lines++;
    addSample(this.diagnostics.tooLong, head, file, lineNo);
  }

  /**
   * The fast path's line (extractor scanned, fastLine reset) as record()
   * counts it: the time the tokenizer parsed, then each plan's judge, else
   * countEvent. A time the tokenizer did not parse: record() reads it.
   */
  private judge(judges: (PlanJudge | null)[], file: string, lineNo: number): void {
    const t = this.extractor!.timestampParsed();
    if (typeof t !== "number") {
      this.record(this.fastLine!, file, lineNo);
      return;
    }
    if (t <= this.fromMs || t > this.toMs) return;
    for (let i = 0; i < this.plans.length; i++) {
      const tally = this.tallies[i]!;
      if (!tally.covers(t)) continue;
      const judge = judges[i]!;
      if (judge === null || !judge.count(tally, t))
        countEvent(this.plans[i]!, tally, this.fastLine!, t);
    }
  }

  /** A parsed line: find its timestamp, then count it for every request. */
  record(line: LineRecord, file: string, lineNo: number): void {
    const t = this.lineTime(line);
    if (t === null) {
      addSample(this.diagnostics.noTimestamp, line.text(), file, lineNo);
      return;
    }
    if (t <= this.fromMs || t > this.toMs) return;
    for (let i = 0; i < this.plans.length; i++) {
      const tally = this.tallies[i]!;
      if (tally.covers(t)) countEvent(this.plans[i]!, tally, line, t);
    }
  }
}

/**
 * Judges for the plans on the fast path, or null when none has one. Only
 * where the line's time is the timestamp field as RFC 3339 or epoch (no
 * format, no pattern), which the tokenizer parses.
 */
function judgesOf(
  plans: RequestPlan[],
  spec: LogsSourceSpec,
  extractor: JsonExtractor,
  line: FastLine,
): (PlanJudge | null)[] | null {
  if (spec.timestampFormat !== undefined || spec.timestampFrom !== undefined) return null;
  const judges = plans.map((plan) => PlanJudge.of(plan, extractor, line));
  return judges.some((j) => j !== null) ? judges : null;
}

function countEvent(plan: RequestPlan, tally: EventTally, line: LineRecord, t: number): void {
  if (plan.kind === "ratio") {
    if (!plan.total.matches(line)) return;
    const bad = plan.bad ? plan.bad.matches(line) : !plan.good!.matches(line);
    tally.record(
      t,
      !bad,
      bad ? breakdownKey(plan, tally, line, t) : undefined,
      groupValues(plan, plan.total, line),
    );
    return;
  }
  if (!plan.events.matches(line)) return;
  const value = latencyValue(eventField(plan.events, line, plan.field, plan.fieldId), plan.unit);
  if (value === null) {
    tally.missingField(t);
    return;
  }
  const good = plan.isGood(value);
  tally.record(
    t,
    good,
    good ? undefined : breakdownKey(plan, tally, line, t),
    groupValues(plan, plan.events, line),
  );
}

/**
 * A grouped SLO's values of an event, read as the breakdown reads its field;
 * an event without the field is in the group of "" (as `sum by` puts a
 * series without the label), a long value is cut as the report keeps it.
 */
function groupValues(
  plan: RequestPlan,
  query: CompiledQuery,
  line: LineRecord,
): string[] | undefined {
  const grouping = plan.grouping;
  if (grouping === null) return undefined;
  return grouping.by.map((name, i) =>
    reportedText(
      query.capturedLabel?.(line, name) ?? line.fieldText(name, grouping.byIds[i]) ?? "",
    ),
  );
}

function breakdownKey(
  plan: RequestPlan,
  tally: EventTally,
  line: LineRecord,
  t: number,
): BreakdownKey | undefined {
  if (!plan.breakdown || !tally.wantsBreakdown(t)) return undefined;
  const query = plan.kind === "latency" ? plan.events : (plan.bad ?? plan.total);
  const value =
    query.capturedLabel?.(line, plan.breakdown.by) ??
    line.fieldText(plan.breakdown.by, plan.breakdown.byId);
  return value === undefined ? NONE_KEY : valueKey(value);
}

/**
 * A field slo reads itself (latency, breakdown): a capture of the query's
 * pattern or regexp stages first, the label Loki would read, else the
 * line's own field.
 */
function eventField(
  query: CompiledQuery,
  line: LineRecord,
  name: string,
  id: number,
): string | number | undefined {
  return query.capturedLabel?.(line, name) ?? line.field(name, id);
}

const UNIT_NANOS: Record<LatencyPlan["unit"], number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/**
 * A latency field in `unit`: a number (or numeric text) is taken as written
 * in `unit`; a Go duration ("250ms") is converted. null when neither.
 */
export function latencyValue(
  value: string | number | undefined,
  unit: LatencyPlan["unit"],
): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (value === undefined) return null;
  const number = parseGoFloat(value);
  if (number !== null) return Number.isFinite(number) ? number : null;
  const nanos = parseGoDurationNanos(value);
  return nanos === null ? null : nanos / UNIT_NANOS[unit];
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

export function addSample(counter: SampledCount, text: string, file: string, line: number): void {
  counter.count++;
  if (counter.samples.length < MAX_SAMPLES) {
    counter.samples.push({ file, line, text: reportedText(text) });
  }
}
