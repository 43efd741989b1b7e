/**
 * PromQL rewrites that turn foreign indicators into slo's counting queries,
 * shared by the OpenSLO and Sloth loaders. slo counts events: a ratio is
 * good/total summed over the window, never an average of shorter ratios.
 */

import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

const ANY_PLACEHOLDER = /\{\{\s*\.?window\s*\}\}/g;
export const WINDOW = "{{window}}";
/** Same length as `{{window}}`, so offsets in the parsed text are offsets in ours. */
const STAND_IN = "999999999s";

/** `{{.window}}` and `{{ window }}` written the one way slo's files write it. */
export function normalizeWindowPlaceholder(text: string): string {
  return text.replace(ANY_PLACEHOLDER, WINDOW);
}

/**
 * Sloth writes `rate(x[{{.window}}])`: per-second rates. Their ratio is the
 * same as that of `increase(x[{{window}}])`, but only increases are event
 * counts, which minEvents and the report need. Every `rate` over the window
 * becomes `increase`; the rest of the query is left as written.
 */
export function ratesToIncreases(text: string): string {
  const normalized = normalizeWindowPlaceholder(text);
  const parsed = normalized.split(WINDOW).join(STAND_IN);
  const tree = parser.parse(parsed);
  const edits: number[] = [];
  let broken = false;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) broken = true;
      if (ref.name !== "FunctionCall") return;
      const at = rateOverWindowAt(ref.node, parsed);
      if (at !== null) edits.push(at);
    },
  });
  if (broken) return normalized;
  let out = normalized;
  for (const at of edits.sort((a, b) => b - a)) {
    out = `${out.slice(0, at)}increase${out.slice(at + "rate".length)}`;
  }
  return out;
}

/** Where `rate` is written when the call is `rate(x[{{window}}])` (offset or not), else null. */
function rateOverWindowAt(call: SyntaxNode, parsed: string): number | null {
  const ident = call.getChild("FunctionIdentifier");
  if (!ident || parsed.slice(ident.from, ident.to) !== "rate") return null;
  let arg: SyntaxNode | null = call.getChild("FunctionCallBody")?.firstChild ?? null;
  while (arg?.name === "OffsetExpr") arg = arg.firstChild;
  if (arg?.name !== "MatrixSelector") return null;
  const range = arg.getChild("DurationExpr");
  return range && parsed.slice(range.from, range.to) === STAND_IN ? ident.from : null;
}

/**
 * `sum(sel)` or `sum by (x) (sel)` of a counter is, over a window, the same
 * count as `sel` itself (slo sums the increases); OpenSLO examples write the
 * sum. The selector, or null when the query is anything else.
 */
export function unwrapSummedSelector(text: string): string | null {
  const tree = parser.parse(text);
  let broken = false;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) broken = true;
    },
  });
  if (broken) return null;
  let node: SyntaxNode | null = tree.topNode.firstChild;
  while (node?.name === "ParenExpr") node = node.firstChild;
  if (node?.name !== "AggregateExpr") return null;
  const op = node.getChild("AggregateOp");
  if (!op || text.slice(op.from, op.to).toLowerCase() !== "sum") return null;
  const body = node.getChild("FunctionCallBody");
  const inner = body?.firstChild;
  if (inner?.name !== "VectorSelector" || inner.nextSibling) return null;
  return text.slice(inner.from, inner.to);
}

/**
 * A precomputed ratio (Sloth's error_ratio_query, OpenSLO's raw) has no event
 * counts. slo weighs it by time instead: each minute of a window counts as
 * one event, and the ratio's share of them as bad (or good). The SLI of every
 * window is then exactly the ratio Prometheus returns for that window; only
 * sums across windows (the burn-down, timeslices) weigh each part by its
 * length. A window where the ratio has no value (no traffic) has no events.
 */
export function rawRatioQueries(ratioQuery: string): { numerator: string; total: string } {
  const minutes = `scalar(count_over_time(vector(1)[${WINDOW}:1m]))`;
  // The newline ends a trailing `# comment` before the closing parenthesis.
  const ratio = `avg((${normalizeWindowPlaceholder(ratioQuery).trim()}\n) >= 0)`;
  return { numerator: `${ratio} * ${minutes}`, total: `count(${ratio}) * ${minutes}` };
}
