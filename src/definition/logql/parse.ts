/**
 * LogQL log queries -> the typed tree of ast.ts, parsed with the official
 * grammar (@grafana/lezer-logql) so that what slo accepts is what Loki
 * accepts. Only the log-pipeline subset slo can evaluate on files is allowed;
 * every other stage is an error naming it, never silently skipped.
 */

import { firstErrorNode, type SyntaxNode } from "../lezer.js";
import type {
  CompareOp,
  LabelFilterExpr,
  LineFilterOp,
  LogQuery,
  MatchOp,
  PipelineStage,
  StreamMatcher,
} from "./ast.js";
import { offsetInLiteral } from "./literal-offsets.js";
import { parseGoDuration, parseGoFloat, parseHumanBytes, unquoteGoString } from "./literals.js";
import { parsePatternExpression, parseRegexpExpression } from "./pattern.js";
import { compileLogQLRegex, LogQLRegexError } from "./regex.js";
import { parseJoiningSideBySideFilters } from "./side-by-side-filters.js";

export type ParseLogQueryResult =
  | { ok: true; query: LogQuery }
  | { ok: false; message: string; offset: number };

export interface ParseLogQueryOptions {
  /** false for logs sources: the query may start at the pipeline */
  requireSelector: boolean;
}

/** Put in front of a selector-less query so the official grammar accepts it. */
const STAND_IN_SELECTOR = '{__slo__="x"} ';

const SUPPORTED =
  "slo evaluates line filters (|= != |~ !~), json, logfmt, pattern, regexp and label filters";

/** Failure while walking the tree; offset is in the parsed text. */
class QueryError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function parseLogQuery(text: string, opts: ParseLogQueryOptions): ParseLogQueryResult {
  const start = blankComments(text).search(/\S/);
  if (start < 0) return { ok: false, message: "empty LogQL query", offset: 0 };
  const startsAtPipeline = text[start] === "|" || text[start] === "!";
  if (startsAtPipeline && opts.requireSelector) {
    return {
      ok: false,
      message:
        'this LogQL query needs a stream selector, e.g. {app="api"} | json (only logs sources may leave it out)',
      offset: start,
    };
  }
  const prefix = startsAtPipeline ? STAND_IN_SELECTOR : "";
  const { source, tree, toGiven } = parseJoiningSideBySideFilters(prefix + text);
  const toOriginal = (offset: number) =>
    Math.min(text.length, Math.max(0, toGiven(offset) - prefix.length));

  const syntax = firstSyntaxError(tree.topNode, source);
  if (syntax) {
    const atStart = syntax.offset === start && !prefix && text[start] !== "{";
    const message = atStart ? syntax.message + howQueriesStart(opts) : syntax.message;
    return { ok: false, message, offset: toOriginal(syntax.offset) };
  }
  try {
    const query = convertQuery(tree.topNode, source, text);
    if (startsAtPipeline) query.selector = null;
    return { ok: true, query };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return { ok: false, message: error.message, offset: toOriginal(error.offset) };
  }
}

/** Said after a syntax error at the very start of a query that has no selector there. */
function howQueriesStart(opts: ParseLogQueryOptions): string {
  const orPipeline = opts.requireSelector ? "" : " or with a pipeline stage like | json";
  return `: a log query starts with a stream selector like {app="api"}${orPipeline}`;
}

/** A string (which may hold a #) or a comment: # to the end of the line. */
const STRING_OR_COMMENT = /"(?:[^"\\]|\\[\s\S])*"?|`[^`]*`?|#[^\n]*/g;

/**
 * The text with every comment blanked out, offsets unchanged. Only used to
 * find where the query really starts; the grammar handles comments itself.
 */
function blankComments(text: string): string {
  return text.replace(STRING_OR_COMMENT, (match) =>
    match.startsWith("#") ? " ".repeat(match.length) : match,
  );
}

// ---------------------------------------------------------------------------
// Syntax errors

/** Stages the grammar does not know in a log query (unwrap belongs to metric queries). */
const KEYWORD_STAGES = [
  "line_format",
  "label_format",
  "decolorize",
  "unwrap",
  "unpack",
  "drop",
  "keep",
  "distinct",
];

function firstSyntaxError(
  top: SyntaxNode,
  source: string,
): { message: string; offset: number } | null {
  const error = firstErrorNode(top);
  if (!error) return null;
  const offset = error.from;

  // A syntax error inside a stage the grammar only knows in metric queries
  // (unwrap) or not at all (distinct) is reported as an unsupported stage.
  const stageStart = source.lastIndexOf("|", offset) + 1;
  const stageWord = /^\s*([a-z_]+)/.exec(source.slice(stageStart))?.[1];
  if (stageStart > 0 && stageWord && KEYWORD_STAGES.includes(stageWord)) {
    return {
      message: `unsupported LogQL stage '${stageWord}' (${SUPPORTED})`,
      offset: stageStart + source.slice(stageStart).search(/\S/),
    };
  }
  const rest = source.slice(offset);
  const token = /^\s*(\S{1,20})/.exec(rest)?.[1];
  let message = token
    ? `syntax error: unexpected '${token}'`
    : "syntax error: unexpected end of query";
  if (token?.startsWith("'")) message += ": strings are written in double quotes or `backticks`";
  else if (token && /^["`]/.test(token) && !hasClosingQuote(rest.trimStart())) {
    message = "syntax error: unterminated string";
  }
  return { message, offset: offset + (token ? rest.indexOf(token) : 0) };
}

function hasClosingQuote(text: string): boolean {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\" && quote === '"') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Tree -> AST

function convertQuery(top: SyntaxNode, source: string, text: string): LogQuery {
  const expr = top.getChild("Expr");
  if (!expr) throw new QueryError("empty LogQL query", 0);
  const metric = expr.getChild("MetricExpr");
  if (metric) {
    throw new QueryError(
      'metric queries are not supported here: write a log query (a stream selector and a pipeline, e.g. {app="api"} | json | status >= 500); slo counts the matching lines itself',
      metric.from,
    );
  }
  let logExpr = expr.getChild("LogExpr");
  // ( {a="b"} | json ) nests LogExpr in LogExpr
  while (logExpr?.getChild("LogExpr")) logExpr = logExpr.getChild("LogExpr");
  if (!logExpr) throw new QueryError("expected a LogQL log query", expr.from);

  const selectorNode = logExpr.getChild("Selector");
  if (!selectorNode) throw new QueryError("expected a stream selector", logExpr.from);
  const selector = convertSelector(selectorNode, source);

  const stages: PipelineStage[] = [];
  const pipeline = logExpr.getChild("PipelineExpr");
  if (pipeline) {
    for (const stage of pipelineStages(pipeline)) stages.push(...convertStage(stage, source));
  }
  return { selector, stages, text };
}

function convertSelector(node: SyntaxNode, source: string): StreamMatcher[] {
  const matchers: StreamMatcher[] = [];
  for (const matcher of descendants(node, "Matcher")) {
    const { label, op, value } = convertMatcher(matcher, source);
    matchers.push({ label, op, value });
  }
  return matchers;
}

function convertMatcher(
  node: SyntaxNode,
  source: string,
): { label: string; op: MatchOp; value: string } {
  const label = labelName(required(node, "Identifier"), source);
  const opNode =
    node.getChild("Eq") ?? node.getChild("Neq") ?? node.getChild("Re") ?? node.getChild("Nre");
  if (!opNode) throw new QueryError("expected =, !=, =~ or !~", node.from);
  const op = MATCH_OPS[opNode.name]!;
  const stringNode = required(node, "String");
  const value = unquoteString(stringNode, source);
  if (op === "=~" || op === "!~") checkRegex(value, true, stringNode, source);
  return { label, op, value };
}

const MATCH_OPS: Record<string, MatchOp> = { Eq: "=", Neq: "!=", Re: "=~", Nre: "!~" };

const COMPARE_OPS: Record<string, CompareOp> = {
  Eq: "==",
  Eql: "==",
  Neq: "!=",
  Gtr: ">",
  Gte: ">=",
  Lss: "<",
  Lte: "<=",
};

const LINE_OPS: Record<string, LineFilterOp> = {
  PipeExact: "|=",
  Neq: "!=",
  PipeMatch: "|~",
  Nre: "!~",
};

/** PipelineExpr is left-recursive: flatten it to its stages in order. */
function pipelineStages(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === "PipelineExpr") out.push(...pipelineStages(child));
    else if (child.name === "PipelineStage") out.push(child);
  }
  return out;
}

const UNSUPPORTED_NODES: Record<string, string> = {
  LineFormatExpr: "line_format",
  LabelFormatExpr: "label_format",
  DecolorizeExpr: "decolorize",
  DropLabelsExpr: "drop",
  KeepLabelsExpr: "keep",
  JsonExpressionParser: "json with parameters",
  LogfmtExpressionParser: "logfmt with parameters",
};

function convertStage(node: SyntaxNode, source: string): PipelineStage[] {
  const lineFilters = node.getChild("LineFilters");
  if (lineFilters)
    return descendants(lineFilters, "LineFilter").map((f) => convertLineFilter(f, source));

  const body = node.getChild("Pipe")?.nextSibling ?? null;
  if (!body) throw new QueryError("expected a pipeline stage after '|'", node.to);
  const unsupported = UNSUPPORTED_NODES[body.name];
  if (unsupported) throw unsupportedStage(unsupported, body);

  switch (body.name) {
    case "LabelParser": {
      if (body.getChild("Json")) return [{ kind: "json" }];
      if (body.getChild("Logfmt")) return [{ kind: "logfmt" }];
      if (body.getChild("Pattern")) return [convertPattern(body, source)];
      if (body.getChild("Regexp")) return [convertRegexp(body, source)];
      const word = /^[a-z_]+/.exec(textOf(body, source))?.[0] ?? textOf(body, source);
      throw unsupportedStage(word, body);
    }
    case "LogfmtParser":
      if (body.getChild("LogfmtParserFlags")) {
        throw unsupportedStage(
          `logfmt ${textOf(body.getChild("LogfmtParserFlags")!, source)}`,
          body,
        );
      }
      return [{ kind: "logfmt" }];
    case "LabelFilter":
      return [{ kind: "filter", expr: convertLabelFilter(body, source) }];
    default: {
      const word = /^[a-z_]+/.exec(textOf(body, source))?.[0] ?? body.name;
      throw unsupportedStage(word, body);
    }
  }
}

function convertPattern(node: SyntaxNode, source: string): PipelineStage {
  const stringNode = required(node, "String");
  const expression = unquoteString(stringNode, source);
  const parsed = parsePatternExpression(expression);
  if (!parsed.ok) throw new QueryError(`pattern ${parsed.message}`, stringNode.from);
  return { kind: "pattern", expression, parts: parsed.parts };
}

function convertRegexp(node: SyntaxNode, source: string): PipelineStage {
  const stringNode = required(node, "String");
  const expression = unquoteString(stringNode, source);
  const parsed = parseRegexpExpression(expression);
  if (!parsed.ok) throw new QueryError(`regexp ${parsed.message}`, stringNode.from);
  return { kind: "regexp", expression, names: parsed.names };
}

function unsupportedStage(what: string, node: SyntaxNode): QueryError {
  return new QueryError(`unsupported LogQL stage '${what}' (${SUPPORTED})`, node.from);
}

function convertLineFilter(node: SyntaxNode, source: string): PipelineStage {
  const filter = required(node, "Filter");
  const opNode = filter.firstChild;
  const op = opNode ? LINE_OPS[opNode.name] : undefined;
  if (!op) {
    throw new QueryError(
      `unsupported LogQL line filter '${textOf(filter, source)}' (${SUPPORTED})`,
      filter.from,
    );
  }
  if (node.getChild("FilterOp")) {
    throw new QueryError(
      `unsupported LogQL line filter '${op} ip(...)' (${SUPPORTED})`,
      node.getChild("FilterOp")!.from,
    );
  }
  if (node.getChild("OrFilter")) {
    throw new QueryError(
      `unsupported LogQL line filter alternatives '${op} "a" or "b"': use a regex, ${op === "|=" || op === "|~" ? "|~" : "!~"} "a|b"`,
      node.getChild("Or")!.from,
    );
  }
  const stringNode = required(node, "String");
  const value = unquoteString(stringNode, source);
  if (op === "|~" || op === "!~") checkRegex(value, false, stringNode, source);
  return { kind: "line", op, value };
}

function convertLabelFilter(node: SyntaxNode, source: string): LabelFilterExpr {
  const parts = namedChildren(node);
  const first = parts[0];
  if (!first) throw new QueryError("expected a label filter", node.from);
  if (first.name === "LabelFilter") {
    if (parts.length === 1) return convertLabelFilter(first, source); // ( ... )
    const operator = parts[1]!;
    const rightNode = parts[parts.length - 1]!;
    const left = convertLabelFilter(first, source);
    const right = convertLabelFilter(rightNode, source);
    // "a > 1, b < 2" (a comma, no node) means and, as in Loki
    const kind = operator.name === "Or" ? "or" : "and";
    return { kind, left, right };
  }
  switch (first.name) {
    case "Matcher": {
      const { label, op, value } = convertMatcher(first, source);
      return { kind: "string", label, op, value };
    }
    case "NumberFilter":
      return convertComparison(first, source, "number");
    case "UnitFilter": {
      const unit = first.firstChild;
      if (unit?.name === "DurationFilter") return convertComparison(unit, source, "duration");
      if (unit?.name === "BytesFilter") return convertComparison(unit, source, "bytes");
      throw new QueryError(`unsupported label filter '${textOf(first, source)}'`, first.from);
    }
    case "IpLabelFilter":
      throw new QueryError(
        `unsupported LogQL label filter 'ip(...)' (${SUPPORTED})`,
        first.getChild("Ip")?.from ?? first.from,
      );
    default:
      throw new QueryError(`unsupported label filter '${textOf(first, source)}'`, first.from);
  }
}

function convertComparison(
  node: SyntaxNode,
  source: string,
  valueKind: "number" | "duration" | "bytes",
): LabelFilterExpr {
  const label = labelName(required(node, "Identifier"), source);
  let op: CompareOp | undefined;
  for (let child = node.firstChild; child && !op; child = child.nextSibling) {
    op = COMPARE_OPS[child.name];
  }
  if (!op) throw new QueryError("expected a comparison operator", node.from);
  let value: number | null;
  let valueNode: SyntaxNode;
  if (valueKind === "number") {
    valueNode = required(node, "LiteralExpr");
    value = literalNumber(valueNode, source);
  } else if (valueKind === "duration") {
    valueNode = required(node, "Duration");
    value = parseGoDuration(textOf(valueNode, source), { allowDays: true });
  } else {
    valueNode = required(node, "Bytes");
    value = parseHumanBytes(textOf(valueNode, source));
  }
  if (value === null || Number.isNaN(value)) {
    throw new QueryError(`invalid ${valueKind} '${textOf(valueNode, source)}'`, valueNode.from);
  }
  return { kind: "number", label, op, value, valueKind };
}

function literalNumber(node: SyntaxNode, source: string): number | null {
  // LiteralExpr is Number, or a sign (Add/Sub) then Number or LiteralExpr
  const sign = node.getChild("Sub") ? -1 : 1;
  const inner = node.getChild("LiteralExpr");
  const number = node.getChild("Number");
  const value = inner
    ? literalNumber(inner, source)
    : number
      ? parseGoFloat(textOf(number, source))
      : null;
  if (value === null) {
    throw new QueryError(`expected a number, got '${textOf(node, source)}'`, node.from);
  }
  return sign * value;
}

/**
 * Words Loki 2.7.5's lexer always reads as keywords (measured: each is a
 * parse error there as a label name); the lezer grammar takes some as names.
 */
const KEYWORDS = new Set([
  "by",
  "without",
  "or",
  "and",
  "unless",
  "bool",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
]);

/** A label name in a matcher or a filter, as Loki can read it. */
function labelName(node: SyntaxNode, source: string): string {
  const name = textOf(node, source);
  if (KEYWORDS.has(name)) {
    throw new QueryError(
      `'${name}' is a LogQL keyword: Loki cannot read it as a label name`,
      node.from,
    );
  }
  return name;
}

/** A regex Go rejects fails at load, pointing at the offending text inside the string. */
function checkRegex(pattern: string, anchored: boolean, node: SyntaxNode, source: string): void {
  try {
    compileLogQLRegex(pattern, anchored);
  } catch (error) {
    if (!(error instanceof LogQLRegexError)) throw error;
    throw new QueryError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${error.message}`,
      node.from + offsetInLiteral(textOf(node, source), error.offset),
    );
  }
}

// Tree helpers ---------------------------------------------------------------

function textOf(node: SyntaxNode, source: string): string {
  return source.slice(node.from, node.to);
}

function required(node: SyntaxNode, name: string): SyntaxNode {
  const child = node.getChild(name);
  if (!child) throw new QueryError(`expected ${name}`, node.from);
  return child;
}

function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== "LineComment") out.push(child);
  }
  return out;
}

/** Every node named `name` under node, in order, not looking inside a match. */
function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === name) out.push(child);
    else out.push(...descendants(child, name));
  }
  return out;
}

function unquoteString(node: SyntaxNode, source: string): string {
  const raw = textOf(node, source);
  try {
    return unquoteGoString(raw);
  } catch (error) {
    throw new QueryError(error instanceof Error ? error.message : String(error), node.from);
  }
}
