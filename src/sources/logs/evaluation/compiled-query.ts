/**
 * A parsed LogQL log query turned into a predicate over log lines, with
 * Loki's semantics: the stream selector is decided once against the source's
 * labels; then the stages run in order, line filters on the raw line, parser
 * stages adding labels, label filters reading the labels added so far.
 */

import type {
  CompareOp,
  LabelFilterExpr,
  LogQuery,
  MatchOp,
  StreamMatcher,
} from "../../../definition/logql/ast.js";
import {
  parseGoDuration,
  parseGoFloat,
  parseHumanBytes,
} from "../../../definition/logql/literals.js";
import { compileLogQLRegex } from "../../../definition/logql/regex.js";
import type { LineView } from "../line-parsing/line-record.js";
import { type TextParser, textParser } from "../line-parsing/text-parsers.js";

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
}

type LinePredicate = (line: LineView) => boolean;
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
    // parsers still run: the stages after them read their labels
    if (index < skip && stage.kind !== "json" && stage.kind !== "logfmt" && !isTextParser(stage)) {
      continue;
    }
    switch (stage.kind) {
      case "line":
        needsText = true;
        predicates.push(lineFilter(stage.op, stage.value));
        break;
      case "json":
      case "logfmt":
        if (stage.kind === "logfmt") needsText = true;
        parsers.push(stage.kind);
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
  const matches = matchAll(predicates);
  const compiled = { matches, matchesNothing: false, jsonLabels, jsonEquals, needsText };
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

function matchAll(predicates: LinePredicate[]): LinePredicate {
  switch (predicates.length) {
    case 0:
      return () => true;
    case 1:
      return predicates[0]!;
    case 2: {
      const [a, b] = predicates as [LinePredicate, LinePredicate];
      return (line) => a(line) && b(line);
    }
    default:
      return (line) => {
        for (const predicate of predicates) if (!predicate(line)) return false;
        return true;
      };
  }
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
      return value === undefined ? null : parseGoFloat(value);
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

function labelFilter(
  expr: LabelFilterExpr,
  resolve: (name: string) => LabelAccess,
  jsonEquals: [string, Buffer][],
): LinePredicate {
  switch (expr.kind) {
    case "and": {
      const left = labelFilter(expr.left, resolve, jsonEquals);
      const right = labelFilter(expr.right, resolve, jsonEquals);
      return (line) => left(line) && right(line);
    }
    case "or": {
      const left = labelFilter(expr.left, resolve, jsonEquals);
      const right = labelFilter(expr.right, resolve, jsonEquals);
      return (line) => left(line) || right(line);
    }
    case "string": {
      const access = resolve(expr.label);
      const { op, value } = expr;
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
    case "number": {
      const access = resolve(expr.label);
      const compare = comparison(expr.op, expr.value);
      // A value that does not convert (or a missing label) fails the filter.
      // (Loki instead keeps such a line and sets __error__; slo has no
      // __error__ label, so a line it cannot judge is not counted.)
      if (expr.valueKind === "number") {
        return (line) => {
          const value = access.number(line);
          return value !== null && compare(value);
        };
      }
      const convert = CONVERTERS[expr.valueKind];
      return (line) => {
        const text = access.text(line);
        if (text === undefined) return false;
        const value = convert(text);
        return value !== null && compare(value);
      };
    }
  }
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
