/**
 * The error-budget maths of the design, on plain numbers.
 * sli = good / total; budget = 1 - objective; consumed = (1 - sli) / budget
 * (not capped); remaining = 1 - consumed; burnRate = errorRatio / budget.
 * No events is "no data": null, never NaN and never 100%.
 */

export interface Counts {
  good: number;
  total: number;
}

export function badOf(c: Counts): number {
  return c.total - c.good;
}

export function sliOf(c: Counts): number | null {
  return c.total > 0 ? c.good / c.total : null;
}

export function errorRatioOf(c: Counts): number | null {
  return c.total > 0 ? badOf(c) / c.total : null;
}

export interface ErrorBudget {
  consumed: number;
  remaining: number;
}

/** Null SLI (no data) leaves the budget untouched. */
export function errorBudgetOf(sli: number | null, objective: number): ErrorBudget {
  if (sli === null) return { consumed: 0, remaining: 1 };
  const consumed = (1 - sli) / (1 - objective);
  return { consumed, remaining: 1 - consumed };
}

export function burnRateOf(c: Counts, objective: number): number | null {
  const ratio = errorRatioOf(c);
  return ratio === null ? null : ratio / (1 - objective);
}

export const NO_EVENTS: Counts = Object.freeze({ good: 0, total: 0 });
