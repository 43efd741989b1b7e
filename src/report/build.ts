/** Engine numbers + the SLO's definition -> one entry of the JSON report. */

import type { SloSpec } from "../definition/model.js";
import type { SloEvaluation } from "../engine/evaluate.js";
import type { WindowBounds } from "../engine/windows.js";
import type { SloReportEntry } from "./schema.js";

export interface EntryExtras {
  breakdown: SloReportEntry["breakdown"];
  diagnostics: SloReportEntry["diagnostics"];
  previous?: SloReportEntry["previous"];
  alertHistory?: SloReportEntry["alertHistory"];
  burnRateHistory?: SloReportEntry["burnRateHistory"];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function windowOf(slo: SloSpec, bounds: WindowBounds): SloReportEntry["window"] {
  const start = iso(bounds.startMs);
  const end = iso(bounds.endMs);
  return slo.window.kind === "rolling"
    ? { kind: "rolling", duration: slo.window.label, start, end }
    : { kind: "calendar", calendar: slo.window.label, timeZone: slo.window.timeZone, start, end };
}

function identity(slo: SloSpec) {
  return {
    service: slo.service,
    name: slo.name,
    ...(slo.description !== undefined ? { description: slo.description } : {}),
    ...(slo.runbook !== undefined ? { runbook: slo.runbook } : {}),
    objective: slo.objective,
    budgetingMethod: slo.budgetingMethod,
  };
}

function definition(slo: SloSpec) {
  return {
    ...(slo.breakdownBy !== undefined ? { breakdownBy: slo.breakdownBy } : {}),
    gated: slo.gate.enabled,
    ...(slo.gate.enabled ? { warnRemaining: slo.gate.warnRemaining } : {}),
    labels: slo.labels,
    definedAt: { file: slo.at.file, line: slo.at.line, col: slo.at.col },
  };
}

export function buildEntry(
  slo: SloSpec,
  bounds: WindowBounds,
  evaluation: SloEvaluation,
  extras: EntryExtras,
): SloReportEntry {
  return {
    ...identity(slo),
    window: windowOf(slo, bounds),
    events: evaluation.events,
    sli: evaluation.sli,
    errorBudget: evaluation.errorBudget,
    burnRates: evaluation.burnRates,
    alerts: evaluation.alerts,
    exhaustion: evaluation.exhaustion
      ? {
          "1h": evaluation.exhaustion["1h"] === null ? null : iso(evaluation.exhaustion["1h"]),
          "1d": evaluation.exhaustion["1d"] === null ? null : iso(evaluation.exhaustion["1d"]),
        }
      : null,
    status: evaluation.status,
    breakdown: extras.breakdown,
    error: null,
    ...definition(slo),
    burnDown: evaluation.burnDown.map((p) => ({ t: iso(p.atMs), remaining: p.remaining })),
    ...(evaluation.timeslices ? { timeslices: evaluation.timeslices } : {}),
    ...(extras.previous ? { previous: extras.previous } : {}),
    ...(extras.alertHistory ? { alertHistory: extras.alertHistory } : {}),
    ...(extras.burnRateHistory ? { burnRateHistory: extras.burnRateHistory } : {}),
    diagnostics: extras.diagnostics,
  };
}

/** An SLO whose source failed: reported with status error, no numbers. */
export function buildErrorEntry(
  slo: SloSpec,
  bounds: WindowBounds,
  error: { message: string; source: string },
): SloReportEntry {
  return {
    ...identity(slo),
    window: windowOf(slo, bounds),
    events: { good: 0, bad: 0, total: 0 },
    sli: null,
    errorBudget: { consumed: 0, remaining: 1 },
    burnRates: {},
    alerts: [],
    exhaustion: null,
    status: "error",
    breakdown: [],
    error,
    ...definition(slo),
    burnDown: [],
    diagnostics: { notes: [] },
  };
}
