/**
 * Alertmanager (`POST /api/v2/alerts`), spoken the way Prometheus speaks it:
 * every run re-sends what fires with endsAt a while ahead (Alertmanager
 * deduplicates by labels, so the receivers hear once), and an alert that
 * stopped firing is sent once more with endsAt = the evaluation instant,
 * which resolves it. What fired before comes from Alertmanager itself
 * (`GET /api/v2/alerts`), so no state file is needed.
 */

import {
  ALERT_NAME,
  cleanLabels,
  GROUP_LABEL,
  IDENTITY_LABEL,
  ROUTING_SEVERITY_LABEL,
  severityLabels,
} from "../conventions.js";
import { SloError } from "../errors.js";
import { createHttpClient, type HttpClient } from "../http/client.js";
import { budgetPercent } from "../report/format.js";
import {
  alertCorrection,
  correctionAnnotations,
  correctionSentence,
  evaluatedAt,
  longWindowLabel,
} from "./corrections.js";
import {
  alertKey,
  type DeliveryContext,
  type Notifier,
  type TargetAlert,
} from "./notify-targets.js";
import type { AlertSubject, Severity } from "./subjects.js";
import type { TargetPlan } from "./targets.js";
import { budgetSentence, burnSentence, burnValue, rulesOf } from "./wording.js";

export interface AlertmanagerOptions {
  /** how long Alertmanager keeps a firing alert the next run has not refreshed */
  ttlMs: number;
  timeoutMs: number;
  retries: number;
  /** a link back to what sent the alert (the workflow run) */
  generatorUrl?: string | undefined;
  /** tests shorten the waits between retries */
  backoff?: { initialMs: number; maxMs: number };
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * The identity labels win over the SLO's own: routing must be able to rely
 * on them. A `severity` of the user's is kept as written (see conventions.ts).
 */
export function alertLabels(subject: AlertSubject, severity: Severity): Record<string, string> {
  const userLabels = {
    ...cleanLabels(subject.slo.labels),
    ...cleanLabels(subject.slo.alerting[severity].labels),
  };
  return {
    ...userLabels,
    ...groupLabels(subject),
    alertname: ALERT_NAME,
    [IDENTITY_LABEL.service]: subject.slo.service,
    [IDENTITY_LABEL.slo]: subject.slo.name,
    ...severityLabels(severity, userLabels, writtenSeverity(subject, severity)),
  };
}

/**
 * A group's alert carries the group's labels (`action="CheckBalance"`), as
 * the rules' alerts do, so routes and inhibitions can use them; and
 * `slo_group`, the group as its name writes it (`{action="CheckBalance"}`,
 * `{(other)}`), which tells the groups apart when the state is read back.
 */
function groupLabels(subject: AlertSubject): Record<string, string> {
  const group = subject.entry.group;
  if (!group || group.kind === "whole") return {};
  const suffix = subject.name.slice(group.definition.length);
  return { ...cleanLabels(group.labels), [GROUP_LABEL]: suffix };
}

/**
 * The severity the file wrote for this alert (OpenSLO's `sev1`): a firing
 * rule's (the first in the file's order), else the first rule's of that
 * severity. When another rule with another written severity takes over, the
 * labels change: Alertmanager gets a new alert and the old one resolved.
 */
function writtenSeverity(subject: AlertSubject, severity: Severity): string | undefined {
  const windows = subject.slo.alerting.windows.filter((w) => w.severity === severity);
  const firing = subject.firing[severity] ?? [];
  const fired = windows.find((w) => firing.some((a) => a.long === w.long && a.short === w.short));
  return (fired ?? windows[0])?.severityText;
}

export function alertAnnotations(
  subject: AlertSubject,
  severity: Severity,
  firing: boolean,
  atMs: number = evaluatedAt(subject),
): Record<string, string> {
  const { entry, slo } = subject;
  const rules = subject.firing[severity] ?? rulesOf(entry, severity);
  const correction = alertCorrection(subject, severity, atMs);
  const correctionText = correction
    ? ` ${correctionSentence(correction, longWindowLabel(slo, severity))}`
    : "";
  const annotations: Record<string, string> = {
    summary: firing
      ? `${subject.key} is burning its error budget: ${burnSentence(rules)}`
      : `${subject.key} burns its error budget under the ${severity} thresholds again`,
    description: `${slo.description ? `${slo.description}. ` : ""}${capitalize(budgetSentence(entry))}.${correctionText}`,
    objective: String(entry.objective),
    error_budget_remaining: budgetPercent(entry.errorBudget.remaining),
    ...(correction ? correctionAnnotations(correction) : {}),
  };
  if (slo.runbook) annotations.runbook_url = slo.runbook;
  for (const rule of rulesOf(entry, severity)) {
    annotations[`burn_rate_${rule.long}`] = burnValue(rule.burnRateLong);
    annotations[`burn_rate_${rule.short}`] = burnValue(rule.burnRateShort);
    annotations[`burn_rate_threshold_${rule.long}_${rule.short}`] = burnValue(rule.factor);
  }
  return { ...annotations, ...slo.alerting[severity].annotations };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface GettableAlert {
  labels?: Record<string, string>;
  startsAt?: string;
}

export function createAlertmanagerNotifier(
  plan: TargetPlan,
  options: AlertmanagerOptions,
): Notifier {
  const http: HttpClient = createHttpClient({
    label: "alertmanager",
    url: plan.url ?? "",
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    errorCode: "delivery",
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  return {
    plan,
    keying: "per-severity",

    async readState() {
      const body = await http.requestJson({
        path: "/api/v2/alerts",
        params: {
          active: "true",
          silenced: "true",
          inhibited: "true",
          unprocessed: "true",
          filter: [`alertname="${ALERT_NAME}"`],
        },
        context: "reading the alerts it holds",
      });
      if (!Array.isArray(body)) {
        throw new SloError({
          code: "delivery",
          message: `${plan.display}: GET /api/v2/alerts did not answer a list of alerts`,
          hint: "is the url Alertmanager's base URL (e.g. http://alertmanager:9093)?",
        });
      }
      const state = new Map<string, TargetAlert>();
      for (const alert of body as GettableAlert[]) {
        const labels = alert.labels ?? {};
        // Alerts an older slo sent carry page or ticket in `severity` only.
        const severity = labels[IDENTITY_LABEL.severity] ?? labels[ROUTING_SEVERITY_LABEL];
        if (!labels.service || !labels.slo || (severity !== "page" && severity !== "ticket"))
          continue;
        const group = labels[GROUP_LABEL] ?? "";
        state.set(alertKey(`${labels.service}/${labels.slo}${group}`, severity), {
          severity,
          since: alert.startsAt ?? new Date(0).toISOString(),
          labels,
        });
      }
      return state;
    },

    async deliver(changes, context) {
      const alerts = changes.flatMap((change) => postable(change, context, options));
      if (alerts.length === 0) return;
      await http.request({
        method: "POST",
        path: "/api/v2/alerts",
        json: alerts,
        context: `sending ${alerts.length} alert(s)`,
      });
      for (const change of changes) await context.delivered(change);
    },
  };
}

/**
 * Firing (new or still) with endsAt ahead of now; resolved with endsAt = the
 * evaluation instant. An alert whose labels changed in the SLO file (a new
 * team label) is a new alert to Alertmanager: the old one is resolved too.
 */
function postable(
  change: Parameters<Notifier["deliver"]>[0][number],
  context: DeliveryContext,
  options: AlertmanagerOptions,
): PostableAlert[] {
  const subject = context.subject(change.key);
  const iso = (ms: number) => new Date(ms).toISOString();
  const link = options.generatorUrl ? { generatorURL: options.generatorUrl } : {};
  const resolution = (previous: TargetAlert): PostableAlert => ({
    labels: previous.labels ?? alertLabels(subject, previous.severity),
    annotations: alertAnnotations(subject, previous.severity, false, context.atMs),
    startsAt: previous.since,
    // An instant in the future would keep it active until then.
    endsAt: iso(Math.min(context.atMs, context.nowMs)),
    ...link,
  });
  if (change.kind === "resolved") return [resolution(change.previous)];
  const { severity, since } = change.current;
  const labels = alertLabels(subject, severity);
  const previous = "previous" in change ? change.previous : undefined;
  const firing: PostableAlert = {
    labels,
    annotations: alertAnnotations(subject, severity, true, context.atMs),
    startsAt: since,
    endsAt: iso(Math.max(context.atMs, context.nowMs) + options.ttlMs),
    ...link,
  };
  return previous?.labels && !sameLabels(previous.labels, labels)
    ? [resolution(previous), firing]
    : [firing];
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
