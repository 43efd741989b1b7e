/**
 * Label filters written side by side (`| a="1" b="2"`): Loki's grammar reads
 * them as `and`, @grafana/lezer-logql does not know the form. The query is
 * parsed as Loki would group it by writing the `and` out, and every offset
 * in the rewritten text maps back to the text as given.
 *
 * Loki's yacc grammar has the rule `labelFilter labelFilter` with no
 * precedence, so its parser shifts: the filter after the space takes the
 * whole rest of its group (to the end of the stage or of the parentheses it
 * is in) as its right side. `a="1" b="2" or c>3` is `a="1" and (b="2" or
 * c>3)`, and `c>3 or a="1" b="2"` is `c>3 or (a="1" and b="2")`.
 *
 * A comma (`labelFilter COMMA labelFilter`) has no precedence in Loki's
 * grammar either, so it groups the same way: `a="1", b="2" or c>3` is
 * `a="1" and (b="2" or c>3)` (measured on 2.7.5), where the lezer grammar
 * gives it and's precedence. Its right side is put in parentheses.
 *
 * A group ends at a line filter written without a pipe after a label filter
 * (`| a="1" b="2" != "x"`): Loki reads `!=` there as a line filter.
 */

import { parser } from "@grafana/lezer-logql";
import { firstErrorNode, type SyntaxNode } from "../lezer.js";

type Tree = ReturnType<typeof parser.parse>;

export interface JoinedQuery {
  /** the text parsed: the given one with each side-by-side join written as `and (...)` */
  source: string;
  tree: Tree;
  /** an offset in source as an offset in the given text */
  toGiven(offset: number): number;
}

/** Text put in at one place of the text as it was then. */
interface Insertion {
  at: number;
  length: number;
}

const AND_OPEN = " and (";
const CLOSE = ")";

/** The start of a label filter: a label then a comparison, or a parenthesis. */
const FILTER_START = /^(?:\(|[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|==|>=|<=|=|>|<))/;

export function parseJoiningSideBySideFilters(given: string): JoinedQuery {
  const insertions: Insertion[] = [];
  let source = given;
  let tree = parser.parse(source);
  // each rewrite removes one error; a query has fewer joins than characters
  for (let rewrites = 0; rewrites < given.length; rewrites++) {
    const error = firstErrorNode(tree.topNode);
    if (!error) break;
    const at = nextNonSpace(source, error.from);
    if (!followsLabelFilter(tree, source, at) || !FILTER_START.test(source.slice(at))) break;
    const end = groupEnd(source, at);
    source = `${source.slice(0, at)}${AND_OPEN}${source.slice(at, end)}${CLOSE}${source.slice(end)}`;
    insertions.push({ at, length: AND_OPEN.length }, { at: end + AND_OPEN.length, length: 1 });
    tree = parser.parse(source);
  }
  if (!firstErrorNode(tree.topNode)) {
    for (
      let at = commaRightSideToGroup(tree, source);
      at;
      at = commaRightSideToGroup(tree, source)
    ) {
      source = `${source.slice(0, at.from)}(${source.slice(at.from, at.to)})${source.slice(at.to)}`;
      insertions.push({ at: at.from, length: 1 }, { at: at.to + 1, length: 1 });
      tree = parser.parse(source);
    }
  }
  return { source, tree, toGiven: (offset) => undoInsertions(offset, insertions) };
}

/**
 * The first comma-joined label filter whose right side is not yet the whole
 * rest of its group: that rest, to be put in parentheses.
 */
function commaRightSideToGroup(tree: Tree, source: string): { from: number; to: number } | null {
  let found: { from: number; to: number } | null = null;
  tree.iterate({
    enter(node) {
      if (found) return false;
      if (node.name !== "LabelFilter") return;
      const [left, right, ...more] = node.node.getChildren("LabelFilter");
      if (!left || !right || more.length > 0) return;
      if (source.slice(left.to, right.from).trim() !== ",") return;
      const end = groupEnd(source, right.from);
      if (right.to < end) found = { from: right.from, to: end };
    },
  });
  return found;
}

function undoInsertions(offset: number, insertions: Insertion[]): number {
  let at = offset;
  for (let i = insertions.length - 1; i >= 0; i--) {
    const insertion = insertions[i]!;
    if (at >= insertion.at + insertion.length) at -= insertion.length;
    else if (at > insertion.at) at = insertion.at;
  }
  return at;
}

function nextNonSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/** Whether the last token before `at` ends a label filter of a pipeline stage. */
function followsLabelFilter(tree: Tree, source: string, at: number): boolean {
  let before = at - 1;
  while (before >= 0 && /\s/.test(source[before]!)) before--;
  if (before < 0) return false;
  for (let node: SyntaxNode | null = tree.resolveInner(before + 1, -1); node; node = node.parent) {
    if (node.name === "LabelFilter") return node.to <= at;
    if (node.name === "PipelineStage" || node.name === "Selector") return false;
  }
  return false;
}

/**
 * Where the group the filter at `at` is in ends: at the `)` closing a
 * parenthesis opened before it, at the next stage (`|`), at a line filter
 * (`!=` or `!~` after a label filter's value), at a comment, or at the end
 * of the text.
 */
function groupEnd(source: string, at: number): number {
  let depth = 0;
  /** the last token ends a label filter: a string, a `)`, or a bare word after an operator */
  let afterValue = false;
  let afterOperator = false;
  for (let i = at; i < source.length; i++) {
    const c = source[i]!;
    if (/\s/.test(c)) continue;
    const operator = LABEL_OPERATOR.exec(source.slice(i, i + 2))?.[0];
    const lineFilter = afterValue && (operator === "!=" || operator === "!~");
    if (depth === 0 && (c === "|" || c === "#" || lineFilter)) return trimmedEnd(source, at, i);
    if (c === ")" && --depth < 0) return i;
    let isValue = c === ")";
    if (c === '"' || c === "`") {
      i = stringEnd(source, i);
      isValue = true;
    } else if (c === "(") depth++;
    else if (operator) i += operator.length - 1;
    else if (c !== "," && c !== ")") {
      const end = wordEnd(source, i);
      isValue = afterOperator && !KEYWORD.test(source.slice(i, end));
      i = end - 1;
    }
    afterValue = isValue;
    afterOperator = operator !== undefined;
  }
  return trimmedEnd(source, at, source.length);
}

const KEYWORD = /^(?:and|or)$/;
const LABEL_OPERATOR = /^(?:=~|!~|!=|==|>=|<=|=|>|<)/;

/** The end of a bare word (a label, a keyword, a number, a duration) starting at i. */
function wordEnd(source: string, i: number): number {
  let j = i;
  while (j < source.length && !/[\s()|#"`,=!<>~]/.test(source[j]!)) j++;
  return Math.max(j, i + 1);
}

/** end, moved back over the spaces before it (but not before from). */
function trimmedEnd(source: string, from: number, end: number): number {
  let at = end;
  while (at > from && /\s/.test(source[at - 1]!)) at--;
  return at;
}

/** The index of the quote closing the string opening at i (or the last index). */
function stringEnd(source: string, i: number): number {
  const quote = source[i];
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\" && quote === '"') j++;
    else if (source[j] === quote) return j;
  }
  return source.length - 1;
}
