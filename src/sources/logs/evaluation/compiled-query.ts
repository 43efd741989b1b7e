/**
 * A parsed LogQL log query turned into a predicate over log lines, with
 * Loki's semantics: the stream selector is decided once against the source's
 * labels; then the stages run in order, line filters on the raw line, parser
 * stages adding labels, label filters reading the labels added so far.
 *
 * Errors as on Loki: a parser that fails on a line (JSONParserErr,
 * LogfmtParserErr) and a numeric, duration or bytes filter on a value that
 * does not convert (LabelFilterErr) keep the line and set its `__error__`;
 * a numeric filter passes a line that already carries an error. Loki 2.7.5
 * puts `__error_details__` only on the lines it returns: a filter reads it
 * as "". A query that reads `__error__` or `__error_details__` counts the
 * lines that come out of its stages, errors or not, as Loki's log query
 * returns them. A query that does not drops a line that comes out with an
 * error, as Loki does with `| __error__=""` at the end.
 */

import {
  type CompareOp,
  ERROR_DETAILS_LABEL,
  ERROR_LABEL,
  type LabelFilterExpr,
  type LogQuery,
  type MatchOp,
  readsErrors,
  type StreamMatcher,
} from "../../../definition/logql/ast.js";
import {
  parseGoDuration,
  parseHumanBytes,
  readGoFloat,
} from "../../../definition/logql/literals.js";
import { compileLogQLRegex } from "../../../definition/logql/regex.js";
import type { LineView } from "../line-parsing/line-record.js";
import { type TextParser, textParser } from "../line-parsing/text-parsers.js";
import { type PlainQuery, plainQueryOf } from "./plain-query.js";

const nameIds = new Map<string, number>();

/** A small number for a label or field name, the same for the same name in this thread. */
export function nameId(name: string): number {
  let id = nameIds.get(name);
  if (id === undefined) {
    id = nameIds.size;
    nameIds.set(name, id);
  }
  return id;
}

export interface CompiledQuery {
  matches(line: LineView): boolean;
  /** the selector rules out this source: nothing can match */
  readonly matchesNothing: boolean;
  /** label names looked up among the json-extracted labels (for a fast path) */
  readonly jsonLabels: ReadonlySet<string>;
  /** (label, value) of each `label = "value"` or `!=` on a json label, value as valueBytes gives it */
  readonly jsonEquals: ReadonlyArray<readonly [string, Buffer]>;
  /** whether text() or logfmtLabel() is ever called */
  readonly needsText: boolean;
  /** a label the query's pattern and regexp stages captured (the last stage that has it); absent without such stages */
  capturedLabel?(line: LineView, name: string): string | undefined;
  /** the query's tests when it has the plain shape (see plain-query.ts), for a judge on the fast path */
  readonly plain?: PlainQuery | null;
}

/** Loki's labels for what went wrong with a line in a query's stages. */

/** The error a line carries through one query's stages (a later one overwrites it, as on Loki). */
interface LineErrors {
  error: string | null;
}

type LinePredicate = (line: LineView, errors: LineErrors) => boolean;
type LabelLookup = (line: LineView) => string | undefined;
/** A parser stage: json and logfmt read the line's own keys, a TextParser a pattern's or regexp's captures. */
type Parser = "json" | "logfmt" | TextParser;

/** How a label filter reads one label: as text, and the shortcuts a reader may answer faster. */
interface LabelAccess {
  text: LabelLookup;
  /** (text ?? "") === value */
  is: (line: LineView, value: string, bytes: Buffer) => boolean;
  /** parseGoFloat(text), null when missing or not a number */
  number: (line: LineView) => number | null;
  /** the `| json` label it reads, when that is all it reads */
  jsonKey?: string;
}

/**
 * options.knownToPass: how many leading stages are known to pass on every
 * line this query will see. A bad query is only asked about lines its total
 * query matched; when it starts with the total's stages, those need not run
 * again (see sharedStages).
 */
export function compileQuery(
  query: LogQuery,
  streamLabels: Record<string, string>,
  options: { knownToPass?: number } = {},
): CompiledQuery {
  const jsonLabels = new Set<string>();
  const jsonEquals: [string, Buffer][] = [];
  let needsText = false;
  if (query.selector && !selectorMatches(query.selector, streamLabels)) {
    return { matches: () => false, matchesNothing: true, jsonLabels, jsonEquals, needsText };
  }
  const predicates: LinePredicate[] = [];
  const parsers: Parser[] = [];
  const skip = options.knownToPass ?? 0;
  for (const [index, stage] of query.stages.entries()) {
    // parsers run again: they may set the line's error, and the stages after them read their labels
    if (index < skip && stage.kind !== "json" && stage.kind !== "logfmt" && !isTextParser(stage)) {
      continue;
    }
    switch (stage.kind) {
      case "line":
        needsText = true;
        predicates.push(lineFilter(stage.op, stage.value));
        break;
      case "json":
        parsers.push("json");
        predicates.push(jsonParserErrors);
        break;
      case "logfmt":
        needsText = true;
        parsers.push("logfmt");
        predicates.push(logfmtParserErrors);
        break;
      case "pattern":
      case "regexp":
        needsText = true;
        parsers.push(textParser(stage));
        break;
      case "filter": {
        const resolve = (name: string): LabelAccess =>
          labelLookup(name, [...parsers], streamLabels, jsonLabels);
        predicates.push(labelFilter(stage.expr, resolve, jsonEquals));
        break;
      }
    }
  }
  const matches = matchAll(predicates, readsErrors(query));
  const plain = plainQueryOf(query, streamLabels, skip, valueBytes);
  const compiled = { matches, matchesNothing: false, jsonLabels, jsonEquals, needsText, plain };
  const textParsers = parsers.filter((p): p is TextParser => typeof p !== "string").reverse();
  if (textParsers.length === 0) return compiled;
  return { ...compiled, capturedLabel: capturedLabelOf(textParsers) };
}

/** The capture of the last of these stages that has the name. */
function capturedLabelOf(latestFirst: TextParser[]): CompiledQuery["capturedLabel"] {
  return (line, name) => {
    for (const parser of latestFirst) {
      const value = parser.captures(line.text()).get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

function isTextParser(stage: LogQuery["stages"][number]): boolean {
  return stage.kind === "pattern" || stage.kind === "regexp";
}

/** `| json` keeps every line; one that is not a JSON object carries Loki's JSONParserErr. */
function jsonParserErrors(line: LineView, errors: LineErrors): boolean {
  if (!line.isJsonObject()) errors.error = "JSONParserErr";
  return true;
}

/** `| logfmt` keeps every line; one it cannot read to the end carries LogfmtParserErr. */
function logfmtParserErrors(line: LineView, errors: LineErrors): boolean {
  if (line.logfmtError() !== null) errors.error = "LogfmtParserErr";
  return true;
}

/**
 * Every stage in turn on a line. keepErrors: a line that comes out carrying
 * an error counts (the query reads __error__); else it does not.
 */
function matchAll(predicates: LinePredicate[], keepErrors: boolean): (line: LineView) => boolean {
  const errors: LineErrors = { error: null };
  return (line) => {
    errors.error = null;
    for (const predicate of predicates) if (!predicate(line, errors)) return false;
    return keepErrors || errors.error === null;
  };
}

/**
 * How many leading stages two queries share (same selector, equal stages):
 * for a line `outer` matched, `inner`'s first that many stages pass too.
 */
export function sharedStages(outer: LogQuery, inner: LogQuery): number {
  if (JSON.stringify(outer.selector ?? []) !== JSON.stringify(inner.selector ?? [])) return 0;
  let n = 0;
  while (
    n < outer.stages.length &&
    n < inner.stages.length &&
    JSON.stringify(outer.stages[n]) === JSON.stringify(inner.stages[n])
  ) {
    n++;
  }
  return n;
}

/** Prometheus matcher semantics: a missing label has the value "". */
export function selectorMatches(
  selector: StreamMatcher[],
  labels: Record<string, string>,
): boolean {
  return selector.every((m) => stringMatch(m.op, m.value)(labels[m.label] ?? ""));
}

function lineFilter(op: string, value: string): LinePredicate {
  switch (op) {
    case "|=":
      return (line) => line.text().includes(value);
    case "!=":
      return (line) => !line.text().includes(value);
    case "|~": {
      const re = compileLogQLRegex(value, false);
      return (line) => re.test(line.text());
    }
    default: {
      const re = compileLogQLRegex(value, false);
      return (line) => !re.test(line.text());
    }
  }
}

/**
 * Where a label filter finds `name` after the parser stages before it. As in
 * Loki, a stream label is never overwritten: a parsed key with a stream
 * label's name is renamed name_extracted; a later parser overrides an earlier one.
 */
function labelLookup(
  name: string,
  parsers: Parser[],
  streamLabels: Record<string, string>,
  jsonLabels: Set<string>,
): LabelAccess {
  if (Object.hasOwn(streamLabels, name)) {
    const value = streamLabels[name];
    return accessOf(() => value);
  }
  const base = name.endsWith("_extracted") ? name.slice(0, -"_extracted".length) : "";
  const key = base !== "" && Object.hasOwn(streamLabels, base) ? base : name;
  if (parsers.length > 0 && parsers.every((p) => p === "json")) {
    // the usual case, which the fast path answers from the line's bytes
    jsonLabels.add(key);
    const id = nameId(key);
    return {
      text: (line) => line.jsonLabel(key, id),
      is: (line, value, bytes) => line.jsonLabelIs(key, value, bytes, id),
      number: (line) => line.jsonLabelNumber(key, id),
      jsonKey: key,
    };
  }
  const lookups: LabelLookup[] = [];
  for (let i = parsers.length - 1; i >= 0; i--) {
    const parser = parsers[i]!;
    if (parser === "json") {
      jsonLabels.add(key);
      lookups.push((line) => line.jsonLabel(key));
    } else if (parser === "logfmt") {
      lookups.push((line) => line.logfmtLabel(key));
    } else {
      lookups.push((line) => parser.captures(line.text()).get(key));
    }
  }
  if (lookups.length === 0) return accessOf(() => undefined);
  return accessOf((line) => {
    for (const lookup of lookups) {
      const value = lookup(line);
      if (value !== undefined) return value;
    }
    return undefined;
  });
}

function accessOf(text: LabelLookup): LabelAccess {
  return {
    text,
    is: (line, value) => (text(line) ?? "") === value,
    number: (line) => {
      const value = text(line);
      if (value === undefined) return null;
      const number = readGoFloat(value);
      return typeof number === "number" ? number : null;
    },
  };
}

const interned = new Map<string, Buffer>();

/**
 * A compared value's bytes, one Buffer per distinct value: the same
 * msg = "..." in total and bad is then one value for the fast path's
 * tokenizer to compare, once a line.
 */
function valueBytes(value: string): Buffer {
  let bytes = interned.get(value);
  if (bytes === undefined) {
    bytes = Buffer.from(value, "utf8");
    interned.set(value, bytes);
  }
  return bytes;
}

/**
 * Loki's `and` runs its right side even when its left fails, and a numeric
 * filter that fails to convert sets __error__ whatever its result; its `or`
 * runs its right side only when its left fails. The error an `and` leaves
 * matters only where an `or` can still keep the line, so only there are
 * both sides judged (`insideOr`); elsewhere a failed `and` drops the line.
 */
function labelFilter(
  expr: LabelFilterExpr,
  resolve: (name: string) => LabelAccess,
  jsonEquals: [string, Buffer][],
  insideOr = false,
): LinePredicate {
  switch (expr.kind) {
    case "and": {
      const left = labelFilter(expr.left, resolve, jsonEquals, insideOr);
      const right = labelFilter(expr.right, resolve, jsonEquals, insideOr);
      if (!insideOr) return (line, errors) => left(line, errors) && right(line, errors);
      return (line, errors) => {
        const leftPasses = left(line, errors);
        return right(line, errors) && leftPasses;
      };
    }
    case "or": {
      const left = labelFilter(expr.left, resolve, jsonEquals, true);
      const right = labelFilter(expr.right, resolve, jsonEquals, true);
      return (line, errors) => left(line, errors) || right(line, errors);
    }
    case "string":
      return stringFilter(expr, resolve, jsonEquals);
    case "number":
      return numericFilter(expr, resolve(expr.label));
  }
}

function stringFilter(
  expr: Extract<LabelFilterExpr, { kind: "string" }>,
  resolve: (name: string) => LabelAccess,
  jsonEquals: [string, Buffer][],
): LinePredicate {
  const { op, value } = expr;
  if (expr.label === ERROR_LABEL) {
    const test = stringMatch(op, value);
    return (_line, errors) => test(errors.error ?? "");
  }
  if (expr.label === ERROR_DETAILS_LABEL) {
    const result = stringMatch(op, value)("");
    return () => result;
  }
  const access = resolve(expr.label);
  if (op === "=" || op === "!=") {
    const bytes = valueBytes(value);
    if (access.jsonKey !== undefined) jsonEquals.push([access.jsonKey, bytes]);
    return op === "="
      ? (line) => access.is(line, value, bytes)
      : (line) => !access.is(line, value, bytes);
  }
  const test = stringMatch(op, value);
  return (line) => test(access.text(line) ?? "");
}

/**
 * A comparison with a number, duration or byte size, as Loki runs it: a
 * line that already carries an error passes untouched; a missing label
 * fails; a value that does not convert passes with LabelFilterErr.
 */
function numericFilter(
  expr: Extract<LabelFilterExpr, { kind: "number" }>,
  access: LabelAccess,
): LinePredicate {
  const compare = comparison(expr.op, expr.value);
  if (expr.valueKind === "number") {
    return (line, errors) => {
      if (errors.error !== null) return true;
      const value = access.number(line);
      if (value !== null) return compare(value);
      if (access.text(line) === undefined) return false;
      errors.error = "LabelFilterErr";
      return true;
    };
  }
  const convert = CONVERTERS[expr.valueKind];
  return (line, errors) => {
    if (errors.error !== null) return true;
    const text = access.text(line);
    if (text === undefined) return false;
    const value = convert(text);
    if (value !== null) return compare(value);
    errors.error = "LabelFilterErr";
    return true;
  };
}

const CONVERTERS: Record<"duration" | "bytes", (text: string) => number | null> = {
  duration: (text) => parseGoDuration(text),
  bytes: parseHumanBytes,
};

function stringMatch(op: MatchOp, value: string): (text: string) => boolean {
  switch (op) {
    case "=":
      return (text) => text === value;
    case "!=":
      return (text) => text !== value;
    case "=~": {
      const re = compileLogQLRegex(value, true);
      return (text) => re.test(text);
    }
    case "!~": {
      const re = compileLogQLRegex(value, true);
      return (text) => !re.test(text);
    }
  }
}

function comparison(op: CompareOp, threshold: number): (value: number) => boolean {
  switch (op) {
    case "==":
      return (v) => v === threshold;
    case "!=":
      return (v) => v !== threshold;
    case ">":
      return (v) => v > threshold;
    case ">=":
      return (v) => v >= threshold;
    case "<":
      return (v) => v < threshold;
    case "<=":
      return (v) => v <= threshold;
  }
}
