/**
 * A parsed LogQL log query turned into a predicate over log lines, with
 * Loki's semantics: the stream selector is decided once against the source's
 * labels; then the stages run in order, line filters on the raw line, parser
 * stages adding labels, label filters reading the labels added so far.
 */

import {
  compileLogQLRegex,
  parseGoDuration,
  parseGoFloat,
  parseHumanBytes,
} from "../../spec/logql.js";
import type {
  CompareOp,
  LabelFilterExpr,
  LogQuery,
  MatchOp,
  StreamMatcher,
} from "../../spec/logql-ast.js";

/** One log line as the evaluator sees it. Implementations compute each part only when asked. */
export interface LineView {
  /** the raw line, without its line break */
  text(): string;
  /** a label `| json` would extract from this line (flattened, sanitised name) */
  jsonLabel(name: string): string | undefined;
  /** a label `| logfmt` would extract from this line */
  logfmtLabel(name: string): string | undefined;
}

export interface CompiledQuery {
  matches(line: LineView): boolean;
  /** the selector rules out this source: nothing can match */
  readonly matchesNothing: boolean;
  /** label names looked up among the json-extracted labels (for a fast path) */
  readonly jsonLabels: ReadonlySet<string>;
  /** whether text() or logfmtLabel() is ever called */
  readonly needsText: boolean;
}

type LinePredicate = (line: LineView) => boolean;
type LabelLookup = (line: LineView) => string | undefined;
type Parser = "json" | "logfmt";

export function compileQuery(query: LogQuery, streamLabels: Record<string, string>): CompiledQuery {
  const jsonLabels = new Set<string>();
  let needsText = false;
  if (query.selector && !selectorMatches(query.selector, streamLabels)) {
    return { matches: () => false, matchesNothing: true, jsonLabels, needsText };
  }
  const predicates: LinePredicate[] = [];
  const parsers: Parser[] = [];
  for (const stage of query.stages) {
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
      case "filter": {
        const resolve = (name: string): LabelLookup =>
          labelLookup(name, [...parsers], streamLabels, jsonLabels);
        predicates.push(labelFilter(stage.expr, resolve));
        break;
      }
    }
  }
  const matches = (line: LineView): boolean => {
    for (const predicate of predicates) if (!predicate(line)) return false;
    return true;
  };
  return { matches, matchesNothing: false, jsonLabels, needsText };
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
): LabelLookup {
  if (Object.hasOwn(streamLabels, name)) {
    const value = streamLabels[name];
    return () => value;
  }
  const base = name.endsWith("_extracted") ? name.slice(0, -"_extracted".length) : "";
  const key = base !== "" && Object.hasOwn(streamLabels, base) ? base : name;
  const lookups: LabelLookup[] = [];
  for (let i = parsers.length - 1; i >= 0; i--) {
    if (parsers[i] === "json") {
      jsonLabels.add(key);
      lookups.push((line) => line.jsonLabel(key));
    } else {
      lookups.push((line) => line.logfmtLabel(key));
    }
  }
  if (lookups.length === 0) return () => undefined;
  if (lookups.length === 1) return lookups[0]!;
  return (line) => {
    for (const lookup of lookups) {
      const value = lookup(line);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

function labelFilter(expr: LabelFilterExpr, resolve: (name: string) => LabelLookup): LinePredicate {
  switch (expr.kind) {
    case "and": {
      const left = labelFilter(expr.left, resolve);
      const right = labelFilter(expr.right, resolve);
      return (line) => left(line) && right(line);
    }
    case "or": {
      const left = labelFilter(expr.left, resolve);
      const right = labelFilter(expr.right, resolve);
      return (line) => left(line) || right(line);
    }
    case "string": {
      const lookup = resolve(expr.label);
      const test = stringMatch(expr.op, expr.value);
      return (line) => test(lookup(line) ?? "");
    }
    case "number": {
      const lookup = resolve(expr.label);
      const convert = CONVERTERS[expr.valueKind];
      const compare = comparison(expr.op, expr.value);
      // A value that does not convert (or a missing label) fails the filter.
      // (Loki instead keeps such a line and sets __error__; slo has no
      // __error__ label, so a line it cannot judge is not counted.)
      return (line) => {
        const text = lookup(line);
        if (text === undefined) return false;
        const value = convert(text);
        return value !== null && compare(value);
      };
    }
  }
}

const CONVERTERS: Record<"number" | "duration" | "bytes", (text: string) => number | null> = {
  number: parseGoFloat,
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
