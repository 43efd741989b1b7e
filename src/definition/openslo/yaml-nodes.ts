/**
 * Rewriting an OpenSLO document of another version into the v1 shape, node
 * by node: the new tree holds the file's own nodes (renamed keys and made-up
 * values take the range of what they were made from), so every error the v1
 * reader finds in it is still at the user's line and column.
 */

import { Document, isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { specError } from "../../errors.js";
import type { FormatDocument } from "../formats.js";
import { plainValueOf, type YamlDocument } from "../yaml-source.js";

export type YamlNode = unknown;

type Ranged = { range?: [number, number, number] | null | undefined };

function rangeOf(node: YamlNode): [number, number, number] | undefined {
  return (node as Ranged | null)?.range ?? undefined;
}

/** A value of slo's making, found where `like` was written. */
export function scalarLike(value: string | number | boolean, like: YamlNode): Scalar {
  const s = new Scalar(value);
  const range = rangeOf(like);
  if (range) s.range = range;
  return s;
}

export function pairOf(map: YamlNode, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find(
    (p): p is Pair => isPair(p) && isScalar(p.key) && String(p.key.value) === key,
  ) as Pair | undefined;
}

export function child(map: YamlNode, key: string): YamlNode {
  return pairOf(map, key)?.value ?? undefined;
}

export function scalarValue(node: YamlNode): unknown {
  return isScalar(node) ? node.value : undefined;
}

export function items(node: YamlNode): YamlNode[] {
  return isSeq(node) ? [...node.items] : [];
}

/** Each pair of the map, as written, unless `rewrite` says otherwise for its key. */
export type Rewrite = (key: string, value: YamlNode, keyNode: YamlNode) => Pair[] | undefined;

/**
 * The same mapping with some keys renamed, rewritten or dropped: `rewrite`
 * returns the pairs to put in place of a key ([] drops it) or undefined to
 * keep it. Keys it does not know stay, so the v1 reader names them.
 */
export function rewriteMap(map: YamlNode, rewrite: Rewrite): YamlNode {
  if (!isMap(map)) return map;
  const out = new YAMLMap();
  if (map.range) out.range = map.range;
  for (const p of map.items) {
    const key = isScalar(p.key) ? String(p.key.value) : undefined;
    const replaced = key === undefined ? undefined : rewrite(key, p.value, p.key);
    if (replaced) out.items.push(...replaced);
    else out.items.push(p as Pair);
  }
  return out;
}

/** `key: value`, the key found where `keyLike` was written. */
export function pairLike(key: string, keyLike: YamlNode, value: YamlNode): Pair {
  return new Pair(scalarLike(key, keyLike), value);
}

/** A mapping of slo's making, found where `like` was written. */
export function mapLike(like: YamlNode, pairs: (Pair | undefined)[]): YAMLMap {
  const out = new YAMLMap();
  const range = rangeOf(like);
  if (range) out.range = range;
  for (const p of pairs) if (p) out.items.push(p);
  return out;
}

export function seqLike(like: YamlNode, nodes: YamlNode[]): YAMLSeq {
  const out = new YAMLSeq();
  const range = rangeOf(like);
  if (range) out.range = range;
  out.items.push(...nodes);
  return out;
}

/**
 * The rewritten tree as a document of its own, with its plain value. An
 * alias whose anchor the rewrite left out is an error at the document.
 */
export function documentOf(
  ydoc: YamlDocument,
  contents: YamlNode,
): FormatDocument | { error: ReturnType<typeof specError> } {
  const doc = new Document(contents) as unknown as Document.Parsed;
  const rewritten: YamlDocument = { file: ydoc.file, doc, lines: ydoc.lines };
  try {
    const plain = plainValueOf(rewritten);
    if ("value" in plain) return { ydoc: rewritten, value: plain.value };
    return { error: plain.errors[0]! };
  } catch {
    const { line, col } = ydoc.lines.linePos(rangeOf(contents)?.[0] ?? 0);
    return {
      error: specError(
        "an alias in this document repeats a value slo had to move while reading the older OpenSLO version",
        { file: ydoc.file, line, col },
        "write the value out instead of the alias",
      ),
    };
  }
}
