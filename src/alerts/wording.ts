/** The sentences every notifier shares: what burns, how fast, against which threshold. */

import {
  budgetPercent,
  burnRate,
  objectivePercent,
  percent,
  windowLabel,
} from "../report/format.js";
import type { ReportAlert, SloReportEntry } from "../report/schema.js";
import type { Severity } from "./subjects.js";

export const SEVERITY_WORD: Record<Severity, string> = { page: "PAGE", ticket: "TICKET" };

/** "52.3× over 1h and 48.0× over 5m (threshold 14.4×)", for each firing rule. */
export function burnSentence(alerts: readonly ReportAlert[]): string {
  return alerts
    .map(
      (a) =>
        `${burnRate(a.burnRateLong)} over ${a.long} and ${burnRate(a.burnRateShort)} over ${a.short} (threshold ${burnRate(a.factor)})`,
    )
    .join("; ");
}

/** "budget left 73.2% of 30d, SLI 99.12% (objective 99.9%)" */
export function budgetSentence(entry: SloReportEntry): string {
  return `budget left ${budgetPercent(entry.errorBudget.remaining)} of ${windowLabel(entry)}, SLI ${percent(entry.sli)} (objective ${objectivePercent(entry.objective)})`;
}

/** The rules of one severity, firing or not: what a resolution message reports. */
export function rulesOf(entry: SloReportEntry, severity: Severity): ReportAlert[] {
  return entry.alerts.filter((a) => a.severity === severity);
}

/** A burn rate as an annotation value: plain digits, no unit, "" when unknown. */
export function burnValue(value: number | null): string {
  if (value === null) return "";
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
