/**
 * The LogQL log-pipeline subset slo evaluates, as a typed tree. Parsed from
 * text by parseLogQuery (parse.ts) with the official grammar; evaluated on
 * log lines by the logs source and sent as text to Loki.
 */

import type { PatternPart } from "./pattern.js";

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface StreamMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type LineFilterOp = "|=" | "!=" | "|~" | "!~";

export type CompareOp = "==" | "!=" | ">" | ">=" | "<" | "<=";

export type LabelFilterExpr =
  | { kind: "and"; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: "or"; left: LabelFilterExpr; right: LabelFilterExpr }
  /** label = "x", != "x", =~ "re", !~ "re" */
  | { kind: "string"; label: string; op: MatchOp; value: string }
  /** label > 5, label >= 250ms (durations in seconds), label < 2KB (bytes) */
  | {
      kind: "number";
      label: string;
      op: CompareOp;
      value: number;
      valueKind: "number" | "duration" | "bytes";
    };

export type PipelineStage =
  | { kind: "line"; op: LineFilterOp; value: string }
  /** captures by position: literal runs and <name> (or <_>) captures; the line never fails it */
  | { kind: "pattern"; expression: string; parts: PatternPart[] }
  /** RE2 named groups (?P<name>...), each a label; a line it does not match gets none */
  | { kind: "regexp"; expression: string; names: string[] }
  /** json with no parameters extracts every field, nested keys joined with "_" */
  | { kind: "json" }
  | { kind: "logfmt" }
  | { kind: "filter"; expr: LabelFilterExpr };

/** The stages that extract labels from a line's text by position or by regexp. */
export type TextParserStage = Extract<PipelineStage, { kind: "pattern" | "regexp" }>;

export interface LogQuery {
  /** null when the query starts at the pipeline (logs sources only) */
  selector: StreamMatcher[] | null;
  stages: PipelineStage[];
  /** the query as written */
  text: string;
}

/** The labels Loki gives a line a parser or a filter failed on. */
export const ERROR_LABEL = "__error__";
export const ERROR_DETAILS_LABEL = "__error_details__";

/** Whether any single label test of the query's filter stages passes `test` (through and / or). */
export function someLabelTest(
  query: LogQuery,
  test: (leaf: Exclude<LabelFilterExpr, { kind: "and" | "or" }>) => boolean,
): boolean {
  const walk = (expr: LabelFilterExpr): boolean =>
    expr.kind === "and" || expr.kind === "or" ? walk(expr.left) || walk(expr.right) : test(expr);
  return query.stages.some((stage) => stage.kind === "filter" && walk(stage.expr));
}

/** `__error__ = ""`: keeps only the lines without an error. */
export function isNoErrorTest(expr: LabelFilterExpr): boolean {
  return (
    expr.kind === "string" && expr.label === ERROR_LABEL && expr.op === "=" && expr.value === ""
  );
}

/** Whether a filter reads __error__ or __error_details__. */
export function readsErrors(query: LogQuery): boolean {
  return someLabelTest(
    query,
    (leaf) => leaf.label === ERROR_LABEL || leaf.label === ERROR_DETAILS_LABEL,
  );
}
