/**
 * A slow, obviously correct evaluator straight from the design's definitions:
 * it works on raw events, counts each window by filtering, and compares burn
 * rates by cross-multiplying integers instead of dividing.
 */

export interface RawEvent {
  t: number;
  good: boolean;
}

export interface ReferenceRule {
  severity: "page" | "ticket";
  longMs: number;
  shortMs: number;
  share: number;
}

export function countIn(events: RawEvent[], startMs: number, endMs: number) {
  let good = 0;
  let bad = 0;
  for (const e of events) {
    if (e.t > startMs && e.t <= endMs) {
      if (e.good) good++;
      else bad++;
    }
  }
  return { good, bad, total: good + bad };
}

export function referenceAlertFires(
  events: RawEvent[],
  at: number,
  rule: ReferenceRule,
  objective: number,
  periodMs: number,
  minEvents: number,
): boolean {
  const long = countIn(events, at - rule.longMs, at);
  const short = countIn(events, at - rule.shortMs, at);
  if (long.total < minEvents || long.total === 0 || short.total === 0) return false;
  // burn = (bad/total)/budget > share*period/long  <=>  bad*long > share*period*budget*total,
  // in whole numbers: objective and share are decimals of at most 6 places (1 - 0.9 is
  // 0.09999999999999998 in floating point; a burn rate exactly at the factor does not fire).
  const SCALE = 1_000_000;
  const budget = SCALE - Math.round(objective * SCALE);
  const share = Math.round(rule.share * SCALE);
  const threshold = BigInt(share) * BigInt(periodMs) * BigInt(budget);
  const burns = (w: { bad: number; total: number }) =>
    BigInt(w.bad) * BigInt(rule.longMs) * BigInt(SCALE) * BigInt(SCALE) >
    threshold * BigInt(w.total);
  // Both windows are held to the same factor, which is scaled by the LONG window.
  return burns(long) && burns(short);
}

export function referenceStatus(
  events: RawEvent[],
  at: number,
  windowMs: number,
  objective: number,
  rules: ReferenceRule[],
  minEvents: number,
  minRemaining: number,
  warnRemaining: number,
): string {
  const all = countIn(events, at - windowMs, at);
  if (all.total === 0) return "no-data";
  const remaining = 1 - all.bad / all.total / (1 - objective);
  const fires = (sev: string) =>
    rules.some(
      (r) =>
        r.severity === sev && referenceAlertFires(events, at, r, objective, windowMs, minEvents),
    );
  if (remaining <= 0 || remaining < minRemaining || fires("page")) return "breaching";
  if (remaining < warnRemaining || fires("ticket")) return "warning";
  return "ok";
}

export interface ReferenceCondition {
  longMs: number;
  shortMs: number;
  /** the burn-rate threshold */
  factor: number;
  op: "gt" | "gte" | "lt" | "lte";
  alertAfterMs: number;
}

/** burn op factor  <=>  bad op factor × budget × total (total > 0): no division. */
function compares(bad: number, total: number, op: ReferenceCondition["op"], limit: number) {
  const rhs = limit * total;
  if (op === "gt") return bad > rhs;
  if (op === "gte") return bad >= rhs;
  if (op === "lt") return bad < rhs;
  return bad <= rhs;
}

/** The condition alone at one instant: both windows compare with the factor, enough events. */
export function referenceConditionHolds(
  events: RawEvent[],
  at: number,
  rule: ReferenceCondition,
  objective: number,
  minEvents: number,
): boolean {
  const long = countIn(events, at - rule.longMs, at);
  const short = countIn(events, at - rule.shortMs, at);
  if (long.total < minEvents || long.total === 0 || short.total === 0) return false;
  const limit = rule.factor * (1 - objective);
  return (
    compares(long.bad, long.total, rule.op, limit) &&
    compares(short.bad, short.total, rule.op, limit)
  );
}

/** Fires at `at` when the condition held at every instant `stepMs` apart from at - alertAfter to at. */
export function referenceFiresAfter(
  events: RawEvent[],
  at: number,
  rule: ReferenceCondition,
  stepMs: number,
  objective: number,
  minEvents: number,
): boolean {
  for (let t = at - rule.alertAfterMs; t <= at; t += stepMs) {
    if (!referenceConditionHolds(events, t, rule, objective, minEvents)) return false;
  }
  return true;
}
