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
  // burn = (bad/total)/budget > share*period/long  <=>  bad*long > share*period*budget*total
  const budget = 1 - objective;
  const threshold = rule.share * periodMs * budget;
  // Both windows are held to the same factor, which is scaled by the LONG window.
  return (
    long.bad * rule.longMs > threshold * long.total &&
    short.bad * rule.longMs > threshold * short.total
  );
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
