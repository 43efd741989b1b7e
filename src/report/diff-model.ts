/**
 * A review of a change to the SLO files (`slo diff`, the PR comment's
 * review): each SLO added, removed or changed, matched by service and name,
 * with its definition and its evaluation on the same data under the base
 * commit's definition and under the new one.
 */

import type { SloReportEntry } from "./schema.js";

/** One burn-rate rule as defined: severity, long/short windows, factor, how long it must hold. */
export interface DiffAlertRule {
  severity: "page" | "ticket";
  long: string;
  short: string;
  factor: number;
  /** alertAfter as written (30m), null: fires at once */
  alertAfter: string | null;
}

/**
 * One SLO as one side defines it, evaluated. The definition (objective,
 * window, alerting, gate) is always there; the results are null when the
 * side could not be evaluated (`error` says why): never numbers made up.
 */
export interface SloDiffSide {
  /** `file:line`; the base's file as `REF:path` */
  definedAt: string;
  objective: number;
  /** 30d; a calendar window with its time zone: calendar month (Europe/Berlin) */
  window: string;
  budgetingMethod: SloReportEntry["budgetingMethod"];
  /** the burn-rate rules that alert (a disabled severity's are left out) */
  alerting: DiffAlertRule[];
  gate: { enabled: boolean; minRemaining: number; warnRemaining: number };
  status: SloReportEntry["status"];
  sli: number | null;
  budgetRemaining: number | null;
  events: SloReportEntry["events"] | null;
  /** the alerts replayed over the window: how many times each severity would have fired */
  pages: number | null;
  tickets: number | null;
  /** the replay starts here (the window's start, or as far back as the data reaches) */
  replayedSince: string | null;
  /** why the SLO could not be evaluated (status error) */
  error: string | null;
}

/** What differs between the two definitions, by part of the SLO. */
export const CHANGED_PARTS = [
  "objective",
  "window",
  "budgeting",
  "indicator",
  "source",
  "alerting",
  "gate",
  "other",
] as const;
export type ChangedPart = (typeof CHANGED_PARTS)[number];

export interface SloChange {
  /**
   * renamed: defined the same under another service or name; unreadable-at-base:
   * the file that holds it now did not load at the base
   */
  kind: "added" | "removed" | "changed" | "renamed" | "unreadable-at-base";
  service: string;
  name: string;
  /** for a changed SLO, which parts differ */
  changed: ChangedPart[];
  /** the keys of `other` that differ (description, runbook, labels...) */
  otherKeys?: string[];
  /** renamed: the service and name at the base */
  from?: { service: string; name: string };
  /** its file at the base (`REF:path`), when it is in another file now */
  movedFrom?: string;
  /** unreadable-at-base: where the base's file failed, `REF:path:line:col` */
  baseError?: string;
  before: SloDiffSide | null;
  after: SloDiffSide | null;
}

export interface SloDiff {
  version: 1;
  base: { ref: string; sha: string };
  evaluatedAt: string;
  changes: SloChange[];
  /** SLOs defined the same on both sides: counted, not evaluated */
  unchanged: number;
  /** the base's files that did not load: their SLOs are compared with nothing */
  unreadable: { file: string; error: string }[];
}

/** A side's status "error": the run could not compare it (exit 3). */
export function diffSourceFailed(diff: SloDiff): boolean {
  return diff.changes.some((c) => c.before?.status === "error" || c.after?.status === "error");
}
