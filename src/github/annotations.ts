/**
 * Check-run annotations on the line of each SLO that breaches or warns, so the
 * "Files changed" tab points at the definition whose budget is spent.
 */

import { isAbsolute, relative, resolve, sep } from "node:path";
import { plainText } from "../report/escape.js";
import { budgetPercent, burnRate, objectivePercent, percent } from "../report/format.js";
import type { SloReport, SloReportEntry } from "../report/schema.js";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/** GitHub takes at most 50 annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * Paths are relative to the repository root (the workspace); an SLO file
 * outside it cannot be annotated and is left out.
 */
export function annotationsOf(report: SloReport, workspace: string, cwd: string): Annotation[] {
  const out: Annotation[] = [];
  for (const e of report.slos) {
    if (e.status !== "breaching" && e.status !== "warning") continue;
    const path = relative(resolve(workspace), resolve(cwd, e.definedAt.file));
    if (path === "" || path.startsWith("..") || isAbsolute(path)) continue;
    out.push({
      path: path.split(sep).join("/"),
      start_line: e.definedAt.line,
      end_line: e.definedAt.line,
      annotation_level: e.status === "breaching" && e.gated ? "failure" : "warning",
      title: plainText(`SLO ${e.status}: ${e.service}/${e.name}`, 255),
      message: plainText(messageOf(e), 4000),
    });
  }
  return out;
}

function messageOf(e: SloReportEntry): string {
  const firing = e.alerts
    .filter((a) => a.firing)
    .map((a) => `${a.severity} alert ${a.long}/${a.short} at ${burnRate(a.burnRateLong)}`);
  return [
    `SLI ${percent(e.sli)} against ${objectivePercent(e.objective)};`,
    `${budgetPercent(e.errorBudget.consumed)} of the error budget spent, ${budgetPercent(e.errorBudget.remaining)} left.`,
    firing.length > 0 ? `Firing: ${firing.join(", ")}.` : "",
    e.gated ? "" : "Not gated: reported only.",
  ]
    .filter(Boolean)
    .join(" ");
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
