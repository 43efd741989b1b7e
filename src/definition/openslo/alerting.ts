/**
 * OpenSLO alerting -> slo's multi-window burn-rate policy. An AlertCondition
 * of kind burnrate (threshold, lookbackWindow) is one row of the table: the
 * long window is the lookback, the short window a twelfth of it (the SRE
 * workbook's ratio: 1h/5m, 6h/30m, 1d/2h, 3d/6h), and the threshold is the
 * factor, so the budget share is threshold × lookback / period.
 */

import { DEFAULT_BURN_RATE_WINDOWS } from "../../defaults.js";
import { type DocReader, roundNumber } from "../doc-reader.js";
import { formatDuration, parseDuration } from "../duration.js";
import type { AlertPolicy, BurnRateWindow, NotifyTarget, Severity } from "../model.js";
import type { YamlPath } from "../yaml-source.js";
import { parseShorthand } from "./durations.js";
import {
  EXTENSION_PREFIX,
  NOTIFICATION_TARGET_LABEL,
  SHORT_WINDOW_ANNOTATION,
  TARGET_URL_ANNOTATION,
} from "./extensions.js";
import {
  annotationsOf,
  at,
  lookup,
  type OpenSloContext,
  type OsObject,
  objectAt,
  once,
} from "./objects.js";

const MINUTE = 60_000;

interface ConditionDef {
  severity: Severity;
  threshold: number;
  longMs: number;
  long: string;
  shortMs: number;
  short: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface TargetDef {
  name: string;
  /** where slo can deliver itself; undefined: only named in a label, for Alertmanager to route */
  notify?: { type: NotifyTarget["type"]; url?: string | undefined };
}

interface PolicyDef {
  name: string;
  breaching: boolean;
  conditions: ConditionDef[];
  targets: TargetDef[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const SEVERITY_OF: Record<string, Severity> = {
  page: "page",
  critical: "page",
  ticket: "ticket",
  warning: "ticket",
};

/** User annotations pass to the alerts; slo's own (`slo/...`) are read, never passed on. */
function plainAnnotations(o: OsObject, allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotationsOf(o))) {
    if (!k.startsWith(EXTENSION_PREFIX)) out[k] = v;
    else if (!allowed.includes(k)) {
      o.r.fail(
        at(o, "metadata", "annotations"),
        `unknown slo annotation '${k}'`,
        allowed.length > 0 ? `slo reads ${allowed.join(", ")} here` : "slo reads none here",
        k,
      );
    }
  }
  return out;
}

function readCondition(o: OsObject): ConditionDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const before = r.errors.length;
  r.keys(spec, ["description", "severity", "condition"]);
  const severityText = r.string([...spec, "severity"], true);
  const severity = severityText ? SEVERITY_OF[severityText.toLowerCase()] : undefined;
  if (severityText !== undefined && !severity) {
    r.fail(
      [...spec, "severity"],
      `severity '${severityText}' is not one slo knows`,
      "slo has two severities: page (or critical) and ticket (or warning)",
    );
  }
  const c = [...spec, "condition"];
  r.record(c, true);
  r.keys(c, ["kind", "op", "threshold", "lookbackWindow", "alertAfter"]);
  const kind = r.string([...c, "kind"]) ?? "burnrate";
  if (kind.toLowerCase() !== "burnrate") {
    r.fail([...c, "kind"], `condition kind '${kind}' cannot be evaluated; slo alerts on burnrate`);
  }
  const op = r.string([...c, "op"]) ?? "gt";
  if (op !== "gt" && op !== "gte") {
    r.fail(
      [...c, "op"],
      `op ${op}: slo alerts when the burn rate is above the threshold`,
      "use op: gt (or leave it out)",
    );
  }
  const threshold = r.number([...c, "threshold"], true);
  if (threshold !== undefined && threshold <= 0) {
    r.fail([...c, "threshold"], "the burn-rate threshold must be above 0");
  }
  const lookbackText = r.string([...c, "lookbackWindow"], true);
  const lookback = lookbackText !== undefined ? parseShorthand(lookbackText) : null;
  if (lookbackText !== undefined && !lookback) {
    r.fail([...c, "lookbackWindow"], shorthandMessage(lookbackText));
  }
  // alertAfter delays an alert; slo's short window is what confirms a burn instead.
  const alertAfter = r.string([...c, "alertAfter"]);
  if (
    alertAfter !== undefined &&
    !/^\s*0[mhdwMQY]?\s*$/.test(alertAfter) &&
    !parseShorthand(alertAfter)
  ) {
    r.fail([...c, "alertAfter"], shorthandMessage(alertAfter));
  }
  const annotations = plainAnnotations(o, [SHORT_WINDOW_ANNOTATION]);
  const labels = r.labels(at(o, "metadata", "labels"));
  if (r.errors.length > before || !severity || threshold === undefined || !lookback) {
    return undefined;
  }
  let shortMs = Math.max(MINUTE, Math.round(lookback.ms / 12 / MINUTE) * MINUTE);
  const shortText = annotationsOf(o)[SHORT_WINDOW_ANNOTATION];
  if (shortText !== undefined) {
    const ms = parseDuration(shortText);
    if (ms === null || ms >= lookback.ms) {
      r.fail(
        at(o, "metadata", "annotations", SHORT_WINDOW_ANNOTATION),
        `expected a duration shorter than the lookbackWindow (${lookback.label})`,
      );
      return undefined;
    }
    shortMs = ms;
  }
  return {
    severity,
    threshold,
    longMs: lookback.ms,
    long: lookback.label,
    shortMs,
    short: shortText?.trim() ?? formatDuration(shortMs),
    labels,
    annotations,
  };
}

export function shorthandMessage(text: string): string {
  return `'${text}' is not an OpenSLO duration: a whole number and one of m h d w M Q Y, like 5m, 1h, 28d, 1M`;
}

function readTarget(o: OsObject): TargetDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "target"]);
  const target = r.string([...spec, "target"], true);
  plainAnnotations(o, [TARGET_URL_ANNOTATION]);
  const url = annotationsOf(o)[TARGET_URL_ANNOTATION];
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      r.fail(
        at(o, "metadata", "annotations", TARGET_URL_ANNOTATION),
        "expected an http:// or https:// URL",
      );
      return undefined;
    }
  }
  if (target === undefined) return undefined;
  const t = target.trim().toLowerCase();
  if (t === "github-issue" || t === "github") {
    return { name: o.name, notify: { type: "github-issue" } };
  }
  if ((t === "alertmanager" || t === "webhook" || t === "slack") && url !== undefined) {
    return {
      name: o.name,
      notify: { type: t === "alertmanager" ? "alertmanager" : "webhook", url },
    };
  }
  return { name: o.name };
}

function readPolicy(ctx: OpenSloContext, o: OsObject): PolicyDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const before = r.errors.length;
  r.keys(spec, [
    "description",
    "alertWhenNoData",
    "alertWhenResolved",
    "alertWhenBreaching",
    "conditions",
    "notificationTargets",
  ]);
  if (r.boolean([...spec, "alertWhenNoData"]) === true) {
    r.fail(
      [...spec, "alertWhenNoData"],
      "slo does not alert on missing data: a window without events is no data, and never pages",
      "set alertWhenNoData: false",
    );
  }
  r.boolean([...spec, "alertWhenResolved"]);
  const breaching = r.boolean([...spec, "alertWhenBreaching"]) ?? true;
  const conditions: ConditionDef[] = [];
  const list = r.list([...spec, "conditions"], true) ?? [];
  if (r.value([...spec, "conditions"]) !== undefined && list.length === 0) {
    r.fail([...spec, "conditions"], "an AlertPolicy needs a condition");
  }
  list.forEach((_, i) => {
    const path = [...spec, "conditions", i];
    const ref = item(ctx, r, path, "conditionRef", "AlertCondition");
    const def =
      ref && (ref.inline ? readCondition(ref.o) : once(ctx, ref.o, () => readCondition(ref.o)));
    if (def) conditions.push(def);
  });
  const targets: TargetDef[] = [];
  (r.list([...spec, "notificationTargets"]) ?? []).forEach((_, i) => {
    const path = [...spec, "notificationTargets", i];
    const ref = item(ctx, r, path, "targetRef", "AlertNotificationTarget");
    const def = ref && (ref.inline ? readTarget(ref.o) : once(ctx, ref.o, () => readTarget(ref.o)));
    if (def) targets.push(def);
  });
  const labels = r.labels(at(o, "metadata", "labels"));
  const annotations = plainAnnotations(o, []);
  if (r.errors.length > before) return undefined;
  return { name: o.name, breaching, conditions, targets, labels, annotations };
}

/** A list item that is either `{ xRef: name }` or the object inline. */
function item(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  refKey: string,
  kind: "AlertCondition" | "AlertNotificationTarget" | "AlertPolicy",
): { o: OsObject; inline: boolean } | undefined {
  if (!r.record(path, true)) return undefined;
  if (r.value([...path, refKey]) !== undefined) {
    r.keys(path, [refKey]);
    const name = r.string([...path, refKey], true);
    if (name === undefined) return undefined;
    const o = lookup(ctx, kind, r, [...path, refKey], name);
    return o ? { o, inline: false } : undefined;
  }
  const o = objectAt(r, path, kind);
  return o ? { o, inline: true } : undefined;
}

/** Read a top-level alerting document once, whether an SLO refers to it or not. */
export function readAlertObject(ctx: OpenSloContext, o: OsObject): void {
  if (o.kind === "AlertPolicy") once(ctx, o, () => readPolicy(ctx, o));
  else if (o.kind === "AlertCondition") once(ctx, o, () => readCondition(o));
  else if (o.kind === "AlertNotificationTarget") once(ctx, o, () => readTarget(o));
}

export interface SloAlerting {
  alerting: Omit<AlertPolicy, "minEvents">;
  notify: NotifyTarget[];
}

/** spec.alertPolicies of an SLO -> its burn-rate windows, per-severity labels, and notify targets. */
export function sloAlerting(
  ctx: OpenSloContext,
  slo: OsObject,
  periodMs: number,
): SloAlerting | undefined {
  const { r } = slo;
  const path = at(slo, "spec", "alertPolicies");
  const items = r.list(path);
  const none = { disable: false, labels: {}, annotations: {} };
  if (!items || items.length === 0) {
    return {
      alerting: { windows: DEFAULT_BURN_RATE_WINDOWS, page: { ...none }, ticket: { ...none } },
      notify: [],
    };
  }
  const before = r.errors.length;
  const policies: PolicyDef[] = [];
  items.forEach((_, i) => {
    const ref = item(ctx, r, [...path, i], "alertPolicyRef", "AlertPolicy");
    const def =
      ref && (ref.inline ? readPolicy(ctx, ref.o) : once(ctx, ref.o, () => readPolicy(ctx, ref.o)));
    if (def) policies.push(def);
  });
  if (r.errors.length > before) return undefined;

  const windows: BurnRateWindow[] = [];
  const breaching: Record<Severity, Set<boolean>> = { page: new Set(), ticket: new Set() };
  const labels: Record<Severity, Record<string, string>> = { page: {}, ticket: {} };
  const annotations: Record<Severity, Record<string, string>> = { page: {}, ticket: {} };
  const routed: Record<Severity, Set<string>> = { page: new Set(), ticket: new Set() };
  const notify = new Map<string, NotifyTarget>();
  const merge = (into: Record<string, string>, from: Record<string, string>, what: string) => {
    for (const [k, v] of Object.entries(from)) {
      if (into[k] !== undefined && into[k] !== v) {
        r.fail(
          path,
          `the ${what} '${k}' is '${into[k]}' in one alert policy and '${v}' in another`,
        );
      }
      into[k] = v;
    }
  };
  for (const policy of policies) {
    const severities = new Set(policy.conditions.map((c) => c.severity));
    for (const c of policy.conditions) {
      if (c.longMs >= periodMs) {
        r.fail(
          path,
          `AlertPolicy '${policy.name}': lookbackWindow ${c.long} is not shorter than the SLO's time window`,
        );
        continue;
      }
      if (
        windows.some(
          (w) => w.severity === c.severity && w.longMs === c.longMs && w.shortMs === c.shortMs,
        )
      ) {
        r.fail(
          path,
          `AlertPolicy '${policy.name}': a ${c.severity} condition over ${c.long} is given twice`,
        );
        continue;
      }
      windows.push({
        severity: c.severity,
        longMs: c.longMs,
        shortMs: c.shortMs,
        share: roundNumber((c.threshold * c.longMs) / periodMs),
        long: c.long,
        short: c.short,
      });
      breaching[c.severity].add(policy.breaching);
      merge(labels[c.severity], { ...policy.labels, ...c.labels }, `${c.severity} label`);
      merge(
        annotations[c.severity],
        { ...policy.annotations, ...c.annotations },
        `${c.severity} annotation`,
      );
    }
    for (const t of policy.targets) {
      for (const severity of severities) {
        if (!t.notify) {
          routed[severity].add(t.name);
          continue;
        }
        const key = `${t.notify.type} ${t.notify.url ?? ""}`;
        const existing = notify.get(key);
        if (existing) {
          if (!existing.severities.includes(severity)) existing.severities.push(severity);
        } else {
          notify.set(key, { type: t.notify.type, url: t.notify.url, severities: [severity] });
        }
      }
    }
  }
  for (const severity of ["page", "ticket"] as const) {
    if (breaching[severity].size > 1) {
      r.fail(
        path,
        `some ${severity} policies set alertWhenBreaching: false and others do not; slo turns ${severity} alerts off or on as a whole`,
      );
    }
    if (routed[severity].size > 0) {
      labels[severity][NOTIFICATION_TARGET_LABEL] = [...routed[severity]].sort().join(",");
    }
  }
  if (r.errors.length > before) return undefined;
  const severityPolicy = (s: Severity) => ({
    disable: breaching[s].has(false),
    labels: labels[s],
    annotations: annotations[s],
  });
  for (const t of notify.values())
    t.severities.sort((a, b) => (a === b ? 0 : a === "page" ? -1 : 1));
  return {
    alerting: { windows, page: severityPolicy("page"), ticket: severityPolicy("ticket") },
    notify: [...notify.values()],
  };
}
