/**
 * The names slo gives things other tools see: the alert name, the labels
 * that identify an SLO's series and alerts, the recording rules' names, and
 * the labels and markers on GitHub. Written once here, so Alertmanager
 * routes, Prometheus rules and `slo alerts` always agree.
 */

import { DEFAULT_GITHUB } from "./defaults.js";

/** The one alert name of every burn-rate alert, from `slo alerts` and from `slo rules`. */
export const ALERT_NAME = "ErrorBudgetBurn";

/**
 * The labels that identify an SLO's series and alerts; they win over an
 * SLO's own labels of the same name. `slo_severity` is slo's own page or
 * ticket, always set: what slo itself reads back, and what to route on.
 */
export const IDENTITY_LABEL = { service: "service", slo: "slo", severity: "slo_severity" } as const;

/**
 * The label Alertmanager routes are usually keyed on. The user's own value
 * is kept as written: a `severity` label (Sloth files set `severity:
 * critical` and route on it), else the severity an OpenSLO AlertCondition
 * names (`sev1`, `High`); without either it is slo's page or ticket, so
 * routes on `severity=page` work.
 */
export const ROUTING_SEVERITY_LABEL = "severity";

/** An alert's severity labels, given the labels it already has from the user's file and the severity it wrote. */
export function severityLabels(
  severity: "page" | "ticket",
  userLabels: Record<string, string>,
  written?: string | undefined,
): Record<string, string> {
  return {
    [ROUTING_SEVERITY_LABEL]: userLabels[ROUTING_SEVERITY_LABEL] ?? written ?? severity,
    [IDENTITY_LABEL.severity]: severity,
  };
}

/** On a grouped SLO's alert from `slo alerts`: which group, as its name writes it (`{action="X"}`, `{(other)}`). */
export const GROUP_LABEL = "slo_group";

/** The labels an alert of `slo rules` adds: which burn-rate windows fired. */
export const WINDOW_LABEL = { long: "long_window", short: "short_window" } as const;

/**
 * On a recorded series whose window only approximates the SLO's calendar
 * window, what it is instead: `rolling-30d` (the last 30 days, not the month
 * so far), `nominal-30d` (a constant period length), `standard-time+01:00`
 * (the calendar read at the zone's standard UTC offset, DST ignored).
 */
export const WINDOW_APPROXIMATION_LABEL = "slo_window_approximation";

/** `slo rules`: a rule group per SLO, a PrometheusRule resource per service, marked as slo's. */
export const RULES_NAMING = {
  group: (service: string, slo: string) => `slo-${service}-${slo}`,
  resource: (service: string) => `slo-${service}`,
  managedBy: { "app.kubernetes.io/managed-by": "slo" },
} as const;

/** Recording rule names of `slo rules`, after the `level:metric:operations` convention. */
export const RECORD = {
  events: (window: string) => `slo:events:${window}`,
  errorRatio: (window: string) => `slo:error_ratio:${window}`,
  objective: "slo:objective:ratio",
  errorBudget: "slo:error_budget:ratio",
  periodDays: "slo:time_period:days",
  remaining: "slo:period_error_budget_remaining:ratio",
  info: "slo:info",
} as const;

/** Prometheus and Alertmanager label names are `[a-zA-Z_][a-zA-Z0-9_]*`: anything else is rejected. */
export function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/** Labels with their names made valid; empty values dropped, as Prometheus does. */
export function cleanLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels))
    if (value !== "") out[labelName(name)] = value;
  return out;
}

/**
 * The check run (or commit status) `slo verify` writes on the deployed
 * commit; several SLO sets (comment ids) each get their own.
 */
export const VERIFY_CHECK_NAME = (commentId: string) =>
  commentId === DEFAULT_GITHUB.commentId ? "slo verify" : `slo verify (${commentId})`;

/** GitHub issue labels: an issue per firing alert, one for the scheduled report. */
export const ISSUE_LABEL = { alert: "slo-alert", report: "slo-report" } as const;

/** The scheduled report's title: its issue, and the heading of its Markdown and HTML. */
export const REPORT_TITLE = "SLO report";

/** Hidden markers by which slo finds its own comments and issues again. */
export const MARKER = {
  /** the sticky PR comment of one SLO set */
  comment: (commentId: string) => `<!-- slo-report:${commentId} -->`,
  /** the sticky PR comment of `slo verify` on the PR that shipped a deploy: never the gate's */
  verifyComment: (commentId: string) => `<!-- slo-verify:${commentId} -->`,
  reportIssue: "<!-- slo-report-issue -->",
  alertIssue: (key: string) => `<!-- slo-alert:${encodeURIComponent(key)} -->`,
  alertIssuePattern: /<!-- slo-alert:([^\s>]+) -->/,
  alertState: (state: "page" | "ticket" | "resolved", since: string) =>
    `<!-- slo-alert-state:${state} since:${since} -->`,
  alertStatePattern: /<!-- slo-alert-state:(page|ticket|resolved) since:(\S+) -->/g,
} as const;

/** The group of a grouped SLO (`groupBy`) that holds the values past `groupLimit`, merged. */
export const OTHER_GROUP = "(other)";

/**
 * A label value as a PromQL string literal, as Prometheus itself writes one:
 * `"` and `\` escaped, control characters as escapes, the rest kept.
 */
export function promqlStringLiteral(value: string): string {
  let out = '"';
  for (const char of value) out += escapedChar(char);
  return `${out}"`;
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapedChar(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  // A lone surrogate is no UTF-8: Go's strconv.Quote writes U+FFFD for it too.
  if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd";
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  return char;
}

/** Which group of a grouped SLO an entry is: the report's `group`, without its definition. */
export interface GroupIdentity {
  kind: "value" | "other" | "whole";
  by: readonly string[];
  labels: Readonly<Record<string, string>>;
}

/**
 * The name of a grouped SLO's entry in every output: a value group
 * `name{action="CheckBalance", region="eu"}` (labels in `groupBy` order),
 * the merged rest `name{(other)}`, the definition as a whole plainly `name`.
 */
export function groupEntryName(definition: string, group: GroupIdentity): string {
  if (group.kind === "whole") return definition;
  if (group.kind === "other") return `${definition}{${OTHER_GROUP}}`;
  const pairs = group.by.map(
    (label) => `${label}=${promqlStringLiteral(group.labels[label] ?? "")}`,
  );
  return `${definition}{${pairs.join(", ")}}`;
}
