/** zod issues -> errors a user can act on: position, what was expected, "did you mean". */

import type { z } from "zod";
import { type SloError, specError } from "../errors.js";
import { closest } from "./doc-reader.js";
import { knownKeys } from "./schema.js";
import { positionOf, type YamlDocument } from "./yaml-source.js";

let keys: string[] | undefined;

/** All issues of one file as errors, in file order; a missing key that an unknown key was meant to be is left out. */
export function describeZodIssues(
  ydoc: YamlDocument,
  value: unknown,
  issues: z.core.$ZodIssue[],
): SloError[] {
  const errors: SloError[] = [];
  const meant = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) {
      const suggestion = closestKey(key);
      if (suggestion) meant.add(JSON.stringify([...issue.path, suggestion]));
    }
  }
  for (const issue of issues) {
    if (isMissing(value, issue) && meant.has(JSON.stringify(issue.path))) continue;
    errors.push(...describeZodIssue(ydoc, value, issue));
  }
  return errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

function isMissing(value: unknown, issue: z.core.$ZodIssue): boolean {
  return (
    issue.code !== "unrecognized_keys" &&
    issue.path.length > 0 &&
    valueAt(value, issue.path) === undefined
  );
}

export function describeZodIssue(
  ydoc: YamlDocument,
  value: unknown,
  issue: z.core.$ZodIssue,
): SloError[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const where = path.length > 0 ? `${formatPath(path)}: ` : "";
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const suggestion = closestKey(key);
      // a key of another part of the file (a logs source's timestamp on a prometheus source)
      const hint =
        suggestion === key
          ? `'${key}' is a key elsewhere in an SLO file, not here`
          : suggestion
            ? `did you mean '${suggestion}'?`
            : undefined;
      return specError(`${where}unknown key '${key}'`, positionOf(ydoc, path, key), hint);
    });
  }
  if (isMissing(value, issue)) {
    const key = path[path.length - 1];
    const expected = issue.code === "invalid_type" ? ` (expected ${issue.expected})` : "";
    return [
      specError(
        `${formatPath(path.slice(0, -1)) || "file"}: missing required key '${String(key)}'${expected}`,
        positionOf(ydoc, path.slice(0, -1)),
      ),
    ];
  }
  if (
    issue.code === "invalid_union" &&
    "note" in issue &&
    issue.note === "No matching discriminator"
  ) {
    return [specError(`${where}${issue.message}`, positionOf(ydoc, [...path, "type"]))];
  }
  return [specError(`${where}${plain(issue.message)}`, positionOf(ydoc, path))];
}

function plain(message: string): string {
  return message.replace(/^Invalid input: /, "").replace(/^Invalid option: /, "");
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function closestKey(key: string): string | undefined {
  keys ??= [...knownKeys()];
  return closest(key, keys);
}
