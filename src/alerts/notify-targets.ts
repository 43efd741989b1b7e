/**
 * What every alert target does, and the run that drives them: read what the
 * target was last told, diff it with what fires now, deliver the news, and
 * record each delivery as soon as it succeeded.
 */

import { SloError, toSloError } from "../errors.js";
import { type AlertChange, type DiffScope, diffAlerts } from "./diff.js";
import { type AlertSubject, SEVERITIES, type Severity } from "./subjects.js";
import type { TargetPlan } from "./targets.js";

export interface TargetAlert {
  severity: Severity;
  /** RFC 3339: when it started firing (kept through a change of severity) */
  since: string;
  /** Alertmanager: the labels it was sent with, so a resolution matches them exactly */
  labels?: Record<string, string>;
}

export type TargetChange = AlertChange<TargetAlert>;

export interface DeliveryContext {
  atMs: number;
  /** wall-clock now: Alertmanager's endsAt of a firing alert counts from it */
  nowMs: number;
  subject(key: string): AlertSubject;
  /** call after each change the target has acknowledged */
  delivered(change: TargetChange): Promise<void>;
}

export interface Notifier {
  readonly plan: TargetPlan;
  /**
   * One entry per alert this target knows, by key. Alertmanager keys an alert
   * by SLO and severity (`svc/slo|page`); a webhook and an issue by SLO.
   */
  readState(): Promise<Map<string, TargetAlert>>;
  /** Tell the target. Throws an SloError (delivery) at the first failure. */
  deliver(changes: TargetChange[], context: DeliveryContext): Promise<void>;
  /** per-severity keys (Alertmanager) or one key per SLO */
  readonly keying: "per-severity" | "per-slo";
}

export interface TargetOutcome {
  target: TargetPlan;
  /** every change, "unchanged" included */
  changes: TargetChange[];
  /** the changes the target acknowledged (in dry-run: none) */
  delivered: TargetChange[];
  error: SloError | null;
}

export interface RunOptions {
  atMs: number;
  nowMs: number;
  dryRun: boolean;
}

/** Drive every target; one failing target does not stop the others. */
export async function notifyTargets(
  notifiers: readonly Notifier[],
  options: RunOptions,
): Promise<TargetOutcome[]> {
  const outcomes: TargetOutcome[] = [];
  for (const notifier of notifiers) {
    const outcome: TargetOutcome = {
      target: notifier.plan,
      changes: [],
      delivered: [],
      error: null,
    };
    outcomes.push(outcome);
    try {
      const previous = await notifier.readState();
      const { current, scope, subjects } = currentState(notifier, previous, options.atMs);
      outcome.changes = diffAlerts(previous, current, scope);
      if (options.dryRun) continue;
      await notifier.deliver(outcome.changes, {
        atMs: options.atMs,
        nowMs: options.nowMs,
        subject: (key) => subjects.get(key)!,
        delivered: async (change) => {
          outcome.delivered.push(change);
        },
      });
    } catch (error) {
      outcome.error = error instanceof SloError ? error : toSloError(error);
    }
  }
  return outcomes;
}

/** What fires now, in the target's keys; `since` carried over from what it already knows. */
export function currentState(
  notifier: Pick<Notifier, "plan" | "keying">,
  previous: ReadonlyMap<string, TargetAlert>,
  atMs: number,
): {
  current: Map<string, TargetAlert>;
  scope: DiffScope;
  subjects: Map<string, AlertSubject>;
} {
  const current = new Map<string, TargetAlert>();
  const inScope = new Set<string>();
  const unknown = new Set<string>();
  const subjects = new Map<string, AlertSubject>();
  const at = new Date(atMs).toISOString();
  const add = (key: string, subject: AlertSubject, severity: Severity | null) => {
    inScope.add(key);
    subjects.set(key, subject);
    if (!subject.known) unknown.add(key);
    if (severity) current.set(key, { severity, since: previous.get(key)?.since ?? at });
  };
  for (const route of notifier.plan.routes) {
    const { subject } = route;
    if (notifier.keying === "per-severity") {
      for (const severity of SEVERITIES) {
        if (!route.severities.includes(severity)) continue;
        add(alertKey(subject.key, severity), subject, subject.firing[severity] ? severity : null);
      }
    } else {
      const severity = SEVERITIES.find((s) => route.severities.includes(s) && subject.firing[s]);
      add(subject.key, subject, severity ?? null);
    }
  }
  return { current, scope: { inScope, unknown }, subjects };
}

/** Alertmanager's key: one alert per SLO and severity. */
export function alertKey(subjectKey: string, severity: Severity): string {
  return `${subjectKey}|${severity}`;
}
