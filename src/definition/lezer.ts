/** What the LogQL and PromQL checks share about lezer trees. */

import type { LRParser } from "@lezer/lr";

export type SyntaxNode = ReturnType<LRParser["parse"]>["topNode"];

/** The first error node of a parse, in document order, or null when it parsed cleanly. */
export function firstErrorNode(top: SyntaxNode): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  top.cursor().iterate((node) => {
    if (found) return false;
    if (node.type.isError) {
      found = node.node;
      return false;
    }
    return undefined;
  });
  return found;
}
