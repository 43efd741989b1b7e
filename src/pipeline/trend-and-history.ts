/**
 * The parts of a report entry that look beyond the current window: the
 * previous window (the trend) and the alerts that fired over the window
 * (slo report). Counts from the source in, report fields out.
 */

import { formatDuration } from "../definition/duration.js";
import type { SloSpec } from "../definition/model.js";
import {
  alertHistoryOf,
  mergeCloseEpisodes,
  type RulesOverBuckets,
} from "../engine/alert-history.js";
import { badOf, type Counts, errorBudgetOf, NO_EVENTS, sliOf } from "../engine/budget.js";
import { timesliceSli } from "../engine/timeslices.js";
import { windowsShortToLong } from "../report/episodes.js";
import type { SloReportEntry } from "../report/schema.js";
import type { CountResult } from "../sources/types.js";
import type { SloPlan } from "./requests.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** The previous window's SLI and budget, by the SLO's own budgeting method. */
export function previousOf(
  slo: SloSpec,
  plan: SloPlan,
  result: CountResult | undefined,
): SloReportEntry["previous"] {
  const counts = result?.windows[plan.previousKey];
  if (!counts) return undefined;
  let sli = sliOf(counts);
  if (slo.budgetingMethod !== "occurrences" && plan.previousSlicesKey) {
    const slices = result?.series[plan.previousSlicesKey] ?? [];
    sli = timesliceSli(slices, slo.budgetingMethod, slo.timeslice?.target ?? slo.objective).sli;
  }
  return {
    start: iso(plan.previous.startMs),
    end: iso(plan.previous.endMs),
    events: { good: counts.good, bad: badOf(counts), total: counts.total },
    sli,
    errorBudget: errorBudgetOf(sli, slo.objective),
    coverage: coverageOf(result?.series[plan.previousCoverageKey] ?? []),
  };
}

/**
 * The fraction of a window that has data, from buckets over it: from the
 * first bucket with an event to the last, gaps between them included (a
 * quiet night is not missing data; logs that start late, or a server whose
 * retention ends, are). 0 without any event.
 */
export function coverageOf(buckets: readonly Counts[]): number {
  const first = buckets.findIndex((b) => b.total > 0);
  if (first < 0) return 0;
  let last = buckets.length - 1;
  while (buckets[last]!.total === 0) last--;
  return (last - first + 1) / buckets.length;
}

/** The SLO's burn-rate rules over the history's buckets, or undefined when the plan has no history. */
export function rulesOverBuckets(
  slo: SloSpec,
  plan: SloPlan,
  result: CountResult,
): RulesOverBuckets | undefined {
  if (!plan.history) return undefined;
  const buckets = result.series[plan.history.key];
  if (!buckets) return undefined;
  return {
    buckets,
    startMs: plan.history.startMs,
    stepMs: plan.history.stepMs,
    fromMs: plan.bounds.startMs,
    rules: slo.alerting.windows,
    objective: slo.objective,
    periodMs: plan.bounds.periodMs,
    disabled: { page: slo.alerting.page.disable, ticket: slo.alerting.ticket.disable },
  };
}

/** The burn-rate alerts that fired between the window's start and `at`, at the history's step. */
export function alertHistoryFor(
  slo: SloSpec,
  plan: SloPlan,
  result: CountResult,
): SloReportEntry["alertHistory"] {
  const over = rulesOverBuckets(slo, plan, result);
  if (!over) return undefined;
  const rules = slo.alerting.windows.filter((r) => !slo.alerting[r.severity].disable);
  const history = alertHistoryOf({
    ...over,
    buckets: over.buckets.length > 0 ? over.buckets : [NO_EVENTS],
    minEvents: slo.alerting.minEvents,
  });
  return {
    since: iso(history.sinceMs),
    step: formatDuration(history.stepMs),
    episodes: mergeCloseEpisodes(history.episodes, rules).map((e) => ({
      severity: e.severity,
      start: iso(e.startMs),
      end: e.endMs === null ? null : iso(e.endMs),
      windows: windowsShortToLong(e.windows),
      peakBurnRate: e.peakBurnRate,
      ...(e.firings ? { firings: e.firings } : {}),
    })),
  };
}
