/**
 * PromQL as SLO files write it: checked with the official grammar
 * (@prometheus-io/lezer-promql) before any query is sent, and turned into the
 * query for one window. A query is either a plain series selector (slo wraps
 * it in `sum(increase(SEL[W]))`) or a full query with a `{{window}}`
 * placeholder (Sloth writes `{{.window}}`) that slo fills in.
 */

import { parser } from "@prometheus-io/lezer-promql";
import { firstErrorNode } from "./lezer.js";
import { metricsqlAt } from "./metricsql.js";
import { formatPromDuration } from "./promql-duration.js";

export { formatPromDuration };

export type PromQLCheck =
  | { ok: true }
  | { ok: false; message: string; offset: number; hint?: string };

/** `{{window}}`, `{{ window }}` and Sloth's `{{.window}}`. */
const WINDOW_PLACEHOLDER = /\{\{\s*\.?window\s*\}\}/g;

/** What the placeholder stands for while parsing: any valid duration does. */
const PARSE_DURATION = "5m";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

interface Replacement {
  /** where the placeholder was in the original text */
  from: number;
  length: number;
}

/** The text with every placeholder replaced by `range`, and where they were. */
function fill(text: string, range: string): { text: string; replaced: Replacement[] } {
  const replaced: Replacement[] = [];
  const out = text.replace(WINDOW_PLACEHOLDER, (match, offset: number) => {
    replaced.push({ from: offset, length: match.length });
    return range;
  });
  return { text: out, replaced };
}

/** An offset in the filled text -> the offset in the original; inside a placeholder, its start. */
function originalOffset(offset: number, replaced: Replacement[], rangeLength: number): number {
  let shift = 0;
  for (const r of replaced) {
    const filledFrom = r.from + shift;
    if (offset < filledFrom) break;
    if (offset < filledFrom + rangeLength) return r.from;
    shift += rangeLength - r.length;
  }
  return offset - shift;
}

export function hasWindowPlaceholder(text: string): boolean {
  WINDOW_PLACEHOLDER.lastIndex = 0;
  return WINDOW_PLACEHOLDER.test(text);
}

/** Fill every `{{window}}` with a PromQL duration such as `30d`. */
export function substituteWindow(text: string, range: string): string {
  return fill(text, range).text;
}

/** Syntax check with the official grammar; the offset points into `text` as written. */
export function checkPromQL(text: string): PromQLCheck {
  if (text.trim() === "") return { ok: false, message: "empty PromQL query", offset: 0 };
  const filled = fill(text, PARSE_DURATION);
  const tree = parser.parse(filled.text);
  const error = firstErrorNode(tree.topNode);
  if (!error) return { ok: true };
  const at = (offset: number) => originalOffset(offset, filled.replaced, PARSE_DURATION.length);
  const metricsql = metricsqlAt(filled.text, error.from);
  if (metricsql) {
    return {
      ok: false,
      message: `this looks like MetricsQL (VictoriaMetrics' query language), which slo does not read: ${metricsql.what}`,
      offset: at(metricsql.offset),
      hint: `write it as plain PromQL: ${metricsql.instead}`,
    };
  }
  return { ok: false, message: describeError(filled.text, error), offset: at(error.from) };
}

function describeError(text: string, node: SyntaxNode): string {
  // An error node that covers text holds what was not expected; an empty one
  // sits where something was missing, before the next token.
  const rest = text.slice(node.from);
  if (rest.trim() === "") return "syntax error: unexpected end of query";
  const token = node.to > node.from ? text.slice(node.from, node.to) : /^\s*(\S+)/.exec(rest)?.[1];
  const shown = (token ?? rest).trim().slice(0, 30);
  return `syntax error: unexpected "${shown}"`;
}

/**
 * The top expression, when the whole text parses without error; null otherwise.
 * Comments and parentheses around it are looked through.
 */
function topExpression(text: string): SyntaxNode | null {
  const tree = parser.parse(text);
  if (firstErrorNode(tree.topNode)) return null;
  let node = tree.topNode.firstChild;
  while (node?.name === "ParenExpr") node = exprChild(node);
  return node;
}

function exprChild(node: SyntaxNode): SyntaxNode | null {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== "LineComment") return child;
  }
  return null;
}

/** A plain instant-vector selector: `name`, `name{a="b"}` or `{__name__="x"}`, nothing more. */
export function isSelector(text: string): boolean {
  return topExpression(text)?.name === "VectorSelector";
}

/**
 * The first range a query fixes itself (`30d` in `increase(x[30d])`, or a
 * subquery's), as its offset and text; null when it has none. A query that
 * parses with errors has none either: the syntax error is the news.
 */
export function fixedRange(text: string): { offset: number; text: string } | null {
  const tree = parser.parse(text);
  if (firstErrorNode(tree.topNode)) return null;
  let found: { offset: number; text: string } | null = null;
  tree.topNode.cursor().iterate((node) => {
    if (found) return false;
    if (node.name !== "DurationExpr") return undefined;
    const parent = node.node.parent?.name;
    if (parent === "MatrixSelector" || parent === "SubqueryExpr") {
      found = { offset: node.from, text: text.slice(node.from, node.to) };
    }
    return false;
  });
  return found;
}

export interface SelectorParts {
  /** the metric name; empty for `{__name__=...}` forms */
  metric: string;
  /** each label matcher as written, e.g. `code=~"5.."` */
  matchers: string[];
}

/** The metric name and matchers of a plain selector; null when `text` is not one. */
export function selectorParts(text: string): SelectorParts | null {
  const node = topExpression(text);
  if (node?.name !== "VectorSelector") return null;
  let metric = "";
  const matchers: string[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === "Identifier") metric = text.slice(child.from, child.to);
    if (child.name === "LabelMatchers") {
      for (let m = child.firstChild; m; m = m.nextSibling) {
        if (m.name === "UnquotedLabelMatcher" || m.name === "QuotedLabelMatcher") {
          matchers.push(text.slice(m.from, m.to));
        }
      }
    }
  }
  return { metric, matchers };
}

/** A selector for `metric{matchers}`. */
export function formatSelector(metric: string, matchers: readonly string[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(", ")}}`;
}

/**
 * The query counting events over a window of `rangeMs`: a selector becomes
 * `sum(increase(SEL[W]))`, a query with `{{window}}` gets W filled in.
 * Null for a full query without a placeholder: it cannot follow the window.
 */
export function windowQuery(text: string, rangeMs: number): string | null {
  const range = formatPromDuration(rangeMs);
  if (hasWindowPlaceholder(text)) return substituteWindow(text, range).trim();
  const parts = selectorParts(text);
  // Rebuilt from its parts, so a trailing `# comment` cannot swallow the range.
  if (parts) return `sum(increase(${formatSelector(parts.metric, parts.matchers)}[${range}]))`;
  return null;
}

/**
 * A grouped SLO's counting query (groupBy): a selector's increase summed by
 * the labels, or a query with {{window}} wrapped in `sum by`; the query must
 * then keep the labels (sum by them itself, or not aggregate them away).
 */
export function groupedWindowQuery(
  text: string,
  rangeMs: number,
  by: readonly string[],
): string | null {
  const range = formatPromDuration(rangeMs);
  const labels = by.join(", ");
  if (hasWindowPlaceholder(text))
    return `sum by (${labels}) (${substituteWindow(text, range).trim()})`;
  const parts = selectorParts(text);
  if (parts)
    return `sum by (${labels}) (increase(${formatSelector(parts.metric, parts.matchers)}[${range}]))`;
  return null;
}

/** A number as Prometheus writes it: a decimal string, "NaN", "+Inf" or "-Inf". */
export function parsePromNumber(text: unknown): number {
  if (typeof text === "number") return text;
  if (typeof text !== "string") return Number.NaN;
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** A number for people and for `le`: 12 significant digits, infinities as Prometheus writes them. */
export function formatPromNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(Number(n.toPrecision(12)));
}

/** A Prometheus (and Loki) label name: what `sum by`, matchers and rule labels accept. */
export const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
