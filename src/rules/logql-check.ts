/**
 * A Loki rule's expression checked with the official LogQL grammar
 * (@grafana/lezer-logql, as the SLO files' queries are) before a rule file
 * is written: Loki's ruler drops every rule of a tenant when one file does
 * not parse, so a bad expression must stop `slo rules`, not the ruler.
 */

import { firstErrorNode } from "../definition/lezer.js";
import { parseJoiningSideBySideFilters } from "../definition/logql/side-by-side-filters.js";

export interface LogQLRuleError {
  message: string;
  /** where in the expression, from 0 */
  offset: number;
}

/** Why `expr` cannot be a Loki rule's expression, or null when it can. */
export function logqlRuleError(expr: string): LogQLRuleError | null {
  // label filters side by side (`| a="1" b="2"`) are Loki's grammar, not lezer's: read them as Loki does
  const joined = parseJoiningSideBySideFilters(expr);
  const top = joined.tree.topNode;
  const error = firstErrorNode(top);
  if (error) return syntaxError(expr, joined.toGiven(error.from));
  const root = top.getChild("Expr");
  if (!root?.getChild("MetricExpr")) {
    return {
      message:
        'not a metric query: a rule needs numbers, e.g. sum(count_over_time({app="api"} [5m]))',
      offset: joined.toGiven(root?.from ?? 0),
    };
  }
  return null;
}

function syntaxError(expr: string, from: number): LogQLRuleError {
  const rest = expr.slice(from);
  const token = /^\s*(\S{1,20})/.exec(rest)?.[1];
  return token
    ? { message: `syntax error: unexpected '${token}'`, offset: from + rest.indexOf(token) }
    : { message: "syntax error: unexpected end of expression", offset: from };
}
