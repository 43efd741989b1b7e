/**
 * Pyrra, loaded as it is: `pyrra.dev/v1alpha1` ServiceLevelObjective
 * resources, one per `---` document or several in a List (`kubectl get -o
 * yaml`), the same YAML Pyrra's filesystem mode reads. Each maps to a
 * rolling SLO on Prometheus (PROMETHEUS_URL, else http://localhost:9090, as
 * for Sloth) with Pyrra's burn-rate windows.
 *
 * Pyrra's own checks are the reference: what its validation or its strict
 * decoding refuses is an error here (unknown keys too), what it warns about
 * a warning. The service: Pyrra has none, so it is the `pyrra.dev/service`
 * label (which Pyrra puts on its rules as `service`), else the namespace
 * (Pyrra's grouping of SLOs), else the SLO's own name.
 */

import { DEFAULT_BUDGETING_METHOD, DEFAULT_GATE, DEFAULT_MIN_EVENTS } from "../../defaults.js";
import type { SloError } from "../../errors.js";
import { DocReader, isJson, type Json, roundNumber } from "../doc-reader.js";
import type { FormatLoader } from "../formats.js";
import { implicitPrometheus } from "../implicit-sources.js";
import type { AlertPolicy, ServiceSpec, SloSpec, WindowSpec } from "../model.js";
import {
  checkInOrder,
  longEnoughForAnSlo,
  percentAbove0,
  percentBelow100,
  type Rule,
  windowWithinLimit,
} from "../rules.js";
import { positionOf, type YamlDocument, type YamlPath } from "../yaml-source.js";
import { groupingOf, indicatorOf, type Readers, SOURCE_NAME } from "./indicator.js";
import { PYRRA_SEVERITY, promDurationMs, pyrraBurnRateWindows } from "./windows.js";

export { pyrraBurnRateWindows } from "./windows.js";

export const PYRRA_API_VERSION = "pyrra.dev/v1alpha1";
export const PYRRA_KIND = "ServiceLevelObjective";
const PYRRA_GROUP = "pyrra.dev/";
/** Pyrra copies the labels and annotations under this prefix onto its rules, prefix removed. */
const PROPAGATION_PREFIX = "pyrra.dev/";
const SERVICE_LABEL = `${PROPAGATION_PREFIX}service`;
const SLO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const RESOURCE_KEYS = ["apiVersion", "kind", "metadata", "spec", "status"];
/** Kubernetes' ObjectMeta: an exported resource carries the fields the API server adds. */
const METADATA_KEYS = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
const SPEC_KEYS = [
  "description",
  "target",
  "window",
  "indicator",
  "alerting",
  "partial_response_strategy",
  "rulenamespace",
];
const ALERTING_KEYS = ["disabled", "burnrates", "burnRateType", "absent", "name", "absentName"];
/** Pyrra's burn-rate types; `static` is its default and what slo alerts on. */
const BURN_RATE_TYPES = ["static", "dynamic"];

function isPyrraObject(value: unknown): value is Json {
  return (
    isJson(value) &&
    typeof value.apiVersion === "string" &&
    value.apiVersion.startsWith(PYRRA_GROUP)
  );
}

/** `kind: List` (kubectl) or `ServiceLevelObjectiveList`: the resources are its items. */
function isList(value: Json): boolean {
  return typeof value.kind === "string" && value.kind.endsWith("List") && "items" in value;
}

export const pyrraFormat: FormatLoader = {
  name: "pyrra",
  detect: (value) =>
    isPyrraObject(value) ||
    (isJson(value) &&
      isList(value) &&
      Array.isArray(value.items) &&
      value.items.some(isPyrraObject)),
  load(documents, context) {
    const sink: Sink = { errors: [], warnings: [] };
    const services = new Map<string, ServiceSpec>();
    for (const { ydoc, value } of documents) {
      for (const base of resourcePaths(ydoc, value as Json, sink)) {
        const slo = loadResource(ydoc, value, base, sink);
        if (!slo) continue;
        const key = JSON.stringify([ydoc.file, slo.service]);
        const service = services.get(key) ?? newService(ydoc.file, slo.service, context?.env ?? {});
        service.slos.push(slo);
        services.set(key, service);
      }
    }
    return { services: [...services.values()], errors: sink.errors, warnings: sink.warnings };
  },
};

interface Sink {
  errors: SloError[];
  warnings: SloError[];
}

function newService(
  file: string,
  service: string,
  env: Record<string, string | undefined>,
): ServiceSpec {
  return {
    service,
    file,
    labels: {},
    sources: { [SOURCE_NAME]: implicitPrometheus(SOURCE_NAME, env) },
    slos: [],
    notify: [],
    health: [],
  };
}

/** Where each resource of a document is: the document itself, or each item of a List. */
function resourcePaths(ydoc: YamlDocument, doc: Json, sink: Sink): YamlPath[] {
  if (!isList(doc)) return [[]];
  const r = new DocReader(ydoc, `${String(doc.kind)}`, doc, sink.errors);
  const items = r.list(["items"], true) ?? [];
  const paths: YamlPath[] = [];
  items.forEach((item, i) => {
    if (isPyrraObject(item)) paths.push(["items", i]);
    else if (!isJson(item)) r.fail(["items", i], "expected a Kubernetes resource (a mapping)");
    else
      new DocReader(ydoc, String(doc.kind), doc, sink.warnings).fail(
        ["items", i],
        `${String(item.kind ?? "an object")} (apiVersion ${String(item.apiVersion ?? "none")}) skipped: not a Pyrra ${PYRRA_KIND}`,
      );
  });
  return paths;
}

const supportedApiVersion: Rule<Json> = (doc) =>
  doc.apiVersion !== PYRRA_API_VERSION
    ? {
        at: ["apiVersion"],
        message: `${String(doc.apiVersion)} is not supported; slo reads Pyrra's ${PYRRA_API_VERSION}`,
      }
    : undefined;

const sloKind: Rule<Json> = (doc) =>
  doc.kind !== PYRRA_KIND
    ? { at: ["kind"], message: `expected kind ${PYRRA_KIND}, got ${String(doc.kind)}` }
    : undefined;

const sloName: Rule<string> = (name) =>
  SLO_NAME.test(name) ? undefined : { message: "expected letters, digits, '-', '_' or '.'" };

function loadResource(
  ydoc: YamlDocument,
  root: unknown,
  base: YamlPath,
  sink: Sink,
): SloSpec | undefined {
  const reader = new DocReader(ydoc, PYRRA_KIND, root, sink.errors);
  const doc = reader.value(base) as Json;
  if (!checkInOrder(reader, base, doc, supportedApiVersion, sloKind)) return undefined;
  reader.keys(base, RESOURCE_KEYS);
  const metaPath = [...base, "metadata"];
  const name = reader.string([...metaPath, "name"], true);
  const subject = name !== undefined ? `${PYRRA_KIND} '${name}'` : PYRRA_KIND;
  const readers: Readers = {
    r: reader.as(subject),
    w: new DocReader(ydoc, subject, root, sink.warnings),
  };
  const { r } = readers;
  const before = sink.errors.length;
  if (name !== undefined) checkInOrder(r, [...metaPath, "name"], name, sloName);
  const meta = metadataOf(r, metaPath);
  const spec = specOf(readers, [...base, "spec"]);
  if (sink.errors.length > before || name === undefined || !meta || !spec) return undefined;
  const service = meta.labels[SERVICE_LABEL] ?? meta.namespace ?? name;
  return {
    service,
    name,
    description: spec.description,
    labels: sloLabels(meta.labels, meta.namespace),
    objective: spec.objective,
    window: spec.window,
    budgetingMethod: DEFAULT_BUDGETING_METHOD,
    indicator: spec.indicator,
    ...(spec.grouping ? { grouping: spec.grouping } : {}),
    alerting: alertPolicy(spec.window, spec.alerting, propagated(meta.annotations)),
    gate: { enabled: true, ...DEFAULT_GATE },
    notify: [],
    at: positionOf(ydoc, [...metaPath, "name"]),
  };
}

interface Metadata {
  namespace?: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function metadataOf(r: DocReader, path: YamlPath): Metadata | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, METADATA_KEYS);
  const namespace = r.string([...path, "namespace"]);
  return {
    namespace: namespace === "" ? undefined : namespace,
    labels: r.labels([...path, "labels"]),
    annotations: r.labels([...path, "annotations"]),
  };
}

/** Labels and annotations under pyrra.dev/, without the prefix, as Pyrra's rules carry them. */
function propagated(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith(PROPAGATION_PREFIX))
      .map(([k, v]) => [k.slice(PROPAGATION_PREFIX.length), v]),
  );
}

/** Every label kept, Pyrra's own without their prefix; the namespace too, as Pyrra labels it. */
function sloLabels(labels: Record<string, string>, namespace: string | undefined) {
  const own = Object.fromEntries(
    Object.entries(labels).filter(([k]) => !k.startsWith(PROPAGATION_PREFIX)),
  );
  return { ...own, ...propagated(labels), ...(namespace !== undefined ? { namespace } : {}) };
}

interface Spec {
  description?: string | undefined;
  objective: number;
  window: WindowSpec & { kind: "rolling" };
  indicator: SloSpec["indicator"];
  grouping?: SloSpec["grouping"];
  alerting: { off: boolean; name?: string | undefined };
}

function specOf(readers: Readers, path: YamlPath): Spec | undefined {
  const { r, w } = readers;
  if (!r.record(path, true)) return undefined;
  checkSpecKeys(r, path);
  if (r.has([...path, "partial_response_strategy"]))
    w.fail(
      path,
      "read by Thanos Ruler only: slo's rules do not carry it, and slo ignores it",
      undefined,
      "partial_response_strategy",
    );
  if (r.has([...path, "rulenamespace"]))
    w.fail(
      path,
      "the namespace of the PrometheusRule Pyrra's operator writes: slo rules writes a rules file, and slo ignores it",
      undefined,
      "rulenamespace",
    );
  const description = r.string([...path, "description"]);
  const objective = targetOf(readers, [...path, "target"]);
  const window = windowOf(r, [...path, "window"]);
  const indicator = indicatorOf(readers, path);
  const { valid, grouping } = groupingOf(r, path);
  const alerting = alertingOf(readers, [...path, "alerting"]);
  if (objective === undefined || !window || !indicator || !alerting || !valid) return undefined;
  return {
    description: description || undefined,
    objective,
    window,
    indicator,
    grouping,
    alerting,
  };
}

/**
 * Unknown keys are errors, as kubectl's strict field validation and Pyrra's
 * filesystem mode (a strict decoding) refuse them: a misspelt key ignored
 * would change what is alerted. A latency beside the target, as one of
 * Pyrra's examples writes it, is told where Pyrra reads the latency.
 */
function checkSpecKeys(r: DocReader, path: YamlPath): void {
  const latency = r.value([...path, "latency"]);
  const strayLatency = latency !== undefined;
  if (strayLatency) {
    const le = typeof latency === "string" || typeof latency === "number" ? latency : "0.5";
    r.fail(
      path,
      "unknown key 'latency': Pyrra reads no latency here, and kubectl apply (strict field validation) and Pyrra's filesystem mode refuse it",
      `the latency target is the le matcher of indicator.latency.success (le="${le}"); remove spec.latency`,
      "latency",
    );
  }
  r.keys(path, strayLatency ? [...SPEC_KEYS, "latency"] : SPEC_KEYS);
}

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const leavesBudget = percentBelow100("a target", '"99.99"');

const aboveZero = percentAbove0('"99.5"');

/** Pyrra's target is a string of a percentage, "99.5": its CRD refuses a number. */
function targetOf({ r, w }: Readers, path: YamlPath): number | undefined {
  const value = r.value(path);
  if (value === undefined || value === null) {
    r.missing(path);
    return undefined;
  }
  if (typeof value !== "string") {
    r.fail(
      path,
      "expected a string: Pyrra's target is a percentage written as a string, and Pyrra refuses a number here",
      `quote it: target: "${String(value)}"`,
    );
    return undefined;
  }
  if (!GO_FLOAT.test(value)) {
    r.fail(path, `expected a percentage between 0 and 100, like "99.5", got "${value}"`);
    return undefined;
  }
  const percent = Number(value);
  if (!checkInOrder(r, path, percent, leavesBudget, aboveZero)) return undefined;
  if (percent < 1) {
    w.fail(
      path,
      `target is from 0-100 (${roundNumber(percent * 100)}), not 0-1 (${percent}) (Pyrra); slo reads it as ${percent}%`,
      `if you meant ${roundNumber(percent * 100)}%, write target: "${roundNumber(percent * 100)}"`,
    );
  }
  return roundNumber(percent / 100);
}

function windowOf(r: DocReader, path: YamlPath): Spec["window"] | undefined {
  const value = r.value(path);
  if (value === undefined || value === null) {
    r.missing(path);
    return undefined;
  }
  const text = typeof value === "string" ? value : undefined;
  const ms = text === undefined ? null : promDurationMs(text);
  if (text === undefined || ms === null) {
    r.fail(path, `expected a Prometheus duration such as 28d or 4w, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (!checkInOrder(r, path, { text, ms }, longEnoughForAnSlo, windowWithinLimit)) return undefined;
  return { kind: "rolling", durationMs: ms, label: text };
}

function alertingOf({ r, w }: Readers, path: YamlPath): Spec["alerting"] | undefined {
  if (!r.has(path)) return { off: false };
  if (!r.record(path)) return undefined;
  r.keys(path, ALERTING_KEYS);
  const disabled = r.boolean([...path, "disabled"]);
  const burnrates = r.boolean([...path, "burnrates"]);
  r.boolean([...path, "absent"]);
  const name = r.string([...path, "name"]);
  const off = disabled === true || burnrates === false;
  if (!burnRateTypeReadable({ r, w }, [...path, "burnRateType"], off)) return undefined;
  if (r.has([...path, "absentName"]))
    w.fail(
      path,
      "slo writes no absent alert: a metric that is gone shows as no data in slo check, and absentName is ignored",
      undefined,
      "absentName",
    );
  return { off, name: name || undefined };
}

/**
 * Pyrra's dynamic burn rates fire at a number of errors, not a rate: at
 * night a handful of errors pages. slo's static thresholds would page on
 * other traffic than the user chose, so a dynamic type is refused, unless
 * the alerts are off, where it changes nothing.
 */
function burnRateTypeReadable({ r, w }: Readers, path: YamlPath, alertsOff: boolean): boolean {
  const type = r.string(path);
  if (type === undefined || type === "static") return true;
  if (!BURN_RATE_TYPES.includes(type)) {
    r.fail(path, `expected ${BURN_RATE_TYPES.join(" or ")}, got "${type}"`);
    return false;
  }
  const message =
    "Pyrra's dynamic burn rates (thresholds that follow traffic) are not supported: slo alerts on static burn rates";
  const hint = "leave burnRateType out or set it to static";
  if (alertsOff) {
    w.fail(path, `${message}; the alerts are off, so it changes nothing here`, hint);
    return true;
  }
  r.fail(path, message, hint);
  return false;
}

/** Pyrra's windows and severities; its alert name when the SLO names one. */
function alertPolicy(
  window: Spec["window"],
  alerting: Spec["alerting"],
  annotations: Record<string, string>,
): AlertPolicy {
  const severity = (s: "page" | "ticket") => ({
    disable: alerting.off,
    labels: {
      ...(alerting.name ? { alertname: alerting.name } : {}),
      severity: PYRRA_SEVERITY[s],
    },
    annotations: { ...annotations },
  });
  return {
    minEvents: DEFAULT_MIN_EVENTS,
    windows: pyrraBurnRateWindows(window.durationMs),
    page: severity("page"),
    ticket: severity("ticket"),
  };
}
