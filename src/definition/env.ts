/**
 * `${VAR}` and `${VAR:-default}` in string values, expanded from the
 * environment in place in the YAML document, so positions stay exact.
 * `$${` writes a literal `${`.
 */

import { isScalar, visit } from "yaml";
import { type SloError, specError } from "../errors.js";
import type { YamlDocument } from "./yaml-source.js";

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

/** Expand every string value of the document; returns the errors for unset variables. */
export function expandEnvInDocument(
  ydoc: YamlDocument,
  env: Record<string, string | undefined>,
): SloError[] {
  const errors: SloError[] = [];
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
      expandNode(pair.value);
    },
    Seq(_, seq) {
      seq.items.forEach(expandNode);
    },
  });
  return errors;
}
