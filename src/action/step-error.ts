/**
 * The step's error when the gate fails, which GitHub shows on the workflow
 * run's page: what failed, by name, so nobody has to open the log to know.
 * Names come from SLO files: one line each, and no `::` that the runner
 * could read as a workflow command.
 */

import { MAX_REPORTED_VALUE_CHARS, MAX_SLOS_NAMED_IN_ERRORS } from "../limits.js";
import type { FailOn, OnSourceError } from "../pipeline/gate.js";
import { correctionsSummary } from "../report/corrections.js";
import { plainText } from "../report/escape.js";
import { budgetPercent } from "../report/format.js";
import type { SloReport } from "../report/schema.js";

type Entry = SloReport["slos"][number];

/** "The SLO gate fails: customer-info-sync breaching (budget left -171%), ... and 3 more" */
export function gateFailedMessage(
  report: SloReport,
  gate: { failOn: FailOn; onSourceError: OnSourceError },
): string {
  const failed = whatFailed(report, gate);
  if (failed.length === 0) return "The SLO gate fails: see the report above.";
  const named = failed.slice(0, MAX_SLOS_NAMED_IN_ERRORS);
  const more = failed.length - named.length;
  return `The SLO gate fails: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

/** Breaches first, the worst first; then what else the gate counts under these settings. */
function whatFailed(
  report: SloReport,
  gate: { failOn: FailOn; onSourceError: OnSourceError },
): string[] {
  const services = new Set(report.slos.map((s) => s.service));
  const nameOf = (s: Entry) => logSafe(services.size > 1 ? `${s.service}/${s.name}` : s.name);
  const gated = report.slos.filter((s) => s.gated);
  const withBudget = (status: Entry["status"]) =>
    gated
      .filter((s) => s.status === status)
      .sort((a, b) => a.errorBudget.remaining - b.errorBudget.remaining)
      .map(
        (s) =>
          `${nameOf(s)} ${status} (budget left ${budgetPercent(s.errorBudget.remaining)}${correctionsNote(s)})`,
      );
  const warnings = gate.failOn === "warning";
  return [
    ...withBudget("breaching"),
    ...(report.health ?? [])
      .filter((h) => !h.ok && (h.onFailure === "fail" || warnings))
      .map((h) => `${logSafe(h.name)} unhealthy`),
    ...(warnings ? withBudget("warning") : []),
    ...(gate.onSourceError === "fail"
      ? gated.filter((s) => s.status === "error").map((s) => `${nameOf(s)} unreadable`)
      : []),
  ];
}

/** "; 2 corrections excluded 1,234 events (34 bad)": the budget is what is left after them. */
function correctionsNote(s: Entry): string {
  const summary = correctionsSummary(s);
  return summary ? `; ${summary}` : "";
}

/** One line, bounded, and never `::`: a workflow command starts with it. */
function logSafe(text: string): string {
  return plainText(text, MAX_REPORTED_VALUE_CHARS).replace(/:(?=:)/g, ": ");
}
