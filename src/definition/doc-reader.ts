/**
 * Reading a foreign document (OpenSLO, Sloth) field by field, with the
 * position of every field at hand: each problem becomes an error that names
 * the document, the field path and file:line:col. Nothing throws; a reader
 * collects its errors and returns `undefined` for a field it cannot use.
 */

import { type SloError, specError } from "../errors.js";
import { positionInScalar, positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `spec.objectives[0].target`, the way users read a path. */
export function formatPath(path: YamlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

export class DocReader {
  constructor(
    readonly ydoc: YamlDocument,
    /** the document as the error names it: `SLO 'checkout'` */
    readonly subject: string,
    readonly root: unknown,
    readonly errors: SloError[],
  ) {}

  /** The same document under another name (an inline object inside it). */
  as(subject: string): DocReader {
    return new DocReader(this.ydoc, subject, this.root, this.errors);
  }

  fail(path: YamlPath, message: string, hint?: string, key?: string): void {
    const field = formatPath(key !== undefined ? [...path, key] : path);
    this.errors.push(
      specError(
        `${this.subject}: ${field ? `${field}: ` : ""}${message}`,
        positionOf(this.ydoc, path, key),
        hint,
      ),
    );
  }

  /** At a character of the string at `path`: where a query stops parsing. */
  failInScalar(path: YamlPath, offset: number, message: string, hint?: string): void {
    const field = formatPath(path);
    this.errors.push(
      specError(
        `${this.subject}: ${field ? `${field}: ` : ""}${message}`,
        positionInScalar(this.ydoc, path, offset),
        hint,
      ),
    );
  }

  value(path: YamlPath): unknown {
    let node: unknown = this.root;
    for (const seg of path) {
      if (Array.isArray(node) && typeof seg === "number") node = node[seg];
      else if (isJson(node)) node = node[String(seg)];
      else return undefined;
    }
    return node;
  }

  has(path: YamlPath): boolean {
    return this.value(path) !== undefined && this.value(path) !== null;
  }

  /** A mapping; `required` reports a missing one. */
  record(path: YamlPath, required = false): Json | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (!isJson(v)) {
      this.fail(path, "expected a mapping (key: value)");
      return undefined;
    }
    return v;
  }

  list(path: YamlPath, required = false): unknown[] | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.fail(path, "expected a list");
      return undefined;
    }
    return v;
  }

  string(path: YamlPath, required = false): string | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (typeof v === "string") {
      if (required && v.trim() === "") {
        this.fail(path, "must not be empty");
        return undefined;
      }
      return v;
    }
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.fail(path, "expected a string");
    return undefined;
  }

  number(path: YamlPath, required = false): number | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) {
      if (required) this.missing(path);
      return undefined;
    }
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    this.fail(path, `expected a number, got ${JSON.stringify(v)}`);
    return undefined;
  }

  boolean(path: YamlPath): boolean | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    this.fail(path, `expected true or false, got ${JSON.stringify(v)}`);
    return undefined;
  }

  /**
   * Labels as plain strings. OpenSLO allows a list of strings as a value:
   * it is joined with commas, the way Prometheus would hold it.
   */
  labels(path: YamlPath): Record<string, string> {
    const r = this.record(path);
    const out: Record<string, string> = {};
    if (!r) return out;
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        out[k] = String(v);
      } else if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
        out[k] = v.join(",");
      } else if (v === null) {
        out[k] = "";
      } else {
        this.fail([...path, k], "expected a string (or a list of strings)");
      }
    }
    return out;
  }

  /** Every key of the mapping at `path` must be one of `allowed`; others get a "did you mean". */
  keys(path: YamlPath, allowed: readonly string[]): void {
    const r = this.value(path);
    if (!isJson(r)) return;
    for (const key of Object.keys(r)) {
      if (allowed.includes(key)) continue;
      const suggestion = closest(key, allowed);
      this.fail(
        path,
        `unknown key '${key}'`,
        suggestion ? `did you mean '${suggestion}'?` : `expected one of: ${allowed.join(", ")}`,
        key,
      );
    }
  }

  missing(path: YamlPath): void {
    const key = path[path.length - 1];
    const parent = path.slice(0, -1);
    this.errors.push(
      specError(
        `${this.subject}: ${parent.length > 0 ? `${formatPath(parent)}: ` : ""}missing required key '${String(key)}'`,
        positionOf(this.ydoc, parent),
      ),
    );
  }
}

export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))
    ? best
    : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** An objective or share as a fraction: `99.9%`, `0.999`; null when it is not a number. */
export function parseFraction(raw: unknown): number | null {
  const text = String(raw).trim();
  const value = text.endsWith("%") ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (text === "" || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(12));
}

/** Twelve significant digits: 0.02 × 720 / 1 stays 14.4, and back. */
export function roundNumber(value: number): number {
  return Number(value.toPrecision(12));
}
