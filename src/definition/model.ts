/**
 * The one internal model every input format (native, OpenSLO, Sloth) is
 * mapped to. Durations are milliseconds, objectives fractions.
 */

import type { SourcePosition } from "../errors.js";
import type { TextParserStage } from "./logql/ast.js";

export type CalendarUnit = "week" | "month" | "quarter" | "year";

export type WindowSpec =
  | { kind: "rolling"; durationMs: number; label: string }
  | { kind: "calendar"; unit: CalendarUnit; timeZone: string; label: string };

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

export interface LatencyIndicator {
  kind: "latency";
  source: string;
  /** logs/loki: the events query; the field holds the latency */
  events?: string | undefined;
  field?: string | undefined;
  /** the unit the field is written in, and the unit of `threshold` below */
  unit: "ns" | "us" | "ms" | "s";
  /** prometheus: the histogram's series selector, without `_bucket` */
  histogram?: string | undefined;
  /** threshold in `unit` */
  threshold: number;
  /** threshold as written, e.g. "300ms" */
  thresholdText: string;
}

export type Indicator = RatioIndicator | LatencyIndicator;

export type Severity = "page" | "ticket";

export interface BurnRateWindow {
  severity: Severity;
  longMs: number;
  shortMs: number;
  /** budget share that may be spent in the long window */
  share: number;
  long: string;
  short: string;
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
}

export interface NotifyTarget {
  type: "alertmanager" | "webhook" | "github-issue";
  /** shown instead of the URL, which may hold a secret */
  name?: string | undefined;
  url?: string | undefined;
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
  description?: string | undefined;
  labels: Record<string, string>;
  objective: number;
  window: WindowSpec;
  budgetingMethod: BudgetingMethod;
  /** for timeslices: the slice length and the ratio a slice must meet */
  timeslice?: { durationMs: number; target: number } | undefined;
  indicator: Indicator;
  alerting: AlertPolicy;
  gate: GatePolicy;
  notify: NotifyTarget[];
  /** logs: the field bad events are grouped by; prometheus: a label */
  breakdownBy?: string | undefined;
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
