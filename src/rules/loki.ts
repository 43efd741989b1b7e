/**
 * SLOs on a Loki source -> a rule file for Loki's ruler (the Prometheus
 * rule-file format, with LogQL expressions), so Loki itself watches them.
 *
 * Per SLO, one group:
 * - `slo:events:<W>` and `slo:error_ratio:<W>` for every burn-rate window,
 *   counted with the very queries the Loki source sends (passed in: rules are
 *   made from the model alone, and the CLI hands over the source's counting);
 * - `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:time_period:days`
 *   and `slo:info`;
 * - one alert per burn-rate window, the same factors and test as the
 *   evaluator (engine/alert-policy.ts: judgeRule) and as the Prometheus rules.
 *
 * Loki's ruler cannot read back what it records (recorded series go out by
 * remote_write), so each alert counts its windows itself. The SLO's period
 * (30 days) is not recorded: every evaluation would read the whole month of
 * logs again. `slo check` and `slo report` compute it.
 */

import { IDENTITY_LABEL, RECORD, RULES_NAMING } from "../conventions.js";
import type { LokiSourceSpec, SloSet, SloSpec } from "../definition/model.js";
import { formatPromDuration } from "../definition/promql.js";
import { ruleFactor } from "../engine/alert-policy.js";
import { SloError, specError } from "../errors.js";
import {
  andPerGroup,
  burnRateAlert,
  comparison,
  constantRecords,
  enabledWindows,
  groupLabelProblem,
  infoRecord,
  periodMsOf,
  type Rule,
  type RuleGroup,
  type RulesResult,
  recordLabels,
  sourceCause,
  sourceTypeName,
  windowLengths,
} from "./build.js";
import { nominalPeriodDays } from "./calendar.js";
import { logqlRuleError } from "./logql-check.js";

/** A LogQL metric query that counts events over a range of that many milliseconds. */
export type RangeCount = (rangeMs: number) => string;

/** How the Loki source counts an SLO's events: two of total, good and bad. */
export interface LokiCounting {
  total?: RangeCount | undefined;
  good?: RangeCount | undefined;
  bad?: RangeCount | undefined;
}

export type LokiCountingOf = (slo: SloSpec) => LokiCounting;

export function buildLokiRules(set: SloSet, countingOf: LokiCountingOf): RulesResult {
  const result: RulesResult = { services: [], skipped: [], errors: [] };
  const byService = new Map<string, RuleGroup[]>();
  const lokis = new Map<string, string>();
  for (const service of set.services) {
    for (const slo of service.slos) {
      const source = service.sources[slo.indicator.source];
      if (source?.type !== "loki") {
        result.skipped.push({
          slo,
          reason: `reads a ${sourceTypeName(source)} source; Loki rules need a loki source`,
          cause: sourceCause(source),
        });
        continue;
      }
      const loki = lokiIdentity(source);
      if (!lokis.has(loki)) lokis.set(loki, `${service.service}/${source.name}`);
      try {
        const group = lokiGroup(slo, countingOf);
        byService.set(slo.service, [...(byService.get(slo.service) ?? []), group]);
      } catch (error) {
        result.errors.push(asSpecError(error, slo));
      }
    }
  }
  if (lokis.size > 1) result.errors.push(manyLokis([...lokis.values()]));
  result.services = [...byService].map(([service, groups]) => ({ service, groups }));
  return result;
}

/** Which ruler the rules belong to: the server and the tenant whose logs they read. */
function lokiIdentity(source: LokiSourceSpec): string {
  return `${source.url}\n${source.tenant ?? ""}`;
}

function manyLokis(names: string[]): SloError {
  return specError(
    `the SLOs read more than one Loki (${names.join(", ")}): a rule file is for one ruler, and rules for another Loki's streams would never fire`,
    undefined,
    "run slo rules --format loki on the SLO files of each Loki (or tenant) apart",
  );
}

/** The counting fails for what the SLO file says (a latency field that is no label): the file is at fault. */
function asSpecError(error: unknown, slo: SloSpec): SloError {
  if (!(error instanceof SloError)) throw error;
  return error.code === "spec" ? error : specError(error.message, slo.at, error.hint);
}

/** Events and bad events over a range, as LogQL. */
interface WindowCounts {
  total: RangeCount;
  bad: RangeCount;
}

/**
 * Total and bad from the two queries the source has. A sum over no lines is
 * no series at all in LogQL: bad events default to 0, and a latency's total
 * is good + bad, each 0 when it has no lines, and no series when both are 0
 * (as a ratio's total is), which also reads each query once.
 */
function windowCounts(slo: SloSpec, counting: LokiCounting): WindowCounts {
  const { total, good, bad } = groupedCounting(slo, counting);
  // vector(0) has no labels: a grouped SLO takes 0 for a group from the other count of the group.
  const zero = (other: RangeCount, ms: number) => (slo.grouping ? `0 * ${other(ms)}` : "vector(0)");
  if (total && bad) return { total, bad: (ms) => `(${bad(ms)} or ${zero(total, ms)})` };
  if (total && good) {
    return { total, bad: (ms) => `(${total(ms)} - (${good(ms)} or ${zero(total, ms)}))` };
  }
  if (good && bad) {
    return {
      total: (ms) => `((${good(ms)} or ${zero(bad, ms)}) + (${bad(ms)} or ${zero(good, ms)}) > 0)`,
      bad: (ms) => `(${bad(ms)} or ${zero(good, ms)})`,
    };
  }
  throw specError(`SLO '${slo.name}': its indicator gives no two of total, good and bad`, slo.at);
}

/**
 * A grouped SLO (`groupBy`) counts per value of its labels: the source's
 * `sum(...)` becomes `sum by (action) (...)`. A count the source already
 * groups is kept as it is.
 */
function groupedCounting(slo: SloSpec, counting: LokiCounting): LokiCounting {
  const by = slo.grouping?.by ?? [];
  if (by.length === 0) return counting;
  const regroup = (count: RangeCount | undefined): RangeCount | undefined => {
    if (!count) return undefined;
    return (ms) => {
      const text = count(ms);
      if (!text.startsWith("sum(")) return text;
      return `sum by (${by.join(", ")}) ${text.slice("sum".length)}`;
    };
  };
  return {
    total: regroup(counting.total),
    good: regroup(counting.good),
    bad: regroup(counting.bad),
  };
}

function errorRatio(counts: WindowCounts, ms: number): string {
  return `${counts.bad(ms)}\n/\n${counts.total(ms)}`;
}

function lokiGroup(slo: SloSpec, countingOf: LokiCountingOf): RuleGroup {
  const problem = groupLabelProblem(slo);
  if (problem) throw problem;
  const counts = windowCounts(slo, countingOf(slo));
  const labels = recordLabels(slo);
  const rules: Rule[] = [];
  for (const ms of windowLengths(slo)) {
    const w = formatPromDuration(ms);
    rules.push({ record: RECORD.events(w), expr: counts.total(ms), labels });
    rules.push({ record: RECORD.errorRatio(w), expr: errorRatio(counts, ms), labels });
  }
  rules.push(
    ...constantRecords(slo, labels, nominalPeriodDays(slo.window)),
    infoRecord(slo, labels),
  );

  const periodMs = periodMsOf(slo);
  // Not build.ts' budgetOf (0.01 for 0.010000000000000009): with it, Loki 2.7.5's ruler refused a
  // grouped latency alert with a parse error (measured by test/rules/loki-ruler.test.ts); cause not yet known.
  const budget = 1 - slo.objective;
  for (const w of enabledWindows(slo)) {
    const factor = ruleFactor(w, periodMs);
    const burning = (ms: number) =>
      `((${errorRatio(counts, ms)}) / ${budget} ${comparison(w)} ${factor})`;
    const conditions = [burning(w.longMs), burning(w.shortMs)];
    if (slo.alerting.minEvents > 0) {
      conditions.push(`(${counts.total(w.longMs)} >= ${slo.alerting.minEvents})`);
    }
    rules.push(burnRateAlert(slo, w, factor, conditions.join(`\n${andPerGroup(slo)}\n`)));
  }
  for (const rule of rules) checkExpression(slo, rule);
  return { name: RULES_NAMING.group(slo.service, slo.name), rules };
}

/** One expression the ruler would refuse costs the tenant all its rules: refuse it here. */
function checkExpression(slo: SloSpec, rule: Rule): void {
  const error = logqlRuleError(rule.expr);
  if (!error) return;
  const name =
    "record" in rule
      ? rule.record
      : `${rule.alert} (${rule.labels[IDENTITY_LABEL.severity]} ${rule.labels.long_window}/${rule.labels.short_window})`;
  const near = rule.expr.slice(error.offset, error.offset + 40).replace(/\s+/g, " ");
  throw specError(
    `SLO '${slo.name}': its Loki rule ${name} is not valid LogQL: ${error.message} at offset ${error.offset} (near '${near}')`,
    slo.at,
    "no rule file was written: Loki's ruler drops every rule of the tenant when one file does not parse. If the SLO's queries are valid LogQL, this is a bug in slo: please report it with the SLO file",
  );
}
