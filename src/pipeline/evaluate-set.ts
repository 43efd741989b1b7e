/**
 * spec -> sources -> engine -> report: the one path every command and the
 * Action take. Each source is read once for all of its SLOs (and logs
 * sources over the same files once for all of them); a source that fails
 * marks its SLOs as errors and leaves the others untouched.
 */

import { DEFAULT_DEPLOY_COMPARE_MS } from "../defaults.js";
import type { Deploy, ServiceSpec, SloSet, SloSpec, SourceSpec } from "../definition/model.js";
import { NO_EVENTS } from "../engine/budget.js";
import { evaluateSlo } from "../engine/evaluate.js";
import { resultWithHealth, runResultOf } from "../engine/status.js";
import { SloError } from "../errors.js";
import { MAX_DEPLOYS_REPORTED, MAX_LINE_BYTES } from "../limits.js";
import { buildEntry, buildErrorEntry } from "../report/build.js";
import type { ReportGroup, SloReport, SloReportEntry } from "../report/schema.js";
import { runHealthChecks } from "../sources/health.js";
import { countSafely, countSources, type SourceOptions } from "../sources/index.js";
import type { CountResult, Source, SourceDiagnostics } from "../sources/types.js";
import { burnRateHistoryFor } from "./burn-rate-history.js";
import {
  type CorrectionsPlan,
  planCorrections,
  reportCorrections,
  withoutCorrections,
} from "./correction-windows.js";
import { type DeployPlan, planDeploys, reportDeploys } from "./deploy-windows.js";
import { type DeployOrigins, deploysOfService } from "./deploys.js";
import { splitGroups, worstFirst } from "./groups.js";
import { planSlo, type SloPlan } from "./requests.js";
import { countedFromSamples } from "./sampled-counts.js";
import { alertHistoryFor, previousOf } from "./trend-and-history.js";
import {
  planVerification,
  type VerifyPlan,
  type VerifySettings,
  verificationOf,
  verifyWindows,
} from "./verification.js";

const MIB = 1024 * 1024;

export interface EvaluateOptions {
  atMs: number;
  /** replaces the real sources, for tests */
  sourceFactory?: (spec: SourceSpec) => Source | Promise<Source>;
  sourceOptions?: SourceOptions;
  /** how a failed source counts: as itself (error), or as pass/fail */
  onSourceError?: "error" | "pass" | "fail";
  /** also work out the alerts that fired over each window (slo report) */
  alertHistory?: boolean;
  /** deploys from --deploy or GitHub, which replace the files' deploys: */
  deploys?: DeployOrigins | undefined;
  /** how long before and after each deploy its error ratio is compared */
  deployCompareMs?: number | undefined;
  /** slo verify: judge this deploy (absent: each service's newest) */
  verify?: (VerifySettings & { deploy?: Deploy | undefined }) | undefined;
  /** what the user should see on stderr too (a grouped SLO's values merged into "(other)") */
  onWarning?: ((message: string) => void) | undefined;
}

interface Job {
  service: ServiceSpec;
  slo: SloSpec;
  plan: SloPlan;
  index: number;
  corrections?: CorrectionsPlan | undefined;
  deploys?: DeployPlan | SloError | undefined;
  verify?: VerifyPlan | undefined;
  verifySettings?: VerifySettings | undefined;
}

export async function evaluateSet(set: SloSet, options: EvaluateOptions): Promise<SloReport> {
  const entries: SloReportEntry[][] = [];
  const groups = new Map<string, { spec: SourceSpec; jobs: Job[] }>();
  let index = 0;
  for (const service of set.services) {
    for (const slo of service.slos) {
      const spec = sourceOf(service, slo);
      const plan = planSlo(slo, spec.type, options.atMs, {
        alertHistory: options.alertHistory === true,
      });
      const key = `${service.file}\u0000${spec.name}`;
      const group = groups.get(key) ?? { spec, jobs: [] };
      group.jobs.push({ service, slo, plan, index: index++ });
      groups.set(key, group);
    }
  }
  await planDeploysOf(
    [...groups.values()].flatMap((g) => g.jobs),
    options,
  );
  // After the deploys: their windows lose the corrections' events too.
  for (const { spec, jobs } of groups.values()) {
    for (const job of jobs) {
      job.corrections = planCorrections(job.slo, spec.type, job.plan.request, [
        job.plan.previousRequest,
      ]);
    }
  }
  // Health checks run while the sources are read.
  const checking = runHealthChecks(set);
  const sourceGroups = [...groups.values()];
  // The previous windows (the trend) go along as requests of their own.
  const counts = sourceGroups.map(({ spec, jobs }) => ({
    spec,
    requests: [...jobs.map((j) => j.plan.request), ...jobs.map((j) => j.plan.previousRequest)],
  }));
  // Logs sources of different files that read the same log share one read
  // (countSources); a test's factory counts each source on its own.
  const factory = options.sourceFactory;
  const answers = factory
    ? await Promise.all(counts.map((count) => countSafely(factory, count)))
    : await countSources(counts, options.sourceOptions);
  sourceGroups.forEach(({ spec, jobs }, g) => {
    const results = answers[g]!.map((answer, i) => {
      if (answer instanceof SloError) return answer;
      const request = counts[g]!.requests[i]!;
      const job = jobs[i % jobs.length]!;
      const counted = countedFromSamples(request, answer, jobs[i]?.plan.slicesKey);
      return withoutCorrections(job.corrections, request, counted);
    });
    jobs.forEach((job, i) => {
      entries[job.index] = entriesFor(job, results[i]!, spec, options, results[jobs.length + i]);
    });
  });
  const health = await checking;
  const slos = entries.flat();
  return {
    version: 1,
    evaluatedAt: new Date(options.atMs).toISOString(),
    result: resultWithHealth(
      runResultOf(slos.map((e) => ({ status: statusForGate(e, options), gated: e.gated }))),
      health,
    ),
    slos,
    ...(health.length > 0 ? { health } : {}),
  };
}

/**
 * Each service's deploys, found once over the oldest window its SLOs need;
 * each SLO's request gains the windows that split its budget at them and,
 * for slo verify, the after window and its baselines.
 */
async function planDeploysOf(jobs: Job[], options: EvaluateOptions): Promise<void> {
  const byService = new Map<ServiceSpec, Job[]>();
  for (const job of jobs) byService.set(job.service, [...(byService.get(job.service) ?? []), job]);
  await Promise.all(
    [...byService].map(async ([service, serviceJobs]) => {
      const found = await deploysOfService(service, options.deploys ?? {}, {
        sinceMs: Math.min(...serviceJobs.map((j) => j.plan.bounds.startMs)),
        untilMs: options.atMs,
        sourceFactory: options.sourceFactory,
        sourceOptions: options.sourceOptions,
      });
      for (const job of serviceJobs) planJobDeploys(job, found, options);
    }),
  );
}

function planJobDeploys(job: Job, found: Deploy[] | SloError, options: EvaluateOptions): void {
  if (found instanceof SloError) {
    job.deploys = found;
    if (!options.verify?.deploy) return;
  } else {
    job.deploys = planDeploys(
      found,
      job.plan.bounds,
      options.atMs,
      options.deployCompareMs ?? DEFAULT_DEPLOY_COMPARE_MS,
    );
    job.plan.request.windows.push(...job.deploys.windows);
  }
  const verify = options.verify;
  const deploy = verify?.deploy ?? (Array.isArray(found) ? found.at(-1) : undefined);
  if (!verify || !deploy) return;
  job.verify = planVerification(deploy, options.atMs, verify);
  job.verifySettings = verify;
  job.plan.request.windows.push(...verifyWindows(job.verify));
}

function sourceOf(service: ServiceSpec, slo: SloSpec): SourceSpec {
  const spec = service.sources[slo.indicator.source];
  if (!spec)
    throw new SloError({
      code: "internal",
      message: `source ${slo.indicator.source} vanished after validation`,
    });
  return spec;
}

/**
 * An SLO's entries: one, or a grouped SLO's (groupBy) one per group, each
 * evaluated as an SLO of its own, worst first.
 */
function entriesFor(
  job: Job,
  result: CountResult | SloError,
  spec: SourceSpec,
  options: EvaluateOptions,
  previous?: CountResult | SloError,
): SloReportEntry[] {
  const grouping = job.slo.grouping;
  if (!grouping) return [entryFor(job, result, spec, options, previous)];
  const whole: ReportGroup = {
    definition: job.slo.name,
    by: grouping.by,
    kind: "whole",
    labels: {},
  };
  if (result instanceof SloError)
    return [{ ...entryFor(job, result, spec, options, previous), group: whole }];
  const answers = splitGroups(job.slo, result, previous instanceof SloError ? undefined : previous);
  for (const answer of answers)
    for (const warning of answer.result.diagnostics.warnings ?? [])
      if (answer.group.kind === "other" && !answer.warnings?.includes(warning))
        options.onWarning?.(warning);
  for (const warning of new Set(answers.flatMap((a) => a.warnings ?? [])))
    options.onWarning?.(warning);
  return worstFirst(
    answers.map((answer) => ({
      ...entryFor({ ...job, slo: answer.slo }, answer.result, spec, options, answer.previous),
      group: answer.group,
    })),
  );
}

function entryFor(
  job: Job,
  result: CountResult | SloError,
  spec: SourceSpec,
  options: EvaluateOptions,
  previous?: CountResult | SloError,
): SloReportEntry {
  const { slo, plan } = job;
  if (result instanceof SloError) {
    return buildErrorEntry(slo, plan.bounds, { message: result.message, source: spec.name });
  }
  const evaluation = evaluateSlo({
    atMs: options.atMs,
    objective: slo.objective,
    budgetingMethod: slo.budgetingMethod,
    timesliceTarget: slo.timeslice?.target,
    window: { label: slo.window.label, bounds: plan.bounds },
    counts: result.windows,
    slices: plan.slicesKey ? result.series[plan.slicesKey] : undefined,
    buckets: result.series[plan.bucketsKey],
    rules: slo.alerting.windows,
    heldSeries: Object.fromEntries(
      plan.held.flatMap((h) => {
        const buckets = result.series[h.key];
        return buckets ? [[h.key, { buckets, stepMs: h.stepMs }]] : [];
      }),
    ),
    minEvents: slo.alerting.minEvents,
    disabled: { page: slo.alerting.page.disable, ticket: slo.alerting.ticket.disable },
    gate: slo.gate,
  });
  const d = result.diagnostics;
  const notes: string[] = [];
  if (d.malformed && d.malformed.count > 0) {
    const s = d.malformed.samples[0];
    notes.push(
      `${d.malformed.count} malformed line(s) skipped${s ? `, first at ${s.file}:${s.line}` : ""}`,
    );
  }
  if (d.tooLong && d.tooLong.count > 0) {
    const s = d.tooLong.samples[0];
    notes.push(
      `${d.tooLong.count} line(s) over the ${MAX_LINE_BYTES / MIB} MiB line limit skipped${s ? `, first at ${s.file}:${s.line}` : ""}`,
    );
  }
  if (d.noTimestamp && d.noTimestamp.count > 0) {
    const s = d.noTimestamp.samples[0];
    notes.push(
      `${d.noTimestamp.count} line(s) without a timestamp skipped${s ? `, first at ${s.file}:${s.line}` : ""}`,
    );
  }
  notes.push(...damageNotes(d.damaged));
  notes.push(...errorLineNotes(d.errorLines));
  notes.push(...(d.warnings ?? []));
  if (d.missingField)
    notes.push(`${d.missingField} event(s) without the latency field not counted`);
  notes.push(...deployNotes(job));
  const entry = buildEntry(slo, plan.bounds, evaluation, {
    previous: previous instanceof SloError ? undefined : previousOf(slo, plan, previous),
    alertHistory: alertHistoryFor(slo, plan, result),
    burnRateHistory: burnRateHistoryFor(slo, plan, result),
    breakdown: result.breakdown,
    diagnostics: {
      ...(d.lines !== undefined ? { lines: d.lines } : {}),
      ...malformedOf(d),
      ...(d.tooLong ? { tooLong: d.tooLong.count } : {}),
      ...(d.noTimestamp ? { noTimestamp: d.noTimestamp.count } : {}),
      ...(d.damaged ? { damaged: d.damaged.count } : {}),
      ...(d.missingField !== undefined ? { missingField: d.missingField } : {}),
      ...(d.queries !== undefined ? { queries: d.queries + queriesOf(previous) } : {}),
      notes,
    },
  });
  return withDeploys(withCorrections(entry, job, result), job, result);
}

/** The corrections that touched the window, and what they left out together (each event once). */
function withCorrections(entry: SloReportEntry, job: Job, result: CountResult): SloReportEntry {
  const corrections = reportCorrections(job.corrections, result);
  if (!corrections) return entry;
  const once = result.excludedOnce;
  return {
    ...entry,
    corrections,
    ...(once
      ? { correctionsExcluded: { good: once.good, bad: once.total - once.good, total: once.total } }
      : {}),
  };
}

/** The report's deploys (budget shares, before and after) and, for slo verify, the verdict. */
function withDeploys(entry: SloReportEntry, job: Job, result: CountResult): SloReportEntry {
  const { slo, plan } = job;
  const withList =
    job.deploys && !(job.deploys instanceof SloError) && job.deploys.deploys.length > 0
      ? {
          ...entry,
          ...reportDeploys(
            slo,
            job.deploys,
            result,
            result.windows[slo.window.label] ?? NO_EVENTS,
            slicesOf(plan, result),
          ),
        }
      : entry;
  if (!job.verify || !job.verifySettings) return withList;
  return { ...withList, verification: verificationOf(slo, job.verify, result, job.verifySettings) };
}

function slicesOf(plan: SloPlan, result: CountResult) {
  const series = plan.request.series.find((s) => s.key === plan.slicesKey);
  const counts = plan.slicesKey ? result.series[plan.slicesKey] : undefined;
  return series && counts ? { series, counts } : undefined;
}

export const DEPLOYS_NOT_FOUND = "deploys could not be found";

function deployNotes(job: Job): string[] {
  if (job.deploys instanceof SloError) return [`${DEPLOYS_NOT_FOUND}: ${job.deploys.message}`];
  const notes: string[] = [];
  if (job.deploys && job.deploys.leftOut > 0)
    notes.push(
      `${job.deploys.leftOut} older deploy(s) in the window are counted as before the first deploy: a report names the newest ${MAX_DEPLOYS_REPORTED}`,
    );
  if (job.deploys && job.deploys.givenBefore > 0)
    notes.push(
      `${job.deploys.givenBefore} --deploy before the window's start (${new Date(job.plan.bounds.startMs).toISOString()}) not listed: they spent none of this window's budget`,
    );
  return notes;
}

/** One note per damaged input named, then how many more: the counts lack the rest of each. */
function damageNotes(damaged: SourceDiagnostics["damaged"]): string[] {
  if (!damaged) return [];
  const notes = damaged.files.map(
    (f) =>
      `partial data: ${f.file} is damaged at byte ${f.offset} (${f.reason}); the ${f.lines} line(s) before it are counted, the rest of the file is not`,
  );
  const unnamed = damaged.count - damaged.files.length;
  if (unnamed > 0) notes.push(`partial data: ${unnamed} more damaged file(s)`);
  return notes;
}

/** Loki's lines with __error__ are its malformed lines: read but not counted. */
function malformedOf(d: SourceDiagnostics): { malformed?: number } {
  if (!d.malformed && !d.errorLines) return {};
  return { malformed: (d.malformed?.count ?? 0) + (d.errorLines?.count ?? 0) };
}

/** Loki: the lines of the SLO's events it could not parse or filter, left out of every count. */
function errorLineNotes(errors: SourceDiagnostics["errorLines"]): string[] {
  if (!errors || errors.count === 0) return [];
  const howMany = errors.atLeast ? `at least ${errors.count}` : `${errors.count}`;
  const first = errors.first
    ? `, first at ${new Date(errors.first.atMs).toISOString()} in ${errors.first.stream} (${errors.first.error})`
    : "";
  return [
    `${howMany} line(s) Loki marked with __error__ (a parser or label filter failed on them) not counted in the longest window${first}`,
  ];
}

/** Queries sent for the previous window (the trend) count as this SLO's too. */
function queriesOf(result: CountResult | SloError | undefined): number {
  return result instanceof SloError ? 0 : (result?.diagnostics.queries ?? 0);
}

/** --on-source-error pass|fail: a failed source counts as that for the run's result. */
function statusForGate(entry: SloReportEntry, options: EvaluateOptions): SloReportEntry["status"] {
  if (entry.status !== "error" || !options.onSourceError || options.onSourceError === "error")
    return entry.status;
  return options.onSourceError === "pass" ? "ok" : "breaching";
}
