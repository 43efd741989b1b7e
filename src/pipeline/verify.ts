/**
 * `slo verify`: did a deploy make things worse? The same evaluation as the
 * gate, each SLO's request gaining the after window and its baselines; the
 * engine judges each SLO, the worst verdict is the run's. With `wait`, an
 * inconclusive run looks again every interval until a verdict or the after
 * window (`forMs`) runs out: a bounded wait.
 */

import type { SloSet } from "../definition/model.js";
import { EXIT, type SloError, sourceError, usageError } from "../errors.js";
import type { ReportDeployRef, SloReport, SloReportEntry } from "../report/schema.js";
import { DEPLOYS_NOT_FOUND, evaluateSet } from "./evaluate-set.js";
import { exitCodeAfterPublishing } from "./gate.js";
import type { DeployVerdict, VerifyOptions, VerifyOutcome } from "./verify-types.js";

const SEVERITY: Record<DeployVerdict, number> = { pass: 0, inconclusive: 1, regressed: 2 };

export async function runVerify(set: SloSet, options: VerifyOptions): Promise<VerifyOutcome> {
  if (options.wait && options.forMs === undefined)
    throw usageError(
      "--wait needs --for: how long after the deploy to keep looking",
      "add --for 30m",
    );
  let atMs = options.atMs;
  let report = await verifyAt(set, options, atMs);
  while (options.wait && verdictOf(report) === "inconclusive") {
    const endMs = afterWindowEnd(report, options.forMs!);
    const now = options.wait.now();
    if (atMs >= endMs || now >= endMs) break;
    options.wait.onInconclusive?.(report, endMs - now);
    await options.wait.sleep(Math.min(options.wait.intervalMs, endMs - now));
    atMs = Math.min(options.wait.now(), endMs);
    report = await verifyAt(set, options, atMs);
  }
  await options.show?.(report);
  const verdict = verdictOf(report);
  const exit = exitCodeOf(
    report,
    worstOf(report.slos.filter((s) => s.gated && s.verification)),
    options,
  );
  if (!options.publisher) return { report, verdict, exitCode: exit, published: null };
  const published = await options.publisher.publish(report, verdict);
  const exitCode = exitCodeAfterPublishing(exit, published, options.failOnReportError === true);
  return { report, verdict, exitCode, published };
}

async function verifyAt(set: SloSet, options: VerifyOptions, atMs: number): Promise<SloReport> {
  if (options.deploy && options.deploy.atMs >= atMs)
    throw usageError(
      `the deploy ${options.deploy.version} at ${new Date(options.deploy.atMs).toISOString()} is not before ${new Date(atMs).toISOString()}: nothing has run after it yet`,
    );
  const report = await evaluateSet(set, {
    atMs,
    deploys: { given: options.deploy ? [options.deploy] : undefined, github: options.deploys },
    verify: {
      deploy: options.deploy,
      forMs: options.forMs,
      baseline: options.baseline,
      confidence: options.confidence,
      minBurn: options.minBurn,
      minIncrease: options.minIncrease,
    },
    ...(options.sourceFactory ? { sourceFactory: options.sourceFactory } : {}),
    ...(options.sourceOptions ? { sourceOptions: options.sourceOptions } : {}),
  });
  const judged = report.slos.filter((s) => s.verification);
  if (judged.length === 0) throw nothingToVerify(report);
  const deploy = newestDeploy(judged);
  return {
    ...report,
    verification: {
      deploy,
      // an SLO that is not gated is reported, never fails the run; with none gated, the report still says
      result: worstOf(judged.some((s) => s.gated) ? judged.filter((s) => s.gated) : judged),
      baseline: options.baseline,
      confidence: options.confidence,
      minBurn: options.minBurn,
      minIncrease: options.minIncrease,
    },
  };
}

/** No SLO was judged: a source that failed says so (exit 3); else no deploy was found (exit 2). */
function nothingToVerify(report: SloReport): SloError {
  const hint = "check the source, or give the deploy with --deploy VERSION@TIME";
  const failed = report.slos.find((s) => s.status === "error");
  if (failed?.error) return sourceError(`no deploy could be judged: ${failed.error.message}`, hint);
  const notFound = report.slos
    .flatMap((s) => s.diagnostics.notes)
    .find((n) => n.startsWith(DEPLOYS_NOT_FOUND));
  if (notFound) return sourceError(notFound, hint);
  return usageError(
    "no deploy to verify: no service's deploys: found one in its SLOs' windows, and none was given",
    "give the deploy with --deploy VERSION@TIME, or add deploys: to the service (docs/verify.md)",
  );
}

function newestDeploy(entries: SloReportEntry[]): ReportDeployRef {
  return entries
    .map((e) => e.verification!.deploy)
    .reduce((a, b) => (Date.parse(b.at) > Date.parse(a.at) ? b : a));
}

function worstOf(entries: SloReportEntry[]): DeployVerdict {
  return entries
    .map((e) => e.verification!.verdict)
    .reduce<DeployVerdict>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), "pass");
}

/** The SLO went unjudged because its service's deploys: source could not be read. */
function deploysUnread(entry: SloReportEntry): boolean {
  return (
    !entry.verification && entry.diagnostics.notes.some((n) => n.startsWith(DEPLOYS_NOT_FOUND))
  );
}

function verdictOf(report: SloReport): DeployVerdict {
  return report.verification?.result ?? "inconclusive";
}

/** When the wait ends: `forMs` after the newest deploy judged. */
function afterWindowEnd(report: SloReport, forMs: number): number {
  const deploy = report.verification?.deploy;
  return deploy ? Date.parse(deploy.at) + forMs : 0;
}

/** 1 regressed (or inconclusive, when asked); 3 when a gated SLO's source failed and nothing regressed; else 0. */
function exitCodeOf(report: SloReport, verdict: DeployVerdict, options: VerifyOptions): number {
  if (verdict === "regressed") return EXIT.fail;
  if (report.slos.some((s) => s.gated && (s.status === "error" || deploysUnread(s))))
    return EXIT.source;
  if (verdict === "inconclusive" && options.failOn === "inconclusive") return EXIT.fail;
  return EXIT.ok;
}
