/**
 * YAML documents that remember where every value was written, so a schema
 * problem found in the plain JS value can be reported at file:line:col.
 */

import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import { type SloError, type SourcePosition, specError } from "../errors.js";
import { MAX_YAML_ALIASES } from "../limits.js";
import { firstRefusedAlias } from "./yaml-aliases.js";

export type YamlPath = readonly (string | number)[];

export interface YamlDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** The YAML errors that usually mean a line is indented wrongly. */
const INDENTATION_CODES = new Set<string>([
  "BAD_INDENT",
  "BLOCK_AS_IMPLICIT_KEY",
  "MULTILINE_IMPLICIT_KEY",
  "TAB_AS_INDENT",
  "MISSING_CHAR",
  "UNEXPECTED_TOKEN",
]);

/** Parse every document of a file; YAML syntax errors come back as values. */
export function parseYamlFile(
  file: string,
  text: string,
): { docs: YamlDocument[]; errors: SloError[] } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const all = Array.isArray(parsed) ? parsed : [];
  const errors: SloError[] = [];
  for (const d of all) {
    // After the first syntax error the parser is lost and the rest follow from
    // it; duplicate keys are each a mistake of their own.
    let syntaxErrors = 0;
    for (const e of d.errors) {
      if (e.code !== "DUPLICATE_KEY" && syntaxErrors++ > 0) continue;
      const pos = lines.linePos(e.pos[0]);
      errors.push(
        specError(
          `YAML syntax error: ${firstLine(e.message)}`,
          { file, line: pos.line, col: pos.col },
          INDENTATION_CODES.has(e.code)
            ? "YAML reads the structure from indentation: check this line's and the next lines' indentation (spaces, not tabs)"
            : undefined,
        ),
      );
    }
  }
  if (!Array.isArray(parsed)) {
    // parseAllDocuments returns an empty stream object for empty input
    return { docs: [], errors };
  }
  if (errors.length > 0) return { docs: [], errors };
  const docs = all.filter((d) => d.contents !== null).map((doc) => ({ file, doc, lines }));
  return { docs, errors };
}

/**
 * The document as plain values, its aliases expanded up to MAX_YAML_ALIASES;
 * an alias past that (an alias bomb) or without an anchor is an error at
 * the alias.
 */
export function plainValueOf(ydoc: YamlDocument): { value: unknown } | { errors: SloError[] } {
  try {
    return { value: ydoc.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (error) {
    const refused = firstRefusedAlias(ydoc.doc, MAX_YAML_ALIASES);
    if (!refused) throw error;
    const { alias, why } = refused;
    const { line, col } = ydoc.lines.linePos(alias.range?.[0] ?? 0);
    const at = { file: ydoc.file, line, col };
    return {
      errors: [
        why === "no anchor"
          ? specError(
              `YAML alias *${alias.source} has no anchor &${alias.source} before it`,
              at,
              `an alias repeats a value marked earlier with &${alias.source}`,
            )
          : specError(
              `too many aliases: expanding *${alias.source} here passes the limit of ${MAX_YAML_ALIASES} alias expansions per document`,
              at,
              "aliases that repeat aliases grow exponentially (a YAML alias bomb); write the values out, or nest fewer aliases",
            ),
      ],
    };
  }
}

/**
 * An item of a top-level list as a document of its own, the way the OpenSLO
 * SDK reads a list of objects. Its nodes are the file's own, so positions
 * stay exact. Its plain value is the item of the whole list's value (an
 * alias may repeat an anchor of another item), never read from it again.
 */
export function itemDocument(ydoc: YamlDocument, index: number): YamlDocument {
  const list = ydoc.doc.contents;
  const item = isSeq(list) ? list.items[index] : undefined;
  const doc = new Document(item) as unknown as Document.Parsed;
  return { file: ydoc.file, doc, lines: ydoc.lines };
}

function firstLine(message: string): string {
  // The yaml package appends "at line X, column Y" and a code excerpt; we give our own position.
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * The position of the node at `path`, or of the nearest ancestor that exists
 * (a missing key is reported at the map that should hold it). With `key`,
 * the position of that key inside the map at `path`.
 */
export function positionOf(ydoc: YamlDocument, path: YamlPath, key?: string): SourcePosition {
  let node: unknown = ydoc.doc.contents;
  let best: unknown = node;
  for (const seg of path) {
    const next = childOf(node, seg);
    if (next === undefined) break;
    node = next;
    best = next;
  }
  if (key !== undefined && isMap(best)) {
    const pair = best.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) best = pair.key;
  }
  const range = (best as { range?: [number, number, number] } | null)?.range;
  const offset = range ? range[0] : 0;
  const { line, col } = ydoc.lines.linePos(offset);
  return { file: ydoc.file, line, col };
}

/** Position of a character offset inside the string scalar at `path` (for query syntax errors). */
export function positionInScalar(
  ydoc: YamlDocument,
  path: YamlPath,
  offset: number,
): SourcePosition {
  let node: unknown = ydoc.doc.contents;
  for (const seg of path) {
    const next = childOf(node, seg);
    if (next === undefined) return positionOf(ydoc, path);
    node = next;
  }
  if (!isScalar(node) || !node.range) return positionOf(ydoc, path);
  const start = node.range[0];
  // Plain scalars start at the first character; quoted ones after the quote.
  const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
  const isBlock = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  if (isBlock) return positionOf(ydoc, path);
  const { line, col } = ydoc.lines.linePos(start + (quoted ? 1 : 0) + offset);
  return { file: ydoc.file, line, col };
}

function childOf(node: unknown, seg: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
    );
    return pair ? (pair.value ?? pair.key) : undefined;
  }
  if (isSeq(node) && typeof seg === "number") return node.items[seg];
  return undefined;
}
