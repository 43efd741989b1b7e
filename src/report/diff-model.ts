/**
 * A review of a change to the SLO files (`slo diff`, the PR comment's
 * review): each SLO added, removed or changed, matched by service and name,
 * with its definition and its evaluation on the same data under the base
 * commit's definition and under the new one.
 */

import type { SloReportEntry } from "./schema.js";

/** One SLO as one side defines it, evaluated. */
export interface SloDiffSide {
  /** `file:line`; the base's file as `REF:path` */
  definedAt: string;
  objective: number;
  /** 30d, month */
  window: string;
  budgetingMethod: SloReportEntry["budgetingMethod"];
  /** the burn-rate rules: severity, long/short windows, factor */
  alerting: { severity: "page" | "ticket"; long: string; short: string; factor: number }[];
  status: SloReportEntry["status"];
  sli: number | null;
  budgetRemaining: number;
  events: SloReportEntry["events"];
  /** the alerts replayed over the window: how many times each severity would have fired */
  pages: number;
  tickets: number;
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
  kind: "added" | "removed" | "changed";
  service: string;
  name: string;
  /** for a changed SLO, which parts differ */
  changed: ChangedPart[];
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
}

/** A side's status "error": the run could not compare it (exit 3). */
export function diffSourceFailed(diff: SloDiff): boolean {
  return diff.changes.some((c) => c.before?.status === "error" || c.after?.status === "error");
}
