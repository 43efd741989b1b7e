/**
 * What a document holds at its top: one object of a format, or a list of
 * objects (as the OpenSLO Go SDK and oslo write them, and a JSON array),
 * each item then a document of its own. When it is neither, the error says
 * what was found, so a file that is not an SLO file is recognised as such.
 */

import { type SloError, specError } from "../errors.js";
import { MAX_KEYS_NAMED_IN_ERRORS } from "../limits.js";
import { detectFormat, type FormatDocument, type FormatLoader, isRecord } from "./formats.js";
import { itemDocument, positionOf, type YamlDocument } from "./yaml-source.js";

export interface DetectedDocument {
  format: FormatLoader;
  document: FormatDocument;
}

export interface Detected {
  documents: DetectedDocument[];
  errors: SloError[];
}

const EXPECTED =
  "expected `service:` and `slos:` (native), `apiVersion: openslo/v1` (OpenSLO, one object or a list of them), `version: prometheus/v1` (Sloth) or `apiVersion: pyrra.dev/v1alpha1` (Pyrra)";

/** The documents a parsed document holds, each with its format; what is no SLO object is an error. */
export function detectDocuments(
  ydoc: YamlDocument,
  value: unknown,
  formats: FormatLoader[],
): Detected {
  if (Array.isArray(value)) return detectListItems(ydoc, value, formats);
  const format = detectFormat(value, formats);
  if (format) return { documents: [{ format, document: { ydoc, value } }], errors: [] };
  return {
    documents: [],
    errors: [notAnSloFile(ydoc, `${describe(value)}: not a native, OpenSLO, Sloth or Pyrra file`)],
  };
}

/**
 * A list of objects. When none of its items is an object slo reads, the
 * file is not an SLO file; otherwise each item that is not is an error of
 * its own and the others still load, so every problem is shown at once.
 */
function detectListItems(ydoc: YamlDocument, items: unknown[], formats: FormatLoader[]): Detected {
  const formatOfItem = items.map((item) => detectFormat(item, formats));
  if (!formatOfItem.some((f) => f !== undefined)) {
    const found =
      items.length === 0
        ? "an empty list"
        : `a YAML list of ${countOf(items)}, not OpenSLO objects`;
    return { documents: [], errors: [notAnSloFile(ydoc, found)] };
  }
  const detected: Detected = { documents: [], errors: [] };
  items.forEach((value, i) => {
    const format = formatOfItem[i];
    if (format) {
      detected.documents.push({ format, document: { ydoc: itemDocument(ydoc, i), value } });
    } else {
      detected.errors.push(
        specError(
          `list item [${i}]: ${describe(value)}, not an OpenSLO object`,
          positionOf(ydoc, [i]),
          "each item of the list is one object: apiVersion: openslo/v1, kind, metadata, spec",
        ),
      );
    }
  });
  return detected;
}

function notAnSloFile(ydoc: YamlDocument, found: string): SloError {
  return specError(`not an SLO file: ${found}`, positionOf(ydoc, []), EXPECTED);
}

/** A value as the user would name it: "a mapping with keys a, b, c", "a string". */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${countOf(value)}`;
  if (!isRecord(value)) return `${article(kindOf(value))}`;
  const { apiVersion, kind } = value;
  if (typeof apiVersion === "string" && typeof kind === "string") {
    return `a Kubernetes-style object (apiVersion ${apiVersion}, kind ${kind})`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "an empty mapping";
  const named = keys.slice(0, MAX_KEYS_NAMED_IN_ERRORS).join(", ");
  const more =
    keys.length > MAX_KEYS_NAMED_IN_ERRORS
      ? ` and ${keys.length - MAX_KEYS_NAMED_IN_ERRORS} more`
      : "";
  return `a mapping with ${keys.length === 1 ? "key" : "keys"} ${named}${more}`;
}

type ValueKind = "string" | "number" | "true/false value" | "empty value" | "mapping" | "list";

function kindOf(value: unknown): ValueKind {
  if (Array.isArray(value)) return "list";
  if (isRecord(value)) return "mapping";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "true/false value";
  return "empty value";
}

function article(kind: ValueKind): string {
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

/** "3 strings", "1 mapping", "2 items" when they are of different kinds. */
function countOf(items: unknown[]): string {
  const kinds = new Set(items.map(kindOf));
  const kind = kinds.size === 1 ? [...kinds][0]! : "item";
  return `${items.length} ${kind}${items.length === 1 ? "" : "s"}`;
}
