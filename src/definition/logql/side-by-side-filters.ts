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
  return { source, tree, toGiven: (offset) => undoInsertions(offset, insertions) };
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
 * parenthesis opened before it, at the next stage (`|`), at a comment, or
 * at the end of the text.
 */
function groupEnd(source: string, at: number): number {
  let depth = 0;
  for (let i = at; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "`") i = stringEnd(source, i);
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return i;
    else if ((c === "|" || c === "#") && depth === 0) return trimmedEnd(source, at, i);
  }
  return trimmedEnd(source, at, source.length);
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
