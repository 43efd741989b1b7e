/**
 * A grouped SLO (`groupBy`) as the SLOs it evaluates to: its source's one
 * answer split into one answer per group, past `groupLimit` the largest by
 * events over the SLO's window kept and the rest summed into "(other)";
 * each group then goes through the engine as an SLO of its own, named as
 * every output names it, gated as `gate.per` says.
 */

import { type GroupIdentity, groupEntryName } from "../conventions.js";
import type { SloSpec } from "../definition/model.js";
import type { ReportGroup, SloReportEntry } from "../report/schema.js";
import {
  addCounts,
  type CountResult,
  type Counts,
  type CountsOverTime,
  type GroupCounts,
} from "../sources/types.js";

/** One group of a grouped SLO: what the report calls it, and its counts as a source's answer. */
export interface GroupAnswer {
  group: ReportGroup;
  /** the SLO as this group is evaluated: its entry's name, its gate */
  slo: SloSpec;
  result: CountResult;
  /** the previous window's counts of the same group (the trend) */
  previous: CountResult | undefined;
  /** what the grouping itself warns of once for the whole definition (stderr); also in the entry's notes */
  warnings?: string[] | undefined;
}

/**
 * The groups a grouped SLO's answer holds, largest first; with `gate.per:
 * whole` the definition as a whole leads, gated, and the groups follow
 * ungated. An answer without groups (no event anywhere) is the whole alone.
 */
export function splitGroups(
  slo: SloSpec,
  result: CountResult,
  previous: CountResult | undefined,
): GroupAnswer[] {
  const grouping = slo.grouping!;
  const perWhole = slo.gate.per === "whole";
  const whole = (): GroupAnswer => ({
    group: { definition: slo.name, by: grouping.by, kind: "whole", labels: {} },
    slo,
    result,
    previous,
  });
  const groups = result.groups ?? [];
  if (groups.length === 0 && !result.untallied) return [whole()];
  const windowKey = slo.window.label;
  const ordered = [...groups].sort(
    (a, b) => totalOf(b, windowKey) - totalOf(a, windowKey) || compareValues(a.values, b.values),
  );
  const kept = ordered.slice(0, grouping.limit);
  const merged = ordered.slice(grouping.limit);
  const previousByKey = new Map((previous?.groups ?? []).map((g) => [valuesKey(g.values), g]));
  const answers = kept.map((g) => {
    const labels = Object.fromEntries(grouping.by.map((label, i) => [label, g.values[i] ?? ""]));
    const identity: GroupIdentity = { kind: "value", by: grouping.by, labels };
    const previousGroup = previousByKey.get(valuesKey(g.values));
    previousByKey.delete(valuesKey(g.values));
    return answerOf(slo, identity, result, g, previous, previousGroup ? [previousGroup] : []);
  });
  if (merged.length > 0 || result.untallied) {
    const identity: GroupIdentity = { kind: "other", by: grouping.by, labels: {} };
    const other = answerOf(
      slo,
      identity,
      result,
      sumCounts(result, [...merged, ...(result.untallied ? [result.untallied] : [])]),
      previous,
      [...previousByKey.values(), ...(previous?.untallied ? [previous.untallied] : [])],
    );
    other.group.mergedValues = merged.length;
    other.result.diagnostics = {
      ...other.result.diagnostics,
      warnings: [
        ...(other.result.diagnostics.warnings ?? []),
        mergedWarning(slo, merged.length, result.untallied ? groups.length : undefined),
      ],
    };
    answers.push(other);
  }
  for (const answer of answers) answer.slo = groupSlo(slo, answer.group, !perWhole);
  const missing = missingLabelWarning(slo, groups);
  if (missing) {
    for (const answer of answers) {
      const d = answer.result.diagnostics;
      answer.result.diagnostics = { ...d, warnings: [...(d.warnings ?? []), missing] };
      answer.warnings = [missing];
    }
  }
  return perWhole ? [whole(), ...answers] : answers;
}

/**
 * A label no event has (all in the group ""): most often a misspelt label or
 * field, or a query that sums it away. Said, since the groups look normal.
 */
function missingLabelWarning(slo: SloSpec, groups: readonly GroupCounts[]): string | undefined {
  if (groups.length === 0) return undefined;
  const missing = slo.grouping!.by.filter((_, i) =>
    groups.every((g) => (g.values[i] ?? "") === ""),
  );
  if (missing.length === 0) return undefined;
  const names = missing.map((m) => `'${m}'`).join(", ");
  return `groupBy ${slo.grouping!.by.join(", ")}: no event has ${names}, so every event is in the group ${names} = "": is it misspelt, or does the query sum it away?`;
}

/** What the "(other)" group says of itself. */
function mergedWarning(slo: SloSpec, merged: number, talliedBeforeOthers?: number): string {
  const limit = slo.grouping!.limit;
  const other = groupEntryName(slo.name, { kind: "other", by: [], labels: {} });
  const head = `groupBy ${slo.grouping!.by.join(", ")}: ${merged} value(s) past groupLimit ${limit}`;
  if (talliedBeforeOthers === undefined)
    return `${head} merged into ${other}; the ${limit} largest by events over ${slo.window.label} are their own groups`;
  // Values first seen once the tally was full were never ranked: say so, a busy one may be among them.
  return `${head}, and every value first seen after the first ${talliedBeforeOthers} the logs held apart (counted together as they were read, however many events each had), merged into ${other}; the groups are the ${limit} largest by events over ${slo.window.label} of those first ${talliedBeforeOthers} values`;
}

/** The SLO a group is evaluated as: its name in every output; gated when groups are gated. */
function groupSlo(slo: SloSpec, group: ReportGroup, gated: boolean): SloSpec {
  return {
    ...slo,
    name: groupEntryName(slo.name, group),
    gate: { ...slo.gate, enabled: slo.gate.enabled && gated },
  };
}

function answerOf(
  slo: SloSpec,
  identity: GroupIdentity,
  result: CountResult,
  counts: CountsOverTime,
  previous: CountResult | undefined,
  previousCounts: CountsOverTime[],
): GroupAnswer {
  return {
    group: {
      definition: slo.name,
      by: [...identity.by],
      kind: identity.kind,
      labels: { ...identity.labels },
    },
    slo,
    result: groupResult(result, counts),
    previous: previous ? groupResult(previous, sumCounts(previous, previousCounts)) : undefined,
  };
}

/** A group's answer: its own counts; the read's diagnostics; no breakdown (the groups are one). */
function groupResult(whole: CountResult, counts: CountsOverTime): CountResult {
  return {
    windows: counts.windows,
    series: counts.series,
    ...(counts.excluded ? { excluded: counts.excluded } : {}),
    ...(counts.excludedOnce ? { excludedOnce: counts.excludedOnce } : {}),
    breakdown: [],
    diagnostics: { ...whole.diagnostics },
  };
}

/** Several groups' counts added up, shaped as `shape`'s windows and series (zero where none). */
function sumCounts(shape: CountResult, parts: readonly CountsOverTime[]): CountsOverTime {
  const windows: Record<string, Counts> = {};
  for (const key of Object.keys(shape.windows)) {
    windows[key] = addCounts(parts.map((p) => p.windows[key]));
  }
  const series: Record<string, Counts[]> = {};
  for (const [key, buckets] of Object.entries(shape.series)) {
    series[key] = buckets.map((_, i) => addCounts(parts.map((p) => p.series[key]?.[i])));
  }
  const excluded = shape.excluded?.map((_, i) => addCounts(parts.map((p) => p.excluded?.[i])));
  const excludedOnce = shape.excludedOnce && addCounts(parts.map((p) => p.excludedOnce));
  return {
    windows,
    series,
    ...(excluded ? { excluded } : {}),
    ...(excludedOnce ? { excludedOnce } : {}),
  };
}

function totalOf(group: GroupCounts, windowKey: string): number {
  return group.windows[windowKey]?.total ?? 0;
}

function valuesKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  const x = valuesKey(a);
  const y = valuesKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const WORST_FIRST: Record<SloReportEntry["status"], number> = {
  breaching: 0,
  error: 1,
  warning: 2,
  "no-data": 3,
  ok: 4,
};

/**
 * A grouped SLO's entries in the report's order: the whole first (it is
 * what the gate reads with `per: whole`), then the groups worst first: by
 * status, then the least budget left, then by name.
 */
export function worstFirst(entries: readonly SloReportEntry[]): SloReportEntry[] {
  const rank = (e: SloReportEntry) => (e.group?.kind === "whole" ? -1 : WORST_FIRST[e.status]);
  return [...entries].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      remainingOf(a) - remainingOf(b) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function remainingOf(entry: SloReportEntry): number {
  const remaining = entry.errorBudget.remaining;
  return Number.isFinite(remaining) ? remaining : Number.POSITIVE_INFINITY;
}
