/**
 * What the readers of the other OpenSLO versions (v1alpha.ts, v2alpha.ts)
 * share: a reader named after the document, the document with apiVersion
 * openslo/v1 and its spec rewritten, and the rewritten trees as documents.
 */

import type { SloError } from "../../errors.js";
import { DocReader } from "../doc-reader.js";
import type { FormatDocument } from "../formats.js";
import { API_VERSION } from "./objects.js";
import {
  child,
  documentOf,
  pairLike,
  rewriteMap,
  scalarLike,
  scalarValue,
  type YamlNode,
} from "./yaml-nodes.js";

/** The document's kind, and a reader whose errors name it (`SLO 'checkout'`). */
export function readerOf(
  document: FormatDocument,
  errors: SloError[],
): { root: YamlNode; kind: string; r: DocReader } {
  const root = document.ydoc.doc.contents;
  const kind = String(scalarValue(child(root, "kind")) ?? "");
  const name = scalarValue(child(child(root, "metadata"), "name"));
  const subject = `${kind || "OpenSLO document"}${name === undefined ? "" : ` '${String(name)}'`}`;
  return { root, kind, r: new DocReader(document.ydoc, subject, document.value, errors) };
}

/** The document with apiVersion openslo/v1, and `rewriteSpec` applied to its spec. */
export function asV1(
  root: YamlNode,
  rewriteSpec: (spec: YamlNode) => YamlNode | undefined,
): YamlNode {
  return rewriteMap(root, (key, value, keyNode) => {
    if (key === "apiVersion")
      return [pairLike("apiVersion", keyNode, scalarLike(API_VERSION, value))];
    if (key === "spec") {
      const spec = rewriteSpec(value);
      return spec === undefined ? undefined : [pairLike("spec", keyNode, spec)];
    }
    return undefined;
  });
}

/** The rewritten trees as documents of the same file; one that cannot be is an error. */
export function documentsOf(
  document: FormatDocument,
  trees: YamlNode[],
  errors: SloError[],
): FormatDocument[] {
  const out: FormatDocument[] = [];
  for (const tree of trees) {
    const doc = documentOf(document.ydoc, tree);
    if ("error" in doc) errors.push(doc.error);
    else out.push(doc);
  }
  return out;
}
