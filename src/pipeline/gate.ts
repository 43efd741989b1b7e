/**
 * The gate: evaluate the SLOs, decide the verdict and its exit code, hand
 * the report to whoever publishes it, and settle the final exit code. The
 * one function `slo check` and the Action both call, with typed options.
 *
 * Publishing never decides the verdict; it may only relax it (an override
 * label on the pull request) or, when asked, fail a step whose report could
 * not be delivered.
 */

import type { SloSet } from "../definition/model.js";
import { EXIT } from "../errors.js";
import type { SloReport } from "../report/schema.js";
import { type EvaluateOptions, evaluateSet } from "./evaluate-set.js";

export const FAIL_ON = ["breach", "warning", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export const ON_SOURCE_ERROR = ["error", "pass", "fail"] as const;
export type OnSourceError = (typeof ON_SOURCE_ERROR)[number];

/** Where a gate's verdict is published (GitHub: check run, PR comment, summary). */
export interface GatePublisher {
  publish(report: SloReport, verdict: { gatePasses: boolean }): Promise<PublishOutcome>;
}

export interface PublishOutcome {
  /** the gate failed and an override (the PR label) let it through */
  overridden: boolean;
  /** deliveries that failed, worded with what to change */
  failures: string[];
}

export interface GateOptions
  extends Pick<EvaluateOptions, "sourceFactory" | "sourceOptions" | "deploys" | "onWarning"> {
  atMs: number;
  /** which status fails the gate */
  failOn: FailOn;
  /** how a source that cannot be read counts */
  onSourceError: OnSourceError;
  /** shows the report (terminal, file) once it is made, before it is published */
  show?: (report: SloReport) => Promise<void>;
  publisher?: GatePublisher | null;
  /** a report that could not be delivered fails the step (exit 3) */
  failOnReportError?: boolean;
}

export interface GateOutcome {
  report: SloReport;
  /** the exit code the SLOs alone decide */
  verdict: number;
  /** the exit code once the report is published */
  exitCode: number;
  published: PublishOutcome | null;
}

export async function runGate(set: SloSet, options: GateOptions): Promise<GateOutcome> {
  const report = await evaluateSet(set, {
    atMs: options.atMs,
    onSourceError: options.onSourceError,
    ...(options.sourceFactory ? { sourceFactory: options.sourceFactory } : {}),
    ...(options.sourceOptions ? { sourceOptions: options.sourceOptions } : {}),
    ...(options.deploys ? { deploys: options.deploys } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  await options.show?.(report);
  const verdict = verdictOf(report, options.failOn, options.onSourceError);
  if (!options.publisher) return { report, verdict, exitCode: verdict, published: null };
  const published = await options.publisher.publish(report, { gatePasses: verdict === EXIT.ok });
  const exitCode = exitCodeAfterPublishing(verdict, published, options.failOnReportError === true);
  return { report, verdict, exitCode, published };
}

/**
 * 1 when the gate fails; 3 when a source could not be read and nothing failed
 * outright (a known breach is the stronger verdict); else 0.
 */
export function verdictOf(report: SloReport, failOn: FailOn, onSourceError: OnSourceError): number {
  if (failOn === "never") return EXIT.ok;
  if (report.result === "fail") return EXIT.fail;
  const sourceFailed = report.slos.some((s) => s.gated && s.status === "error");
  if (sourceFailed && onSourceError === "error") return EXIT.source;
  if (report.result === "warn" && failOn === "warning") return EXIT.fail;
  return EXIT.ok;
}

/**
 * The exit code once the report is published: an override lets a failing
 * gate pass; a failed delivery counts only when asked (fail-on-report-error).
 */
export function exitCodeAfterPublishing(
  verdict: number,
  published: PublishOutcome,
  failOnReportError: boolean,
): number {
  const gated = published.overridden && verdict !== EXIT.ok ? EXIT.ok : verdict;
  if (failOnReportError && published.failures.length > 0 && gated === EXIT.ok) return EXIT.source;
  return gated;
}
