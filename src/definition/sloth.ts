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

import { DEFAULT_BURN_RATE_WINDOWS, DEFAULT_GATE, DEFAULT_MIN_EVENTS } from "../defaults.js";
import { specError } from "../errors.js";
import { DocReader, formatPath, isJson, roundNumber } from "./doc-reader.js";
import { DAY_MS } from "./duration.js";
import type { FormatLoader } from "./formats.js";
import { implicitPrometheus } from "./implicit-sources.js";
import type { RatioIndicator, ServiceSpec, SeverityPolicy, SloSpec } from "./model.js";
import { checkPromQL, hasWindowPlaceholder } from "./promql.js";
import { ratesToIncreases, rawRatioQueries } from "./ratio-queries.js";
import { positionInScalar, positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";

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
    const services: ServiceSpec[] = [];
    for (const { ydoc, value } of documents) {
      const service = loadDocument(ydoc, value, errors, context?.env ?? {});
      if (service) services.push(service);
    }
    return { services, errors };
  },
};

type SloError = ReturnType<typeof specError>;

function loadDocument(
  ydoc: YamlDocument,
  value: unknown,
  errors: SloError[],
  env: Record<string, string | undefined>,
): ServiceSpec | undefined {
  const doc = value as Record<string, unknown>;
  const before = errors.length;
  let r = new DocReader(ydoc, "Sloth spec", value, errors);
  let base: YamlPath = [];
  let fields: Fields = FIELDS.spec;
  if (typeof doc.apiVersion === "string") {
    r = r.as(`${SLOTH_KIND}`);
    if (doc.apiVersion !== SLOTH_API_VERSION) {
      r.fail(["apiVersion"], `${doc.apiVersion} is not supported; slo reads ${SLOTH_API_VERSION}`);
      return undefined;
    }
    if (doc.kind !== SLOTH_KIND) {
      r.fail(["kind"], `expected kind ${SLOTH_KIND}, got ${String(doc.kind)}`);
      return undefined;
    }
    r.keys([], ["apiVersion", "kind", "metadata", "spec", "status"]);
    const name = r.string(["metadata", "name"]);
    if (name !== undefined) r = r.as(`${SLOTH_KIND} '${name}'`);
    base = ["spec"];
    fields = FIELDS.kubernetes;
    if (!r.record(base, true)) return undefined;
    r.keys(base, ["service", "labels", "slos"]);
  } else {
    if (doc.version !== SLOTH_VERSION) {
      r.fail(
        ["version"],
        `${String(doc.version)} is not supported; slo reads Sloth's ${SLOTH_VERSION}`,
      );
      return undefined;
    }
    r.keys([], ["version", "service", "labels", "slos"]);
  }
  const service = r.string([...base, "service"], true);
  const serviceLabels = r.labels([...base, "labels"]);
  const list = r.list([...base, "slos"], true);
  if (list && list.length === 0) r.fail([...base, "slos"], "a Sloth spec needs at least one SLO");
  if (service === undefined || !list) return undefined;
  const source = implicitPrometheus(SOURCE_NAME, env);
  const slos: SloSpec[] = [];
  const seen = new Set<string>();
  list.forEach((_, i) => {
    const slo = loadSlo(r, [...base, "slos", i], fields, service, serviceLabels);
    if (!slo) return;
    if (seen.has(slo.name)) {
      r.fail([...base, "slos", i, "name"], `SLO '${slo.name}' is defined twice in this spec`);
      return;
    }
    seen.add(slo.name);
    slos.push(slo);
  });
  if (errors.length > before) return undefined;
  return {
    service,
    file: ydoc.file,
    labels: serviceLabels,
    sources: { [SOURCE_NAME]: source },
    slos,
    notify: [],
    health: [],
  };
}

function loadSlo(
  doc: DocReader,
  path: YamlPath,
  f: Fields,
  service: string,
  serviceLabels: Record<string, string>,
): SloSpec | undefined {
  if (!doc.record(path, true)) return undefined;
  const named = doc.string([...path, "name"]);
  const r = named !== undefined ? doc.as(`${doc.subject}, SLO '${named}'`) : doc;
  const before = r.errors.length;
  r.keys(path, ["name", "objective", "description", "labels", "sli", "alerting"]);
  const name = r.string([...path, "name"], true);
  if (name !== undefined && !SLO_NAME.test(name)) {
    r.fail([...path, "name"], "expected letters, digits, '-', '_' or '.'");
  }
  const objectivePercent = r.number([...path, "objective"], true);
  let objective: number | undefined;
  if (objectivePercent !== undefined) {
    if (objectivePercent >= 100) {
      r.fail(
        [...path, "objective"],
        `${objectivePercent} leaves no error budget; an objective must be below 100`,
        "SLOs of 100% cannot be met and cannot be budgeted; try 99.99",
      );
    } else if (objectivePercent <= 0) {
      r.fail([...path, "objective"], "expected a percentage between 0 and 100, like 99.9");
    } else objective = roundNumber(objectivePercent / 100);
  }
  const description = r.string([...path, "description"]);
  const labels = { ...serviceLabels, ...r.labels([...path, "labels"]) };
  const indicator = loadSli(r, [...path, "sli"], f);
  const alerting = loadAlerting(r, [...path, "alerting"], f);
  if (r.errors.length > before || !name || objective === undefined || !indicator || !alerting) {
    return undefined;
  }
  return {
    service,
    name,
    description,
    labels,
    objective,
    window: { kind: "rolling", durationMs: SLOTH_WINDOW_MS, label: "30d" },
    budgetingMethod: "occurrences",
    indicator,
    alerting: { minEvents: DEFAULT_MIN_EVENTS, windows: DEFAULT_BURN_RATE_WINDOWS, ...alerting },
    gate: { enabled: true, ...DEFAULT_GATE },
    notify: [],
    at: positionOf(r.ydoc, [...path, "name"]),
  };
}

function loadSli(r: DocReader, path: YamlPath, f: Fields): RatioIndicator | undefined {
  if (!r.record(path, true)) return undefined;
  r.keys(path, ["events", "raw", "plugin"]);
  const kinds = ["events", "raw", "plugin"].filter((k) => r.has([...path, k]));
  if (kinds.length !== 1) {
    r.fail(path, "an SLI needs exactly one of events, raw or plugin");
    return undefined;
  }
  if (kinds[0] === "plugin") {
    r.fail(
      [...path, "plugin"],
      "Sloth SLI plugins cannot be evaluated: they are Go code that runs inside Sloth",
      "write the plugin's queries out as events: error_query and total_query",
    );
    return undefined;
  }
  if (kinds[0] === "raw") {
    const p = [...path, "raw"];
    r.keys(p, [f.errorRatioQuery]);
    const q = query(r, [...p, f.errorRatioQuery]);
    if (q === undefined) return undefined;
    const { numerator, total } = rawRatioQueries(q);
    return { kind: "ratio", source: SOURCE_NAME, bad: numerator, total };
  }
  const p = [...path, "events"];
  r.keys(p, [f.errorQuery, f.totalQuery]);
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

/** A Sloth query: valid PromQL that takes the window as {{.window}}, as Sloth requires. */
function query(r: DocReader, path: YamlPath): string | undefined {
  const text = r.string(path, true);
  if (text === undefined) return undefined;
  const checked = checkPromQL(text);
  if (!checked.ok) {
    r.errors.push(
      specError(
        `${r.subject}: ${formatPath(path)}: PromQL: ${checked.message}`,
        positionInScalar(r.ydoc, path, checked.offset),
      ),
    );
    return undefined;
  }
  if (!hasWindowPlaceholder(text)) {
    r.fail(
      path,
      "the query does not use {{.window}}: Sloth (and slo) ask it for each window",
      "put [{{.window}}] where the range goes, e.g. sum(rate(http_requests_total[{{.window}}]))",
    );
    return undefined;
  }
  return text;
}

function loadAlerting(
  r: DocReader,
  path: YamlPath,
  f: Fields,
): { page: SeverityPolicy; ticket: SeverityPolicy } | undefined {
  const none = (): SeverityPolicy => ({ disable: false, labels: {}, annotations: {} });
  if (!r.has(path)) return { page: none(), ticket: none() };
  if (!r.record(path)) return undefined;
  r.keys(path, ["name", "labels", "annotations", f.pageAlert, f.ticketAlert]);
  const name = r.string([...path, "name"]);
  const labels = r.labels([...path, "labels"]);
  const annotations = r.labels([...path, "annotations"]);
  const severity = (key: string): SeverityPolicy => {
    const p = [...path, key];
    r.record(p);
    r.keys(p, ["disable", "labels", "annotations"]);
    return {
      disable: r.boolean([...p, "disable"]) ?? false,
      // Sloth names its alerts alerting.name; slo's rules take the name from this label.
      labels: { ...labels, ...(name ? { alertname: name } : {}), ...r.labels([...p, "labels"]) },
      annotations: { ...annotations, ...r.labels([...p, "annotations"]) },
    };
  };
  return { page: severity(f.pageAlert), ticket: severity(f.ticketAlert) };
}
