/**
 * The common shape of a query, `{selector} | json | label filters`, where
 * every filter is a string `=` or `!=` on a `| json` label or a comparison of
 * one with a number, joined by `and`: then a line matches exactly when every
 * test passes, and a judge can run the tests on the fast path's slots (see
 * plan-judge.ts) instead of the compiled query's closures.
 */

import {
  type CompareOp,
  ERROR_DETAILS_LABEL,
  ERROR_LABEL,
  type LabelFilterExpr,
  type LogQuery,
  readsErrors,
} from "../../../definition/logql/ast.js";

/** One test on a `| json` label: (text ?? "") = value, != value, or a number compared with threshold. */
export type PlainTest =
  | { kind: "is"; key: string; value: string; bytes: Buffer; negated: boolean }
  | { kind: "number"; key: string; op: CompareOp; threshold: number };

/** The tests of a query of the plain shape; a line matches when all pass. */
export interface PlainQuery {
  tests: PlainTest[];
}

/**
 * The plain form of a query, or null when it has another shape. skip: its
 * leading stages known to pass (compileQuery's knownToPass), left out as
 * the compiled query leaves them out. bytesOf: the value's bytes as the
 * compiled query gives them to the tokenizer (the same Buffer).
 *
 * Why all tests must pass: `| json` on a line the fast path accepted (a JSON
 * object) sets no error; a numeric test on a value that is not a number sets
 * LabelFilterErr, and a query that does not read __error__ drops such a line,
 * whatever the other tests say; a missing label fails a numeric test.
 */
export function plainQueryOf(
  query: LogQuery,
  streamLabels: Record<string, string>,
  skip: number,
  bytesOf: (value: string) => Buffer,
): PlainQuery | null {
  if (readsErrors(query)) return null;
  const tests: PlainTest[] = [];
  let parsed = false;
  for (const [index, stage] of query.stages.entries()) {
    if (stage.kind === "json") {
      if (parsed) return null;
      parsed = true;
      continue;
    }
    if (index < skip && (stage.kind === "filter" || stage.kind === "line")) continue;
    if (stage.kind !== "filter" || !parsed) return null;
    if (!collectTests(stage.expr, streamLabels, bytesOf, tests)) return null;
  }
  return parsed ? { tests } : null;
}

function collectTests(
  expr: LabelFilterExpr,
  streamLabels: Record<string, string>,
  bytesOf: (value: string) => Buffer,
  tests: PlainTest[],
): boolean {
  switch (expr.kind) {
    case "and":
      return (
        collectTests(expr.left, streamLabels, bytesOf, tests) &&
        collectTests(expr.right, streamLabels, bytesOf, tests)
      );
    case "or":
      return false;
    case "string": {
      const key = jsonKeyOf(expr.label, streamLabels);
      if (key === null || (expr.op !== "=" && expr.op !== "!=")) return false;
      const negated = expr.op === "!=";
      tests.push({ kind: "is", key, value: expr.value, bytes: bytesOf(expr.value), negated });
      return true;
    }
    case "number": {
      const key = jsonKeyOf(expr.label, streamLabels);
      if (key === null || expr.valueKind !== "number") return false;
      tests.push({ kind: "number", key, op: expr.op, threshold: expr.value });
      return true;
    }
  }
}

/**
 * The `| json` key a label filter reads (as compileQuery's labelLookup finds
 * it), or null when it reads a stream label or an error label.
 */
function jsonKeyOf(label: string, streamLabels: Record<string, string>): string | null {
  if (label === ERROR_LABEL || label === ERROR_DETAILS_LABEL) return null;
  if (Object.hasOwn(streamLabels, label)) return null;
  const base = label.endsWith("_extracted") ? label.slice(0, -"_extracted".length) : "";
  return base !== "" && Object.hasOwn(streamLabels, base) ? base : label;
}
