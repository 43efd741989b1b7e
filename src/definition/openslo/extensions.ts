/**
 * What OpenSLO has no field for (the deploy gate, minEvents, a short
 * burn-rate window, a notification URL) travels in annotations under the
 * `slo/` prefix, which OpenSLO reserves for implementations. `slo convert`
 * writes them and the loader reads them, so a round trip keeps the meaning.
 */

export const SLO_ANNOTATION = {
  minEvents: "slo/min-events",
  gate: "slo/gate",
  gateMinRemaining: "slo/gate-min-remaining",
  gateWarnRemaining: "slo/gate-warn-remaining",
  breakdownBy: "slo/breakdown-by",
  /** `groupBy`: the labels or fields, comma-separated, in order (OpenSLO v1 has no grouping) */
  groupBy: "slo/group-by",
  groupLimit: "slo/group-limit",
  /** `gate.per`: group or whole */
  gatePer: "slo/gate-per",
  runbook: "slo/runbook",
  /** the SLO's own name, when slo convert had to rename it apart from another service's */
  name: "slo/name",
  labels: "slo/labels",
} as const;

/**
 * On a Service or an SLO: labels whose names OpenSLO's label keys cannot
 * hold (app.kubernetes.io/part-of), as a JSON object; read as labels.
 */
export const LABELS_ANNOTATION = SLO_ANNOTATION.labels;

/** On an AlertCondition: the short window, when it is not the long window / 12. */
export const SHORT_WINDOW_ANNOTATION = "slo/short-window";
/** On an AlertCondition or AlertPolicy: page or ticket, for a severity slo's table does not know (or to override it). */
export const SEVERITY_ANNOTATION = "slo/severity";
/** On an AlertNotificationTarget: where alerts are delivered. */
export const TARGET_URL_ANNOTATION = "slo/url";
/**
 * On an AlertNotificationTarget: "true" when slo delivers nothing itself, the
 * alert being the one its rules fire. OpenSLO needs a target in every
 * AlertPolicy; slo convert writes this one for an SLO that notifies nobody,
 * and reading it adds nothing (no label, no delivery).
 */
export const TARGET_RULES_ONLY_ANNOTATION = "slo/rules-only";
/** On a Service: the dependency health checks, as JSON. */
export const HEALTH_ANNOTATION = "slo/health";
/** On a Service: where its deploys show up (a native file's deploys:), as JSON; `source` names a DataSource. */
export const DEPLOYS_ANNOTATION = "slo/deploys";

/** On a BudgetAdjustment: the zone its times and rule are read in, and its category (a correction's). */
export const CORRECTION_ANNOTATION = {
  timeZone: "slo/time-zone",
  category: "slo/category",
} as const;

export const EXTENSION_PREFIX = "slo/";

/** The label that carries notification targets slo cannot deliver to, for Alertmanager to route. */
export const NOTIFICATION_TARGET_LABEL = "notification_target";
