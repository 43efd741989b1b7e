/**
 * OpenSLO alerting -> slo's multi-window burn-rate policy. An AlertCondition
 * of kind burnrate (op, threshold, lookbackWindow, alertAfter) is one row of
 * the table: the long window is the lookback, the short window a twelfth of
 * it (the SRE workbook's ratio: 1h/5m, 6h/30m, 1d/2h, 3d/6h), the threshold
 * is the factor, kept as written (the budget share, threshold × lookback /
 * period, is derived for what reads shares), both windows compare with it by
 * `op`, and the alert fires once that held for alertAfter. The free-form
 * severity is page or ticket by DEFAULT_SEVERITY_OF, or by the condition's
 * (else its policy's) `slo/severity` annotation; its text is kept for the
 * alert's `severity` label.
 */

import { DEFAULT_BURN_RATE_WINDOWS, DEFAULT_SEVERITY_OF, severityKey } from "../../defaults.js";
import { DocReader, roundNumber } from "../doc-reader.js";
import { formatDuration, parseDuration } from "../duration.js";
import type {
  AlertPolicy,
  BurnRateOp,
  BurnRateWindow,
  NotifyTarget,
  RouteTarget,
  Severity,
} from "../model.js";
import { checkAll, checkInOrder, durationWithinLimit, httpUrl, type Rule } from "../rules.js";
import type { YamlPath } from "../yaml-source.js";
import { defaultShortMs, parseShorthand, type Shorthand, shorthandMessage } from "./durations.js";
import {
  EXTENSION_PREFIX,
  NOTIFICATION_TARGET_LABEL,
  SEVERITY_ANNOTATION,
  SHORT_WINDOW_ANNOTATION,
  TARGET_RULES_ONLY_ANNOTATION,
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

interface ConditionDef {
  /** the severity as written */
  severityText: string;
  /** page or ticket by DEFAULT_SEVERITY_OF; undefined: not in the table */
  tableSeverity: Severity | undefined;
  /** the condition's own `slo/severity` */
  override: Severity | undefined;
  /** says the severity is unknown, at the condition's severity */
  unknownSeverity: () => void;
  op: BurnRateOp;
  alertAfterMs: number;
  alertAfter: string | undefined;
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
  notify?: { type: NotifyTarget["type"]; url?: string | undefined; name?: string | undefined };
  /** what the object says of a target slo only names, kept for convert */
  route: Omit<RouteTarget, "severities">;
  /** slo's own "the alert rules are the target" (slo/rules-only): adds nothing */
  rulesOnly?: boolean;
}

interface PolicyDef {
  name: string;
  /** the policy's `slo/severity`: its conditions' severity unless one says its own */
  override: Severity | undefined;
  breaching: boolean;
  /** alertWhenResolved as written (default true): kept on the windows, for convert */
  resolved: boolean;
  conditions: ConditionDef[];
  targets: TargetDef[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

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

const CONDITION_KEYS = ["kind", "op", "threshold", "lookbackWindow", "alertAfter"];

function readCondition(o: OsObject): ConditionDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const before = r.errors.length;
  r.keys(spec, ["description", "severity", "condition"]);
  const severityText = r.string([...spec, "severity"], true);
  const c = [...spec, "condition"];
  r.record(c, true);
  r.keys(c, CONDITION_KEYS);
  const burnRate = burnRateCondition(r, c);
  const annotations = plainAnnotations(o, [SHORT_WINDOW_ANNOTATION, SEVERITY_ANNOTATION]);
  const override = severityOverride(o);
  const labels = r.labels(at(o, "metadata", "labels"));
  if (r.errors.length > before || severityText === undefined || !burnRate) return undefined;
  const { threshold, lookback } = burnRate;
  const short = shortWindow(o, lookback);
  if (!short) return undefined;
  return {
    severityText,
    tableSeverity: DEFAULT_SEVERITY_OF[severityKey(severityText)],
    override,
    unknownSeverity: onlyOnce(() => unknownSeverity(r, [...spec, "severity"], severityText)),
    op: burnRate.op,
    alertAfterMs: burnRate.alertAfterMs,
    alertAfter: burnRate.alertAfter,
    threshold,
    longMs: lookback.ms,
    long: lookback.label,
    shortMs: short.ms,
    short: short.text,
    labels,
    annotations,
  };
}

/** `f` the first time only: a condition referenced by several policies is told of once. */
function onlyOnce(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) f();
    done = true;
  };
}

/** Which severities the table knows, for the error that names it. */
function tableText(severity: Severity): string {
  return Object.entries(DEFAULT_SEVERITY_OF)
    .filter(([, s]) => s === severity)
    .map(([name]) => name)
    .join(", ");
}

function unknownSeverity(r: DocReader, path: YamlPath, text: string): void {
  r.fail(
    path,
    `severity '${text}' is not in slo's severity table, and no slo/severity annotation says whether it pages`,
    `the table (docs/interop.md, Severities) pages on ${tableText("page")}, and tickets on ${tableText("ticket")}; for another name add the annotation '${SEVERITY_ANNOTATION}: page' (or ticket) to the AlertCondition or its AlertPolicy. The severity as written stays the alert's severity label`,
  );
}

/** The object's `slo/severity` annotation: page or ticket. */
function severityOverride(o: OsObject): Severity | undefined {
  const text = annotationsOf(o)[SEVERITY_ANNOTATION];
  if (text === undefined) return undefined;
  const severity = text.trim().toLowerCase();
  if (severity === "page" || severity === "ticket") return severity;
  o.r.fail(
    at(o, "metadata", "annotations", SEVERITY_ANNOTATION),
    `${SEVERITY_ANNOTATION} is '${text}': slo's severities are page and ticket`,
    `write ${SEVERITY_ANNOTATION}: page (or ticket)`,
  );
  return undefined;
}

const isBurnRate: Rule<string> = (kind) =>
  kind.toLowerCase() === "burnrate"
    ? undefined
    : { message: `condition kind '${kind}' cannot be evaluated; slo alerts on burnrate` };

const OPS: readonly BurnRateOp[] = ["gt", "gte", "lt", "lte"];

const isOp: Rule<string> = (op) =>
  (OPS as readonly string[]).includes(op)
    ? undefined
    : {
        message: `op '${op}' is not an OpenSLO operator`,
        hint: "use gt or gte (the burn rate above the threshold), or lt or lte (below it)",
      };

const thresholdAboveZero: Rule<number> = (threshold) =>
  threshold > 0 ? undefined : { message: "the burn-rate threshold must be above 0" };

const isShorthand: Rule<string> = (text) =>
  parseShorthand(text) ? undefined : { message: shorthandMessage(text) };

/** A lookback no longer than any window: the SLO's own is at most MAX_WINDOW_MS. */
const shorthandWithinLimit: Rule<string> = (text) =>
  durationWithinLimit({ text, ms: parseShorthand(text)?.ms ?? 0 });

const ZERO_DURATION = /^\s*0[mhdwMQY]?\s*$/;

const noneOrShorthand: Rule<string> = (text) =>
  ZERO_DURATION.test(text) ? undefined : isShorthand(text);

interface BurnRateDef {
  op: BurnRateOp;
  threshold: number;
  lookback: Shorthand;
  alertAfterMs: number;
  alertAfter: string | undefined;
}

/** spec.condition: both windows' burn rates compared with a threshold over a lookback, held for alertAfter. */
function burnRateCondition(r: DocReader, c: YamlPath): BurnRateDef | undefined {
  checkAll(r, [...c, "kind"], r.string([...c, "kind"]) ?? "burnrate", isBurnRate);
  const op = r.string([...c, "op"]) ?? "gt";
  const opOk = checkAll(r, [...c, "op"], op, isOp);
  const threshold = r.number([...c, "threshold"], true);
  if (threshold !== undefined) checkAll(r, [...c, "threshold"], threshold, thresholdAboveZero);
  const lookbackText = r.string([...c, "lookbackWindow"], true);
  if (lookbackText !== undefined)
    checkInOrder(r, [...c, "lookbackWindow"], lookbackText, isShorthand, shorthandWithinLimit);
  const alertAfter = r.string([...c, "alertAfter"]);
  const afterOk =
    alertAfter === undefined ||
    checkInOrder(r, [...c, "alertAfter"], alertAfter, noneOrShorthand, shorthandWithinLimit);
  const lookback = lookbackText !== undefined ? parseShorthand(lookbackText) : null;
  if (threshold === undefined || !lookback || !opOk || !afterOk) return undefined;
  const alertAfterMs = alertAfter === undefined ? 0 : (parseShorthand(alertAfter)?.ms ?? 0);
  return {
    op: op as BurnRateOp,
    threshold,
    lookback,
    alertAfterMs,
    alertAfter: alertAfterMs > 0 ? alertAfter?.trim() : undefined,
  };
}

const shortWithinLookback: Rule<{ ms: number | null; lookback: Shorthand }> = ({ ms, lookback }) =>
  ms === null || ms >= lookback.ms
    ? { message: `expected a duration shorter than the lookbackWindow (${lookback.label})` }
    : undefined;

/** The `slo/short-window` annotation, else a fraction of the lookback. */
function shortWindow(o: OsObject, lookback: Shorthand): { ms: number; text: string } | undefined {
  const text = annotationsOf(o)[SHORT_WINDOW_ANNOTATION];
  if (text === undefined) {
    const ms = defaultShortMs(lookback.ms);
    return { ms, text: formatDuration(ms) };
  }
  const ms = parseDuration(text);
  const path = at(o, "metadata", "annotations", SHORT_WINDOW_ANNOTATION);
  if (!checkAll(o.r, path, { ms, lookback }, shortWithinLookback) || ms === null) return undefined;
  return { ms, text: text.trim() };
}

const isTrue: Rule<string> = (text) =>
  text === "true" ? undefined : { message: `expected "true", got '${text}'` };

/** A native notify target's name: what a displayName may give it. */
const NOTIFY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function readTarget(o: OsObject): TargetDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  r.keys(spec, ["description", "target"]);
  const target = r.string([...spec, "target"], true);
  plainAnnotations(o, [TARGET_URL_ANNOTATION, TARGET_RULES_ONLY_ANNOTATION]);
  const rulesOnly = annotationsOf(o)[TARGET_RULES_ONLY_ANNOTATION];
  const rulesOnlyPath = at(o, "metadata", "annotations", TARGET_RULES_ONLY_ANNOTATION);
  if (rulesOnly !== undefined && !checkAll(r, rulesOnlyPath, rulesOnly, isTrue)) return undefined;
  const url = annotationsOf(o)[TARGET_URL_ANNOTATION];
  const urlPath = at(o, "metadata", "annotations", TARGET_URL_ANNOTATION);
  if (url !== undefined && !checkAll(r, urlPath, url, httpUrl)) return undefined;
  if (target === undefined) return undefined;
  const displayName = r.string(at(o, "metadata", "displayName"));
  const description = r.string([...spec, "description"]);
  const route = { name: o.name, target, displayName, description };
  if (rulesOnly !== undefined) return { name: o.name, route, rulesOnly: true };
  // a displayName that is a name slo can show instead of the URL
  const shown =
    displayName !== undefined && NOTIFY_NAME.test(displayName) ? displayName : undefined;
  return { name: o.name, route, ...deliveryOf(target, url, shown) };
}

/** Targets slo delivers to itself; any other is named in a label for Alertmanager to route. */
function deliveryOf(
  target: string,
  url: string | undefined,
  name: string | undefined,
): Pick<TargetDef, "notify"> {
  const t = target.trim().toLowerCase();
  if (t === "github-issue" || t === "github") return { notify: { type: "github-issue", name } };
  if ((t === "alertmanager" || t === "webhook" || t === "slack") && url !== undefined) {
    return { notify: { type: t === "alertmanager" ? "alertmanager" : "webhook", url, name } };
  }
  return {};
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
  warnUnhonoured(ctx, r, spec);
  const resolved = r.boolean([...spec, "alertWhenResolved"]) ?? true;
  const breaching = r.boolean([...spec, "alertWhenBreaching"]) ?? true;
  const list = r.list([...spec, "conditions"], true) ?? [];
  if (r.value([...spec, "conditions"]) !== undefined && list.length === 0) {
    r.fail([...spec, "conditions"], "an AlertPolicy needs a condition");
  }
  const conditions = readItems(ctx, r, [...spec, "conditions"], list.length, {
    refKey: "conditionRef",
    kind: "AlertCondition",
    read: readCondition,
  });
  const targetCount = r.list([...spec, "notificationTargets"])?.length ?? 0;
  const targets = readItems(ctx, r, [...spec, "notificationTargets"], targetCount, {
    refKey: "targetRef",
    kind: "AlertNotificationTarget",
    read: readTarget,
  });
  const labels = r.labels(at(o, "metadata", "labels"));
  const annotations = plainAnnotations(o, [SEVERITY_ANNOTATION]);
  const override = severityOverride(o);
  if (r.errors.length > before) {
    checkSeveritiesOfFailed(o, conditions);
    return undefined;
  }
  return { name: o.name, override, breaching, resolved, conditions, targets, labels, annotations };
}

/**
 * What a policy may ask that slo does not do and that changes nothing
 * measured: the policy loads, and the warning says what slo does instead.
 */
const UNHONOURED = [
  {
    key: "alertWhenNoData",
    when: true,
    message:
      "slo does not alert on missing data: a window without events is no data, and never pages",
    hint: "slo check reports such an SLO as no-data (its status), and slo alerts sends nothing for it; set alertWhenNoData: false to silence this warning",
  },
  {
    key: "alertWhenResolved",
    when: false,
    message:
      "slo always tells when an alert resolves: slo alerts resolves it in Alertmanager and posts the resolution to webhooks and GitHub issues",
    hint: "to drop resolved notices, set send_resolved: false on the Alertmanager receiver; set alertWhenResolved: true to silence this warning",
  },
] as const;

function warnUnhonoured(ctx: OpenSloContext, r: DocReader, spec: YamlPath): void {
  const warn = new DocReader(r.ydoc, r.subject, r.root, ctx.warnings);
  for (const { key, when, message, hint } of UNHONOURED) {
    if (r.boolean([...spec, key]) === when) warn.fail([...spec, key], message, hint);
  }
}

/**
 * A policy that fails is used by no SLO, so its conditions' severities would
 * only be checked once it is fixed: check them now, unless the policy says
 * the severity itself (its slo/severity, right or wrong).
 */
function checkSeveritiesOfFailed(o: OsObject, conditions: ConditionDef[]): void {
  if (annotationsOf(o)[SEVERITY_ANNOTATION] !== undefined) return;
  for (const def of conditions) {
    if (!def.override && !def.tableSeverity) def.unknownSeverity();
  }
}

type AlertKind = "AlertCondition" | "AlertNotificationTarget" | "AlertPolicy";

/** Each item of a list, referenced or inline; a referenced object is read once however many refer to it. */
function readItems<T>(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  count: number,
  items: { refKey: string; kind: AlertKind; read: (o: OsObject) => T | undefined },
): T[] {
  const defs: T[] = [];
  for (let i = 0; i < count; i++) {
    const ref = item(ctx, r, [...path, i], items.refKey, items.kind);
    const def = ref && (ref.inline ? items.read(ref.o) : once(ctx, ref.o, () => items.read(ref.o)));
    if (def) defs.push(def);
  }
  return defs;
}

/** A list item that is either `{ xRef: name }` or the object inline. */
function item(
  ctx: OpenSloContext,
  r: DocReader,
  path: YamlPath,
  refKey: string,
  kind: AlertKind,
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
  routes: RouteTarget[];
}

/** What an SLO's alert policies add up to: the burn-rate table, and per severity the rest. */
interface Combined {
  windows: BurnRateWindow[];
  breaching: Record<Severity, Set<boolean>>;
  labels: Record<Severity, Record<string, string>>;
  annotations: Record<Severity, Record<string, string>>;
  /** targets slo cannot deliver to, named for Alertmanager */
  routed: Record<Severity, Set<string>>;
  /** the same targets, by name, as the file describes them */
  routes: Map<string, RouteTarget>;
  /** targets slo delivers to, by type and URL */
  notify: Map<string, NotifyTarget>;
}

const SEVERITIES = ["page", "ticket"] as const;

/** spec.alertPolicies of an SLO -> its burn-rate windows, per-severity labels, and notify targets. */
export function sloAlerting(
  ctx: OpenSloContext,
  slo: OsObject,
  periodMs: number,
): SloAlerting | undefined {
  const { r } = slo;
  const path = at(slo, "spec", "alertPolicies");
  const items = r.list(path);
  if (!items || items.length === 0) return defaultAlerting();
  const before = r.errors.length;
  const policies = readItems(ctx, r, path, items.length, {
    refKey: "alertPolicyRef",
    kind: "AlertPolicy",
    read: (o) => readPolicy(ctx, o),
  });
  if (r.errors.length > before) return undefined;
  const combined: Combined = {
    windows: [],
    breaching: { page: new Set(), ticket: new Set() },
    labels: { page: {}, ticket: {} },
    annotations: { page: {}, ticket: {} },
    routed: { page: new Set(), ticket: new Set() },
    routes: new Map(),
    notify: new Map(),
  };
  for (const policy of policies) addPolicy(r, path, combined, policy, periodMs);
  checkAll(r, path, combined, breachingAgrees);
  if (r.errors.length > before) return undefined;
  return alertingOf(combined);
}

function defaultAlerting(): SloAlerting {
  const none = { disable: false, labels: {}, annotations: {} };
  return {
    alerting: { windows: DEFAULT_BURN_RATE_WINDOWS, page: { ...none }, ticket: { ...none } },
    notify: [],
    routes: [],
  };
}

function addPolicy(
  r: DocReader,
  path: YamlPath,
  combined: Combined,
  policy: PolicyDef,
  periodMs: number,
): void {
  const severities = new Set<Severity>();
  for (const def of policy.conditions) {
    const severity = def.override ?? policy.override ?? def.tableSeverity;
    if (!severity) {
      def.unknownSeverity();
      continue;
    }
    severities.add(severity);
    const condition = { ...def, severity };
    const candidate: Candidate = { policy, condition, periodMs, windows: combined.windows };
    if (checkInOrder(r, path, candidate, lookbackWithinPeriod, windowGivenOnce)) {
      addCondition(r, path, combined, candidate);
    }
  }
  for (const target of policy.targets) {
    for (const severity of severities) addTarget(combined, target, severity);
  }
}

/** A condition of a policy, its severity resolved, before it joins the table. */
interface Candidate {
  policy: PolicyDef;
  condition: ConditionDef & { severity: Severity };
  periodMs: number;
  windows: BurnRateWindow[];
}

const lookbackWithinPeriod: Rule<Candidate> = ({ policy, condition, periodMs }) =>
  condition.longMs >= periodMs
    ? {
        message: `AlertPolicy '${policy.name}': lookbackWindow ${condition.long} is not shorter than the SLO's time window`,
      }
    : undefined;

const windowGivenOnce: Rule<Candidate> = ({ policy, condition: c, windows }) =>
  windows.some((w) => w.severity === c.severity && w.longMs === c.longMs && w.shortMs === c.shortMs)
    ? {
        message: `AlertPolicy '${policy.name}': a ${c.severity} condition over ${c.long} is given twice`,
      }
    : undefined;

function addCondition(
  r: DocReader,
  path: YamlPath,
  combined: Combined,
  candidate: Candidate,
): void {
  const { policy, condition: c, periodMs } = candidate;
  combined.windows.push({
    severity: c.severity,
    longMs: c.longMs,
    shortMs: c.shortMs,
    share: roundNumber((c.threshold * c.longMs) / periodMs),
    long: c.long,
    short: c.short,
    factor: c.threshold,
    ...(c.op === "gt" ? {} : { op: c.op }),
    ...(c.alertAfterMs > 0 ? { alertAfterMs: c.alertAfterMs, alertAfter: c.alertAfter } : {}),
    // `page` as written labels the alert page anyway
    ...(c.severityText === c.severity ? {} : { severityText: c.severityText }),
    ...(policy.resolved ? {} : { alertWhenResolved: false as const }),
  });
  combined.breaching[c.severity].add(policy.breaching);
  const labels = { into: combined.labels[c.severity], what: `${c.severity} label` };
  merge(r, path, { ...labels, from: { ...policy.labels, ...c.labels } });
  const annotations = { into: combined.annotations[c.severity], what: `${c.severity} annotation` };
  merge(r, path, { ...annotations, from: { ...policy.annotations, ...c.annotations } });
}

interface Merge {
  into: Record<string, string>;
  from: Record<string, string>;
  /** what the entries are, for the error: `page label` */
  what: string;
}

/** Policies of one severity become one alert: a label they all set must have one value. */
const agreesAcrossPolicies: Rule<Merge> = ({ into, from, what }) =>
  Object.entries(from)
    .filter(([k, v]) => into[k] !== undefined && into[k] !== v)
    .map(([k, v]) => ({
      message: `the ${what} '${k}' is '${into[k]}' in one alert policy and '${v}' in another`,
    }));

function merge(r: DocReader, path: YamlPath, m: Merge): void {
  checkAll(r, path, m, agreesAcrossPolicies);
  Object.assign(m.into, m.from);
}

function addTarget(combined: Combined, target: TargetDef, severity: Severity): void {
  if (target.rulesOnly) return;
  if (!target.notify) {
    combined.routed[severity].add(target.name);
    const route = combined.routes.get(target.name) ?? { ...target.route, severities: [] };
    if (!route.severities.includes(severity)) route.severities.push(severity);
    combined.routes.set(target.name, route);
    return;
  }
  const key = `${target.notify.type} ${target.notify.url ?? ""} ${target.notify.name ?? ""}`;
  const existing = combined.notify.get(key);
  if (!existing) {
    combined.notify.set(key, {
      type: target.notify.type,
      name: target.notify.name,
      url: target.notify.url,
      severities: [severity],
    });
  } else if (!existing.severities.includes(severity)) {
    existing.severities.push(severity);
  }
}

/** slo turns a severity's alerts off or on as a whole, so its policies must agree. */
const breachingAgrees: Rule<Combined> = ({ breaching }) =>
  SEVERITIES.filter((severity) => breaching[severity].size > 1).map((severity) => ({
    message: `some ${severity} policies set alertWhenBreaching: false and others do not; slo turns ${severity} alerts off or on as a whole`,
  }));

function alertingOf(combined: Combined): SloAlerting {
  const severityPolicy = (s: Severity) => {
    const routed = combined.routed[s];
    return {
      disable: combined.breaching[s].has(false),
      labels:
        routed.size > 0
          ? { ...combined.labels[s], [NOTIFICATION_TARGET_LABEL]: [...routed].sort().join(",") }
          : combined.labels[s],
      annotations: combined.annotations[s],
    };
  };
  const notify = [...combined.notify.values()];
  const routes = [...combined.routes.values()];
  for (const t of [...notify, ...routes]) t.severities.sort(pageFirst);
  return {
    alerting: {
      windows: combined.windows,
      page: severityPolicy("page"),
      ticket: severityPolicy("ticket"),
    },
    notify,
    routes,
  };
}

function pageFirst(a: Severity, b: Severity): number {
  return a === b ? 0 : a === "page" ? -1 : 1;
}
