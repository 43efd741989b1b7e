/**
 * SLOs -> Prometheus recording and alerting rules, so Prometheus itself
 * watches the same SLOs continuously. Pure: the model in, rule groups out.
 *
 * Per SLO, one group (rules of a group run in order, so the alerts see this
 * evaluation's records):
 * - `slo:events:<W>` and `slo:error_ratio:<W>` for every burn-rate window and
 *   for the SLO's period; each from the window's summed increases, never an
 *   average of shorter ratios;
 * - `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:time_period:days`,
 *   `slo:period_error_budget_remaining:ratio` and `slo:info`;
 * - one alert per burn-rate window: long AND short window above the factor,
 *   with at least minEvents events in the long window. The same factors and
 *   the same test as the evaluator (engine/alert-policy.ts); a calendar
 *   period's factors follow its real length (calendar.ts).
 */

import {
  ALERT_NAME,
  cleanLabels,
  IDENTITY_LABEL,
  RECORD,
  RULES_NAMING,
  severityLabels,
  WINDOW_LABEL,
} from "../conventions.js";
import { roundNumber } from "../definition/doc-reader.js";
import {
  histogramParts,
  leRegex,
  nativeAtOrBelowExpr,
  nativeCountExpr,
  thresholdAsLe,
} from "../definition/histogram.js";
import type {
  BurnRateWindow,
  LatencyIndicator,
  SloSet,
  SloSpec,
  SourceSpec,
} from "../definition/model.js";
import { windowPeriodMs } from "../definition/openslo/durations.js";
import {
  formatPromDuration,
  formatSelector,
  PROM_LABEL_NAME,
  windowQuery,
} from "../definition/promql.js";
import { type BurnRateOp, ruleFactor } from "../engine/alert-policy.js";
import { type SloError, specError } from "../errors.js";
import {
  calendarFactorExpr,
  type PeriodDays,
  periodDays,
  periodDaysLabels,
  periodWindowLabels,
} from "./calendar.js";
import { correctionsAnnotation } from "./corrections.js";

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  /** how long expr must hold before the alert fires (the window's alertAfter), as Prometheus writes it */
  for?: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export interface ServiceRules {
  service: string;
  groups: RuleGroup[];
}

/** Why an SLO gets no rules: a sampled value, or a source of another type (`queryable`: one slo reads). */
export type SkipCause = { kind: "sampled" } | { kind: "source"; type: string; queryable: boolean };

export interface SkippedSlo {
  slo: SloSpec;
  reason: string;
  cause: SkipCause;
}

export interface RulesResult {
  services: ServiceRules[];
  /** SLOs the rules cannot evaluate (another source, a sampled value), with why */
  skipped: SkippedSlo[];
  errors: SloError[];
}

/**
 * A value judged sample by sample has no counters to sum over the alert
 * windows; its rules would be subqueries over the whole window at every
 * evaluation, so none are written.
 */
export const SAMPLED_HAS_NO_RULES =
  "is a sampled value (a thresholdMetric on a query, or a raw ratio without {{window}}): its rules would be subqueries over the whole window at every evaluation, so slo rules writes none; slo check, report and alerts evaluate it";

export function buildRules(set: SloSet): RulesResult {
  const result: RulesResult = { services: [], skipped: [], errors: [] };
  const byService = new Map<string, RuleGroup[]>();
  for (const service of set.services) {
    for (const slo of service.slos) {
      const source = service.sources[slo.indicator.source];
      if (source?.type !== "prometheus") {
        const loki = source?.type === "loki" ? " (slo rules --format loki writes Loki's)" : "";
        result.skipped.push({
          slo,
          reason: `reads a ${sourceTypeName(source)} source; Prometheus rules need a prometheus source${loki}`,
          cause: sourceCause(source),
        });
        continue;
      }
      if (slo.indicator.kind === "sampled") {
        result.skipped.push({ slo, reason: SAMPLED_HAS_NO_RULES, cause: { kind: "sampled" } });
        continue;
      }
      try {
        const group = sloGroup(slo);
        byService.set(slo.service, [...(byService.get(slo.service) ?? []), group]);
      } catch (error) {
        result.errors.push(error as SloError);
      }
    }
  }
  result.services = [...byService].map(([service, groups]) => ({ service, groups }));
  return result;
}

/** A source that is not the rules' own, as the reason slo rules writes nothing names it. */
export function sourceCause(source: SourceSpec | undefined): SkipCause {
  if (source?.type === "unsupported") {
    return { kind: "source", type: source.sourceType, queryable: false };
  }
  return { kind: "source", type: source?.type ?? "missing", queryable: source !== undefined };
}

/** A source's type as a note names it: a source slo cannot query by its own type (Datadog). */
export function sourceTypeName(source: SourceSpec | undefined): string {
  if (!source) return "missing";
  return source.type === "unsupported"
    ? `${source.sourceType} (which slo cannot query)`
    : source.type;
}

/** The SLO's period: a rolling window's length, a calendar period's nominal length (2 weeks: 14 days). */
export function periodMsOf(slo: SloSpec): number {
  return windowPeriodMs(slo.window);
}

/** The identity labels every series and alert of an SLO carries; they win over the SLO's own. */
export function identityLabels(slo: SloSpec): Record<string, string> {
  return { [IDENTITY_LABEL.service]: slo.service, [IDENTITY_LABEL.slo]: slo.name };
}

/** Prometheus matchers for an SLO's series. */
export function seriesSelector(slo: SloSpec): string {
  return `{${IDENTITY_LABEL.service}=${promString(slo.service)}, ${IDENTITY_LABEL.slo}=${promString(slo.name)}}`;
}

function promString(text: string): string {
  return JSON.stringify(text);
}

/** Alert labels and annotations are Go templates: text of ours must not be read as one. */
export function escapeTemplate(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

function escapeAll(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, escapeTemplate(v)]));
}

interface CountExprs {
  /** good or bad events over the window, as the indicator declares them */
  numeratorKind: "good" | "bad";
  numerator(rangeMs: number): string;
  total(rangeMs: number): string;
}

function countExprs(slo: SloSpec): CountExprs {
  const ind = slo.indicator;
  if (ind.kind === "sampled") throw specError(`SLO '${slo.name}': ${SAMPLED_HAS_NO_RULES}`, slo.at);
  if (ind.kind === "ratio") {
    const numeratorKind = ind.bad !== undefined ? "bad" : "good";
    const text = (ind.bad ?? ind.good)!;
    const build = (role: string, query: string) => {
      if (windowQuery(query, 60_000) === null) {
        throw specError(
          `SLO '${slo.name}': the ${role} query is neither a series selector nor a query with {{window}}; it cannot become a rule`,
          slo.at,
        );
      }
      // A full query may return several series: the rule holds their sum (per group), under the SLO's labels.
      const sum = sumBy(slo);
      return (ms: number) => {
        const q = windowQuery(query, ms)!;
        return q.startsWith("sum(increase(") ? `${sum}${q.slice("sum".length)}` : `${sum}(${q}\n)`;
      };
    };
    return {
      numeratorKind,
      numerator: build(numeratorKind, text),
      total: build("total", ind.total),
    };
  }
  return ind.histogramType === "native" ? nativeHistogramExprs(slo, ind) : histogramExprs(slo, ind);
}

/**
 * A native histogram, as the file says (`slo rules` asks no server: without
 * histogramType it writes the classic form): the Prometheus source's reading.
 */
function nativeHistogramExprs(slo: SloSpec, ind: LatencyIndicator): CountExprs {
  const parts = histogramParts(ind.histogram);
  if (!parts) {
    throw specError(`SLO '${slo.name}': latency needs histogram: metric{labels}`, slo.at);
  }
  const selector = formatSelector(parts.metric, parts.matchers);
  const le = thresholdAsLe(ind.threshold, ind.unit, parts.metric);
  // A grouped SLO sums per group, as the classic form does.
  const by = slo.grouping?.by.join(", ");
  return {
    numeratorKind: "good",
    numerator: (ms) => nativeAtOrBelowExpr(selector, le, ms, by),
    total: (ms) => nativeCountExpr(selector, ms, by),
  };
}

/** Good = the `le` bucket at the threshold, total = `_count`: the Prometheus source's reading. */
function histogramExprs(slo: SloSpec, ind: LatencyIndicator): CountExprs {
  const parts = histogramParts(ind.histogram);
  if (!parts) {
    throw specError(`SLO '${slo.name}': latency needs histogram: metric{labels}`, slo.at);
  }
  const { metric } = parts;
  const le = thresholdAsLe(ind.threshold, ind.unit, metric);
  const bucket = formatSelector(`${metric}_bucket`, [
    ...parts.matchers,
    `le=~${promString(leRegex(le))}`,
  ]);
  const count = formatSelector(`${metric}_count`, parts.matchers);
  const sum = sumBy(slo);
  const increase = (sel: string, ms: number) =>
    `${sum}(increase(${sel}[${formatPromDuration(ms)}]))`;
  return {
    numeratorKind: "good",
    numerator: (ms) => increase(bucket, ms),
    total: (ms) => increase(count, ms),
  };
}

/**
 * How a rule sums its series: `sum`, or for a grouped SLO (`groupBy`)
 * `sum by (action)`, one series per value. Prometheus keeps every value:
 * `groupLimit`'s "(other)" group is `slo check`'s, the rules have no
 * ranking of traffic to merge by.
 */
export function sumBy(slo: SloSpec): string {
  const by = slo.grouping?.by ?? [];
  return by.length === 0 ? "sum" : `sum by (${by.join(", ")}) `;
}

/**
 * No bad (or good) events: 0. `vector(0)` has no labels, so a grouped SLO
 * takes 0 for each group the total has, from the total itself.
 */
function noEvents(slo: SloSpec, total: string): string {
  return slo.grouping ? `0 * ${total}` : "vector(0)";
}

/** The alert's conditions hold together per group: `and on (action)`; a plain `and` without groups. */
export function andPerGroup(slo: SloSpec): string {
  const by = slo.grouping?.by ?? [];
  return by.length === 0 ? "and" : `and on (${by.join(", ")})`;
}

/**
 * A group label that is also an identity label (service, slo) or one of
 * the SLO's own would be overwritten by the rule's labels, every group's
 * series made one: refuse it.
 */
export function groupLabelProblem(slo: SloSpec): SloError | undefined {
  const by = slo.grouping?.by ?? [];
  const invalid = by.find((label) => !PROM_LABEL_NAME.test(label));
  if (invalid !== undefined) {
    return specError(
      `SLO '${slo.name}': groupBy '${invalid}' is not a label name; rules group by labels ([a-zA-Z_][a-zA-Z0-9_]*)`,
      slo.at,
    );
  }
  // Every label an alert of the SLO sets: a group label of the same name would make two groups' alerts one.
  const alertLabels = [slo.alerting.page, slo.alerting.ticket].flatMap((p) =>
    Object.keys(p.labels),
  );
  const fixed = new Set([
    ...Object.keys(recordLabels(slo)),
    ...Object.keys(severityLabels("page", {})),
    WINDOW_LABEL.long,
    WINDOW_LABEL.short,
    ...alertLabels.filter((label) => label !== "alertname"),
  ]);
  const clash = by.find((label) => fixed.has(label));
  if (clash === undefined) return undefined;
  return specError(
    `SLO '${slo.name}': groupBy label '${clash}' is also a label slo rules sets on the SLO's series or alerts (${[...fixed].join(", ")}); the groups would overwrite each other`,
    slo.at,
    "rename the label in the query (label_replace) or drop it from the SLO's labels",
  );
}

/**
 * The error budget as a rule writes it: 1 - 0.999 is 0.0010000000000000009
 * in floating point, which reads as a typo in a rule; 12 significant digits
 * give 0.001, no objective written with fewer digits changes.
 */
export function budgetOf(slo: SloSpec): number {
  return roundNumber(1 - slo.objective);
}

function sloGroup(slo: SloSpec): RuleGroup {
  const problem = groupLabelProblem(slo);
  if (problem) throw problem;
  const exprs = countExprs(slo);
  const periodMs = periodMsOf(slo);
  const budget = budgetOf(slo);
  const labels = recordLabels(slo);
  const sel = seriesSelector(slo);
  const rules: Rule[] = [];

  const alertLengths = windowLengths(slo);
  for (const ms of windowLengths(slo, [periodMs])) {
    const w = formatPromDuration(ms);
    const total = exprs.total(ms);
    const numerator = `(${exprs.numerator(ms)} or ${noEvents(slo, total)})`;
    const bad = exprs.numeratorKind === "bad" ? numerator : `(${total} - ${numerator})`;
    const windowLabels = alertLengths.includes(ms)
      ? labels
      : { ...labels, ...periodWindowLabels(slo) };
    rules.push({ record: RECORD.events(w), expr: total, labels: windowLabels });
    rules.push({ record: RECORD.errorRatio(w), expr: `${bad}\n/\n${total}`, labels: windowLabels });
  }
  const period = formatPromDuration(periodMs);
  const days = periodDays(slo.window);
  rules.push(...constantRecords(slo, labels, days));
  rules.push({
    record: RECORD.remaining,
    expr: `1 - ${RECORD.errorRatio(period)}${sel} / ${budget}`,
    labels: { ...labels, ...periodWindowLabels(slo) },
  });
  rules.push(infoRecord(slo, labels));

  for (const w of enabledWindows(slo)) {
    const factor = ruleFactor(w, periodMs);
    const threshold = calendarThreshold(w, days, sel);
    const long = formatPromDuration(w.longMs);
    const short = formatPromDuration(w.shortMs);
    const burning = (window: string) =>
      `${RECORD.errorRatio(window)}${sel} / ${budget} ${comparison(w)} ${threshold?.expr ?? factor}`;
    const conditions = [burning(long), burning(short)];
    if (slo.alerting.minEvents > 0) {
      conditions.push(`${RECORD.events(long)}${sel} >= ${slo.alerting.minEvents}`);
    }
    rules.push(
      burnRateAlert(slo, w, threshold ?? factor, conditions.join(`\n${andPerGroup(slo)}\n`)),
    );
  }
  return { name: RULES_NAMING.group(slo.service, slo.name), rules };
}

const COMPARISON: Record<BurnRateOp, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** The window's op as PromQL (and LogQL) write it: the engine's compareBurnRate. */
export function comparison(w: BurnRateWindow): string {
  return COMPARISON[w.op ?? "gt"];
}

/** The labels of an SLO's recorded series: its own, then its identity. */
export function recordLabels(slo: SloSpec): Record<string, string> {
  return { ...cleanLabels(slo.labels), ...identityLabels(slo) };
}

/** Every window length the SLO's alerts read, and `more`, shortest first. */
export function windowLengths(slo: SloSpec, more: number[] = []): number[] {
  const lengths = new Set<number>(more);
  for (const w of slo.alerting.windows) lengths.add(w.shortMs).add(w.longMs);
  return [...lengths].sort((a, b) => a - b);
}

/** The burn-rate windows whose severity is not disabled. */
export function enabledWindows(slo: SloSpec): BurnRateWindow[] {
  return slo.alerting.windows.filter((w) => !slo.alerting[w.severity].disable);
}

/** The objective, the budget and the period's length (calendar.ts: periodDays). */
export function constantRecords(
  slo: SloSpec,
  labels: Record<string, string>,
  days: PeriodDays,
): RecordingRule[] {
  return [
    { record: RECORD.objective, expr: `vector(${slo.objective})`, labels },
    { record: RECORD.errorBudget, expr: `vector(${budgetOf(slo)})`, labels },
    { record: RECORD.periodDays, expr: days.expr, labels: periodDaysLabels(days, labels) },
  ];
}

/** A factor that follows the calendar period's length; none when it is constant or written as a number. */
export interface CalendarThreshold {
  /** the factor as PromQL, from the recorded period length */
  expr: string;
}

function calendarThreshold(
  w: BurnRateWindow,
  days: PeriodDays,
  sel: string,
): CalendarThreshold | undefined {
  if (w.factor !== undefined || days.constantDays !== undefined) return undefined;
  return { expr: calendarFactorExpr(w.share, w.longMs, `${RECORD.periodDays}${sel}`) };
}

/** `slo:info`: 1, with what the SLO is as labels. */
export function infoRecord(slo: SloSpec, labels: Record<string, string>): RecordingRule {
  return {
    record: RECORD.info,
    expr: "vector(1)",
    labels: {
      ...labels,
      objective: String(slo.objective),
      window: slo.window.label,
      budgeting_method: slo.budgetingMethod,
    },
  };
}

function summaryOf(slo: SloSpec, w: BurnRateWindow, factorText: string): string {
  const how = {
    gt: "over",
    gte: "at least",
    lt: "under",
    lte: "at most",
  }[w.op ?? "gt"];
  const held = w.alertAfter === undefined ? "" : `, for ${w.alertAfter}`;
  return `${escapeTemplate(`${slo.service}/${slo.name}`)}${groupTemplate(slo)}${escapeTemplate(` is burning its error budget ${how} ${factorText}x as fast as the objective allows, over ${w.long} and ${w.short}${held}`)}`;
}

/**
 * A grouped SLO's alert names its group as every output does,
 * `{action="CheckBalance"}`: a template of the alert's own labels (label
 * names are identifiers, safe in a template; Go's %q quotes the value).
 */
function groupTemplate(slo: SloSpec): string {
  const by = slo.grouping?.by ?? [];
  if (by.length === 0) return "";
  return `{${by.map((label) => `${label}={{ printf "%q" $labels.${label} }}`).join(", ")}}`;
}

/**
 * The factor as the annotations say it: `14.4`; or, when it follows the
 * calendar, a template Prometheus fills in when the alert fires (the period's
 * factor, 14.88 in May), with the same four significant digits.
 */
function factorText(factor: number | CalendarThreshold): string {
  if (typeof factor === "number") return escapeTemplate(String(Number(factor.toPrecision(4))));
  return `{{ with query ${JSON.stringify(factor.expr)} }}{{ . | first | value | printf "%.4g" }}{{ end }}`;
}

/**
 * One burn-rate alert: `expr` fires it; its labels say which SLO and which
 * windows, its annotations why, for every rule format alike.
 */
export function burnRateAlert(
  slo: SloSpec,
  w: BurnRateWindow,
  factor: number | CalendarThreshold,
  expr: string,
): AlertingRule {
  const severity = slo.alerting[w.severity];
  const { alertname, ...alertLabels } = severity.labels;
  const userLabels = { ...escapeAll(cleanLabels(slo.labels)), ...cleanLabels(alertLabels) };
  const threshold = factorText(factor);
  // The SLO's own text is escaped, the threshold's template is not.
  const summary = summaryOf(slo, w, "\u0000").replace("\u0000", threshold);
  const written = w.severityText === undefined ? undefined : escapeTemplate(w.severityText);
  return {
    alert: alertname ?? ALERT_NAME,
    expr,
    ...((w.alertAfterMs ?? 0) > 0 ? { for: formatPromDuration(w.alertAfterMs!) } : {}),
    labels: {
      ...userLabels,
      ...escapeAll(identityLabels(slo)),
      ...severityLabels(w.severity, userLabels, written),
      [WINDOW_LABEL.long]: w.long,
      [WINDOW_LABEL.short]: w.short,
    },
    annotations: {
      summary,
      ...(slo.description ? { description: escapeTemplate(slo.description) } : {}),
      ...(slo.runbook ? { runbook_url: escapeTemplate(slo.runbook) } : {}),
      objective: String(slo.objective),
      burn_rate_threshold: threshold,
      ...correctionsAnnotation(slo),
      ...severity.annotations,
    },
  };
}
