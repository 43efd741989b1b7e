/**
 * The model -> Pyrra: one `pyrra.dev/v1alpha1` ServiceLevelObjective per SLO,
 * as Pyrra's examples write them. Pyrra says less than slo: what it cannot
 * say and that changes what the SLO means (another source, a calendar
 * window, corrections, alert windows the user chose) is refused per SLO;
 * what only slo's own tooling reads (the gate, notify targets, minEvents) is
 * left out with a warning. Reading the result gives the same SLOs.
 */

import {
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_GATE,
  DEFAULT_GROUP_LIMIT,
  DEFAULT_MIN_EVENTS,
} from "../../defaults.js";
import { type SloError, specError } from "../../errors.js";
import { roundNumber } from "../doc-reader.js";
import { histogramParts, thresholdAsLe } from "../histogram.js";
import { IMPLICIT_URL } from "../implicit-sources.js";
import type { BurnRateWindow, LatencyIndicator, ServiceSpec, SloSpec } from "../model.js";
import { formatPromNumber, isSelector } from "../promql.js";
import { formatPromDuration } from "../promql-duration.js";
import { PYRRA_API_VERSION, PYRRA_KIND } from "../pyrra/index.js";
import { hasLeMatcher, parseSelector } from "../pyrra/selectors.js";
import { PYRRA_SEVERITY, promDurationMs, pyrraBurnRateWindows } from "../pyrra/windows.js";
import { type EnvDefaults, restoreEnvRefs } from "./env-refs.js";
import { sameWindow } from "./native.js";
import { compact, quoted } from "./yaml.js";

const PREFIX = "pyrra.dev/";
/** Kubernetes' label and annotation names (after a prefix) and label values. */
const K8S_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** A resource name and a label's prefix (DNS-1123 subdomains), and a namespace (DNS-1123 label). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const K8S_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface PyrraWriteOptions {
  defaults: EnvDefaults;
  /** what is left out: the CLI prints them */
  warnings: SloError[];
  /** the resources of the whole conversion, `namespace/name` -> the SLO written there */
  written: Map<string, string>;
}

/** Thrown per SLO: Pyrra cannot say this, so the SLO is not written. */
class Refusal extends Error {}

function cannot(what: string): never {
  throw new Refusal(what);
}

/**
 * One resource per SLO of the service. The errors (one per SLO Pyrra cannot
 * say, naming it) are returned, never thrown, so every refused SLO is told at once.
 */
export function pyrraDocuments(
  service: ServiceSpec,
  options: PyrraWriteOptions,
): { docs: unknown[]; errors: SloError[] } {
  const docs: unknown[] = [];
  const errors: SloError[] = [];
  serviceKeptOut(service, options.warnings);
  for (const slo of service.slos) {
    const lost: string[] = [];
    try {
      const doc = sloDocument(slo, service, options, lost);
      claimName(doc.metadata, `${slo.service}/${slo.name}`, options.written);
      docs.push(doc);
      for (const what of lost)
        options.warnings.push(specError(`SLO '${slo.name}': left out of Pyrra: ${what}`, slo.at));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      errors.push(
        specError(`SLO '${slo.name}' cannot be written in Pyrra: ${error.message}`, slo.at),
      );
    }
  }
  return { docs, errors };
}

/** What the service says that Pyrra has no field for (it has no service object). */
function serviceKeptOut(service: ServiceSpec, warnings: SloError[]): void {
  const lost = [
    service.displayName !== undefined ? "displayName" : undefined,
    service.description !== undefined ? "description" : undefined,
    service.health.length > 0 ? "health" : undefined,
    service.deploys ? "deploys" : undefined,
    service.notify.length > 0 ? "notify" : undefined,
  ].filter((w) => w !== undefined);
  if (lost.length > 0 && service.slos.length > 0)
    warnings.push(
      specError(
        `service '${service.service}': left out of Pyrra: its ${lost.join(", ")} (Pyrra has SLOs, no service)`,
        { file: service.file },
      ),
    );
}

/** Kubernetes holds one resource per name and namespace: a second is refused, not written over the first. */
function claimName(
  metadata: PyrraResource["metadata"],
  slo: string,
  written: Map<string, string>,
): void {
  const key = `${metadata.namespace ?? ""}/${metadata.name}`;
  const other = written.get(key);
  if (other !== undefined)
    cannot(
      `its Kubernetes name '${metadata.name}'${metadata.namespace ? ` in namespace '${metadata.namespace}'` : ""} is also SLO ${other}'s (Pyrra has one SLO per name and namespace; give the SLOs a namespace label or names apart)`,
    );
  written.set(key, slo);
}

/** A Kubernetes name from the SLO's: lower case, other characters as '-'. */
export function kubernetesName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, "-")
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
      .slice(0, 253)
      .replace(/[^a-z0-9]+$/, "") || "slo"
  );
}

interface PyrraResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
  spec: Record<string, unknown>;
}

function sloDocument(
  slo: SloSpec,
  service: ServiceSpec,
  options: PyrraWriteOptions,
  lost: string[],
): PyrraResource {
  checkSource(slo, service, options, lost);
  if (slo.window.kind !== "rolling")
    cannot("a calendar window (Pyrra's windows are rolling, a Prometheus duration)");
  if (slo.budgetingMethod !== "occurrences")
    cannot(`budgeting by ${slo.budgetingMethod} (Pyrra counts occurrences)`);
  if ((slo.corrections ?? []).length > 0) cannot("corrections (Pyrra has no budget corrections)");
  const name = K8S_NAME.test(slo.name) ? slo.name : kubernetesName(slo.name);
  if (name !== slo.name)
    lost.push(
      `its name as written: Pyrra's is '${name}' (a Kubernetes name), on its rules slo="${name}"`,
    );
  keptOut(slo, lost);
  const { labels, namespace } = metadataLabels(slo);
  const alerting = alertingOf(slo, lost);
  return {
    apiVersion: PYRRA_API_VERSION,
    kind: PYRRA_KIND,
    metadata: compact({
      name,
      namespace,
      labels: nonEmptyLabels({
        ...serviceLabel(service.service, name, namespace, slo.labels.service !== undefined),
        ...labels,
      }),
      annotations: alerting.annotations,
    }),
    spec: compact({
      target: quoted(String(roundNumber(slo.objective * 100))),
      window: windowText(slo),
      description: slo.description,
      indicator: indicatorOf(slo),
      alerting: alerting.spec,
    }),
  };
}

/**
 * Pyrra's service: its pyrra.dev/service label, unless the namespace (or the
 * name) already says it; written when the SLO had it as a label, which is
 * how slo reads it back.
 */
function serviceLabel(
  service: string,
  name: string,
  namespace: string | undefined,
  labelled: boolean,
): Record<string, string> {
  if (!labelled && service === (namespace ?? name)) return {};
  if (!K8S_LABEL_VALUE.test(service))
    cannot(
      `service '${service}' (a Kubernetes label value: letters, digits, '-', '_' and '.', at most 63)`,
    );
  return { [`${PREFIX}service`]: service };
}

function nonEmptyLabels(labels: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(labels).length > 0 ? labels : undefined;
}

function windowText(slo: SloSpec): string {
  const w = slo.window as Extract<SloSpec["window"], { kind: "rolling" }>;
  if (w.label !== undefined && promDurationMs(w.label) === w.durationMs) return w.label;
  return formatPromDuration(w.durationMs);
}

/** Pyrra queries the one Prometheus it is given (--prometheus-url): a source's own connection is left out. */
function checkSource(
  slo: SloSpec,
  service: ServiceSpec,
  options: PyrraWriteOptions,
  lost: string[],
): void {
  const source = service.sources[slo.indicator.source];
  if (source?.type !== "prometheus")
    cannot(
      `its ${source?.type ?? "undefined"} source '${slo.indicator.source}' (Pyrra reads Prometheus only)`,
    );
  const url = restoreEnvRefs(source.url, options.defaults);
  const extra =
    Object.keys(source.headers).length > 0 ||
    source.bearerToken !== undefined ||
    source.basicAuth !== undefined;
  // The URL is not said: one written out may hold a password.
  if (url !== IMPLICIT_URL.prometheus || extra)
    lost.push(
      `the connection of source '${source.name}': Pyrra queries the Prometheus it is started with`,
    );
}

/** What only slo reads: left out, each said. */
function keptOut(slo: SloSpec, lost: string[]): void {
  if (slo.displayName !== undefined) lost.push(`displayName '${slo.displayName}'`);
  if (slo.annotations && Object.keys(slo.annotations).length > 0)
    lost.push(`annotations ${Object.keys(slo.annotations).join(", ")}`);
  if (slo.runbook !== undefined) lost.push(`runbook ${slo.runbook}`);
  if (slo.breakdownBy !== undefined) lost.push(`breakdownBy '${slo.breakdownBy}'`);
  if (
    !slo.gate.enabled ||
    slo.gate.minRemaining !== DEFAULT_GATE.minRemaining ||
    slo.gate.warnRemaining !== DEFAULT_GATE.warnRemaining
  )
    lost.push("its gate (slo check's verdict)");
  if (slo.grouping && slo.grouping.limit !== DEFAULT_GROUP_LIMIT)
    lost.push(`groupLimit ${slo.grouping.limit} (Pyrra keeps every group)`);
  if (slo.grouping && slo.gate.per === "whole") lost.push("gate.per: whole");
  if (slo.notify.length > 0)
    lost.push(`notify (${slo.notify.length} target(s)): route Pyrra's alerts in Alertmanager`);
  if ((slo.routes ?? []).length > 0)
    lost.push("its alert routes: route Pyrra's alerts in Alertmanager");
  if (slo.alerting.minEvents !== DEFAULT_MIN_EVENTS)
    lost.push(`alerting minEvents ${slo.alerting.minEvents}`);
}

/**
 * The SLO's labels as Pyrra's propagated `pyrra.dev/` labels (on its rules,
 * prefix removed, as slo reads them back); `namespace` as the namespace;
 * `service` is the service itself.
 */
function metadataLabels(slo: SloSpec): { labels: Record<string, string>; namespace?: string } {
  const labels: Record<string, string> = {};
  let namespace: string | undefined;
  for (const [key, value] of Object.entries(slo.labels)) {
    if (key === "namespace") {
      if (!K8S_NAMESPACE.test(value))
        cannot(
          `label namespace="${value}" (a Kubernetes namespace is lower-case letters, digits and '-')`,
        );
      namespace = value;
    } else if (key === "service") {
      if (value !== slo.service)
        cannot(
          `label service="${value}" beside service '${slo.service}' (Pyrra's service is its pyrra.dev/service label)`,
        );
    } else labels[labelKey(key, value)] = value;
  }
  return namespace === undefined ? { labels } : { labels, namespace };
}

/**
 * A label as Pyrra propagates it (pyrra.dev/team: on its rules as team); a
 * Kubernetes label of its own prefix (app.kubernetes.io/part-of) as it is,
 * which Pyrra keeps off its rules and slo reads back the same.
 */
function labelKey(key: string, value: string): string {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || (K8S_NAME.test(prefix) && `${prefix}/` !== PREFIX);
  if (!prefixOk || !K8S_NAME_PART.test(name) || !K8S_LABEL_VALUE.test(value))
    cannot(
      `label ${key}="${value}" (a Kubernetes label: letters, digits, '-', '_' and '.', at most 63, alphanumeric at both ends)`,
    );
  return prefix === undefined ? `${PREFIX}${key}` : key;
}

/**
 * `sum(increase(sel[{{window}}]))`: what slo counts a plain selector as, so
 * Pyrra's own sum of `sel`. Not `rate`: beside an increase or a plain
 * selector it is another ratio, which Pyrra's would not be.
 */
const SUMMED_OVER_WINDOW =
  /^sum\s*\(\s*increase\s*\(\s*([\s\S]+?)\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]\s*\)\s*\)$/;

/**
 * The series selector Pyrra wraps in `sum(rate(sel[window]))` itself: the
 * query, or the selector a query sums the same way over the SLO's window
 * (as Sloth's and OpenSLO's files write it), whose ratio is the same.
 */
function selector(query: string): string {
  const text = query.trim();
  if (isSelector(text)) return text;
  const inner = SUMMED_OVER_WINDOW.exec(text)?.[1];
  if (inner !== undefined && isSelector(inner)) return inner;
  return cannot(
    `the query ${query} (Pyrra reads a series selector, metric{labels}, and sums its rate itself)`,
  );
}

function indicatorOf(slo: SloSpec): Record<string, unknown> {
  const ind = slo.indicator;
  const grouping = slo.grouping ? { grouping: slo.grouping.by } : {};
  if (ind.kind === "sampled") cannot("a sampled indicator (Pyrra counts events)");
  if (ind.kind === "ratio") {
    const total = { metric: selector(ind.total) };
    if (ind.bad !== undefined)
      return { ratio: { errors: { metric: selector(ind.bad) }, total, ...grouping } };
    const good = selector(ind.good ?? "");
    if (hasLeMatcher(good) !== undefined)
      cannot(
        "good/total without an le matcher (Pyrra's ratio counts errors, its latency a bucket)",
      );
    return { latency: { success: { metric: good }, total, ...grouping } };
  }
  return latencyOf(ind, grouping);
}

function latencyOf(
  ind: LatencyIndicator,
  grouping: Record<string, unknown>,
): Record<string, unknown> {
  if ((ind.op ?? "lte") !== "lte")
    cannot(`a latency compared with ${ind.op} (Pyrra counts at or below)`);
  const parts = histogramParts(ind.histogram);
  const parsed = parseSelector(ind.histogram ?? "");
  if (!parts || !parsed || !isSelector(ind.histogram ?? ""))
    cannot(
      `the histogram ${ind.histogram ?? "(none)"} (Pyrra reads a series selector, metric{labels})`,
    );
  if (ind.histogramType === "native") {
    const ms = thresholdAsLe(ind.threshold, ind.unit, "x_milliseconds");
    if (Math.abs(ms - Math.round(ms)) > 1e-9 || Math.round(ms) <= 0)
      cannot(
        `the threshold ${ind.thresholdText} (Pyrra's latency is a Prometheus duration, whole milliseconds)`,
      );
    return {
      latencyNative: {
        latency: formatPromDuration(Math.round(ms)),
        total: { metric: ind.histogram },
        ...grouping,
      },
    };
  }
  // Unset (slo asks the server) is written as classic: Pyrra's latency reads _bucket and _count.
  const le = formatPromNumber(thresholdAsLe(ind.threshold, ind.unit, parts.metric));
  const matchers = parts.matchers.join(", ");
  const sep = matchers === "" ? "" : ", ";
  return {
    latency: {
      success: { metric: `${parts.metric}_bucket{${matchers}${sep}le="${le}"}` },
      total: {
        metric: matchers === "" ? `${parts.metric}_count` : `${parts.metric}_count{${matchers}}`,
      },
      ...grouping,
    },
  };
}

function sameAlerting(a: BurnRateWindow[], b: BurnRateWindow[], windowMs: number): boolean {
  const factor = (w: BurnRateWindow) => roundNumber(w.factor ?? (w.share * windowMs) / w.longMs);
  return (
    a.length === b.length &&
    a.every(
      (w, i) =>
        w.severity === b[i]!.severity &&
        w.longMs === b[i]!.longMs &&
        w.shortMs === b[i]!.shortMs &&
        factor(w) === factor(b[i]!) &&
        (w.op ?? "gt") === "gt" &&
        (w.alertAfterMs ?? 0) === 0,
    )
  );
}

/**
 * Pyrra's alerts: its own four windows, `critical` and `warning`, one
 * `alerting.name`, both on or both off, annotations the SLO's `pyrra.dev/`
 * ones. slo's default windows become Pyrra's (a warning); windows the user
 * chose, or alerts Pyrra cannot label so, are refused.
 */
function alertingOf(
  slo: SloSpec,
  lost: string[],
): { spec?: Record<string, unknown>; annotations?: Record<string, string> } {
  const a = slo.alerting;
  const windowMs = slo.window.kind === "rolling" ? slo.window.durationMs : 0;
  if (!sameAlerting(a.windows, pyrraBurnRateWindows(windowMs), windowMs)) {
    const isDefault =
      a.windows.length === DEFAULT_BURN_RATE_WINDOWS.length &&
      a.windows.every((w, i) => sameWindow(w, DEFAULT_BURN_RATE_WINDOWS[i]!));
    if (!isDefault)
      cannot("its own burn-rate windows (Pyrra alerts on its four, scaled to the SLO's window)");
    lost.push("slo's default burn-rate windows: Pyrra alerts on its own four");
  }
  if (a.page.disable !== a.ticket.disable)
    cannot(
      `${a.page.disable ? "page" : "ticket"} alerts off and the others on (Pyrra's alerts are all on or all off)`,
    );
  const names = (["page", "ticket"] as const).map((s) => alertLabels(a[s].labels, s));
  if (names[0] !== names[1])
    cannot("a different alert name per severity (Pyrra has one alerting.name)");
  if (JSON.stringify(a.page.annotations) !== JSON.stringify(a.ticket.annotations))
    cannot(
      "different annotations per severity (Pyrra's alerts carry the SLO's pyrra.dev/ annotations)",
    );
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(a.page.annotations)) {
    if (!K8S_NAME_PART.test(key))
      cannot(`the alert annotation '${key}' (not a Kubernetes annotation name)`);
    annotations[`${PREFIX}${key}`] = value;
  }
  const spec = compact({ disabled: a.page.disable ? true : undefined, name: names[0] });
  return compact({
    spec: Object.keys(spec).length > 0 ? spec : undefined,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
  });
}

/** The alert name, when set; any label but Pyrra's severity and alertname is refused. */
function alertLabels(
  labels: Record<string, string>,
  severity: "page" | "ticket",
): string | undefined {
  for (const [key, value] of Object.entries(labels)) {
    if (key === "alertname") continue;
    if (key === "severity" && value === PYRRA_SEVERITY[severity]) continue;
    cannot(
      `the ${severity} alert label ${key}="${value}" (Pyrra labels its alerts severity="${PYRRA_SEVERITY[severity]}" and the SLO's pyrra.dev/ labels)`,
    );
  }
  return labels.alertname;
}
