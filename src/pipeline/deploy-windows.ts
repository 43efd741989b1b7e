/**
 * Deploys in a report: the windows each SLO's request gains so its budget
 * can be split at each deploy (the stretches between deploys) and each
 * deploy's error ratio compared just before and after it; then, from the
 * counts, the report's `deploys` list.
 */

import type { Deploy, SloSpec } from "../definition/model.js";
import { badOf, burnRateOf, type Counts, errorRatioOf, NO_EVENTS } from "../engine/budget.js";
import { type BudgetShares, occurrenceShares, sliceShares } from "../engine/deploy-attribution.js";
import type { WindowBounds } from "../engine/windows.js";
import { MAX_DEPLOYS_REPORTED } from "../limits.js";
import type { ReportDeploy, ReportDeployRef } from "../report/schema.js";
import type { CountResult, SeriesRequest, WindowRequest } from "../sources/types.js";

export interface DeployPlan {
  /** the deploys inside the window, oldest first, at most MAX_DEPLOYS_REPORTED (the newest) */
  deploys: Deploy[];
  /** deploys inside the window left out by the limit */
  leftOut: number;
  /** deploys given on the command line before the window's start: not this SLO's to list */
  givenBefore: number;
  windows: WindowRequest[];
  compareMs: number;
  atMs: number;
  startMs: number;
}

const stretchKey = (k: number) => `deploys:stretch:${k}`;
const beforeKey = (i: number) => `deploys:before:${i}`;
const afterKey = (i: number) => `deploys:after:${i}`;

export function planDeploys(
  all: readonly Deploy[],
  bounds: WindowBounds,
  atMs: number,
  compareMs: number,
): DeployPlan {
  const inside = all.filter((d) => d.atMs > bounds.startMs && d.atMs <= atMs);
  const deploys = inside.slice(-MAX_DEPLOYS_REPORTED);
  const windows: WindowRequest[] = [];
  // no deploy: nothing to split, and the window's own count says it all
  const cuts = deploys.length === 0 ? [] : [bounds.startMs, ...deploys.map((d) => d.atMs), atMs];
  for (let k = 0; k + 1 < cuts.length; k++) {
    windows.push(...nonEmpty(stretchKey(k), cuts[k]!, cuts[k + 1]!));
  }
  deploys.forEach((d, i) => {
    windows.push(...nonEmpty(beforeKey(i), d.atMs - compareMs, d.atMs));
    windows.push(...nonEmpty(afterKey(i), d.atMs, Math.min(d.atMs + compareMs, atMs)));
  });
  return {
    deploys,
    leftOut: inside.length - deploys.length,
    givenBefore: all.filter((d) => d.origin === "command-line" && d.atMs <= bounds.startMs).length,
    windows,
    compareMs,
    atMs,
    startMs: bounds.startMs,
  };
}

/** A window of no length is never asked for: it holds no events. */
function nonEmpty(key: string, startMs: number, endMs: number): WindowRequest[] {
  return endMs > startMs ? [{ key, startMs, endMs }] : [];
}

export interface ReportedDeploys {
  deploys: ReportDeploy[];
  budgetSpentBeforeDeploys: number;
}

/** The report's deploys from the counts: each one's share of the budget and its before/after. */
export function reportDeploys(
  slo: SloSpec,
  plan: DeployPlan,
  result: CountResult,
  whole: Counts,
  slices: { series: SeriesRequest; counts: readonly Counts[] } | undefined,
): ReportedDeploys {
  const shares = sharesOf(slo, plan, result, whole, slices);
  const deploys = plan.deploys.map((d, i): ReportDeploy => {
    const until = plan.deploys[i + 1]?.atMs ?? plan.atMs;
    return {
      ...deployRef(d),
      until: iso(until),
      budgetSpent: shares.perDeploy[i] ?? 0,
      before: compared(slo, result, beforeKey(i), d.atMs - plan.compareMs, d.atMs),
      after: compared(
        slo,
        result,
        afterKey(i),
        d.atMs,
        Math.max(d.atMs, Math.min(d.atMs + plan.compareMs, plan.atMs)),
      ),
    };
  });
  return { deploys, budgetSpentBeforeDeploys: shares.beforeFirst };
}

function sharesOf(
  slo: SloSpec,
  plan: DeployPlan,
  result: CountResult,
  whole: Counts,
  slices: { series: SeriesRequest; counts: readonly Counts[] } | undefined,
): BudgetShares {
  if (slo.budgetingMethod !== "occurrences" && slices) {
    return sliceShares(
      slo.objective,
      slo.budgetingMethod,
      slo.timeslice?.target ?? slo.objective,
      { counts: slices.counts, startMs: slices.series.startMs, stepMs: slices.series.stepMs },
      plan.deploys.map((d) => d.atMs),
    );
  }
  const stretches = Array.from(
    { length: plan.deploys.length + 1 },
    (_, k) => result.windows[stretchKey(k)] ?? NO_EVENTS,
  );
  return occurrenceShares(slo.objective, whole, stretches);
}

/** A window's counts as the report compares them: events, error ratio, burn rate. */
export function compared(
  slo: SloSpec,
  result: CountResult,
  key: string,
  startMs: number,
  endMs: number,
): ReportDeploy["before"] {
  const c = result.windows[key] ?? NO_EVENTS;
  return {
    start: iso(startMs),
    end: iso(endMs),
    events: { good: c.good, bad: badOf(c), total: c.total },
    errorRatio: errorRatioOf(c),
    burnRate: burnRateOf(c, slo.objective),
  };
}

export function deployRef(d: Deploy): ReportDeployRef {
  return {
    at: iso(d.atMs),
    version: d.version,
    ...(d.sha !== undefined ? { sha: d.sha } : {}),
    ...(d.pullRequest !== undefined ? { pullRequest: d.pullRequest } : {}),
    origin: d.origin,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
