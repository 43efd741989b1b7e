/**
 * The model -> OpenSLO v1 documents: per service a Service, its DataSources,
 * and an SLO per SLO with its SLI and alert policies inline (one condition per
 * policy, as the spec allows). What OpenSLO has no field for travels in `slo/`
 * annotations (extensions.ts), so loading the result gives the same SLOs.
 */

import {
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_GATE,
  DEFAULT_GROUP_LIMIT,
  DEFAULT_MIN_EVENTS,
  DEFAULT_SEVERITY_OF,
  severityKey,
} from "../../defaults.js";
import { type SloError, specError } from "../../errors.js";
import { OPENSLO_MAX_DESCRIPTION_CHARS, OPENSLO_MAX_NAME_CHARS } from "../../limits.js";
import { periodShorthand } from "../calendar.js";
import { formatDuration } from "../duration.js";
import { timestampOptionOf } from "../log-timestamp.js";
import type {
  BurnRateWindow,
  CorrectionSpec,
  NotifyTarget,
  RouteTarget,
  ServiceSpec,
  Severity,
  SloSpec,
  SourceSpec,
  WallClock,
} from "../model.js";
import { defaultShortMs, toShorthand, windowPeriodMs } from "../openslo/durations.js";
import {
  CORRECTION_ANNOTATION,
  DEPLOYS_ANNOTATION,
  HEALTH_ANNOTATION,
  LABELS_ANNOTATION,
  NOTIFICATION_TARGET_LABEL,
  SEVERITY_ANNOTATION,
  SHORT_WINDOW_ANNOTATION,
  SLO_ANNOTATION,
  TARGET_RULES_ONLY_ANNOTATION,
  TARGET_URL_ANNOTATION,
} from "../openslo/extensions.js";
import { histogramUnit, OPENSLO_TYPE_NAME, openSloTypeName } from "../openslo/indicators.js";
import { API_VERSION, V2ALPHA } from "../openslo/objects.js";
import { keptAsWritten } from "./env-refs.js";
import {
  httpConnection,
  nonEmpty,
  ownLabels,
  percentText,
  rebasePath,
  sameWindow,
  type WriteOptions,
} from "./native.js";
import type { OpenSloNames } from "./openslo-names.js";
import { compact, mapStrings, quoted } from "./yaml.js";

/** Any Monday that is also the 1st of January: the start of every calendar unit at once. */
const CALENDAR_ANCHOR = "2024-01-01 00:00:00";

export interface OpenSloWriteOptions extends WriteOptions {
  /** the names of the whole conversion: OpenSLO's are global per kind (openslo-names.ts) */
  names: OpenSloNames;
}

/** A label name OpenSLO's metadata.labels can hold (its Go SDK's rule). */
const OPENSLO_LABEL_KEY = /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;

/** Labels as OpenSLO holds them: the names its keys cannot hold go, as JSON, in `slo/labels`. */
function labelsAndAnnotation(labels: Record<string, string>): {
  labels: Record<string, string> | undefined;
  annotations: Record<string, string>;
} {
  const fits = Object.entries(labels).filter(([k]) => OPENSLO_LABEL_KEY.test(k));
  const others = Object.entries(labels).filter(([k]) => !OPENSLO_LABEL_KEY.test(k));
  return {
    labels: nonEmpty(Object.fromEntries(fits)),
    annotations:
      others.length > 0 ? { [LABELS_ANNOTATION]: JSON.stringify(Object.fromEntries(others)) } : {},
  };
}

/** The labels the file wrote as lists back as lists (OpenSLO v1 allows both). */
function asListsWhereWritten(
  labels: Record<string, string> | undefined,
  listLabels: string[],
): Record<string, string | string[]> | undefined {
  if (!labels) return undefined;
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [k, listLabels.includes(k) ? v.split(",") : v]),
  );
}

function envelope(kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) {
  return { apiVersion: API_VERSION, kind, metadata: compact(metadata), spec: compact(spec) };
}

/** What OpenSLO's Service has no field for: health checks and where deploys show up. */
function serviceAnnotations(
  service: ServiceSpec,
  options: OpenSloWriteOptions,
): Record<string, string> | undefined {
  const annotations: Record<string, string> = labelsAndAnnotation(service.labels).annotations;
  // renamed to an OpenSLO name: the name it reads back under
  if (options.names.service(service) !== service.service)
    annotations[SLO_ANNOTATION.name] = service.service;
  if (service.health.length > 0) annotations[HEALTH_ANNOTATION] = JSON.stringify(service.health);
  const d = service.deploys;
  if (d) {
    const source = options.names.dataSource(service, d.source);
    annotations[DEPLOYS_ANNOTATION] = JSON.stringify(
      d.kind === "log-lines"
        ? { source, query: d.query, version: d.version }
        : { source, series: d.series, versionLabel: d.versionLabel },
    );
  }
  return Object.keys(annotations).length > 0 ? annotations : undefined;
}

export function openSloDocuments(service: ServiceSpec, options: OpenSloWriteOptions): unknown[] {
  const docs: unknown[] = [];
  // A service written in two files is one Service: its second file adds SLOs and sources only.
  const writtenBy = options.names.serviceWrittenBy(service);
  if (writtenBy !== service) checkSameService(service, writtenBy);
  else
    docs.push(
      envelope(
        "Service",
        {
          name: options.names.service(service),
          displayName: service.displayName,
          labels: labelsAndAnnotation(service.labels).labels,
          annotations: serviceAnnotations(service, options),
        },
        { description: service.description },
      ),
    );
  for (const [name, source] of Object.entries(service.sources)) {
    docs.push(
      envelope(
        "DataSource",
        { name: options.names.dataSource(service, name) },
        { type: openSloTypeName(source), connectionDetails: connectionOf(source, options) },
      ),
    );
  }
  for (const slo of service.slos) docs.push(sloDocument(slo, service, options));
  docs.push(...routeTargetDocuments(service, options.names));
  docs.push(...budgetAdjustmentDocuments(service, options.names));
  return docs;
}

/**
 * Each correction as the OpenSLO proposal's BudgetAdjustment (an
 * `openslo.com/v2alpha` document, as its examples are), once, naming every
 * SLO of the service it applies to: a file's correction applies to each of
 * its SLOs. The zone and category travel in slo/ annotations.
 */
function budgetAdjustmentDocuments(service: ServiceSpec, names: OpenSloNames): unknown[] {
  const byPlace = new Map<string, { correction: CorrectionSpec; slos: SloSpec[] }>();
  for (const slo of service.slos) {
    for (const c of slo.corrections ?? []) {
      const key = `${c.at.file}:${c.at.line}:${c.at.col}`;
      const entry = byPlace.get(key) ?? { correction: c, slos: [] };
      entry.slos.push(slo);
      byPlace.set(key, entry);
    }
  }
  return [...byPlace.values()].map(({ correction: c, slos }) => {
    const annotations: Record<string, string> = {};
    if (c.timeZone !== "UTC") annotations[CORRECTION_ANNOTATION.timeZone] = c.timeZone;
    if (c.category !== "other") annotations[CORRECTION_ANNOTATION.category] = c.category;
    return {
      apiVersion: V2ALPHA,
      kind: "BudgetAdjustment",
      metadata: compact({
        name: names.other("BudgetAdjustment", `${service.service}-${c.reason ?? c.category}`),
        annotations: nonEmpty(annotations),
      }),
      spec: compact({
        description: c.reason,
        firstEventStart: instantInZone(c.startMs, c.timeZone),
        duration: formatDuration(c.durationMs),
        rrule: c.rrule,
        filters: { slos: slos.map((slo) => ({ name: names.slo(slo) })) },
      }),
    };
  });
}

/** An instant as RFC 3339 with the zone's offset then: 2026-05-03T02:00:00+02:00 (Z in UTC). */
function instantInZone(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const offsetMin = Math.round((Date.parse(`${local}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

/** Each target slo only names in a label, once per conversion, as the AlertNotificationTarget it was. */
function routeTargetDocuments(service: ServiceSpec, names: OpenSloNames): unknown[] {
  return service.slos.flatMap((slo) =>
    (slo.routes ?? []).flatMap((route) => {
      if (!names.writeRouteTarget(route.name)) return [];
      return [
        envelope(
          "AlertNotificationTarget",
          { name: names.routeTarget(route.name), displayName: route.displayName },
          { target: route.target, description: route.description },
        ),
      ];
    }),
  );
}

/** The severity's labels without the notification_target its routed targets give back on reading. */
function labelsBesideRoutes(slo: SloSpec, severity: Severity): Record<string, string> {
  const { [NOTIFICATION_TARGET_LABEL]: named, ...others } = slo.alerting[severity].labels;
  const routed = routesOf(slo, severity)
    .map((r) => r.name)
    .sort()
    .join(",");
  return named === undefined || named === routed
    ? others
    : { ...others, [NOTIFICATION_TARGET_LABEL]: named };
}

function routesOf(slo: SloSpec, severity: Severity): RouteTarget[] {
  return (slo.routes ?? []).filter((r) => r.severities.includes(severity));
}

/** What a Service document says must be what each file of the service says: there is one. */
function checkSameService(service: ServiceSpec, written: ServiceSpec): void {
  const differs = (
    [
      ["labels", service.labels, written.labels],
      ["health", service.health, written.health],
      ["deploys", service.deploys, written.deploys],
    ] as const
  ).find(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b));
  if (!differs) return;
  throw specError(
    `service '${service.service}' is written in ${written.file} and ${service.file} with different ${differs[0]}: OpenSLO has one Service document per name, so it cannot be written in OpenSLO`,
    { file: service.file },
    `give both files the same ${differs[0]}, or name the services apart`,
  );
}

function connectionOf(s: SourceSpec, options: WriteOptions): unknown {
  // A source slo cannot query is written back as it was read; one read from an inline
  // metricSource had none, and a DataSource must have them (the spec, the Go SDK).
  if (s.type === "unsupported") return mapStrings(s.connectionDetails ?? {}, keptAsWritten);
  if (s.type === "logs") {
    return compact({
      paths: s.paths.map((p) => rebasePath(p, s.baseDir, options.outDir)),
      timestamp: timestampOptionOf(s) ?? s.timestamp,
      labels: nonEmpty(s.labels),
    });
  }
  return compact(httpConnection(s));
}

function cannot(slo: SloSpec, what: string): SloError {
  return specError(`SLO '${slo.name}': ${what} cannot be written in OpenSLO`, slo.at);
}

/** Text OpenSLO holds to a length: longer is an error, never cut short. */
function withinLength(
  slo: SloSpec,
  what: string,
  text: string | undefined,
  max: number,
): string | undefined {
  if (text === undefined || text.length <= max) return text;
  throw specError(
    `SLO '${slo.name}': a ${what} of ${text.length} characters cannot be written in OpenSLO (at most ${max})`,
    slo.at,
    `shorten the ${what} to ${max} characters`,
  );
}

function shorthand(slo: SloSpec, ms: number, label: string | undefined, what: string): string {
  const text = toShorthand(ms, label);
  if (text === null)
    throw cannot(
      slo,
      `${what} ${label ?? formatDuration(ms)} (OpenSLO durations are whole minutes, hours, days or weeks)`,
    );
  return text;
}

/** Throws an SloError for what OpenSLO cannot say (a 90s window); the CLI reports it. */
function sloDocument(slo: SloSpec, service: ServiceSpec, options: OpenSloWriteOptions): unknown {
  const timeWindow = [timeWindowOf(slo)];
  const objective = objectiveOf(slo);
  const name = options.names.slo(slo);
  // renamed apart from another service's SLO: the name it reads back under
  const split = labelsAndAnnotation(ownLabels(slo, service.labels));
  const labels = { ...split, labels: asListsWhereWritten(split.labels, slo.listLabels ?? []) };
  const annotations = {
    ...slo.annotations,
    ...sloAnnotations(slo),
    ...labels.annotations,
    ...(name === slo.name ? {} : { [SLO_ANNOTATION.name]: slo.name }),
  };
  return envelope(
    "SLO",
    {
      name,
      // a renamed SLO shows its own name (when it fits), unless it has a displayName of its own
      displayName: withinLength(
        slo,
        "displayName",
        slo.displayName ??
          (name === slo.name || slo.name.length > OPENSLO_MAX_NAME_CHARS ? undefined : slo.name),
        OPENSLO_MAX_NAME_CHARS,
      ),
      labels: labels.labels,
      annotations: nonEmpty(annotations),
    },
    {
      description: withinLength(slo, "description", slo.description, OPENSLO_MAX_DESCRIPTION_CHARS),
      service: options.names.service(service),
      indicator: {
        metadata: { name: options.names.other("SLI", `${name}-sli`) },
        spec: indicatorSpec(slo, service, options),
      },
      timeWindow,
      budgetingMethod: {
        occurrences: "Occurrences",
        timeslices: "Timeslices",
        ratioTimeslices: "RatioTimeslices",
      }[slo.budgetingMethod],
      objectives: [objective],
      alertPolicies: alertPolicies(slo, name, options.names),
    },
  );
}

/** slo's own settings OpenSLO has no field for, as `slo/...` annotations; defaults left out. */
function sloAnnotations(slo: SloSpec): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (slo.alerting.minEvents !== DEFAULT_MIN_EVENTS)
    annotations[SLO_ANNOTATION.minEvents] = String(slo.alerting.minEvents);
  if (!slo.gate.enabled) annotations[SLO_ANNOTATION.gate] = "false";
  else {
    if (slo.gate.minRemaining !== DEFAULT_GATE.minRemaining)
      annotations[SLO_ANNOTATION.gateMinRemaining] = percentText(slo.gate.minRemaining);
    if (slo.gate.warnRemaining !== DEFAULT_GATE.warnRemaining)
      annotations[SLO_ANNOTATION.gateWarnRemaining] = percentText(slo.gate.warnRemaining);
  }
  if (slo.breakdownBy !== undefined) annotations[SLO_ANNOTATION.breakdownBy] = slo.breakdownBy;
  Object.assign(annotations, groupingAnnotations(slo));
  if (slo.runbook !== undefined) annotations[SLO_ANNOTATION.runbook] = slo.runbook;
  return annotations;
}

/** `groupBy` and its options: OpenSLO v1 has no grouping, so they travel as `slo/` annotations. */
function groupingAnnotations(slo: SloSpec): Record<string, string> {
  const g = slo.grouping;
  if (!g) return {};
  const out: Record<string, string> = { [SLO_ANNOTATION.groupBy]: g.by.join(",") };
  if (g.limit !== DEFAULT_GROUP_LIMIT) out[SLO_ANNOTATION.groupLimit] = String(g.limit);
  if (slo.gate.enabled && slo.gate.per === "whole") out[SLO_ANNOTATION.gatePer] = "whole";
  return out;
}

function timeWindowOf(slo: SloSpec): Record<string, unknown> {
  if (slo.window.kind === "rolling") {
    return {
      duration: shorthand(slo, slo.window.durationMs, slo.window.label, "window"),
      isRolling: true,
    };
  }
  // OpenSLO's calendar needs a startTime: the one written, or a start of every unit's own periods.
  return {
    duration: periodShorthand(slo.window),
    isRolling: false,
    calendar: {
      startTime: quoted(slo.window.start ? openSloStartTime(slo.window.start) : CALENDAR_ANCHOR),
      timeZone: slo.window.timeZone,
    },
  };
}

/** As written when OpenSLO's own layout (2006-01-02 15:04:05), else that layout: the SDK accepts no other. */
function openSloStartTime(start: { text: string; wallClock: WallClock }): string {
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(start.text.trim())) return start.text;
  const { year, month, day, hour, minute, second } = start.wallClock;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${year}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}`;
}

function objectiveOf(slo: SloSpec): Record<string, unknown> {
  const objective: Record<string, unknown> = {};
  if (slo.objectiveDisplayName !== undefined) objective.displayName = slo.objectiveDisplayName;
  const ind = slo.indicator;
  if (ind.kind === "latency") {
    objective.op = ind.op ?? "lte";
    objective.value = ind.threshold;
  } else if (ind.kind === "sampled" && ind.judge.kind === "threshold") {
    objective.op = ind.judge.op;
    objective.value = ind.judge.threshold;
  }
  objective.target = slo.objective;
  if (slo.budgetingMethod !== "occurrences" && slo.timeslice) {
    if (slo.budgetingMethod === "timeslices") objective.timeSliceTarget = slo.timeslice.target;
    objective.timeSliceWindow = shorthand(
      slo,
      slo.timeslice.durationMs,
      undefined,
      "timesliceWindow",
    );
  }
  return objective;
}

function indicatorSpec(
  slo: SloSpec,
  service: ServiceSpec,
  options: OpenSloWriteOptions,
): Record<string, unknown> {
  const ind = slo.indicator;
  const source = service.sources[ind.source];
  if (!source) throw cannot(slo, `source '${ind.source}' (not defined)`);
  const ref = options.names.dataSource(service, ind.source);
  if (source.type === "unsupported") return keptMetric(ind, ref);
  const type = OPENSLO_TYPE_NAME[source.type];
  const metric = (spec: Record<string, unknown>) => ({
    metricSource: { metricSourceRef: ref, type, spec },
  });
  if (ind.kind === "ratio") {
    return {
      ratioMetric: compact({
        counter: true,
        good: ind.good !== undefined ? metric({ query: ind.good }) : undefined,
        bad: ind.bad !== undefined ? metric({ query: ind.bad }) : undefined,
        total: metric({ query: ind.total }),
      }),
    };
  }
  if (ind.kind === "sampled") {
    const query = metric({ query: ind.query });
    return ind.judge.kind === "threshold"
      ? { thresholdMetric: query }
      : { ratioMetric: { rawType: ind.judge.of === "good" ? "success" : "failure", raw: query } };
  }
  if (source.type === "prometheus") {
    const histogram = ind.histogram ?? "";
    return {
      thresholdMetric: metric(
        compact({
          query: histogram,
          histogramType: ind.histogramType,
          unit: histogramUnit(histogram) === ind.unit ? undefined : ind.unit,
        }),
      ),
    };
  }
  return { thresholdMetric: metric({ query: ind.events, field: ind.field, unit: ind.unit }) };
}

/**
 * The metric of a source slo cannot query, as it was read (indicators.ts
 * keeps it as JSON), its DataSource reference under the name written now.
 */
function keptMetric(ind: SloSpec["indicator"], ref: string): Record<string, unknown> {
  const renamed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(renamed);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "metricSourceRef" ? ref : renamed(v)]),
    );
  };
  const kept =
    ind.kind === "ratio"
      ? ind.total
      : ind.kind === "latency"
        ? (ind.events ?? ind.histogram ?? "null")
        : ind.query;
  const metric = renamed(JSON.parse(kept));
  return ind.kind === "ratio" ? { ratioMetric: metric } : { thresholdMetric: metric };
}

function isDefaultAlerting(slo: SloSpec): boolean {
  const a = slo.alerting;
  const plain = (s: typeof a.page) =>
    !s.disable && Object.keys(s.labels).length === 0 && Object.keys(s.annotations).length === 0;
  return (
    slo.notify.length === 0 &&
    plain(a.page) &&
    plain(a.ticket) &&
    a.windows.length === DEFAULT_BURN_RATE_WINDOWS.length &&
    a.windows.every((w, i) => sameWindow(w, DEFAULT_BURN_RATE_WINDOWS[i]!))
  );
}

/**
 * The factor as OpenSLO's threshold: as written when the model kept it (a
 * threshold of 2 stays 2); else the very factor slo evaluates a share with
 * (share × period / long window: 14.4 for 2% of 30d over 1h), every digit
 * kept (0.9333333333333333 for 10% of 28d over 3d), so the converted SLO
 * alerts at the same burn rate to the last bit.
 */
function burnRateThreshold(w: BurnRateWindow, period: number): number {
  // the engine's alertFactor, which definition/ may not import
  return w.factor ?? (w.share * period) / w.longMs;
}

/** An annotation key OpenSLO's metadata.annotations can hold (its Go SDK's rule): an optional DNS prefix and '/', then a name. */
const OPENSLO_ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;

/** The alerts' labels and annotations become an AlertCondition's: names OpenSLO cannot hold are an error. */
function checkAlertKeys(slo: SloSpec): void {
  for (const severity of ["page", "ticket"] as const) {
    const policy = slo.alerting[severity];
    const label = Object.keys(policy.labels).find((k) => !OPENSLO_LABEL_KEY.test(k));
    if (label !== undefined)
      throw cannot(
        slo,
        `the ${severity} label '${label}' (OpenSLO label names are letters, digits, '-', '_' and '.', alphanumeric at both ends, at most 63)`,
      );
    const annotation = Object.keys(policy.annotations).find((k) => !OPENSLO_ANNOTATION_KEY.test(k));
    if (annotation !== undefined)
      throw cannot(
        slo,
        `the ${severity} annotation '${annotation}' (OpenSLO annotation names are a name like a label's, after an optional domain and '/')`,
      );
  }
}

/** One policy per burn-rate window (OpenSLO allows one condition per policy); `sloName` as written. */
function alertPolicies(slo: SloSpec, sloName: string, names: OpenSloNames): unknown[] | undefined {
  if (isDefaultAlerting(slo)) return undefined;
  checkAlertKeys(slo);
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return slo.alerting.windows.map((w: BurnRateWindow) => {
    const severity = slo.alerting[w.severity];
    const long = shorthand(slo, w.longMs, w.long, "burn-rate window");
    const shortIsDefault =
      w.shortMs === defaultShortMs(w.longMs) && w.short === formatDuration(w.shortMs);
    const name = names.other("AlertPolicy", `${sloName}-${w.severity}-${slug(long)}`);
    return {
      kind: "AlertPolicy",
      metadata: { name },
      spec: {
        alertWhenNoData: false,
        alertWhenResolved: w.alertWhenResolved ?? true,
        alertWhenBreaching: !severity.disable,
        conditions: [
          {
            kind: "AlertCondition",
            metadata: compact({
              name: names.other("AlertCondition", `${name}-burn`),
              labels: nonEmpty(labelsBesideRoutes(slo, w.severity)),
              annotations: nonEmpty({
                ...severity.annotations,
                ...(shortIsDefault ? {} : { [SHORT_WINDOW_ANNOTATION]: w.short }),
                ...severityAnnotation(w),
              }),
            }),
            spec: {
              severity: w.severityText ?? w.severity,
              condition: {
                kind: "burnrate",
                op: w.op ?? "gt",
                threshold: burnRateThreshold(w, windowPeriodMs(slo.window)),
                lookbackWindow: long,
                alertAfter: alertAfterOf(slo, w),
              },
            },
          },
        ],
        notificationTargets: targetsFor(slo, w.severity, name, names),
      },
    };
  });
}

/** `slo/severity` where the severity as written would not read back as the window's: an override, or a name off the table. */
function severityAnnotation(w: BurnRateWindow): Record<string, string> {
  const text = w.severityText;
  if (text === undefined || DEFAULT_SEVERITY_OF[severityKey(text)] === w.severity) return {};
  return { [SEVERITY_ANNOTATION]: w.severity };
}

function alertAfterOf(slo: SloSpec, w: BurnRateWindow): string {
  if ((w.alertAfterMs ?? 0) <= 0) return "0m";
  return shorthand(slo, w.alertAfterMs!, w.alertAfter, "alertAfter");
}

/**
 * The policy's targets, inline. OpenSLO needs at least one (the spec and the
 * Go SDK refuse an empty list, and a policy without the key): a severity slo
 * delivers nowhere gets one target marked rules-only, which reads back as
 * nothing added.
 */
function targetsFor(
  slo: SloSpec,
  severity: Severity,
  policy: string,
  names: OpenSloNames,
): unknown[] {
  const delivered = slo.notify
    .filter((t: NotifyTarget) => t.severities.includes(severity))
    .map((t, i) => ({
      kind: "AlertNotificationTarget",
      metadata: compact({
        name: names.other("AlertNotificationTarget", `${policy}-target-${i + 1}`),
        displayName: withinLength(slo, "notify target name", t.name, OPENSLO_MAX_NAME_CHARS),
        annotations: t.url !== undefined ? { [TARGET_URL_ANNOTATION]: t.url } : undefined,
      }),
      spec: { target: t.type },
    }));
  const routed = routesOf(slo, severity).map((r) => ({ targetRef: names.routeTarget(r.name) }));
  if (delivered.length + routed.length > 0) return [...delivered, ...routed];
  return [
    {
      kind: "AlertNotificationTarget",
      metadata: {
        name: names.other("AlertNotificationTarget", `${policy}-rules`),
        annotations: { [TARGET_RULES_ONLY_ANNOTATION]: "true" },
      },
      spec: {
        target: "alert-rules",
        description: `slo delivers nothing itself: the ${severity} alert is the one the rules of slo rules fire, routed by its labels`,
      },
    },
  ];
}
