/**
 * `${VAR}` and `${VAR:-default}` in string values, expanded from the
 * environment in place in the YAML document, so positions stay exact.
 * `$${` writes a literal `${`.
 */

import { isScalar, visit } from "yaml";
import { type SloError, specError } from "../errors.js";
import type { YamlDocument, YamlPath } from "./yaml-source.js";

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandString(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (whole, name: string | undefined, fallback?: string) => {
    if (whole === "$${") return "${";
    const set = env[name!];
    if (set !== undefined && set !== "") return set;
    if (fallback !== undefined) return fallback;
    if (set === "") return "";
    missing.push(name!);
    return whole;
  });
  return { value, missing };
}

/**
 * Expand every string value of the document but those under `unexpanded`
 * (what slo never reads: kept as written, so no variable there needs to be
 * set and no secret enters the model); returns the errors for unset variables.
 */
export function expandEnvInDocument(
  ydoc: YamlDocument,
  env: Record<string, string | undefined>,
  unexpanded: readonly YamlPath[] = [],
): SloError[] {
  const errors: SloError[] = [];
  const unread = new Set<unknown>(
    unexpanded.map((path) => ydoc.doc.getIn(path, true)).filter((node) => node != null),
  );
  const expandNode = (node: unknown) => {
    if (!isScalar(node) || typeof node.value !== "string" || !node.value.includes("${")) return;
    const { value, missing } = expandString(node.value, env);
    for (const name of missing) {
      const { line, col } = ydoc.lines.linePos(node.range?.[0] ?? 0);
      errors.push(
        specError(
          `environment variable ${name} is not set`,
          { file: ydoc.file, line, col },
          `set ${name}, or give a default: \${${name}:-value}`,
        ),
      );
    }
    node.value = value;
  };
  visit(ydoc.doc, {
    Pair(_, pair) {
      if (unread.has(pair.value)) return visit.SKIP;
      expandNode(pair.value);
      return undefined;
    },
    Map(_, map) {
      return unread.has(map) ? visit.SKIP : undefined;
    },
    Seq(_, seq) {
      if (unread.has(seq)) return visit.SKIP;
      seq.items.forEach((item) => {
        if (!unread.has(item)) expandNode(item);
      });
      return undefined;
    },
  });
  return errors;
}
