/**
 * One SLO, evaluated from counts: SLI, budget, burn rates, alerts, exhaustion
 * and status. Numbers in, numbers out; the pipeline does the I/O.
 */

import { heldSeriesKey, heldThroughout } from "./alert-history.js";
import { type AlertState, type BurnRateRule, evaluateAlerts } from "./alert-policy.js";
import { badOf, burnRateOf, type Counts, errorBudgetOf, NO_EVENTS, sliOf } from "./budget.js";
import { type GateThresholds, type SloStatus, sloStatusOf } from "./status.js";
import { timesliceSli } from "./timeslices.js";
import type { WindowBounds } from "./windows.js";

export type BudgetingMethod = "occurrences" | "timeslices" | "ratioTimeslices";

export interface SloEvaluationInput {
  atMs: number;
  objective: number;
  budgetingMethod: BudgetingMethod;
  /** timeslices: the ratio a slice must meet */
  timesliceTarget?: number | undefined;
  /** the SLO's window: its label (30d, month) and bounds */
  window: { label: string; bounds: WindowBounds };
  /** counts per window label: every burn-rate window, and the whole window under its label */
  counts: Record<string, Counts>;
  /** timeslice budgeting: one entry per slice of the whole window */
  slices?: readonly Counts[] | undefined;
  /** buckets over the whole window, oldest first, for the burn-down */
  buckets?: readonly Counts[] | undefined;
  rules: readonly BurnRateRule[];
  /**
   * Rules with an alertAfter: buckets ending at `atMs` reaching back their
   * long window and alertAfter, keyed by heldSeriesKey (alert-history.ts)
   */
  heldSeries?: Record<string, { buckets: readonly Counts[]; stepMs: number }> | undefined;
  minEvents: number;
  disabled: { page: boolean; ticket: boolean };
  gate: GateThresholds;
}

export interface BurnDownPoint {
  atMs: number;
  /** budget remaining at that instant of the window, against the whole window's traffic */
  remaining: number;
}

export interface SloEvaluation {
  events: { good: number; bad: number; total: number };
  sli: number | null;
  errorBudget: { consumed: number; remaining: number };
  burnRates: Record<string, number | null>;
  alerts: AlertState[];
  /** when the budget runs out at the current 1h and 1d burn rates; null when it does not */
  exhaustion: { "1h": number | null; "1d": number | null } | null;
  status: SloStatus;
  burnDown: BurnDownPoint[];
  timeslices?: { good: number; total: number } | undefined;
}

export function evaluateSlo(input: SloEvaluationInput): SloEvaluation {
  const whole = input.counts[input.window.label] ?? NO_EVENTS;
  let sli = sliOf(whole);
  let timeslices: SloEvaluation["timeslices"];
  if (input.budgetingMethod !== "occurrences") {
    const t = timesliceSli(
      input.slices ?? [],
      input.budgetingMethod,
      input.timesliceTarget ?? input.objective,
    );
    sli = t.sli;
    timeslices = { good: t.goodSlices, total: t.slices };
  }
  const errorBudget = errorBudgetOf(sli, input.objective);

  const burnRates: Record<string, number | null> = {};
  const lengths = new Map<string, number>();
  for (const r of input.rules) lengths.set(r.short, r.shortMs).set(r.long, r.longMs);
  const labels = [...lengths].sort((a, b) => a[1] - b[1]);
  for (const [label] of labels) {
    const c = input.counts[label];
    burnRates[label] = c ? burnRateOf(c, input.objective) : null;
  }
  // The whole window burns at the rate its budget says, for every budgeting method.
  burnRates[input.window.label] = sli === null ? null : errorBudget.consumed;

  const alerts = evaluateAlerts(
    input.rules,
    (label) => input.counts[label],
    input.objective,
    input.window.bounds.periodMs,
    input.minEvents,
    input.disabled,
    (rule) => {
      const series = input.heldSeries?.[heldSeriesKey(rule)];
      if (!series) return undefined;
      const policy = {
        objective: input.objective,
        periodMs: input.window.bounds.periodMs,
        minEvents: input.minEvents,
      };
      return heldThroughout({ ...series, rule, ...policy });
    },
  );
  const status = sloStatusOf(sli, errorBudget.remaining, alerts, input.gate);
  return {
    events: { good: whole.good, bad: badOf(whole), total: whole.total },
    sli,
    errorBudget,
    burnRates,
    alerts,
    exhaustion: exhaustionOf(input, errorBudget.remaining, sli),
    status,
    burnDown: burnDownOf(input, whole),
    timeslices,
  };
}

function exhaustionOf(
  input: SloEvaluationInput,
  remaining: number,
  sli: number | null,
): SloEvaluation["exhaustion"] {
  if (sli === null) return null;
  const at = (label: "1h" | "1d"): number | null => {
    const c = input.counts[label];
    const rate = c ? burnRateOf(c, input.objective) : null;
    if (remaining <= 0) return input.atMs;
    if (rate === null || rate <= 0) return null;
    // At burn rate r, the whole budget lasts period / r.
    return input.atMs + Math.round((remaining / rate) * input.window.bounds.periodMs);
  };
  const result = { "1h": at("1h"), "1d": at("1d") };
  return result["1h"] === null && result["1d"] === null ? null : result;
}

/** Remaining budget after each bucket: 1 - bad so far / (budget × the window's events). */
function burnDownOf(input: SloEvaluationInput, whole: Counts): BurnDownPoint[] {
  const buckets = input.buckets;
  if (!buckets || buckets.length === 0 || whole.total === 0) return [];
  const { startMs, endMs } = input.window.bounds;
  const step = (endMs - startMs) / buckets.length;
  const allowedBad = (1 - input.objective) * whole.total;
  let bad = 0;
  return buckets.map((b, i) => {
    bad += badOf(b);
    return { atMs: Math.round(startMs + (i + 1) * step), remaining: 1 - bad / allowedBad };
  });
}
