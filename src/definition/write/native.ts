/**
 * The model -> slo's native file, one document per service. What equals the
 * native format's default is left out, so the file reads like one a person
 * wrote. Pure: the caller says where the file will live (relative log paths
 * are rebased to it) and how strings are written (`${VAR}` put back).
 */

import { isAbsolute, relative, resolve, sep } from "node:path";
import {
  DEFAULT_BUDGETING_METHOD,
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_CORRECTION_CATEGORY,
  DEFAULT_GATE,
  DEFAULT_MIN_EVENTS,
  DEFAULT_NOTIFY_SEVERITIES,
  DEFAULT_SOURCE,
  DEFAULT_TIME_ZONE,
} from "../../defaults.js";
import { specError } from "../../errors.js";
import { periodShorthand } from "../calendar.js";
import { roundNumber } from "../doc-reader.js";
import { formatDuration } from "../duration.js";
import { timestampOptionOf } from "../log-timestamp.js";
import type {
  AlertPolicy,
  BurnRateWindow,
  CorrectionSpec,
  DeploySpec,
  GatePolicy,
  Indicator,
  NotifyTarget,
  ReadableSourceSpec,
  RouteTarget,
  SampledIndicator,
  ServiceSpec,
  SeverityPolicy,
  SloSpec,
  SourceSpec,
  WindowSpec,
} from "../model.js";
import { compact, quoted } from "./yaml.js";

export interface WriteOptions {
  /** the folder the written file will be in */
  outDir: string;
}

export function percentText(fraction: number): string {
  return `${roundNumber(fraction * 100)}%`;
}

export function nativeDocument(
  service: ServiceSpec,
  options: WriteOptions,
): Record<string, unknown> {
  refuseUnsupportedSources(service);
  return compact({
    service: service.service,
    displayName: service.displayName,
    description: service.description,
    labels: nonEmpty(service.labels),
    sources: Object.fromEntries(
      Object.entries(service.sources).map(([name, s]) => [
        name,
        sourceOf(s as ReadableSourceSpec, options),
      ]),
    ),
    slos: service.slos.map((slo) => sloOf(slo, service)),
    notify: service.notify.length > 0 ? service.notify.map(notifyOf) : undefined,
    health:
      service.health.length > 0
        ? service.health.map((h) => ({ name: h.name, url: h.url, onFailure: h.onFailure }))
        : undefined,
    deploys: service.deploys ? deploysOf(service.deploys) : undefined,
  });
}

function deploysOf(d: DeploySpec): Record<string, unknown> {
  return d.kind === "log-lines"
    ? { source: d.source, query: d.query, version: d.version }
    : { source: d.source, series: d.series, versionLabel: d.versionLabel };
}

export function nonEmpty<T extends Record<string, unknown>>(r: T): T | undefined {
  return Object.keys(r).length > 0 ? r : undefined;
}

/** A path as the written file must say it: relative to its own folder, with forward slashes. */
export function rebasePath(path: string, baseDir: string, outDir: string): string {
  if (path === "-" || isAbsolute(path)) return path;
  const rebased = relative(resolve(outDir), resolve(baseDir, path)) || ".";
  return rebased.split(sep).join("/");
}

/**
 * The native format holds the sources slo reads: an SLO on a Datadog or
 * CloudWatch source has no native form (its query is not PromQL or LogQL),
 * so it is refused, named, rather than written as something else.
 */
function refuseUnsupportedSources(service: ServiceSpec): void {
  for (const slo of service.slos) {
    const source = service.sources[slo.indicator.source];
    if (source?.type !== "unsupported") continue;
    throw specError(
      `SLO '${slo.name}' reads DataSource '${source.name}' of type ${source.sourceType}, which slo cannot query; the native format holds only the sources slo reads (prometheus, loki and logs)`,
      slo.at,
      "convert it --to openslo (which keeps it as written), or leave that SLO out of the files converted",
    );
  }
}

function sourceOf(s: ReadableSourceSpec, options: WriteOptions): Record<string, unknown> {
  if (s.type === "logs") {
    return compact({
      type: "logs",
      paths: s.paths.map((p) => rebasePath(p, s.baseDir, options.outDir)),
      timestamp: timestampOptionOf(s),
      labels: nonEmpty(s.labels),
    });
  }
  return compact({ type: s.type, ...httpConnection(s) });
}

/** A server source's connection as written, in both formats: defaults left out. */
export function httpConnection(
  s: Exclude<ReadableSourceSpec, { type: "logs" }>,
): Record<string, unknown> {
  return {
    url: s.url,
    headers: nonEmpty(s.headers),
    bearerToken: s.bearerToken,
    basicAuth: s.basicAuth
      ? { username: s.basicAuth.username, password: s.basicAuth.password }
      : undefined,
    timeout: s.timeoutMs === DEFAULT_SOURCE.timeoutMs ? undefined : formatDuration(s.timeoutMs),
    retries: s.retries === DEFAULT_SOURCE.retries ? undefined : s.retries,
    tenant: s.type === "loki" ? s.tenant : undefined,
  };
}

/** The SLO's own labels: those the service does not already give it. */
export function ownLabels(
  slo: SloSpec,
  serviceLabels: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(slo.labels).filter(([k, v]) => serviceLabels[k] !== v));
}

/** `{ calendar: month }` as before; counted periods as OpenSLO's shorthand, with their start as written. */
function calendarWindowOf(window: Extract<WindowSpec, { kind: "calendar" }>) {
  return {
    calendar: window.count === 1 ? window.unit : periodShorthand(window),
    ...(window.start ? { start: quoted(window.start.text) } : {}),
    timezone: window.timeZone,
  };
}

function sloOf(slo: SloSpec, service: ServiceSpec): Record<string, unknown> {
  const timesliced = slo.budgetingMethod !== "occurrences" && slo.timeslice;
  return compact({
    name: slo.name,
    displayName: slo.displayName,
    description: slo.description,
    labels: nonEmpty(ownLabels(slo, service.labels)),
    annotations: slo.annotations,
    objective: percentText(slo.objective),
    objectiveDisplayName: slo.objectiveDisplayName,
    window: slo.window.kind === "rolling" ? slo.window.label : calendarWindowOf(slo.window),
    budgetingMethod:
      slo.budgetingMethod === DEFAULT_BUDGETING_METHOD ? undefined : slo.budgetingMethod,
    timesliceWindow: timesliced ? formatDuration(slo.timeslice!.durationMs) : undefined,
    timesliceTarget:
      timesliced && slo.budgetingMethod === "timeslices"
        ? percentText(slo.timeslice!.target)
        : undefined,
    indicator: indicatorOf(slo.indicator),
    alerting: alertingOf(slo.alerting),
    gate: gateOf(slo.gate),
    notify: notifyOfSlo(slo, service),
    breakdownBy: slo.breakdownBy,
    // The file's corrections are each SLO's: written under each, they mean the same.
    corrections: slo.corrections?.map(correctionOf),
    runbook: slo.runbook,
  });
}

function correctionOf(c: CorrectionSpec): Record<string, unknown> {
  return compact({
    start: quoted(c.start),
    end: c.end !== undefined ? quoted(c.end) : undefined,
    duration: c.end === undefined ? (c.duration ?? formatDuration(c.durationMs)) : undefined,
    rrule: c.rrule,
    timezone: c.timeZone === DEFAULT_TIME_ZONE ? undefined : c.timeZone,
    reason: c.reason,
    category: c.category === DEFAULT_CORRECTION_CATEGORY ? undefined : c.category,
  });
}

function indicatorOf(indicator: Indicator): Record<string, unknown> {
  if (indicator.kind === "ratio") {
    return {
      ratio: compact({
        source: indicator.source,
        good: indicator.good,
        bad: indicator.bad,
        total: indicator.total,
      }),
    };
  }
  if (indicator.kind === "sampled") return { sampled: sampledOf(indicator) };
  const numeric = /^\s*\d+(\.\d+)?\s*$/.test(indicator.thresholdText);
  return {
    latency: compact({
      source: indicator.source,
      events: indicator.events,
      field: indicator.field,
      histogram: indicator.histogram,
      unit: indicator.unit,
      op: indicator.op,
      threshold: numeric ? indicator.threshold : indicator.thresholdText,
    }),
  };
}

function sampledOf(indicator: SampledIndicator): Record<string, unknown> {
  const { judge } = indicator;
  return {
    source: indicator.source,
    query: indicator.query,
    ...(judge.kind === "threshold"
      ? { op: judge.op, threshold: judge.threshold }
      : { ratio: judge.of }),
  };
}

/** Two burn-rate windows that alert alike, named alike. */
export function sameWindow(w: BurnRateWindow, d: BurnRateWindow): boolean {
  return (
    w.severity === d.severity &&
    w.longMs === d.longMs &&
    w.shortMs === d.shortMs &&
    w.share === d.share &&
    w.long === d.long &&
    w.short === d.short &&
    w.factor === d.factor &&
    (w.op ?? "gt") === (d.op ?? "gt") &&
    (w.alertAfterMs ?? 0) === (d.alertAfterMs ?? 0) &&
    w.severityText === d.severityText &&
    (w.alertWhenResolved ?? true) === (d.alertWhenResolved ?? true)
  );
}

function sameWindows(a: AlertPolicy["windows"], b: AlertPolicy["windows"]): boolean {
  return a.length === b.length && a.every((w, i) => sameWindow(w, b[i]!));
}

/** One burn-rate window as the native file writes it: the factor as written when the model has it. */
function windowOf(w: BurnRateWindow): Record<string, unknown> {
  return compact({
    severity: w.severity,
    long: w.long,
    short: w.short,
    share: w.factor === undefined ? percentText(w.share) : undefined,
    burnRate: w.factor,
    op: w.op === undefined || w.op === "gt" ? undefined : w.op,
    alertAfter:
      (w.alertAfterMs ?? 0) > 0 ? (w.alertAfter ?? formatDuration(w.alertAfterMs!)) : undefined,
    severityLabel: w.severityText,
    alertWhenResolved: w.alertWhenResolved,
  });
}

function severityOf(s: SeverityPolicy): Record<string, unknown> | undefined {
  const out = compact({
    disable: s.disable ? true : undefined,
    labels: nonEmpty(s.labels),
    annotations: nonEmpty(s.annotations),
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function alertingOf(a: AlertPolicy): Record<string, unknown> | undefined {
  const out = compact({
    minEvents: a.minEvents === DEFAULT_MIN_EVENTS ? undefined : a.minEvents,
    windows: sameWindows(a.windows, DEFAULT_BURN_RATE_WINDOWS)
      ? undefined
      : a.windows.map(windowOf),
    page: severityOf(a.page),
    ticket: severityOf(a.ticket),
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function gateOf(g: GatePolicy): unknown {
  if (!g.enabled) return false;
  if (
    g.minRemaining === DEFAULT_GATE.minRemaining &&
    g.warnRemaining === DEFAULT_GATE.warnRemaining
  )
    return undefined;
  return { minRemaining: percentText(g.minRemaining), warnRemaining: percentText(g.warnRemaining) };
}

function notifyOf(t: NotifyTarget): Record<string, unknown> {
  const all = DEFAULT_NOTIFY_SEVERITIES.every((s) => t.severities.includes(s));
  return compact({
    type: t.type,
    name: t.name,
    url: t.url,
    severities: all ? undefined : t.severities,
  });
}

/** The SLO's own list when it differs from the file's; routes are kept per SLO, so they make it its own. */
function notifyOfSlo(slo: SloSpec, service: ServiceSpec): Record<string, unknown>[] | undefined {
  const routes = slo.routes ?? [];
  if (routes.length === 0 && sameNotify(slo.notify, service.notify)) return undefined;
  return [...slo.notify.map(notifyOf), ...routes.map(routeOf)];
}

function routeOf(t: RouteTarget): Record<string, unknown> {
  const all = DEFAULT_NOTIFY_SEVERITIES.every((s) => t.severities.includes(s));
  return compact({
    type: "route",
    name: t.name,
    target: t.target,
    displayName: t.displayName,
    description: t.description,
    severities: all ? undefined : t.severities,
  });
}

function sameNotify(a: NotifyTarget[], b: NotifyTarget[]): boolean {
  return JSON.stringify(a.map(notifyOf)) === JSON.stringify(b.map(notifyOf));
}
