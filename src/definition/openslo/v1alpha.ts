/**
 * `openslo/v1alpha`, the version Sloth reads, rewritten into v1 documents
 * the v1 reader then maps (yaml-nodes.ts keeps every position):
 *
 * - `timeWindows: [{count, unit, isRolling, calendar}]` -> `timeWindow:
 *   [{duration: <count><m h d w M Q Y>, isRolling, calendar}]`;
 * - a metric `{source, queryType, query}` -> `metricSource: {type: source,
 *   spec: {query}}` (`source: sloth` is Prometheus, as Sloth reads it;
 *   Sloth's `rate(x[{{.window}}])` counts as `increase`, as in Sloth files);
 * - `spec.indicator.thresholdMetric` -> an inline v1 SLI; an objective's
 *   `ratioMetrics: {good, total, counter, incremental}` -> the inline SLI of
 *   that objective's SLO;
 * - an SLO of several objectives -> one v1 SLO per objective, named
 *   `<name>-<objective displayName, or its number from 1>` (as v1 names the
 *   SLOs of several objectives): v1alpha gives each objective its own ratio.
 */

import type { Pair } from "yaml";
import type { SloError } from "../../errors.js";
import type { DocReader } from "../doc-reader.js";
import type { FormatDocument } from "../formats.js";
import { hasWindowPlaceholder } from "../promql.js";
import { ratesToIncreases } from "../ratio-queries.js";
import type { YamlPath } from "../yaml-source.js";
import { asV1, documentsOf, readerOf } from "./as-v1.js";
import { sourceTypeOf } from "./indicators.js";
import { slug } from "./slo.js";
import {
  child,
  items,
  mapLike,
  pairLike,
  pairOf,
  rewriteMap,
  scalarLike,
  scalarValue,
  seqLike,
  type YamlNode,
} from "./yaml-nodes.js";

/** v1alpha's time units -> v1's shorthand unit and how many of them one is. */
const UNIT_OF: Record<string, { unit: string; per: number }> = {
  second: { unit: "m", per: 1 / 60 },
  minute: { unit: "m", per: 1 },
  hour: { unit: "h", per: 1 },
  day: { unit: "d", per: 1 },
  week: { unit: "w", per: 1 },
  month: { unit: "M", per: 1 },
  quarter: { unit: "Q", per: 1 },
  year: { unit: "Y", per: 1 },
};

const METRIC_KEYS = ["source", "queryType", "query", "metadata"];
const SPEC_KEYS = [
  "description",
  "service",
  "indicator",
  "timeWindows",
  "budgetingMethod",
  "objectives",
];
/** v1alpha's, and v1's timeSliceWindow, which v1alpha has no field for. */
const OBJECTIVE_KEYS = [
  "displayName",
  "value",
  "op",
  "target",
  "timeSliceTarget",
  "timeSliceWindow",
  "ratioMetrics",
];
const RATIO_KEYS = ["good", "total", "counter", "incremental"];
const WINDOW_KEYS = ["count", "unit", "isRolling", "calendar"];

export function v1alphaToV1(document: FormatDocument, errors: SloError[]): FormatDocument[] {
  const { root, kind, r } = readerOf(document, errors);
  const before = errors.length;
  const trees = kind === "SLO" ? sloTrees(r, root) : [asV1(root, () => undefined)];
  // What could not be rewritten is told in v1alpha's terms; v1's errors about the gap would only repeat it.
  if (errors.length > before) return [];
  return documentsOf(document, trees, errors);
}

/** Keys in v1alpha's names, so a typo is told with the name the file uses. */
function checkKeys(r: DocReader): void {
  const spec = ["spec"];
  r.keys(spec, SPEC_KEYS);
  r.keys([...spec, "indicator"], ["thresholdMetric"]);
  r.keys([...spec, "indicator", "thresholdMetric"], METRIC_KEYS);
  const list = (path: YamlPath) => {
    const v = r.value(path);
    return Array.isArray(v) ? v : [];
  };
  list([...spec, "timeWindows"]).forEach((_, i) => {
    r.keys([...spec, "timeWindows", i], WINDOW_KEYS);
  });
  list([...spec, "objectives"]).forEach((_, i) => {
    const objective = [...spec, "objectives", i];
    r.keys(objective, OBJECTIVE_KEYS);
    r.keys([...objective, "ratioMetrics"], RATIO_KEYS);
    for (const part of ["good", "total"]) r.keys([...objective, "ratioMetrics", part], METRIC_KEYS);
  });
}

function sloTrees(r: DocReader, root: YamlNode): YamlNode[] {
  checkKeys(r);
  const spec = child(root, "spec");
  const objectives = items(child(spec, "objectives"));
  if (objectives.length <= 1) return [sloTree(r, root, objectives, 0, undefined)];
  const name = String(scalarValue(child(child(root, "metadata"), "name")) ?? "");
  const taken = new Set<string>();
  return objectives.map((objective, i) => {
    const suffix = slug(String(scalarValue(child(objective, "displayName")) ?? "")) || `${i + 1}`;
    let own = `${name}-${suffix}`;
    if (taken.has(own)) own = `${own}-${i + 1}`;
    taken.add(own);
    const named = rewriteMap(root, (key, value, keyNode) =>
      key === "metadata"
        ? [
            pairLike(
              "metadata",
              keyNode,
              rewriteMap(value, (k, _v, kn) =>
                k === "name" ? [pairLike("name", kn, scalarLike(own, objective))] : undefined,
              ),
            ),
          ]
        : undefined,
    );
    return sloTree(r, named, [objective], i, own);
  });
}

/** One v1 SLO: the objectives given, the indicator of the first (or the SLO's threshold). */
function sloTree(
  r: DocReader,
  root: YamlNode,
  objectives: YamlNode[],
  index: number,
  ownName: string | undefined,
): YamlNode {
  const name = ownName ?? String(scalarValue(child(child(root, "metadata"), "name")) ?? "");
  const objectivePath: YamlPath = ["spec", "objectives", index];
  return asV1(root, (spec) => {
    const indicator = indicatorOf(r, spec, objectives[0], objectivePath, name);
    const rewritten = rewriteMap(spec, (key, value, keyNode) => {
      if (key === "timeWindows")
        return [pairLike("timeWindow", keyNode, timeWindows(r, value, ["spec", "timeWindows"]))];
      if (key === "indicator") return [];
      if (key === "objectives")
        return [
          pairLike(
            "objectives",
            keyNode,
            seqLike(
              value,
              objectives.map((o) => rewriteMap(o, (k) => (k === "ratioMetrics" ? [] : undefined))),
            ),
          ),
        ];
      return undefined;
    });
    const out = rewritten as { items: Pair[] };
    if (indicator) out.items.push(indicator);
    return rewritten;
  });
}

/** `indicator:` of the v1 SLO: the objective's ratioMetrics, else the SLO's thresholdMetric. */
function indicatorOf(
  r: DocReader,
  spec: YamlNode,
  objective: YamlNode,
  objectivePath: YamlPath,
  name: string,
): Pair | undefined {
  const ratio = pairOf(objective, "ratioMetrics");
  const threshold = pairOf(spec, "indicator");
  if (ratio && threshold) {
    r.fail(
      objectivePath,
      "an objective with ratioMetrics cannot also use the SLO's indicator (a thresholdMetric)",
      "give the objective either ratioMetrics, or op and value for the indicator's thresholdMetric",
      "ratioMetrics",
    );
    return undefined;
  }
  const at = ratio ?? threshold;
  if (!at) return undefined;
  const spec1 = ratio
    ? mapLike(ratio.value, [
        pairLike(
          "ratioMetric",
          ratio.key,
          ratioMetrics(r, ratio.value, [...objectivePath, "ratioMetrics"]),
        ),
      ])
    : rewriteMap(at.value, (key, value, keyNode) =>
        key === "thresholdMetric"
          ? [
              pairLike(
                "thresholdMetric",
                keyNode,
                mapLike(value, [
                  pairLike("metricSource", keyNode, metric(r, value, ["spec", "indicator", key])),
                ]),
              ),
            ]
          : undefined,
      );
  const metadata = mapLike(at.value, [pairLike("name", at.key, scalarLike(name, at.key))]);
  return pairLike(
    "indicator",
    at.key,
    mapLike(at.value, [pairLike("metadata", at.key, metadata), pairLike("spec", at.key, spec1)]),
  );
}

function ratioMetrics(r: DocReader, node: YamlNode, path: YamlPath): YamlNode {
  const hasCounter = pairOf(node, "counter") !== undefined;
  return rewriteMap(node, (key, value, keyNode) => {
    if (key === "good" || key === "bad" || key === "total")
      return [
        pairLike(
          key,
          keyNode,
          mapLike(value, [pairLike("metricSource", keyNode, metric(r, value, [...path, key]))]),
        ),
      ];
    // v1alpha's incremental is v1's counter: a value that only grows.
    if (key === "incremental") return hasCounter ? [] : [pairLike("counter", keyNode, value)];
    return undefined;
  });
}

/** `{source, queryType, query}` -> `{type, spec: {query}}`; other keys stay for the v1 reader to name. */
function metric(r: DocReader, node: YamlNode, path: YamlPath): YamlNode {
  const sourcePair = pairOf(node, "source");
  const source = String(scalarValue(sourcePair?.value) ?? "");
  const isSloth = source.trim().toLowerCase() === "sloth";
  const type = isSloth ? "prometheus" : source;
  const queryType = scalarValue(child(node, "queryType"));
  if (sourceTypeOf(type) === "prometheus" && queryType !== undefined && queryType !== "promql") {
    r.fail(
      [...path, "queryType"],
      `queryType ${String(queryType)}: slo reads promql from a ${source} source`,
    );
  }
  const queryPair = pairOf(node, "query");
  const text = scalarValue(queryPair?.value);
  const query =
    queryPair && typeof text === "string" && hasWindowPlaceholder(text)
      ? pairLike("query", queryPair.key, scalarLike(ratesToIncreases(text), queryPair.value))
      : queryPair;
  const others = (node as { items?: Pair[] }).items?.filter(
    (p) => !METRIC_KEYS.includes(String(scalarValue(p.key))),
  );
  return mapLike(node, [
    sourcePair && pairLike("type", sourcePair.key, scalarLike(type, sourcePair.value)),
    pairLike("spec", sourcePair?.key ?? node, mapLike(node, [query])),
    ...(others ?? []),
  ]);
}

/** `timeWindows: [{count, unit, ...}]` -> `timeWindow: [{duration, ...}]`. */
function timeWindows(r: DocReader, node: YamlNode, path: YamlPath): YamlNode {
  return seqLike(
    node,
    items(node).map((w, i) => {
      if (!pairOf(w, "count")) {
        r.missing([...path, i, "count"]);
        return w;
      }
      const duration = durationOf(r, w, [...path, i]);
      return rewriteMap(w, (key, value, keyNode) => {
        if (key === "unit") return [];
        if (key !== "count") return undefined;
        return duration === undefined
          ? []
          : [pairLike("duration", keyNode, scalarLike(duration, value))];
      });
    }),
  );
}

function durationOf(r: DocReader, window: YamlNode, path: YamlPath): string | undefined {
  const count = Number(scalarValue(child(window, "count")));
  const unitText = String(scalarValue(child(window, "unit")) ?? "");
  const unit = UNIT_OF[unitText.toLowerCase()];
  if (!unit) {
    r.fail(
      [...path, "unit"],
      unitText === "" ? "missing required key 'unit'" : `unknown unit '${unitText}'`,
      "v1alpha units: Second, Minute, Hour, Day, Week, Month, Quarter, Year",
    );
    return undefined;
  }
  const n = count * unit.per;
  if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(n)) {
    r.fail(
      [...path, "count"],
      unit.per < 1
        ? `${count} seconds is not a whole number of minutes; OpenSLO windows are whole minutes or longer`
        : "expected a whole number above 0",
    );
    return undefined;
  }
  return `${n}${unit.unit}`;
}
