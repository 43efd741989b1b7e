/**
 * LogQL log queries -> the typed tree of logql-ast.ts, parsed with the
 * official grammar (@grafana/lezer-logql) so that what slo accepts is what
 * Loki accepts. Only the log-pipeline subset slo can evaluate on files is
 * allowed; every other stage is an error naming it, never silently skipped.
 *
 * Also here: the LogQL literal and value conversions (Go strings, Go
 * durations, byte sizes, Go floats, RE2 regexes) that both the parser and the
 * logs source's evaluator need, so the two always agree.
 */

import { parser } from "@grafana/lezer-logql";
import { firstErrorNode } from "./lezer.js";
import type {
  CompareOp,
  LabelFilterExpr,
  LineFilterOp,
  LogQuery,
  MatchOp,
  PipelineStage,
  StreamMatcher,
} from "./logql-ast.js";

export type ParseLogQueryResult =
  | { ok: true; query: LogQuery }
  | { ok: false; message: string; offset: number };

export interface ParseLogQueryOptions {
  /** false for logs sources: the query may start at the pipeline */
  requireSelector: boolean;
}

/** A node of the grammar's tree (the type of @lezer/common, not a direct dependency). */
type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** Put in front of a selector-less query so the official grammar accepts it. */
const STAND_IN_SELECTOR = '{__slo__="x"} ';

const SUPPORTED = "slo evaluates line filters (|= != |~ !~), json, logfmt and label filters";

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
  const body = stripComments(text);
  const firstCode = body.search(/\S/);
  if (firstCode < 0) return { ok: false, message: "empty LogQL query", offset: 0 };
  const startsAtPipeline = body[firstCode] === "|" || body[firstCode] === "!";
  if (startsAtPipeline && opts.requireSelector) {
    return {
      ok: false,
      message:
        'this LogQL query needs a stream selector, e.g. {app="api"} | json (only logs sources may leave it out)',
      offset: firstCode,
    };
  }
  const prefix = startsAtPipeline ? STAND_IN_SELECTOR : "";
  const source = prefix + text;
  const tree = parser.parse(source);
  const toOriginal = (offset: number) => Math.min(text.length, Math.max(0, offset - prefix.length));

  const syntax = firstSyntaxError(tree.topNode, source);
  if (syntax) {
    let message = syntax.message;
    if (syntax.offset === firstCode && !prefix && body[firstCode] !== "{") {
      message += `: a log query starts with a stream selector like {app="api"}${opts.requireSelector ? "" : " or with a pipeline stage like | json"}`;
    }
    return { ok: false, message, offset: toOriginal(syntax.offset) };
  }
  try {
    const query = convertQuery(tree.topNode, source, text);
    if (startsAtPipeline) query.selector = null;
    return { ok: true, query };
  } catch (error) {
    if (error instanceof QueryError) {
      return { ok: false, message: error.message, offset: toOriginal(error.offset) };
    }
    throw error;
  }
}

/**
 * `#` starts a comment to the end of the line (outside strings). Only used to
 * find where the query really starts; the grammar handles comments itself.
 */
function stripComments(text: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') {
        out += c + (text[i + 1] ?? "");
        i++;
        continue;
      }
      if (c === quote) quote = null;
      out += c;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") {
        out += " ";
        i++;
      }
      if (i < text.length) out += "\n";
    } else {
      if (c === '"' || c === "`") quote = c;
      out += c;
    }
  }
  return out;
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
  "pattern",
  "regexp",
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
  const label = textOf(required(node, "Identifier"), source);
  const opNode =
    node.getChild("Eq") ?? node.getChild("Neq") ?? node.getChild("Re") ?? node.getChild("Nre");
  if (!opNode) throw new QueryError("expected =, !=, =~ or !~", node.from);
  const op = MATCH_OPS[opNode.name]!;
  const stringNode = required(node, "String");
  const value = unquoteString(stringNode, source);
  if (op === "=~" || op === "!~") checkRegex(value, true, stringNode);
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
  if (op === "|~" || op === "!~") checkRegex(value, false, stringNode);
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
  const label = textOf(required(node, "Identifier"), source);
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

function checkRegex(pattern: string, anchored: boolean, node: SyntaxNode): void {
  try {
    compileLogQLRegex(pattern, anchored);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new QueryError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`,
      node.from,
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

// ---------------------------------------------------------------------------
// Literals and values

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** A Go string literal: "double quoted" with escapes, or `raw`. Throws on a bad escape. */
export function unquoteGoString(raw: string): string {
  if (raw.startsWith("`")) return raw.slice(1, -1).replace(/\r/g, "");
  const body = raw.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error("string ends in a backslash");
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (e === "x" || e === "u" || e === "U") {
      const width = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) {
        throw new Error(`invalid escape \\${e}${hex} in string`);
      }
      const code = Number.parseInt(hex, 16);
      // \xHH is a byte in Go; bytes >= 0x80 only make sense in UTF-8 sequences,
      // which JS strings cannot hold, so they are taken as code points.
      out += String.fromCodePoint(code);
      i += width;
    } else if (e >= "0" && e <= "7") {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error(`invalid escape \\${oct} in string`);
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
    } else {
      throw new Error(`invalid escape \\${e} in string`);
    }
  }
  return out;
}

const GO_FLOAT =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf|infinity|nan)$/i;

/**
 * A label value as Go's strconv.ParseFloat reads it (what Loki's numeric
 * label filters use), or null. Stricter than Number(): "" and " 1" are not numbers.
 */
export function parseGoFloat(text: string): number | null {
  if (!GO_FLOAT.test(text)) {
    if (/^[+-]?0[xX]/.test(text)) {
      const sign = text.startsWith("-") ? -1 : 1;
      const hex = Number(text.replace(/^[+-]/, ""));
      return Number.isNaN(hex) ? null : sign * hex;
    }
    return null;
  }
  const lower = text.toLowerCase().replace(/_/g, "");
  if (lower.endsWith("nan")) return Number.NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    return lower.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return Number(lower);
}

const DURATION_UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const EXTENDED_UNIT_NANOS: Record<string, number> = {
  ...DURATION_UNIT_NANOS,
  d: 86_400e9,
  w: 7 * 86_400e9,
  y: 365 * 86_400e9,
};

const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/y;

/**
 * A Go duration ("250ms", "1.5s", "1h30m", "-2s") in seconds, or null.
 * Label values are read like Go's time.ParseDuration (units ns..h); query
 * literals also allow d, w and y (allowDays), as the LogQL grammar does.
 */
export function parseGoDuration(text: string, opts?: { allowDays?: boolean }): number | null {
  const nanos = parseGoDurationNanos(text, opts);
  return nanos === null ? null : nanos / 1e9;
}

/** parseGoDuration in nanoseconds (summed in nanoseconds, so "300ms" is exactly 3e8). */
export function parseGoDurationNanos(text: string, opts?: { allowDays?: boolean }): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return null;
  const units = opts?.allowDays ? EXTENDED_UNIT_NANOS : DURATION_UNIT_NANOS;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const m = DURATION_PART.exec(s);
    if (!m) return null;
    const unit = units[m[2]!];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
  }
  return sign * total;
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** A byte size like humanize.ParseBytes (what Loki uses): "2KB", "2 KiB", "1.5mb", "42". */
export function parseHumanBytes(text: string): number | null {
  const m = /^\s*(\d[\d,]*(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]!.replace(/,/g, "")) * unit;
}

// ---------------------------------------------------------------------------
// RE2 regexes as JavaScript RegExps

/** Punctuation JS needs escaped in a unicode-mode pattern; RE2 lets any punctuation be escaped. */
const JS_SYNTAX_CHARS = new Set("^$\\.*+?()[]{}|/");

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/**
 * Compile an RE2 pattern (the syntax Loki uses) as a JavaScript RegExp.
 * anchored: match the whole value (label matchers, as Loki and Prometheus
 * do); otherwise search anywhere (line filters). Translates what differs:
 * leading (?flags), (?P<name>, \A \z, \Q..\E, [[:class:]]; rejects what RE2
 * does not have (lookarounds, backreferences) so a query works on Loki too.
 * Throws an Error saying what is wrong.
 */
export function compileLogQLRegex(pattern: string, anchored: boolean): RegExp {
  let flags = "";
  let body = pattern;
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (leading) {
    for (const f of leading[1]!) {
      if (f === "i" || f === "s" || f === "m") {
        if (!flags.includes(f)) flags += f;
      } else throw new Error(`flag '${f}' is not supported`);
    }
    body = body.slice(leading[0].length);
  }
  const translated = translateRe2(body);
  const multiline = flags.includes("m");
  const source = anchored
    ? multiline
      ? `(?<![\\s\\S])(?:${translated})(?![\\s\\S])`
      : `^(?:${translated})$`
    : translated;
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    // Legacy (non-unicode) mode is more lenient, like RE2 about stray { and ].
    return new RegExp(source, flags);
  }
}

function translateRe2(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const e = pattern[i + 1];
      if (e === undefined) throw new Error("trailing backslash");
      i++;
      if (e === "Q") {
        const end = pattern.indexOf("\\E", i + 1);
        const literal = pattern.slice(i + 1, end < 0 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? pattern.length : end + 1;
      } else if (!inClass && e === "A") out += "(?<![\\s\\S])";
      else if (!inClass && e === "z") out += "(?![\\s\\S])";
      else if (!inClass && e >= "1" && e <= "9")
        throw new Error("backreferences are not supported by RE2");
      else if (/[A-Za-z0-9]/.test(e)) out += `\\${e}`;
      else if (JS_SYNTAX_CHARS.has(e) || (inClass && e === "-")) out += `\\${e}`;
      else if (e.charCodeAt(0) < 0x80) out += e;
      else out += e;
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        const name = end < 0 ? "" : pattern.slice(i + 2, end);
        const negated = name.startsWith("^");
        const cls = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (cls !== undefined && !negated) {
          out += cls;
          i = end + 1;
          continue;
        }
        if (cls !== undefined) throw new Error(`negated class [:${name}:] is not supported`);
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // a ] right after [ or [^ is a literal in RE2
      if (pattern[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (/^(?:=|!|<=|<!)/.test(rest)) throw new Error("lookaround is not supported by RE2");
      if (/^[a-zA-Z-]+[:)]/.test(rest))
        throw new Error("inline flags are only supported at the start, e.g. (?i)error");
    }
    out += c;
  }
  if (inClass) throw new Error("missing closing ]");
  return out;
}

// ---------------------------------------------------------------------------
// AST -> text

/** Canonical LogQL text for a query (what slo sends to Loki when it must rewrite one). */
export function formatLogQuery(q: LogQuery): string {
  const parts: string[] = [];
  if (q.selector) {
    parts.push(`{${q.selector.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(", ")}}`);
  }
  for (const stage of q.stages) {
    switch (stage.kind) {
      case "line":
        parts.push(`${stage.op} ${quote(stage.value)}`);
        break;
      case "json":
      case "logfmt":
        parts.push(`| ${stage.kind}`);
        break;
      case "filter":
        parts.push(`| ${formatFilter(stage.expr, null)}`);
        break;
    }
  }
  return parts.join(" ");
}

function formatFilter(expr: LabelFilterExpr, parent: "and" | "or" | null): string {
  switch (expr.kind) {
    case "and":
    case "or": {
      const text = `${formatFilter(expr.left, expr.kind)} ${expr.kind} ${formatFilter(expr.right, expr.kind)}`;
      return parent !== null && parent !== expr.kind ? `(${text})` : text;
    }
    case "string":
      return `${expr.label} ${expr.op} ${quote(expr.value)}`;
    case "number": {
      const value =
        expr.valueKind === "duration"
          ? formatGoDuration(expr.value)
          : expr.valueKind === "bytes"
            ? `${expr.value}B`
            : String(expr.value);
      return `${expr.label} ${expr.op} ${value}`;
    }
  }
}

const DURATION_FORMAT_UNITS: [string, number][] = [
  ["h", 3600e9],
  ["m", 60e9],
  ["s", 1e9],
  ["ms", 1e6],
  ["us", 1e3],
  ["ns", 1],
];

/** Seconds as a Go duration in the largest unit that keeps it whole: 0.25 -> "250ms". */
function formatGoDuration(seconds: number): string {
  const ns = Math.round(seconds * 1e9);
  if (ns === 0) return "0s";
  for (const [unit, size] of DURATION_FORMAT_UNITS) {
    if (ns % size === 0) return `${ns / size}${unit}`;
  }
  return `${ns}ns`;
}

/** JSON string escapes are valid Go string escapes. */
function quote(value: string): string {
  return JSON.stringify(value);
}
