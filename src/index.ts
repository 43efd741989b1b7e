/**
 * The public library API: load SLO files, evaluate them, gate on them,
 * render the report. The CLI and the Action are thin entry points over the
 * same functions: both gate with runGate, and differ only in how they read
 * their options and where they show the report.
 *
 *   const set = await loadSetOrThrow(["slos/"]);
 *   const { report, exitCode } = await runGate(set, {
 *     atMs: Date.now(), failOn: "breach", onSourceError: "error",
 *   });
 *   process.stdout.write(renderMarkdown(report));
 */

export { type LoadOptions, type LoadResult, loadSpec } from "./definition/load.js";
export type { ServiceSpec, SloSet, SloSpec, SourceSpec } from "./definition/model.js";
export { alertFactor, type BurnRateRule, evaluateAlerts } from "./engine/alert-policy.js";
export { burnRateOf, errorBudgetOf, sliOf } from "./engine/budget.js";
export { evaluateSlo, type SloEvaluation, type SloEvaluationInput } from "./engine/evaluate.js";
export { type RunResult, runResultOf, type SloStatus, sloStatusOf } from "./engine/status.js";
export { windowBounds } from "./engine/windows.js";
export { EXIT, exitCodeFor, SloError, SloErrors } from "./errors.js";
export { type EvaluateOptions, evaluateSet } from "./pipeline/evaluate-set.js";
export {
  FAIL_ON,
  type FailOn,
  type GateOptions,
  type GateOutcome,
  type GatePublisher,
  ON_SOURCE_ERROR,
  type OnSourceError,
  runGate,
  verdictOf,
} from "./pipeline/gate.js";
export { loadSetOrThrow } from "./pipeline/load-set.js";
export { reportJsonSchema, sloFileJsonSchema } from "./report/json-schemas.js";
export { renderHtml } from "./report/render-html.js";
export { renderJson } from "./report/render-json.js";
export { renderMarkdown } from "./report/render-markdown.js";
export { renderText } from "./report/render-text.js";
export type { SloReport, SloReportEntry } from "./report/schema.js";
export { buildRules } from "./rules/build.js";
export { renderRules } from "./rules/render.js";
export { createSource } from "./sources/index.js";
export type { CountRequest, CountResult, Source } from "./sources/types.js";
