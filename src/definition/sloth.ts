/**
 * Sloth, loaded as it is: the `version: prometheus/v1` spec and the
 * Kubernetes PrometheusServiceLevel resource (`sloth.slok.dev/v1`, the same
 * fields in camelCase). Each SLO maps to a 30-day rolling ratio SLO on
 * Prometheus with Sloth's own alert table, which is slo's default one.
 *
 * The queries: Sloth's `rate(x[{{.window}}])` becomes `increase(x[{{window}}])`
 * (the same ratio; increases are event counts, which minEvents needs), and a
 * raw error_ratio_query is weighed by time (see ratio-queries.ts). Sloth does
 * not say where Prometheus is: PROMETHEUS_URL, else http://localhost:9090.
 */

import {
  DEFAULT_BUDGETING_METHOD,
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_GATE,
  DEFAULT_MIN_EVENTS,
} from "../defaults.js";
import type { specError } from "../errors.js";
import { MAX_WINDOW_MS } from "../limits.js";
import { closest, DocReader, isJson, type Json, roundNumber } from "./doc-reader.js";
import { DAY_MS, formatDuration, parseDuration } from "./duration.js";
import type { FormatLoader } from "./formats.js";
import { implicitPrometheus } from "./implicit-sources.js";
import type { RatioIndicator, ServiceSpec, SeverityPolicy, SloSpec } from "./model.js";
import { hasWindowPlaceholder } from "./promql.js";
import { ratesToIncreases, rawRatioQueries } from "./ratio-queries.js";
import {
  checkAll,
  checkInOrder,
  percentAbove0,
  percentBelow100,
  promqlParses,
  type Rule,
} from "./rules.js";
import {
  ALERT_WINDOWS_KIND,
  applyAlertWindows,
  isAlertWindows,
  loadAlertWindows,
  type SlothAlertWindows,
} from "./sloth-alert-windows.js";
import { loadSliPlugin } from "./sloth-sli-plugin.js";
import { ALERT_FOR_PLUGIN, readSloPluginChain, type SloPluginChain } from "./sloth-slo-plugins.js";
import { positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";

export const SLOTH_VERSION = "prometheus/v1";
export const SLOTH_API_VERSION = "sloth.slok.dev/v1";
export const SLOTH_KIND = "PrometheusServiceLevel";
/** Sloth's SLO period: its default, and the one its alert table is for. */
export const SLOTH_WINDOW_MS = 30 * DAY_MS;
const SOURCE_NAME = "prometheus";
const SLO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The spec writes snake_case, the Kubernetes resource camelCase. */
const FIELDS = {
  spec: {
    errorQuery: "error_query",
    totalQuery: "total_query",
    errorRatioQuery: "error_ratio_query",
    pageAlert: "page_alert",
    ticketAlert: "ticket_alert",
  },
  kubernetes: {
    errorQuery: "errorQuery",
    totalQuery: "totalQuery",
    errorRatioQuery: "errorRatioQuery",
    pageAlert: "pageAlert",
    ticketAlert: "ticketAlert",
  },
} as const;

type Fields = (typeof FIELDS)[keyof typeof FIELDS];

export const slothFormat: FormatLoader = {
  name: "sloth",
  detect: (value) =>
    isJson(value) &&
    ((typeof value.version === "string" && value.version.startsWith("prometheus/")) ||
      (typeof value.apiVersion === "string" && value.apiVersion.startsWith("sloth.slok.dev/"))),
  load(documents, context) {
    const errors: SloError[] = [];
    const warnings: SloError[] = [];
    const services: ServiceSpec[] = [];
    const catalog: SlothAlertWindows[] = [];
    const holds = new Map<SloSpec, AlertHolds>();
    for (const { ydoc, value } of documents) {
      if (isJson(value) && isAlertWindows(value)) {
        const windows = loadAlertWindows(
          ydoc,
          value,
          { errors, warnings },
          {
            keys: lenientKeys(warnings),
            apiVersion: supportedApiVersion,
          },
        );
        if (windows) catalog.push(windows);
        continue;
      }
      const service = loadDocument(ydoc, value, { errors, warnings, holds }, context?.env ?? {});
      if (service) services.push(service);
    }
    applyAlertWindows(catalog, services, SLOTH_WINDOW_MS);
    // after the AlertWindows, which replace the windows the holds go on
    for (const [slo, hold] of holds) applyAlertHolds(slo, hold);
    return { services, errors, warnings };
  },
};

type SloError = ReturnType<typeof specError>;

interface KeyRules {
  /** keys a file needs: a near miss of one that is absent is an error */
  required?: readonly string[];
}

/** Checks a mapping's keys against those Sloth reads there (see `lenientKeys`). */
type KeyCheck = (r: DocReader, path: YamlPath, known: readonly string[], rules?: KeyRules) => void;

/**
 * Sloth decodes its files leniently: a key it does not know is ignored, and
 * its validator accepts the file (`pageAlert` in the spec, `page_alert` in
 * the resource). slo ignores such a key too, with a warning at its
 * position. A near miss of a required key that is absent stays an error:
 * the file cannot load, and the typo is why.
 */
function lenientKeys(warnings: SloError[]): KeyCheck {
  return (r, path, known, { required = [] } = {}) => {
    const mapping = r.value(path);
    if (!isJson(mapping)) return;
    for (const key of Object.keys(mapping)) {
      if (known.includes(key)) continue;
      const suggestion = closest(key, known);
      const hint = suggestion ? `did you mean '${suggestion}'?` : undefined;
      if (suggestion && required.includes(suggestion) && !(suggestion in mapping))
        r.fail(path, `unknown key '${key}'`, hint, key);
      else
        new DocReader(r.ydoc, r.subject, r.root, warnings).fail(
          path,
          `unknown key '${key}': Sloth ignores it, and so does slo`,
          hint,
          key,
        );
    }
  };
}

/** Where a Sloth document's service is, and how it names its fields. */
interface Envelope {
  /** names the document in errors: the resource's name, when it has one */
  r: DocReader;
  /** the path of the spec's fields: [] in the spec, ["spec"] in the resource */
  base: YamlPath;
  fields: Fields;
  keys: KeyCheck;
  /** where the service's SLO plugins are: slo_plugins in the spec, sloPlugins in the resource */
  pluginsKey: string;
}

/** What reading an SLO needs beyond its reader. */
interface SloContext {
  fields: Fields;
  keys: KeyCheck;
  warnings: SloError[];
  /** each SLO's alert_for pending times, applied once the windows are final */
  holds: Map<SloSpec, AlertHolds>;
  /** the service's SLO plugins, which the SLO's own add to or override */
  serviceChain: SloPluginChain | undefined;
}

/** SLO plugins report through the document's reader; what they only warn of goes to warnings. */
function pluginContext(r: DocReader, keys: KeyCheck, warnings: SloError[]) {
  return {
    keys,
    warn: (path: YamlPath, message: string, hint?: string, key?: string) =>
      new DocReader(r.ydoc, r.subject, r.root, warnings).fail(path, message, hint, key),
  };
}

const supportedApiVersion: Rule<Json> = (doc) =>
  doc.apiVersion !== SLOTH_API_VERSION
    ? {
        at: ["apiVersion"],
        message: `${String(doc.apiVersion)} is not supported; slo reads ${SLOTH_API_VERSION}`,
      }
    : undefined;

const serviceLevelKind: Rule<Json> = (doc) =>
  doc.kind !== SLOTH_KIND
    ? {
        at: ["kind"],
        message: `expected kind ${SLOTH_KIND} (or ${ALERT_WINDOWS_KIND}), got ${String(doc.kind)}`,
      }
    : undefined;

const supportedVersion: Rule<Json> = (doc) =>
  doc.version !== SLOTH_VERSION
    ? {
        at: ["version"],
        message: `${String(doc.version)} is not supported; slo reads Sloth's ${SLOTH_VERSION}`,
      }
    : undefined;

/** The Kubernetes resource: apiVersion, kind, metadata.name, and the spec under spec. */
function resourceEnvelope(reader: DocReader, doc: Json, keys: KeyCheck): Envelope | undefined {
  const r = reader.as(SLOTH_KIND);
  if (!checkInOrder(r, [], doc, supportedApiVersion, serviceLevelKind)) return undefined;
  keys(r, [], ["apiVersion", "kind", "metadata", "spec", "status"], { required: ["spec"] });
  const name = r.string(["metadata", "name"]);
  const named = name !== undefined ? r.as(`${SLOTH_KIND} '${name}'`) : r;
  if (!named.record(["spec"], true)) return undefined;
  keys(named, ["spec"], ["service", "labels", "slos", "sloPlugins"], {
    required: ["service", "slos"],
  });
  return {
    r: named,
    base: ["spec"],
    fields: FIELDS.kubernetes,
    keys,
    pluginsKey: "sloPlugins",
  };
}

/** The spec file: `version: prometheus/v1` and the fields at the top. */
function specEnvelope(r: DocReader, doc: Json, keys: KeyCheck): Envelope | undefined {
  if (!checkInOrder(r, [], doc, supportedVersion)) return undefined;
  keys(r, [], ["version", "service", "labels", "slos", "slo_plugins"], {
    required: ["service", "slos"],
  });
  return { r, base: [], fields: FIELDS.spec, keys, pluginsKey: "slo_plugins" };
}

function loadDocument(
  ydoc: YamlDocument,
  value: unknown,
  {
    errors,
    warnings,
    holds,
  }: { errors: SloError[]; warnings: SloError[]; holds: Map<SloSpec, AlertHolds> },
  env: Record<string, string | undefined>,
): ServiceSpec | undefined {
  const doc = value as Json;
  const before = errors.length;
  const reader = new DocReader(ydoc, "Sloth spec", value, errors);
  const keys = lenientKeys(warnings);
  const envelope =
    typeof doc.apiVersion === "string"
      ? resourceEnvelope(reader, doc, keys)
      : specEnvelope(reader, doc, keys);
  if (!envelope) return undefined;
  const { r, base, fields } = envelope;
  const service = r.string([...base, "service"], true);
  const serviceLabels = r.labels([...base, "labels"]);
  const serviceChain = readSloPluginChain(
    r,
    [...base, envelope.pluginsKey],
    pluginContext(r, keys, warnings),
  );
  const list = r.list([...base, "slos"], true);
  if (list && list.length === 0) r.fail([...base, "slos"], "a Sloth spec needs at least one SLO");
  if (service === undefined || !list) return undefined;
  const slos = loadSlos(
    r,
    base,
    list.length,
    { fields, keys, warnings, holds, serviceChain },
    {
      service,
      serviceLabels,
    },
  );
  if (errors.length > before) return undefined;
  return {
    service,
    file: ydoc.file,
    labels: serviceLabels,
    sources: { [SOURCE_NAME]: implicitPrometheus(SOURCE_NAME, env) },
    slos,
    notify: [],
    health: [],
  };
}

const namedOnce: Rule<{ name: string; seen: Set<string> }> = ({ name, seen }) =>
  seen.has(name)
    ? { at: ["name"], message: `SLO '${name}' is defined twice in this spec` }
    : undefined;

function loadSlos(
  r: DocReader,
  base: YamlPath,
  count: number,
  ctx: SloContext,
  of: { service: string; serviceLabels: Record<string, string> },
): SloSpec[] {
  const slos: SloSpec[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const path = [...base, "slos", i];
    const slo = loadSlo(r, path, ctx, of);
    if (!slo || !checkAll(r, path, { name: slo.name, seen }, namedOnce)) continue;
    seen.add(slo.name);
    slos.push(slo);
  }
  return slos;
}

const sloName: Rule<string> = (name) =>
  SLO_NAME.test(name) ? undefined : { message: "expected letters, digits, '-', '_' or '.'" };

function loadSlo(
  doc: DocReader,
  path: YamlPath,
  { fields: f, keys, warnings, holds, serviceChain }: SloContext,
  { service, serviceLabels }: { service: string; serviceLabels: Record<string, string> },
): SloSpec | undefined {
  if (!doc.record(path, true)) return undefined;
  const named = doc.string([...path, "name"]);
  const r = named !== undefined ? doc.as(`${doc.subject}, SLO '${named}'`) : doc;
  const before = r.errors.length;
  keys(r, path, ["name", "objective", "description", "labels", "sli", "alerting", "plugins"], {
    required: ["name", "objective", "sli"],
  });
  const name = r.string([...path, "name"], true);
  if (name !== undefined) checkAll(r, [...path, "name"], name, sloName);
  const objective = objectiveOf(r, [...path, "objective"]);
  const description = r.string([...path, "description"]);
  const chain = readSloPluginChain(r, [...path, "plugins"], pluginContext(r, keys, warnings));
  const pluginLabels = chain?.overridePrevious
    ? chain.labels
    : { ...serviceChain?.labels, ...chain?.labels };
  const alertFor = chain?.overridePrevious
    ? chain.alertFor === true
    : serviceChain?.alertFor === true || chain?.alertFor === true;
  const labels = { ...serviceLabels, ...pluginLabels, ...r.labels([...path, "labels"]) };
  const indicator = loadSli(
    r,
    [...path, "sli"],
    { fields: f, keys },
    objective === undefined ? undefined : roundNumber(objective * 100),
  );
  const loaded = loadAlerting(r, [...path, "alerting"], f, keys);
  if (r.errors.length > before || !name || objective === undefined || !indicator || !loaded) {
    return undefined;
  }
  const { holds: hold, ...alerting } = loaded;
  if (!alertFor) warnIgnoredHolds(r, warnings, hold);
  const slo: SloSpec = {
    service,
    name,
    description,
    labels,
    objective,
    window: { kind: "rolling", durationMs: SLOTH_WINDOW_MS, label: "30d" },
    budgetingMethod: DEFAULT_BUDGETING_METHOD,
    indicator,
    alerting: { minEvents: DEFAULT_MIN_EVENTS, windows: DEFAULT_BURN_RATE_WINDOWS, ...alerting },
    gate: { enabled: true, ...DEFAULT_GATE },
    notify: [],
    at: positionOf(r.ydoc, [...path, "name"]),
  };
  if (alertFor && (hold.page || hold.ticket)) holds.set(slo, hold);
  return slo;
}

const leavesBudget = percentBelow100("an objective", "99.99");

const aboveZero = percentAbove0("99.9");

/** Sloth writes the objective as a percentage: 99.9. */
function objectiveOf(r: DocReader, path: YamlPath): number | undefined {
  const percent = r.number(path, true);
  if (percent === undefined || !checkInOrder(r, path, percent, leavesBudget, aboveZero))
    return undefined;
  return roundNumber(percent / 100);
}

function loadSli(
  r: DocReader,
  path: YamlPath,
  { fields: f, keys }: { fields: Fields; keys: KeyCheck },
  objectivePercent: number | undefined,
): RatioIndicator | undefined {
  if (!r.record(path, true)) return undefined;
  const all = ["events", "raw", "plugin"];
  const kinds = all.filter((k) => r.has([...path, k]));
  keys(r, path, all, { required: kinds.length === 0 ? all : [] });
  if (kinds.length !== 1) {
    r.fail(path, "an SLI needs exactly one of events, raw or plugin");
    return undefined;
  }
  if (kinds[0] === "plugin") {
    return loadSliPlugin(r, [...path, "plugin"], keys, { source: SOURCE_NAME, objectivePercent });
  }
  if (kinds[0] === "raw") {
    const p = [...path, "raw"];
    keys(r, p, [f.errorRatioQuery], { required: [f.errorRatioQuery] });
    const q = query(r, [...p, f.errorRatioQuery]);
    if (q === undefined) return undefined;
    const { numerator, total } = rawRatioQueries(q);
    return { kind: "ratio", source: SOURCE_NAME, bad: numerator, total };
  }
  const p = [...path, "events"];
  keys(r, p, [f.errorQuery, f.totalQuery], { required: [f.errorQuery, f.totalQuery] });
  const bad = query(r, [...p, f.errorQuery]);
  const total = query(r, [...p, f.totalQuery]);
  if (bad === undefined || total === undefined) return undefined;
  return {
    kind: "ratio",
    source: SOURCE_NAME,
    bad: ratesToIncreases(bad).trim(),
    total: ratesToIncreases(total).trim(),
  };
}

const takesSlothWindow: Rule<string> = (text) =>
  hasWindowPlaceholder(text)
    ? undefined
    : {
        message: "the query does not use {{.window}}: Sloth (and slo) ask it for each window",
        hint: "put [{{.window}}] where the range goes, e.g. sum(rate(http_requests_total[{{.window}}]))",
      };

/** A Sloth query: valid PromQL that takes the window as {{.window}}, as Sloth requires. */
function query(r: DocReader, path: YamlPath): string | undefined {
  const text = r.string(path, true);
  if (text === undefined || !checkInOrder(r, path, text, promqlParses, takesSlothWindow))
    return undefined;
  return text;
}

function loadAlerting(
  r: DocReader,
  path: YamlPath,
  f: Fields,
  keys: KeyCheck,
): { page: SeverityPolicy; ticket: SeverityPolicy; holds: AlertHolds } | undefined {
  const none = (): SeverityPolicy => ({ disable: false, labels: {}, annotations: {} });
  if (!r.has(path)) return { page: none(), ticket: none(), holds: {} };
  if (!r.record(path)) return undefined;
  keys(r, path, ["name", "labels", "annotations", f.pageAlert, f.ticketAlert]);
  const name = r.string([...path, "name"]);
  const labels = r.labels([...path, "labels"]);
  const annotations = r.labels([...path, "annotations"]);
  // alert_for reads `for` from prometheus/v1 specs only: in the resource Sloth ignores it
  const holdKeys = f === FIELDS.spec ? ["for"] : [];
  const severity = (key: string): SeverityPolicy => {
    const p = [...path, key];
    r.record(p);
    keys(r, p, ["disable", "labels", "annotations", ...holdKeys]);
    return {
      disable: r.boolean([...p, "disable"]) ?? false,
      // Sloth names its alerts alerting.name; slo's rules take the name from this label.
      labels: { ...labels, ...(name ? { alertname: name } : {}), ...r.labels([...p, "labels"]) },
      annotations: { ...annotations, ...r.labels([...p, "annotations"]) },
    };
  };
  const holds: AlertHolds = {};
  const page = holdKeys.length > 0 ? holdOf(r, [...path, f.pageAlert, "for"]) : undefined;
  const ticket = holdKeys.length > 0 ? holdOf(r, [...path, f.ticketAlert, "for"]) : undefined;
  if (page) holds.page = page;
  if (ticket) holds.ticket = ticket;
  return { page: severity(f.pageAlert), ticket: severity(f.ticketAlert), holds };
}

/** page_alert.for and ticket_alert.for, which only alert_for applies. */
interface AlertHolds {
  page?: AlertHold;
  ticket?: AlertHold;
}

interface AlertHold {
  text: string;
  ms: number;
  path: YamlPath;
}

const promDuration: Rule<string> = (text) =>
  text.trim() === "0" || parseDuration(text) !== null
    ? undefined
    : { message: `expected a duration like 5m or 1h30m, got '${text}'` };

const holdWithinLimit: Rule<string> = (text) =>
  (parseDuration(text) ?? 0) <= MAX_WINDOW_MS
    ? undefined
    : {
        message: `${text} is longer than ${formatDuration(MAX_WINDOW_MS)}, the longest duration slo reads`,
        hint: "an alert held that long never fires: shorten it",
      };

/** An alert's `for`; `0` (Sloth's "no pending time") is none. */
function holdOf(r: DocReader, path: YamlPath): AlertHold | undefined {
  const text = r.string(path);
  if (text === undefined || !checkInOrder(r, path, text, promDuration, holdWithinLimit)) {
    return undefined;
  }
  const ms = parseDuration(text) ?? 0;
  return ms > 0 ? { text: text.trim(), ms, path } : undefined;
}

/** Sloth's core rules drop `for`; only alert_for applies it. */
function warnIgnoredHolds(r: DocReader, warnings: SloError[], holds: AlertHolds): void {
  for (const hold of [holds.page, holds.ticket]) {
    if (!hold) continue;
    new DocReader(r.ydoc, r.subject, r.root, warnings).fail(
      hold.path.slice(0, -1),
      `Sloth ignores for without the plugin ${ALERT_FOR_PLUGIN} in the SLO's chain, and so does slo: the alert fires with no pending time`,
      `to hold the alert, add '- id: "${ALERT_FOR_PLUGIN}"' to slo_plugins.chain (sloPlugins in the resource)`,
      "for",
    );
  }
}

/** Each window of a severity waits its alert's `for`, as alert_for sets it on Sloth's alerts. */
function applyAlertHolds(slo: SloSpec, holds: AlertHolds): void {
  slo.alerting.windows = slo.alerting.windows.map((w) => {
    const hold = holds[w.severity];
    return hold ? { ...w, alertAfterMs: hold.ms, alertAfter: hold.text } : w;
  });
}
