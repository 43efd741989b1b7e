/**
 * OpenSLO objects: top-level documents and the objects inlined in them,
 * each with a reader that knows where it is. Objects of the whole set are
 * indexed by kind and name, so references resolve across files.
 */

import type { SloError } from "../../errors.js";
import { DocReader, isJson } from "../doc-reader.js";
import type { SourceSpec } from "../model.js";
import type { YamlDocument, YamlPath } from "../yaml-source.js";
import { LABELS_ANNOTATION } from "./extensions.js";

export const KINDS = [
  "SLO",
  "SLI",
  "DataSource",
  "AlertPolicy",
  "AlertCondition",
  "AlertNotificationTarget",
  "Service",
  "BudgetAdjustment",
] as const;

export type Kind = (typeof KINDS)[number];

/** The version slo maps (and writes); the others are rewritten into it first (v1alpha.ts, v2alpha.ts). */
export const API_VERSION = "openslo/v1";
export const V1ALPHA = "openslo/v1alpha";
export const V2ALPHA = "openslo.com/v2alpha";
export const READ_API_VERSIONS = [API_VERSION, V1ALPHA, V2ALPHA];

export interface OsObject {
  kind: Kind;
  name: string;
  /** reads the document this object is in; errors name the object */
  r: DocReader;
  /** where the object is inside its document: [] for a document of its own */
  base: YamlPath;
}

export function at(o: OsObject, ...path: (string | number)[]): YamlPath {
  return [...o.base, ...path];
}

/** The set being loaded: every named document, and what was built from them. */
export interface OpenSloContext {
  env: Record<string, string | undefined>;
  errors: SloError[];
  /** what loads but slo cannot honour as written: told, never fatal */
  warnings: SloError[];
  index: Map<Kind, Map<string, OsObject>>;
  /** names of objects that failed to load (their errors told), by kind */
  failed: Map<Kind, Set<string>>;
  /** DataSources by object, once each */
  dataSources: Map<OsObject, DataSourceDef | undefined>;
  /** the source used where a metricSource names a type and no DataSource exists, by type (lower case) */
  implicit: Map<string, SourceSpec>;
  /** referenced objects, read once however many SLOs refer to them */
  parsed: Map<OsObject, unknown>;
}

/** Read a referenced object once; inline objects are read where they stand. */
export function once<T>(ctx: OpenSloContext, o: OsObject, read: () => T): T {
  if (ctx.parsed.has(o)) return ctx.parsed.get(o) as T;
  const value = read();
  ctx.parsed.set(o, value);
  return value;
}

/** A DataSource read: of a type slo queries, or kept as written (type `unsupported`). */
export type DataSourceDef = { source: SourceSpec };

const METADATA_KEYS = ["name", "displayName", "labels", "annotations", "namespace"];

/** A Service's spec holds only a description: the SDK and oslo write Services without one. */
const SPEC_OPTIONAL: readonly Kind[] = ["Service"];

/** A top-level document: apiVersion, kind, metadata.name and spec, checked. */
export function documentObject(
  ydoc: YamlDocument,
  value: unknown,
  errors: SloError[],
): OsObject | undefined {
  const r = new DocReader(ydoc, "OpenSLO document", value, errors);
  if (!isJson(value)) {
    r.fail([], "expected a mapping with apiVersion, kind, metadata and spec");
    return undefined;
  }
  const apiVersion = String(value.apiVersion);
  if (apiVersion !== API_VERSION) {
    r.fail(
      ["apiVersion"],
      `${apiVersion} is not supported; slo reads ${READ_API_VERSIONS.join(", ")}`,
    );
    return undefined;
  }
  const kind = r.string(["kind"], true);
  if (kind === undefined) return undefined;
  if (!(KINDS as readonly string[]).includes(kind)) {
    r.fail(["kind"], `unknown kind '${kind}'`, `OpenSLO v1 kinds: ${KINDS.join(", ")}`);
    return undefined;
  }
  return objectAt(r, [], kind as Kind);
}

/** An object at `base` of a reader's document (inline or not): envelope checked, named. */
export function objectAt(r: DocReader, base: YamlPath, kind: Kind): OsObject | undefined {
  const before = r.errors.length;
  r.keys(base, ["apiVersion", "kind", "metadata", "spec"]);
  const declared = r.value([...base, "kind"]);
  if (declared !== undefined && declared !== kind) {
    r.fail([...base, "kind"], `expected kind ${kind} here, got ${String(declared)}`);
  }
  r.record([...base, "metadata"], true);
  const name = r.string([...base, "metadata", "name"], true);
  // Inline objects are named inside the document that holds them.
  const named =
    name === undefined
      ? r
      : r.as(base.length > 0 ? `${r.subject}, inline ${kind} '${name}'` : `${kind} '${name}'`);
  named.keys([...base, "metadata"], METADATA_KEYS);
  named.record([...base, "spec"], !SPEC_OPTIONAL.includes(kind));
  if (name === undefined || r.errors.length > before) return undefined;
  named.labels([...base, "metadata", "labels"]);
  return { kind, name, r: named, base };
}

/** The object a `...Ref` names, or an error at the reference naming what exists. */
export function lookup(
  ctx: OpenSloContext,
  kind: Kind,
  r: DocReader,
  refPath: YamlPath,
  name: string,
): OsObject | undefined {
  const found = ctx.index.get(kind)?.get(name);
  if (found || ctx.failed.get(kind)?.has(name)) return found;
  const known = [...(ctx.index.get(kind)?.keys() ?? [])];
  r.fail(
    refPath,
    `no ${kind} named '${name}' in the files loaded`,
    known.length > 0
      ? `defined: ${known.join(", ")}`
      : `load the file that defines it too (slo reads every file of a folder)`,
  );
  return undefined;
}

/** `metadata.annotations` as strings. */
export function annotationsOf(o: OsObject): Record<string, string> {
  return o.r.labels(at(o, "metadata", "annotations"));
}

/** `metadata.labels`, with those slo convert wrote in `slo/labels` (names OpenSLO's keys cannot hold). */
export function labelsOf(o: OsObject): Record<string, string> {
  const labels = o.r.labels(at(o, "metadata", "labels"));
  const text = annotationsOf(o)[LABELS_ANNOTATION];
  if (text === undefined) return labels;
  const extra = jsonLabels(text);
  if (!extra) {
    o.r.fail(
      at(o, "metadata", "annotations", LABELS_ANNOTATION),
      `${LABELS_ANNOTATION}: expected a JSON object of label names and string values`,
    );
    return labels;
  }
  return { ...labels, ...extra };
}

function jsonLabels(text: string): Record<string, string> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    return entries.every(([, v]) => typeof v === "string")
      ? Object.fromEntries(entries as [string, string][])
      : undefined;
  } catch {
    return undefined;
  }
}
