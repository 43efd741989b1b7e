/**
 * Counting one SLO's request on a query API, the same way for every such
 * source: the windows, the series (burn-down, alert history, timeslices) and
 * the breakdown all at once, then the notes, in one CountResult. A source
 * says only which queries count its events and how it breaks them down.
 */

import { PROM_LABEL_NAME } from "../../definition/promql.js";
import { toSloError } from "../../errors.js";
import type {
  BreakdownEntry,
  CountRequest,
  CountResult,
  Counts,
  CountsOverTime,
  GroupCounts,
  SeriesRequest,
  SourceDiagnostics,
  WindowRequest,
} from "../types.js";
import { addCounts, breakdownWindow, longestWindow } from "../types.js";
import type { QueryApi, RangeQuery } from "./client.js";

/** Prometheus and Loki label names; anything else is refused before a query is sent. */
export const LABEL_NAME = PROM_LABEL_NAME;

/** Two of total, good and bad: the third follows from them. */
export interface EventQueries {
  total?: RangeQuery | undefined;
  good?: RangeQuery | undefined;
  bad?: RangeQuery | undefined;
  /** latency on logs: the events as written, to count those without a numeric field */
  events?: RangeQuery | undefined;
}

export type Breakdown = NonNullable<CountRequest["breakdown"]>;

/** What a source asks to count one SLO. */
export interface CountingPlan {
  queries: EventQueries;
  /** bad events per value of `breakdown.by` over the window, most first */
  breakdown(breakdown: Breakdown, window: WindowRequest): Promise<BreakdownEntry[]>;
  /** why the longest window has no events at all, when the server can tell (a misspelt metric) */
  explainNoEvents?: ((longest: WindowRequest) => Promise<string | undefined>) | undefined;
}

const KINDS = ["total", "good", "bad"] as const;
type Kind = (typeof KINDS)[number];

export async function countWithPlan(
  api: QueryApi,
  plan: CountingPlan,
  request: CountRequest,
): Promise<CountResult> {
  const kinds = KINDS.filter((k) => plan.queries[k] !== undefined);
  const longest = longestWindow(request.windows);
  const by = request.slo.grouping?.by;
  // Everything at once; the HTTP client keeps the server's load bounded.
  const breakdownAnswer = breakdownOrWarning(plan, request);
  const grouped = by ? countGroups(api, plan.queries, kinds, request, by) : undefined;
  const windowAnswers = grouped
    ? grouped.then((g) => Object.entries(g.windows))
    : Promise.all(request.windows.map((w) => countWindow(api, plan.queries, kinds, w)));
  const seriesAnswers = grouped
    ? grouped.then((g) => Object.entries(g.series))
    : Promise.all(request.series.map((s) => countSeries(api, plan.queries, kinds, s)));
  const eventsAnswer =
    plan.queries.events && longest
      ? api.countWindow(plan.queries.events, longest, `window ${longest.key}`)
      : Promise.resolve(undefined);
  const [windowEntries, seriesEntries, [breakdown, breakdownWarning], events] = await Promise.all([
    windowAnswers,
    seriesAnswers,
    breakdownAnswer,
    eventsAnswer,
  ]);
  const windows = Object.fromEntries(windowEntries);
  const longestTotal = longest ? (windows[longest.key]?.total ?? 0) : 0;

  const warnings: string[] = breakdownWarning ? [breakdownWarning] : [];
  if (longest && plan.explainNoEvents && longestTotal === 0) {
    const why = await plan.explainNoEvents(longest);
    if (why) warnings.push(why);
  }
  const diagnostics: SourceDiagnostics = {};
  if (events !== undefined) diagnostics.missingField = Math.max(0, events - longestTotal);
  diagnostics.queries = api.queries;
  if (warnings.length > 0) diagnostics.warnings = warnings;
  const groups = grouped ? (await grouped).groups : undefined;
  return {
    windows,
    series: Object.fromEntries(seriesEntries),
    ...(groups ? { groups } : {}),
    breakdown,
    diagnostics,
  };
}

/**
 * A grouped SLO's counts: each query sums by the groupBy labels, each
 * series a group; a group some query has no series for counts 0 there.
 * The whole's counts are the groups' sums.
 */
async function countGroups(
  api: QueryApi,
  queries: EventQueries,
  kinds: readonly Kind[],
  request: CountRequest,
  by: readonly string[],
): Promise<CountsOverTime & { groups: GroupCounts[] }> {
  const windowAnswers = Promise.all(
    request.windows.map((w) =>
      Promise.all(kinds.map((k) => api.countWindowByGroup(queries[k]!, w, `window ${w.key}`, by))),
    ),
  );
  const seriesAnswers = Promise.all(
    request.series.map((s) =>
      Promise.all(kinds.map((k) => api.countSeriesByGroup(queries[k]!, s, `series ${s.key}`, by))),
    ),
  );
  const [windowCounts, seriesCounts] = await Promise.all([windowAnswers, seriesAnswers]);
  const keys = new Set<string>();
  for (const perKind of [...windowCounts, ...seriesCounts])
    for (const counts of perKind) for (const key of counts.keys()) keys.add(key);
  const groups: GroupCounts[] = [...keys].map((key) => ({
    values: JSON.parse(key) as string[],
    windows: Object.fromEntries(
      request.windows.map((w, i) => [
        w.key,
        countsOf(Object.fromEntries(kinds.map((k, j) => [k, windowCounts[i]![j]!.get(key) ?? 0]))),
      ]),
    ),
    series: Object.fromEntries(
      request.series.map((s, i) => [
        s.key,
        Array.from({ length: s.count }, (_, b) =>
          countsOf(
            Object.fromEntries(kinds.map((k, j) => [k, seriesCounts[i]![j]!.get(key)?.[b] ?? 0])),
          ),
        ),
      ]),
    ),
  }));
  return { ...sumOfGroups(request, groups), groups };
}

function sumOfGroups(request: CountRequest, groups: readonly GroupCounts[]): CountsOverTime {
  return {
    windows: Object.fromEntries(
      request.windows.map((w) => [w.key, addCounts(groups.map((g) => g.windows[w.key]!))]),
    ),
    series: Object.fromEntries(
      request.series.map((s) => [
        s.key,
        Array.from({ length: s.count }, (_, b) =>
          addCounts(groups.map((g) => g.series[s.key]![b]!)),
        ),
      ]),
    ),
  };
}

async function countWindow(
  api: QueryApi,
  queries: EventQueries,
  kinds: readonly Kind[],
  w: WindowRequest,
): Promise<[string, Counts]> {
  const what = `window ${w.key}`;
  const values = await Promise.all(kinds.map((k) => api.countWindow(queries[k]!, w, what)));
  return [w.key, countsOf(Object.fromEntries(kinds.map((k, i) => [k, values[i]!])))];
}

async function countSeries(
  api: QueryApi,
  queries: EventQueries,
  kinds: readonly Kind[],
  s: SeriesRequest,
): Promise<[string, Counts[]]> {
  const what = `series ${s.key}`;
  const values = await Promise.all(kinds.map((k) => api.countSeries(queries[k]!, s, what)));
  const counts = Array.from({ length: s.count }, (_, i) =>
    countsOf(Object.fromEntries(kinds.map((k, j) => [k, values[j]![i] ?? 0]))),
  );
  return [s.key, counts];
}

/** Good and total from two of the three; extrapolated counters can overshoot by a little, so clamp. */
function countsOf(c: { total?: number; good?: number; bad?: number }): Counts {
  const total = c.total ?? (c.good ?? 0) + (c.bad ?? 0);
  const good = c.good ?? total - (c.bad ?? 0);
  return { good: Math.min(Math.max(good, 0), total), total };
}

/** What spent the budget is a nicety: a breakdown that fails costs the SLO only a warning. */
async function breakdownOrWarning(
  plan: CountingPlan,
  request: CountRequest,
): Promise<[BreakdownEntry[], string | undefined]> {
  const window = breakdownWindow(request);
  if (!request.breakdown || !window) return [[], undefined];
  try {
    return [await plan.breakdown(request.breakdown, window), undefined];
  } catch (error) {
    return [[], `breakdown by ${request.breakdown.by} failed: ${toSloError(error).message}`];
  }
}

/** The top `limit` values by bad events, most first, ties by value; none without bad events. */
export function topBadValues(
  counts: Iterable<[string, number]>,
  breakdown: Breakdown,
): BreakdownEntry[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .filter((e) => Number.isFinite(e.count) && e.count > 0)
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, breakdownLimit(breakdown));
}

/** At least one value, a whole number of them. */
export function breakdownLimit(breakdown: Breakdown): number {
  return Math.max(1, Math.floor(breakdown.limit));
}
