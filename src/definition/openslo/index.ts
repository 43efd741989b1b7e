/**
 * OpenSLO v1, loaded as it is: every document of every file loaded together
 * (references cross files), indexed by kind and name, then each SLO mapped to
 * the one model. Stages as the other loaders: detect, check the version and
 * envelope, map; every problem is an error naming the document and field.
 */

import { DEFAULT_HEALTH_ON_FAILURE } from "../../defaults.js";
import type { SloError } from "../../errors.js";
import { specError } from "../../errors.js";
import { type DeploysFields, readDeploys } from "../deploys.js";
import { isJson } from "../doc-reader.js";
import type { FormatDocument, FormatLoader } from "../formats.js";
import type { DeploySpec, HealthCheck, ServiceSpec, SloSpec } from "../model.js";
import { checkAll, type Rule } from "../rules.js";
import { positionOf } from "../yaml-source.js";
import { readAlertObject } from "./alerting.js";
import { readBudgetAdjustment } from "./budget-adjustments.js";
import { DEPLOYS_ANNOTATION, HEALTH_ANNOTATION, SLO_ANNOTATION } from "./extensions.js";
import { dataSource, readSli, sourceTypeOf } from "./indicators.js";
import {
  annotationsOf,
  at,
  documentObject,
  type Kind,
  labelsOf,
  type OpenSloContext,
  type OsObject,
  once,
  V1ALPHA,
  V2ALPHA,
} from "./objects.js";
import { mapSlo } from "./slo.js";
import { v1alphaToV1 } from "./v1alpha.js";
import { v2alphaToV1 } from "./v2alpha.js";

export const opensloFormat: FormatLoader = {
  name: "openslo",
  detect: (value) =>
    isJson(value) && typeof value.apiVersion === "string" && isOpenSloApiVersion(value.apiVersion),
  unexpanded: (value) => (isUnreadDataSource(value) ? [["spec", "connectionDetails"]] : []),
  load(documents, context) {
    const ctx: OpenSloContext = {
      env: context?.env ?? {},
      errors: [],
      warnings: [],
      index: new Map(),
      failed: new Map(),
      dataSources: new Map(),
      implicit: new Map(),
      parsed: new Map(),
    };
    for (const { value } of context?.failed ?? []) noteFailed(ctx, value);
    const objects = indexObjects(ctx, asV1Documents(documents, ctx.errors));
    const services = buildServices(ctx, objects);
    return { services, errors: ctx.errors, warnings: [...ctx.warnings, ...notEvaluated(services)] };
  },
};

/** Any OpenSLO version: `openslo/v1`, `openslo/v1alpha`, `openslo.com/v2alpha`, and the unknown ones it refuses. */
function isOpenSloApiVersion(apiVersion: string): boolean {
  const v = apiVersion.toLowerCase();
  return v.startsWith("openslo/") || v.startsWith("openslo.com/");
}

/** A DataSource of a type slo cannot query: its connectionDetails are kept, never read. */
function isUnreadDataSource(value: unknown): boolean {
  if (!isJson(value) || value.kind !== "DataSource" || !isJson(value.spec)) return false;
  const type = value.spec.type;
  return typeof type === "string" && sourceTypeOf(type) === undefined;
}

/** An object whose errors are told: a reference to it is not missing. */
function noteFailed(ctx: OpenSloContext, value: unknown): void {
  if (!isJson(value) || typeof value.kind !== "string" || !isJson(value.metadata)) return;
  const name = value.metadata.name;
  if (typeof name !== "string") return;
  const kind = value.kind as Kind;
  ctx.failed.set(kind, (ctx.failed.get(kind) ?? new Set()).add(name));
}

/** Documents of the older and newer versions, rewritten into v1 (one v1alpha SLO may become several). */
function asV1Documents(documents: FormatDocument[], errors: SloError[]): FormatDocument[] {
  return documents.flatMap((document) => {
    const apiVersion = isJson(document.value) ? document.value.apiVersion : undefined;
    if (apiVersion === V1ALPHA) return v1alphaToV1(document, errors);
    if (apiVersion === V2ALPHA) return v2alphaToV1(document, errors);
    return [document];
  });
}

/** An SLO on a source slo cannot query loads (validate passes) and is said to be not evaluated. */
function notEvaluated(services: ServiceSpec[]): SloError[] {
  return services.flatMap((service) =>
    service.slos.flatMap((slo) => {
      const source = service.sources[slo.indicator.source];
      if (source?.type !== "unsupported") return [];
      return [
        specError(
          `SLO '${slo.name}' reads ${source.sourceType} (source '${source.name}'), which slo cannot query: slo check, report and alerts report it as not evaluated, slo rules skips it`,
          slo.at,
          "slo reads prometheus, loki and logs; the file still loads and converts to OpenSLO as written",
        ),
      ];
    }),
  );
}

/** References name objects by kind and name, so a name is unique per kind across the files loaded. */
const namedOnce: Rule<OsObject | undefined> = (first) => {
  if (!first) return undefined;
  const where = positionOf(first.r.ydoc, at(first, "metadata", "name"));
  return {
    message: `defined twice (first at ${where.file}:${where.line}:${where.col})`,
    hint: "names are unique per kind across the files loaded",
  };
};

/** Every document's object, indexed by kind and name; a second of the same name is left out. */
function indexObjects(ctx: OpenSloContext, documents: FormatDocument[]): OsObject[] {
  const objects: OsObject[] = [];
  for (const { ydoc, value } of documents) {
    const o = documentObject(ydoc, value, ctx.errors);
    if (!o) {
      noteFailed(ctx, value);
      continue;
    }
    const byName = ctx.index.get(o.kind) ?? new Map<string, OsObject>();
    if (!checkAll(o.r, at(o, "metadata", "name"), byName.get(o.name), namedOnce)) continue;
    byName.set(o.name, o);
    ctx.index.set(o.kind, byName);
    objects.push(o);
  }
  return objects;
}

function ofKind(objects: OsObject[], kind: Kind): OsObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** What a Service document gives the SLOs of that service. */
interface ServiceDoc {
  /** the service's own name, when slo convert renamed it to an OpenSLO name (slo/name) */
  ownName?: string | undefined;
  labels: Record<string, string>;
  displayName?: string | undefined;
  description?: string | undefined;
  health: HealthCheck[];
  /** the Service document, when it says where the deploys show up */
  deploysOn?: OsObject | undefined;
}

function buildServices(ctx: OpenSloContext, objects: OsObject[]): ServiceSpec[] {
  // Everything is checked, referenced or not: `slo validate` shows every problem.
  for (const o of ofKind(objects, "DataSource")) dataSource(ctx, o);
  for (const o of ofKind(objects, "SLI")) once(ctx, o, () => readSli(ctx, o));
  for (const o of objects) readAlertObject(ctx, o);
  const serviceDocs = new Map<string, ServiceDoc>();
  for (const o of ofKind(objects, "Service")) {
    o.r.keys(at(o, "spec"), ["description"]);
    serviceDocs.set(o.name, {
      ownName: annotationsOf(o)[SLO_ANNOTATION.name],
      displayName: o.r.string(at(o, "metadata", "displayName")),
      description: o.r.string(at(o, "spec", "description")),
      labels: labelsOf(o),
      health: healthOf(o, ctx.errors),
      deploysOn: annotationsOf(o)[DEPLOYS_ANNOTATION] === undefined ? undefined : o,
    });
  }
  const services = new Map<string, ServiceSpec>();
  const slosByObject = new Map<string, SloSpec[]>();
  for (const o of ofKind(objects, "SLO")) addSlo(ctx, o, serviceDocs, services, slosByObject);
  for (const o of ofKind(objects, "BudgetAdjustment")) readBudgetAdjustment(ctx, o, slosByObject);
  for (const [name, doc] of serviceDocs) {
    const service = services.get(name);
    if (service && doc.deploysOn) service.deploys = deploysOf(doc.deploysOn, service);
  }
  return [...services.values()];
}

/** An SLO's SLOs join its service, made on first use from the Service document, if any. */
function addSlo(
  ctx: OpenSloContext,
  o: OsObject,
  serviceDocs: Map<string, ServiceDoc>,
  services: Map<string, ServiceSpec>,
  slosByObject: Map<string, SloSpec[]>,
): void {
  const serviceName = o.r.string(at(o, "spec", "service"));
  const serviceDoc = serviceName !== undefined ? serviceDocs.get(serviceName) : undefined;
  const result = mapSlo(ctx, o, serviceDoc?.labels ?? {});
  if (!result) return;
  slosByObject.set(
    o.name,
    result.mapped.map((m) => m.slo),
  );
  if (serviceDoc?.ownName !== undefined) {
    result.service = serviceDoc.ownName;
    for (const { slo } of result.mapped) slo.service = serviceDoc.ownName;
  }
  let service = services.get(result.service);
  if (!service) {
    service = {
      service: result.service,
      ...(serviceDoc?.displayName !== undefined ? { displayName: serviceDoc.displayName } : {}),
      ...(serviceDoc?.description !== undefined ? { description: serviceDoc.description } : {}),
      file: o.r.ydoc.file,
      labels: serviceDoc?.labels ?? {},
      sources: {},
      slos: [],
      notify: [],
      health: serviceDoc?.health ?? [],
    };
    services.set(result.service, service);
  }
  for (const { slo, source } of result.mapped) {
    service.sources[source.name] = source;
    service.slos.push(slo);
  }
}

/**
 * `slo/deploys` on a Service: a native file's deploys:, as JSON, its source
 * a DataSource one of the service's SLOs reads; checked by the native
 * file's rules, at the annotation.
 */
function deploysOf(o: OsObject, service: ServiceSpec): DeploySpec | undefined {
  const path = at(o, "metadata", "annotations", DEPLOYS_ANNOTATION);
  let raw: unknown;
  try {
    raw = JSON.parse(annotationsOf(o)[DEPLOYS_ANNOTATION] ?? "");
  } catch {
    raw = undefined;
  }
  const fields = ["source", "query", "version", "series", "versionLabel"];
  const valid =
    isJson(raw) &&
    typeof raw.source === "string" &&
    Object.entries(raw).every(([k, v]) => fields.includes(k) && typeof v === "string");
  if (!valid) {
    o.r.fail(
      path,
      `Service '${o.name}': ${DEPLOYS_ANNOTATION}: expected a JSON object {"source", "query", "version"} or {"source", "series", "versionLabel"}`,
      `e.g. {"source": "logs", "query": "{app=\\"ctrl\\"} | json | msg = \\"deploy-finished\\"", "version": "version"}`,
    );
    return undefined;
  }
  const deploys = raw as DeploysFields;
  const source = service.sources[deploys.source];
  if (!source) {
    const known = Object.keys(service.sources).join(", ");
    o.r.fail(
      path,
      `Service '${o.name}': ${DEPLOYS_ANNOTATION} names DataSource '${deploys.source}', which none of its SLOs reads`,
      `name one of ${known}`,
    );
    return undefined;
  }
  return readDeploys(o.r, path, deploys, source, positionOf(o.r.ydoc, path));
}

/** `slo/health` on a Service: the dependency checks of the gate, as JSON. */
function healthOf(o: OsObject, errors: SloError[]): HealthCheck[] {
  const text = annotationsOf(o)[HEALTH_ANNOTATION];
  if (text === undefined) return [];
  const where = positionOf(o.r.ydoc, at(o, "metadata", "annotations", HEALTH_ANNOTATION));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (h) =>
        isJson(h) &&
        typeof h.name === "string" &&
        typeof h.url === "string" &&
        (h.onFailure === undefined || h.onFailure === "fail" || h.onFailure === "warn"),
    );
  if (!valid) {
    errors.push(
      specError(
        `Service '${o.name}': metadata.annotations.${HEALTH_ANNOTATION}: expected a JSON list of {"name", "url", "onFailure": "fail"|"warn"}`,
        where,
      ),
    );
    return [];
  }
  return (parsed as { name: string; url: string; onFailure?: "fail" | "warn" }[]).map((h) => ({
    name: h.name,
    url: h.url,
    onFailure: h.onFailure ?? DEFAULT_HEALTH_ON_FAILURE,
  }));
}
