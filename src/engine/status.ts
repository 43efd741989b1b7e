/** Status per SLO and the run's result, per the gate rules of the design. */

import type { AlertState } from "./alert-policy.js";

export type SloStatus = "ok" | "warning" | "breaching" | "no-data" | "error";
export type RunResult = "pass" | "warn" | "fail" | "unknown";

export interface GateThresholds {
  minRemaining: number;
  warnRemaining: number;
}

export function sloStatusOf(
  sli: number | null,
  remaining: number,
  alerts: readonly AlertState[],
  gate: GateThresholds,
): SloStatus {
  if (sli === null) return "no-data";
  const firing = (severity: "page" | "ticket") =>
    alerts.some((a) => a.firing && a.severity === severity);
  if (remaining <= 0 || remaining < gate.minRemaining || firing("page")) return "breaching";
  if (remaining < gate.warnRemaining || firing("ticket")) return "warning";
  return "ok";
}

const RESULT_OF: Record<SloStatus, RunResult> = {
  ok: "pass",
  warning: "warn",
  "no-data": "unknown",
  error: "unknown",
  breaching: "fail",
};

const RANK: Record<RunResult, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 };

/** The worst result of the gated SLOs; SLOs with `gate: false` are reported only. */
export function runResultOf(slos: readonly { status: SloStatus; gated: boolean }[]): RunResult {
  let worst: RunResult = "pass";
  for (const slo of slos) {
    if (!slo.gated) continue;
    const result = RESULT_OF[slo.status];
    if (RANK[result] > RANK[worst]) worst = result;
  }
  return worst;
}

/**
 * The run's result with the health gate applied: a failing check with
 * `onFailure: fail` fails the run, one with `warn` makes a pass a warning.
 */
export function resultWithHealth(
  result: RunResult,
  health: readonly { ok: boolean; onFailure: "fail" | "warn" }[],
): RunResult {
  if (health.some((h) => !h.ok && h.onFailure === "fail")) return "fail";
  if (result === "pass" && health.some((h) => !h.ok && h.onFailure === "warn")) return "warn";
  return result;
}
