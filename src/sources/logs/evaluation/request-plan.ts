/**
 * A count request made ready to run on lines: its queries parsed and
 * compiled against the source's stream labels, and how a matching event is
 * judged good or bad.
 */

import { type LogQuery, readsErrors } from "../../../definition/logql/ast.js";
import { parseLogQuery } from "../../../definition/logql/parse.js";
import type {
  LatencyIndicator,
  LogsSourceSpec,
  RatioIndicator,
  SloSpec,
  ThresholdOp,
} from "../../../definition/model.js";
import { SloError, specError } from "../../../errors.js";
import {
  breakdownWindow,
  type CountRequest,
  type Period,
  type SeriesRequest,
  type WindowRequest,
} from "../../types.js";
import { type CompiledQuery, compileQuery, nameId, sharedStages } from "./compiled-query.js";

export type RequestPlan = RatioPlan | LatencyPlan;

interface PlanBase {
  windows: WindowRequest[];
  series: SeriesRequest[];
  /** byId: by's nameId */
  breakdown: { by: string; byId: number; limit: number; startMs: number; endMs: number } | null;
  /** the earliest and latest instants any window or bucket covers: (fromMs, toMs] */
  fromMs: number;
  toMs: number;
  /** corrections: events inside their periods are skipped, counted per correction over (startMs, endMs] */
  excluded: {
    periods: Period[];
    corrections: Period[][];
    startMs: number;
    endMs: number;
  } | null;
}

/**
 * Ratio: total = events matching `total`; bad = those of them matching `bad`,
 * or, when `good` is given instead, those of them NOT matching `good`. An
 * event matching `bad` but not `total` is not counted at all: bad is always
 * a subset of total, so good = total - bad is never negative.
 */
export interface RatioPlan extends PlanBase {
  kind: "ratio";
  total: CompiledQuery;
  bad: CompiledQuery | null;
  good: CompiledQuery | null;
}

/** Latency or any number: events matching `events`; good when `field` compares true with the threshold (in `unit`). */
export interface LatencyPlan extends PlanBase {
  kind: "latency";
  events: CompiledQuery;
  field: string;
  fieldId: number;
  unit: LatencyIndicator["unit"];
  threshold: number;
  isGood(value: number): boolean;
}

export function planRequest(request: CountRequest, spec: LogsSourceSpec): RequestPlan | SloError {
  const { slo } = request;
  const base = planBase(request);
  if (slo.indicator.kind === "sampled")
    return specError(
      `SLO '${slo.name}': a sampled value needs a prometheus source; on logs, name the field that holds the value`,
      slo.at,
    );
  return slo.indicator.kind === "ratio"
    ? ratioPlan(slo, slo.indicator, spec, base)
    : latencyPlan(slo, slo.indicator, spec, base);
}

function ratioPlan(
  slo: SloSpec,
  indicator: RatioIndicator,
  spec: LogsSourceSpec,
  base: PlanBase,
): RatioPlan | SloError {
  if (indicator.bad === undefined && indicator.good === undefined) {
    return specError(`SLO '${slo.name}': a ratio needs a good or a bad query`, slo.at);
  }
  const totalQuery = parseQuery(slo, "total", indicator.total);
  if (totalQuery instanceof SloError) return totalQuery;
  const total = compileQuery(totalQuery, spec.labels);
  // bad wins when both are given: it is what the budget is spent on
  if (indicator.bad !== undefined) {
    const bad = compileRole(slo, spec, "bad", indicator.bad, totalQuery);
    return bad instanceof SloError ? bad : { kind: "ratio", ...base, total, bad, good: null };
  }
  const good = compileRole(slo, spec, "good", indicator.good!, totalQuery);
  return good instanceof SloError ? good : { kind: "ratio", ...base, total, bad: null, good };
}

function latencyPlan(
  slo: SloSpec,
  indicator: LatencyIndicator,
  spec: LogsSourceSpec,
  base: PlanBase,
): LatencyPlan | SloError {
  if (!indicator.events || !indicator.field) {
    return specError(
      `SLO '${slo.name}': a latency SLO on a logs source needs events (a LogQL query) and field`,
      slo.at,
    );
  }
  const events = compileRole(slo, spec, "events", indicator.events);
  if (events instanceof SloError) return events;
  return {
    kind: "latency",
    ...base,
    events,
    field: indicator.field,
    fieldId: nameId(indicator.field),
    unit: indicator.unit,
    threshold: indicator.threshold,
    isGood: comparison(indicator.op ?? "lte", indicator.threshold),
  };
}

function comparison(op: ThresholdOp, threshold: number): (value: number) => boolean {
  switch (op) {
    case "lt":
      return (v) => v < threshold;
    case "lte":
      return (v) => v <= threshold;
    case "gt":
      return (v) => v > threshold;
    case "gte":
      return (v) => v >= threshold;
  }
}

/** One of the SLO's queries parsed, or the error naming its role and where LogQL stopped. */
function parseQuery(slo: SloSpec, role: string, text: string): LogQuery | SloError {
  const parsed = parseLogQuery(text, { requireSelector: false });
  if (parsed.ok) return parsed.query;
  return specError(
    `SLO '${slo.name}': ${role} query: LogQL: ${parsed.message} (at offset ${parsed.offset} of ${JSON.stringify(text)})`,
    slo.at,
  );
}

/** One of the SLO's queries compiled; within: the total query whose events alone it judges. */
function compileRole(
  slo: SloSpec,
  spec: LogsSourceSpec,
  role: string,
  text: string,
  within?: LogQuery,
): CompiledQuery | SloError {
  const query = parseQuery(slo, role, text);
  if (query instanceof SloError) return query;
  // bad and good are only asked about total events: skip what total checked,
  // unless total lets lines with errors through, which those stages may have set
  const knownToPass = within && !readsErrors(within) ? sharedStages(within, query) : 0;
  return compileQuery(query, spec.labels, { knownToPass });
}

function planBase(request: CountRequest): PlanBase {
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const w of request.windows) {
    fromMs = Math.min(fromMs, w.startMs);
    toMs = Math.max(toMs, w.endMs);
  }
  for (const s of request.series) {
    fromMs = Math.min(fromMs, s.startMs);
    toMs = Math.max(toMs, s.startMs + s.count * s.stepMs);
  }
  const over = breakdownWindow(request);
  const breakdown =
    request.breakdown && over
      ? {
          by: request.breakdown.by,
          byId: nameId(request.breakdown.by),
          limit: request.breakdown.limit,
          startMs: over.startMs,
          endMs: over.endMs,
        }
      : null;
  return {
    windows: request.windows,
    series: request.series,
    breakdown,
    fromMs,
    toMs,
    excluded: excludedOf(request),
  };
}

function excludedOf(request: CountRequest): PlanBase["excluded"] {
  const excluded = request.excluded;
  if (!excluded || excluded.periods.length === 0) return null;
  const window = request.windows.find((w) => w.key === excluded.window);
  return {
    periods: excluded.periods,
    corrections: excluded.corrections,
    startMs: window?.startMs ?? 0,
    endMs: window?.endMs ?? 0,
  };
}

/** The compiled queries of a plan. */
export function queriesOf(plan: RequestPlan): CompiledQuery[] {
  if (plan.kind === "latency") return [plan.events];
  return [plan.total, plan.bad, plan.good].filter((q): q is CompiledQuery => q !== null);
}

/** The fields of each event slo reads itself (besides the timestamp). */
export function fieldsRead(plan: RequestPlan): string[] {
  const fields = plan.kind === "latency" ? [plan.field] : [];
  if (plan.breakdown) fields.push(plan.breakdown.by);
  return fields;
}
