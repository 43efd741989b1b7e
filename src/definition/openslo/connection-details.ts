/**
 * A DataSource's connectionDetails as people write them. The spec leaves its
 * shape to the implementation ("everything that is valid YAML"): a mapping,
 * a list of mappings (the Go SDK's encoding), or a list of {name, value}
 * pairs all read as one set of fields, each remembering where it is written
 * so a problem is reported there.
 */

import { closest, type DocReader, isJson } from "../doc-reader.js";
import { positionOf, type YamlPath } from "../yaml-source.js";

export interface ConnectionFields {
  /**
   * Where the value of `name` is written. A field not given has the path it
   * would have in a mapping, so a missing one is reported at connectionDetails.
   */
  path(name: string): YamlPath;
  /** Every field must be one of `allowed`; others are errors where they are named. */
  allow(allowed: readonly string[]): void;
}

/** Where a field's name is written: a key of the mapping at `path`, or the scalar at `path` (a pair's name). */
interface NameAt {
  path: YamlPath;
  key?: string;
}

interface Field {
  value: YamlPath;
  name: NameAt;
}

const SHAPES = "expected a mapping, or a list of mappings or {name, value} pairs";

/** The fields of connectionDetails at `cd`, or undefined (with an error) when it has none to read. */
export function connectionFields(r: DocReader, cd: YamlPath): ConnectionFields | undefined {
  const raw = r.value(cd);
  if (raw === undefined || raw === null) {
    r.missing(cd);
    return undefined;
  }
  const fields = new Map<string, Field>();
  const before = r.errors.length;
  if (isJson(raw)) {
    for (const key of Object.keys(raw)) {
      fields.set(key, { value: [...cd, key], name: { path: cd, key } });
    }
  } else if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      for (const [key, field] of itemFields(r, [...cd, i], item)) addOnce(r, fields, key, field);
    });
  } else {
    r.fail(cd, SHAPES, "e.g. url: http://prometheus:9090, or - name: url / value: http://...");
    return undefined;
  }
  // Fields given twice or not as fields cannot be read as the user meant.
  if (r.errors.length > before) return undefined;
  return {
    path: (name) => fields.get(name)?.value ?? [...cd, name],
    allow: (allowed) => {
      for (const [key, { name }] of fields) {
        if (allowed.includes(key)) continue;
        const suggestion = closest(key, allowed);
        r.fail(
          name.path,
          `unknown key '${key}'`,
          suggestion ? `did you mean '${suggestion}'?` : `expected one of: ${allowed.join(", ")}`,
          name.key,
        );
      }
    },
  };
}

/** A pair names one field; a mapping gives each of its keys. */
function itemFields(r: DocReader, at: YamlPath, item: unknown): [string, Field][] {
  if (!isJson(item)) {
    r.fail(at, "expected a mapping (key: value) or a {name, value} pair");
    return [];
  }
  if (!isPair(item)) {
    return Object.keys(item).map((key) => [key, { value: [...at, key], name: { path: at, key } }]);
  }
  const name = r.string([...at, "name"], true);
  if (item.value === undefined) r.missing([...at, "value"]);
  if (name === undefined || item.value === undefined) return [];
  return [[name, { value: [...at, "value"], name: { path: [...at, "name"] } }]];
}

/** No field slo reads is called `name` or `value`, so a mapping of those keys is a pair. */
function isPair(item: Record<string, unknown>): boolean {
  const keys = Object.keys(item);
  return keys.includes("name") && keys.every((k) => k === "name" || k === "value");
}

function addOnce(r: DocReader, fields: Map<string, Field>, key: string, field: Field): void {
  const first = fields.get(key);
  if (!first) {
    fields.set(key, field);
    return;
  }
  const where = positionOf(r.ydoc, first.name.path, first.name.key);
  r.fail(
    field.name.path,
    `${key} given twice (first at ${where.file}:${where.line}:${where.col})`,
    "give each field once",
    field.name.key,
  );
}
