/**
 * YAML aliases as the yaml package expands them, to say which alias it
 * refused and where: one that names no anchor before it, or the one whose
 * expansion passes the limit (a billion-laughs file, where each level
 * repeats the one before until the document is gigabytes).
 */

import { type Alias, type Document, isAlias, isCollection, isPair, type Node, visit } from "yaml";

export type RefusedAlias = { alias: Alias; why: "no anchor" | "too many aliases" };

interface AnchorUse {
  /** how often the anchored value is expanded: once where it is written, once per alias */
  count: number;
  /** how many values one expansion holds, 0 until an alias first needs it */
  aliasCount: number;
}

/**
 * The first alias, in document order, that `doc.toJS({ maxAliasCount: limit })`
 * refuses. It counts as yaml 2 does (nodes/Alias.ts): an alias fails when
 * its anchor's expansions times the size of one expansion pass the limit.
 */
export function firstRefusedAlias(doc: Document.Parsed, limit: number): RefusedAlias | undefined {
  const latestAnchor = new Map<string, Node>();
  const resolved = new Map<Alias, Node>();
  const uses = new Map<Node, AnchorUse>();
  let refused: RefusedAlias | undefined;
  visit(doc, {
    Node: (_key, node) => {
      if (!isAlias(node)) {
        if (node.anchor) {
          latestAnchor.set(node.anchor, node);
          uses.set(node, { count: 1, aliasCount: 0 });
        }
        return undefined;
      }
      const source = latestAnchor.get(node.source);
      const use = source && uses.get(source);
      if (!source || !use) {
        refused = { alias: node, why: "no anchor" };
        return visit.BREAK;
      }
      resolved.set(node, source);
      use.count += 1;
      if (use.aliasCount === 0) use.aliasCount = expansionSize(source, resolved, uses);
      if (use.count * use.aliasCount <= limit) return undefined;
      refused = { alias: node, why: "too many aliases" };
      return visit.BREAK;
    },
  });
  return refused;
}

/** yaml's getAliasCount: the largest expansion among a value's parts, 1 for a scalar. */
function expansionSize(
  node: unknown,
  resolved: Map<Alias, Node>,
  uses: Map<Node, AnchorUse>,
): number {
  if (isAlias(node)) {
    const source = resolved.get(node);
    const use = source && uses.get(source);
    return use ? use.count * use.aliasCount : 0;
  }
  if (isCollection(node)) {
    let largest = 0;
    for (const item of node.items) largest = Math.max(largest, expansionSize(item, resolved, uses));
    return largest;
  }
  if (isPair(node)) {
    return Math.max(
      expansionSize(node.key, resolved, uses),
      expansionSize(node.value, resolved, uses),
    );
  }
  return 1;
}
