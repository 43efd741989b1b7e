/**
 * `openslo.com/v2alpha` (the spec repository's draft, the Go SDK's v2alpha
 * package) rewritten into v1 documents the v1 reader then maps
 * (yaml-nodes.ts keeps every position). What was renamed:
 *
 * - `spec.sli` / `spec.sliRef` of an SLO (and of a composite objective) ->
 *   `indicator` / `indicatorRef`; `spec.serviceRef` -> `service`;
 * - a metric `{dataSourceRef, spec}` -> `metricSource: {metricSourceRef,
 *   spec}`; `{dataSourceSpec: {type}, spec}` -> `metricSource: {type,
 *   spec}` (a DataSource's connection inline is refused: slo reads it from a
 *   DataSource object, named with dataSourceRef);
 * - the rest (Service, DataSource, alert policies, conditions and targets,
 *   time windows, objectives) is v1's shape already.
 */

import type { Pair } from "yaml";
import type { SloError } from "../../errors.js";
import type { DocReader } from "../doc-reader.js";
import type { FormatDocument } from "../formats.js";
import type { YamlPath } from "../yaml-source.js";
import { asV1, documentsOf, readerOf } from "./as-v1.js";
import { sourceTypeOf } from "./indicators.js";
import { mapLike, pairLike, pairOf, rewriteMap, scalarValue, type YamlNode } from "./yaml-nodes.js";

export function v2alphaToV1(document: FormatDocument, errors: SloError[]): FormatDocument[] {
  const { root, kind, r } = readerOf(document, errors);
  const rewriteSpec =
    kind === "SLO"
      ? (spec: YamlNode) => sloSpec(r, spec, ["spec"])
      : kind === "SLI"
        ? (spec: YamlNode) => sliSpec(r, spec, ["spec"])
        : () => undefined;
  const before = errors.length;
  const tree = asV1(root, rewriteSpec);
  // What could not be rewritten is told in v2alpha's terms; v1's errors about the gap would only repeat it.
  if (errors.length > before) return [];
  return documentsOf(document, [tree], errors);
}

const SLO_SPEC_KEYS = [
  "description",
  "service",
  "serviceRef",
  "sli",
  "sliRef",
  "budgetingMethod",
  "timeWindow",
  "objectives",
  "alertPolicies",
];

/** Keys in v2alpha's names are checked here, so a typo is told with the name the file uses. */
function sloSpec(r: DocReader, spec: YamlNode, path: YamlPath): YamlNode {
  r.keys(path, SLO_SPEC_KEYS);
  return rewriteMap(spec, (key, value, keyNode) => {
    if (key === "serviceRef") return [pairLike("service", keyNode, value)];
    if (key === "sli") return [pairLike("indicator", keyNode, inlineSli(r, value, [...path, key]))];
    if (key === "sliRef") return [pairLike("indicatorRef", keyNode, value)];
    return undefined;
  });
}

/** An SLI inline: `{metadata, spec}`, its spec rewritten. */
function inlineSli(r: DocReader, node: YamlNode, path: YamlPath): YamlNode {
  return rewriteMap(node, (key, value, keyNode) =>
    key === "spec" ? [pairLike("spec", keyNode, sliSpec(r, value, [...path, key]))] : undefined,
  );
}

function sliSpec(r: DocReader, spec: YamlNode, path: YamlPath): YamlNode {
  r.keys(path, ["description", "thresholdMetric", "ratioMetric"]);
  r.keys([...path, "ratioMetric"], ["counter", "good", "bad", "total", "rawType", "raw"]);
  return rewriteMap(spec, (key, value, keyNode) => {
    if (key === "thresholdMetric") return [metricPair(r, key, keyNode, value, [...path, key])];
    if (key !== "ratioMetric") return undefined;
    const ratio = rewriteMap(value, (k, v, kn) =>
      ["good", "bad", "total", "raw"].includes(k)
        ? [metricPair(r, k, kn, v, [...path, key, k])]
        : undefined,
    );
    return [pairLike(key, keyNode, ratio)];
  });
}

/** `good: {dataSourceRef, spec}` -> `good: {metricSource: {metricSourceRef, spec}}`. */
function metricPair(
  r: DocReader,
  key: string,
  keyNode: YamlNode,
  node: YamlNode,
  path: YamlPath,
): Pair {
  r.keys(path, ["dataSourceRef", "dataSourceSpec", "spec"]);
  const metricSource = rewriteMap(node, (k, v, kn) => {
    if (k === "dataSourceRef") return [pairLike("metricSourceRef", kn, v)];
    if (k !== "dataSourceSpec") return undefined;
    return dataSourceType(r, v, [...path, k]);
  });
  return pairLike(key, keyNode, mapLike(node, [pairLike("metricSource", keyNode, metricSource)]));
}

/** An inline DataSource gives its type; its connection belongs in a DataSource object. */
function dataSourceType(r: DocReader, node: YamlNode, path: YamlPath): Pair[] {
  const type = pairOf(node, "type");
  const typeText = String(scalarValue(type?.value) ?? "");
  if (!type) {
    r.missing([...path, "type"]);
    return [];
  }
  if (pairOf(node, "connectionDetails") && sourceTypeOf(typeText) !== undefined) {
    r.fail(
      path,
      `slo reads a ${typeText} connection from a DataSource object, not from dataSourceSpec`,
      "write a DataSource with these connectionDetails and name it with dataSourceRef",
      "connectionDetails",
    );
  }
  return [pairLike("type", type.key, type.value)];
}
