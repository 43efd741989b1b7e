/**
 * The one internal model every input format (native, OpenSLO, Sloth) is
 * mapped to. Durations are milliseconds, objectives fractions.
 */

import type { SourcePosition } from "../errors.js";
import type { TextParserStage } from "./logql/ast.js";

/** OpenSLO's duration units, m h d w M Q Y, as calendar periods. */
export type CalendarUnit = "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

/** A local date and time without a zone (the window's time zone says where); month and day from 1. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Where a calendar window's periods are counted from: as written (convert writes it back) and as read. */
export interface CalendarStart {
  text: string;
  wallClock: WallClock;
}

export type WindowSpec =
  | { kind: "rolling"; durationMs: number; label: string }
  | {
      kind: "calendar";
      /** periods of `count` units: 2 weeks, 1 month */
      count: number;
      unit: CalendarUnit;
      timeZone: string;
      /** absent: the unit's own periods (weeks from Monday midnight, months from the 1st...) */
      start?: CalendarStart | undefined;
      /** "week", "month", "2 weeks": the window's name in reports and counts */
      label: string;
    };

export type BudgetingMethod = "occurrences" | "timeslices" | "ratioTimeslices";

export interface LogsSourceSpec {
  type: "logs";
  name: string;
  paths: string[];
  /** the JSON field, or the capture of timestampFrom, that holds each line's time */
  timestamp: string;
  /** how the time is written: a Go layout or a name of NAMED_TIME_LAYOUTS; absent: RFC 3339 or epoch numbers */
  timestampFormat?: string | undefined;
  /** the time is captured from each line's text by this pattern or regexp, not read from a JSON field */
  timestampFrom?: TextParserStage | undefined;
  labels: Record<string, string>;
  /** where relative paths are resolved: the folder of the SLO file */
  baseDir: string;
}

export interface HttpAuth {
  headers: Record<string, string>;
  bearerToken?: string | undefined;
  basicAuth?: { username: string; password: string } | undefined;
}

export interface PrometheusSourceSpec extends HttpAuth {
  type: "prometheus";
  name: string;
  url: string;
  timeoutMs: number;
  retries: number;
}

export interface LokiSourceSpec extends HttpAuth {
  type: "loki";
  name: string;
  url: string;
  tenant?: string | undefined;
  timeoutMs: number;
  retries: number;
}

/**
 * A data source slo cannot query (OpenSLO's Datadog, CloudWatch, ...): its
 * SLOs load, validate and convert back to OpenSLO as written, and each is
 * reported as not evaluated. The indicator's queries of such a source hold
 * the metric's `spec` as written, as JSON (write/openslo.ts writes it back).
 */
export interface UnsupportedSourceSpec {
  type: "unsupported";
  name: string;
  /** the type as the file writes it: `Datadog` */
  sourceType: string;
  /** the DataSource's connectionDetails as written, if it has any */
  connectionDetails?: unknown;
}

/** The sources slo reads. */
export type ReadableSourceSpec = LogsSourceSpec | PrometheusSourceSpec | LokiSourceSpec;

export type SourceSpec = ReadableSourceSpec | UnsupportedSourceSpec;

export interface RatioIndicator {
  kind: "ratio";
  source: string;
  good?: string | undefined;
  bad?: string | undefined;
  total: string;
}

/** How a value is compared with a threshold: good when `value op threshold`. */
export type ThresholdOp = "lt" | "lte" | "gt" | "gte";

/**
 * A Prometheus histogram's kind: native (one series of exponential buckets,
 * counted below any threshold by interpolation) or classic (one `_bucket`
 * series per `le` bound, counted exactly at a bound).
 */
export type HistogramType = "native" | "classic";

export interface LatencyIndicator {
  kind: "latency";
  /** logs/loki: how the field is compared with the threshold; absent: lte (at or below) */
  op?: ThresholdOp | undefined;
  source: string;
  /** logs/loki: the events query; the field holds the latency */
  events?: string | undefined;
  field?: string | undefined;
  /** the unit the field is written in, and the unit of `threshold` below */
  unit: "ns" | "us" | "ms" | "s";
  /** prometheus: the histogram's series selector, without `_bucket` */
  histogram?: string | undefined;
  /** prometheus: the histogram's kind as the file says; absent: the source asks the server */
  histogramType?: HistogramType | undefined;
  /** threshold in `unit` */
  threshold: number;
  /** threshold as written, e.g. "300ms" */
  thresholdText: string;
}

/** How one sample of a sampled indicator is judged. */
export type SampleJudge =
  /** good when `value op threshold` */
  | { kind: "threshold"; op: ThresholdOp; threshold: number; thresholdText: string }
  /** the value is itself the share of good (rawType success) or bad (rawType failure) events */
  | { kind: "ratio"; of: "good" | "bad" };

/**
 * prometheus: a query's value sampled over time (a gauge, a quantile, a
 * precomputed ratio), each sample judged on its own, never counted as
 * events. Timeslices: one sample per slice, at its end; occurrences: one
 * sample every sample step, each an event.
 */
export interface SampledIndicator {
  kind: "sampled";
  source: string;
  /** PromQL giving one series; no series at an instant is no data there */
  query: string;
  judge: SampleJudge;
}

export type Indicator = RatioIndicator | LatencyIndicator | SampledIndicator;

export type Severity = "page" | "ticket";

/** How both windows' burn rates compare with the factor: gt fires above it (the default), lt below it. */
export type BurnRateOp = "gt" | "gte" | "lt" | "lte";

export interface BurnRateWindow {
  severity: Severity;
  longMs: number;
  shortMs: number;
  /** budget share that may be spent in the long window */
  share: number;
  long: string;
  short: string;
  /** the burn-rate threshold as written (OpenSLO's threshold, native burnRate): used exactly, never recomputed from share */
  factor?: number | undefined;
  /** absent: gt */
  op?: BurnRateOp | undefined;
  /** the condition must hold this long before the alert fires (OpenSLO's alertAfter, a rule's `for:`) */
  alertAfterMs?: number | undefined;
  /** alertAfter as written: 5m */
  alertAfter?: string | undefined;
  /** the severity as the file wrote it (sev1, High): the alert's `severity` label */
  severityText?: string | undefined;
  /** OpenSLO's alertWhenResolved: false, kept for convert; slo's own targets still hear of the resolve */
  alertWhenResolved?: false | undefined;
}

export interface SeverityPolicy {
  disable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertPolicy {
  minEvents: number;
  windows: BurnRateWindow[];
  page: SeverityPolicy;
  ticket: SeverityPolicy;
}

export interface GatePolicy {
  /** reported only, never fails the run */
  enabled: boolean;
  minRemaining: number;
  warnRemaining: number;
  /** a grouped SLO (`groupBy`): gate each group (absent: group) or the definition as a whole */
  per?: "group" | "whole" | undefined;
}

/**
 * `groupBy`: one SLO definition evaluated as one SLO per value of these
 * labels (Prometheus, Loki) or fields (logs): each group its own SLI,
 * budget, burn rates, alerts, status and gate verdict.
 */
export interface GroupingSpec {
  /** the labels or fields, as written, in order */
  by: string[];
  /** past it, the largest groups by traffic are kept and the rest are one "(other)" group */
  limit: number;
}

/** Why a correction's events do not count. */
export type CorrectionCategory = "maintenance" | "outside-business-hours" | "deployment" | "other";

/**
 * `corrections:` a period (or a recurring one) whose events do not count:
 * left out of the SLI, the budget, the burn rates and the alerts.
 */
export interface CorrectionSpec {
  /** the first period's start as written: 2026-05-10T02:00 (local to timeZone) or with an offset */
  start: string;
  /** the first period's start as an instant */
  startMs: number;
  /** each period's length */
  durationMs: number;
  /** `duration` as written (2h), or absent when the file gave `end` */
  duration?: string | undefined;
  /** `end` as written, when the file gave it instead of `duration` */
  end?: string | undefined;
  /** RFC 5545 recurrence rule as written, without DTSTART: FREQ=WEEKLY;BYDAY=SU;BYHOUR=2 */
  rrule?: string | undefined;
  /** where start and the rule's local times are read: an IANA zone */
  timeZone: string;
  reason?: string | undefined;
  category: CorrectionCategory;
  /** where the correction is declared, for errors */
  at: SourcePosition;
}

export interface NotifyTarget {
  type: "alertmanager" | "webhook" | "github-issue";
  /** shown instead of the URL, which may hold a secret */
  name?: string | undefined;
  url?: string | undefined;
  severities: Severity[];
}

/**
 * A notification target slo does not deliver to: it names it in the alert's
 * `notification_target` label for Alertmanager to route. Kept with what the
 * OpenSLO AlertNotificationTarget said, so convert writes it back.
 */
export interface RouteTarget {
  /** the AlertNotificationTarget's name: the label's value */
  name: string;
  /** its spec.target as written: pagerduty, email */
  target: string;
  displayName?: string | undefined;
  description?: string | undefined;
  severities: Severity[];
}

export interface HealthCheck {
  name: string;
  url: string;
  /** what a dependency that is not OK does to the gate */
  onFailure: "fail" | "warn";
}

export interface SloSpec {
  service: string;
  name: string;
  /** a name for people, kept as written (OpenSLO's metadata.displayName) */
  displayName?: string | undefined;
  description?: string | undefined;
  labels: Record<string, string>;
  /** labels the OpenSLO file wrote as lists (tier: [frontend, critical]): joined with ',' in `labels`, written back as lists */
  listLabels?: string[] | undefined;
  /** the user's own annotations (OpenSLO metadata.annotations, not slo/...): slo reads none, convert keeps them */
  annotations?: Record<string, string> | undefined;
  objective: number;
  /** the OpenSLO objective's own displayName, kept as written */
  objectiveDisplayName?: string | undefined;
  window: WindowSpec;
  budgetingMethod: BudgetingMethod;
  /** for timeslices: the slice length and the ratio a slice must meet */
  timeslice?: { durationMs: number; target: number } | undefined;
  indicator: Indicator;
  alerting: AlertPolicy;
  gate: GatePolicy;
  notify: NotifyTarget[];
  /** targets named in the alerts' labels for Alertmanager to route, not delivered by slo */
  routes?: RouteTarget[] | undefined;
  /** logs: the field bad events are grouped by; prometheus: a label */
  breakdownBy?: string | undefined;
  /** `groupBy`: one SLO per value of these labels or fields */
  grouping?: GroupingSpec | undefined;
  /** periods whose events do not count: the file's own, then the SLO's */
  corrections?: CorrectionSpec[] | undefined;
  runbook?: string | undefined;
  /** where the SLO is declared, for errors and annotations */
  at: SourcePosition;
}

/**
 * How a service's deploys show up in one of its sources (`deploys:`).
 * logs/loki: the lines a LogQL log query selects are deploys, `version`
 * names the field or label holding the version. prometheus: a series whose
 * `versionLabel` changes at a deploy; a deploy is the first instant a new
 * value is seen.
 */
export type DeploySpec =
  | { kind: "log-lines"; source: string; query: string; version: string; at: SourcePosition }
  | {
      kind: "version-label";
      source: string;
      series: string;
      versionLabel: string;
      at: SourcePosition;
    };

/** One deploy: when it finished and what it shipped. */
export interface Deploy {
  atMs: number;
  version: string;
  /** GitHub: the deployed commit */
  sha?: string | undefined;
  /** GitHub: the pull request that shipped it, where GitHub knows one */
  pullRequest?: { number: number; url: string } | undefined;
  /** where slo learnt of it: a source named in `deploys:`, GitHub's deployments, or --deploy */
  origin: "source" | "github" | "command-line";
}

export interface ServiceSpec {
  service: string;
  /** a name for people: OpenSLO's Service metadata.displayName */
  displayName?: string | undefined;
  /** OpenSLO's Service spec.description */
  description?: string | undefined;
  file: string;
  labels: Record<string, string>;
  sources: Record<string, SourceSpec>;
  slos: SloSpec[];
  notify: NotifyTarget[];
  health: HealthCheck[];
  /** where the service's deploys are found, if the file says */
  deploys?: DeploySpec | undefined;
}

/** Everything loaded from the paths given: one or more files, several services. */
export interface SloSet {
  files: string[];
  services: ServiceSpec[];
}
