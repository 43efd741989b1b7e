/**
 * A count request made ready to run on lines: its queries parsed and
 * compiled against the source's stream labels, and how a matching event is
 * judged good or bad.
 */

import { parseLogQuery } from "../../../definition/logql.js";
import type { LogQuery } from "../../../definition/logql-ast.js";
import type { LatencyIndicator, LogsSourceSpec } from "../../../definition/model.js";
import { SloError, specError } from "../../../errors.js";
import {
  breakdownWindow,
  type CountRequest,
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

/** Latency: events matching `events`; good when `field` <= threshold (in `unit`). */
export interface LatencyPlan extends PlanBase {
  kind: "latency";
  events: CompiledQuery;
  field: string;
  fieldId: number;
  unit: LatencyIndicator["unit"];
  threshold: number;
}

export function planRequest(request: CountRequest, spec: LogsSourceSpec): RequestPlan | SloError {
  const { slo } = request;
  const base = planBase(request);
  const indicator = slo.indicator;
  const parse = (role: string, text: string): LogQuery | SloError => {
    const parsed = parseLogQuery(text, { requireSelector: false });
    if (parsed.ok) return parsed.query;
    return specError(
      `SLO '${slo.name}': ${role} query: LogQL: ${parsed.message} (at offset ${parsed.offset} of ${JSON.stringify(text)})`,
      slo.at,
    );
  };
  const compile = (role: string, text: string, within?: LogQuery): CompiledQuery | SloError => {
    const query = parse(role, text);
    if (query instanceof SloError) return query;
    // bad and good are only asked about total events: skip what total checked
    const knownToPass = within ? sharedStages(within, query) : 0;
    return compileQuery(query, spec.labels, { knownToPass });
  };

  if (indicator.kind === "ratio") {
    if (indicator.bad === undefined && indicator.good === undefined) {
      return specError(`SLO '${slo.name}': a ratio needs a good or a bad query`, slo.at);
    }
    const totalQuery = parse("total", indicator.total);
    if (totalQuery instanceof SloError) return totalQuery;
    const total = compileQuery(totalQuery, spec.labels);
    // bad wins when both are given: it is what the budget is spent on
    const judge =
      indicator.bad !== undefined
        ? { role: "bad" as const, query: compile("bad", indicator.bad, totalQuery) }
        : { role: "good" as const, query: compile("good", indicator.good!, totalQuery) };
    if (judge.query instanceof SloError) return judge.query;
    return {
      kind: "ratio",
      ...base,
      total,
      bad: judge.role === "bad" ? judge.query : null,
      good: judge.role === "good" ? judge.query : null,
    };
  }

  if (!indicator.events || !indicator.field) {
    return specError(
      `SLO '${slo.name}': a latency SLO on a logs source needs events (a LogQL query) and field`,
      slo.at,
    );
  }
  const events = compile("events", indicator.events);
  if (events instanceof SloError) return events;
  return {
    kind: "latency",
    ...base,
    events,
    field: indicator.field,
    fieldId: nameId(indicator.field),
    unit: indicator.unit,
    threshold: indicator.threshold,
  };
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
  return { windows: request.windows, series: request.series, breakdown, fromMs, toMs };
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
