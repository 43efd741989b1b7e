/**
 * The model -> OpenSLO v1 documents: per service a Service, its DataSources,
 * and an SLO per SLO with its SLI and alert policies inline (one condition per
 * policy, as the spec allows). What OpenSLO has no field for travels in `slo/`
 * annotations (extensions.ts), so loading the result gives the same SLOs.
 */

import { DEFAULT_BURN_RATE_WINDOWS, DEFAULT_GATE, DEFAULT_MIN_EVENTS } from "../../defaults.js";
import { type SloError, specError } from "../../errors.js";
import { roundNumber } from "../doc-reader.js";
import { formatDuration } from "../duration.js";
import { timestampOptionOf } from "../log-timestamp.js";
import type {
  BurnRateWindow,
  NotifyTarget,
  ServiceSpec,
  Severity,
  SloSpec,
  SourceSpec,
} from "../model.js";
import {
  defaultShortMs,
  SHORTHAND_OF_CALENDAR,
  toShorthand,
  windowPeriodMs,
} from "../openslo/durations.js";
import {
  DEPLOYS_ANNOTATION,
  HEALTH_ANNOTATION,
  SHORT_WINDOW_ANNOTATION,
  SLO_ANNOTATION,
  TARGET_URL_ANNOTATION,
} from "../openslo/extensions.js";
import { histogramUnit, OPENSLO_TYPE_NAME, openSloTypeName } from "../openslo/indicators.js";
import { API_VERSION } from "../openslo/objects.js";
import {
  httpConnection,
  nonEmpty,
  ownLabels,
  percentText,
  rebasePath,
  type WriteOptions,
} from "./native.js";
import type { OpenSloNames } from "./openslo-names.js";
import { compact, quoted } from "./yaml.js";

/** Any Monday that is also the 1st of January: the start of every calendar unit at once. */
const CALENDAR_ANCHOR = "2024-01-01 00:00:00";

export interface OpenSloWriteOptions extends WriteOptions {
  /** the names of the whole conversion: OpenSLO's are global per kind (openslo-names.ts) */
  names: OpenSloNames;
}

function envelope(kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) {
  return { apiVersion: API_VERSION, kind, metadata: compact(metadata), spec: compact(spec) };
}

/** What OpenSLO's Service has no field for: health checks and where deploys show up. */
function serviceAnnotations(
  service: ServiceSpec,
  options: OpenSloWriteOptions,
): Record<string, string> | undefined {
  const annotations: Record<string, string> = {};
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
          name: service.service,
          labels: nonEmpty(service.labels),
          annotations: serviceAnnotations(service, options),
        },
        {},
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
  return docs;
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
  // A source slo cannot query is written back as it was read.
  if (s.type === "unsupported") return s.connectionDetails;
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
  const annotations = {
    ...sloAnnotations(slo),
    ...(name === slo.name ? {} : { [SLO_ANNOTATION.name]: slo.name }),
  };
  return envelope(
    "SLO",
    {
      name,
      displayName: name === slo.name ? undefined : slo.name,
      labels: nonEmpty(ownLabels(slo, service.labels)),
      annotations: nonEmpty(annotations),
    },
    {
      description: slo.description,
      service: slo.service,
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
  if (slo.runbook !== undefined) annotations[SLO_ANNOTATION.runbook] = slo.runbook;
  return annotations;
}

function timeWindowOf(slo: SloSpec): Record<string, unknown> {
  if (slo.window.kind === "rolling") {
    return {
      duration: shorthand(slo, slo.window.durationMs, slo.window.label, "window"),
      isRolling: true,
    };
  }
  return {
    duration: SHORTHAND_OF_CALENDAR[slo.window.unit],
    isRolling: false,
    calendar: { startTime: quoted(CALENDAR_ANCHOR), timeZone: slo.window.timeZone },
  };
}

function objectiveOf(slo: SloSpec): Record<string, unknown> {
  const objective: Record<string, unknown> = {};
  if (slo.indicator.kind === "latency") {
    objective.op = "lte";
    objective.value = slo.indicator.threshold;
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
  if (source.type === "prometheus") {
    const histogram = ind.histogram ?? "";
    return {
      thresholdMetric: metric(
        compact({
          query: histogram,
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
  const kept = ind.kind === "ratio" ? ind.total : (ind.events ?? ind.histogram ?? "null");
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
    a.windows.every((w, i) => {
      const d = DEFAULT_BURN_RATE_WINDOWS[i]!;
      return (
        w.severity === d.severity &&
        w.longMs === d.longMs &&
        w.shortMs === d.shortMs &&
        w.share === d.share &&
        w.long === d.long &&
        w.short === d.short
      );
    })
  );
}

/**
 * The factor as OpenSLO's threshold: rounded when the loader's share comes
 * back the same from the rounded number (14.4, not 14.400000000000002),
 * else every digit (0.23333333333333334 for 10% of 7d over 3d).
 */
function burnRateThreshold(w: BurnRateWindow, period: number): number {
  const exact = (w.share * period) / w.longMs;
  const pretty = roundNumber(exact);
  return roundNumber((pretty * w.longMs) / period) === w.share ? pretty : exact;
}

/** One policy per burn-rate window (OpenSLO allows one condition per policy); `sloName` as written. */
function alertPolicies(slo: SloSpec, sloName: string, names: OpenSloNames): unknown[] | undefined {
  if (isDefaultAlerting(slo)) return undefined;
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
        alertWhenResolved: true,
        alertWhenBreaching: !severity.disable,
        conditions: [
          {
            kind: "AlertCondition",
            metadata: compact({
              name: names.other("AlertCondition", `${name}-burn`),
              labels: nonEmpty(severity.labels),
              annotations: nonEmpty({
                ...severity.annotations,
                ...(shortIsDefault ? {} : { [SHORT_WINDOW_ANNOTATION]: w.short }),
              }),
            }),
            spec: {
              severity: w.severity,
              condition: {
                kind: "burnrate",
                op: "gt",
                threshold: burnRateThreshold(w, windowPeriodMs(slo.window)),
                lookbackWindow: long,
                alertAfter: "0m",
              },
            },
          },
        ],
        notificationTargets: targetsFor(slo, w.severity, name, names),
      },
    };
  });
}

function targetsFor(
  slo: SloSpec,
  severity: Severity,
  policy: string,
  names: OpenSloNames,
): unknown[] {
  return slo.notify
    .filter((t: NotifyTarget) => t.severities.includes(severity))
    .map((t, i) => ({
      kind: "AlertNotificationTarget",
      metadata: compact({
        name: names.other("AlertNotificationTarget", `${policy}-target-${i + 1}`),
        annotations: t.url !== undefined ? { [TARGET_URL_ANNOTATION]: t.url } : undefined,
      }),
      spec: { target: t.type },
    }));
}
