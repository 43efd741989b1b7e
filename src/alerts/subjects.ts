/**
 * What the notifiers talk about: one SLO, its definition (labels, runbook,
 * where alerts go) and its evaluation (burn rates, which rules fire).
 */

import type { SloSet, SloSpec } from "../definition/model.js";
import type { ReportAlert, SloReport, SloReportEntry } from "../report/schema.js";

export type Severity = "page" | "ticket";
export const SEVERITIES: readonly Severity[] = ["page", "ticket"];

export interface AlertSubject {
  /** `service/slo` (a group's: `service/slo{action="X"}`), unique in a run: the key of state and markers */
  key: string;
  /** the entry's name: the SLO's, or a group's `slo{action="X"}` */
  name: string;
  /** the SLO's definition (a group's: the grouped SLO's) */
  slo: SloSpec;
  entry: SloReportEntry;
  /** false when the SLO could not be evaluated (its source failed): its alerts are unknown */
  known: boolean;
  /** the firing rules of each severity; a severity is absent when none of its rules fires */
  firing: Partial<Record<Severity, ReportAlert[]>>;
}

export function subjectKey(service: string, name: string): string {
  return `${service}/${name}`;
}

/** Pair each evaluated SLO with its definition. */
export function alertSubjects(set: SloSet, report: SloReport): AlertSubject[] {
  const specs = new Map<string, SloSpec>();
  for (const service of set.services) {
    for (const slo of service.slos) specs.set(subjectKey(slo.service, slo.name), slo);
  }
  const subjects: AlertSubject[] = [];
  for (const entry of report.slos) {
    const slo = specs.get(subjectKey(entry.service, entry.group?.definition ?? entry.name));
    if (!slo) continue;
    const firing: AlertSubject["firing"] = {};
    // A grouped SLO alerts per group: its whole (the gate's, with per: whole) never fires, so an
    // alert of the SLO from before it was grouped resolves rather than doubling its groups'.
    const alerts = entry.group?.kind === "whole" ? [] : entry.alerts;
    for (const alert of alerts) {
      if (!alert.firing) continue;
      firing[alert.severity] = [...(firing[alert.severity] ?? []), alert];
    }
    const key = subjectKey(entry.service, entry.name);
    subjects.push({ key, name: entry.name, slo, entry, known: entry.status !== "error", firing });
  }
  return subjects;
}

/** The most urgent firing severity among `severities`, or null. */
export function highestFiring(
  subject: AlertSubject,
  severities: readonly Severity[],
): Severity | null {
  for (const severity of SEVERITIES) {
    if (severities.includes(severity) && subject.firing[severity]) return severity;
  }
  return null;
}
