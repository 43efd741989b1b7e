/** YAML out: documents in key order, long queries never folded, several documents per file. */

import { Document, Scalar } from "yaml";

/** A string that must stay quoted, also for YAML 1.1 readers (dates, yes/no). */
export function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

export function renderDocuments(documents: unknown[], header: string[] = []): string {
  const head = header.map((line) => `# ${line}\n`).join("");
  const body = documents
    .map((d) =>
      new Document(d, { aliasDuplicateObjects: false }).toString({
        lineWidth: 0,
        minContentWidth: 0,
      }),
    )
    .join("---\n");
  return head + body;
}

/** Every string value (never a key) through `map`: used to put `${VAR}` references back. */
export function mapStrings<T>(value: T, map: (s: string) => string): T {
  if (typeof value === "string") return map(value) as T;
  if (value instanceof Scalar) {
    if (typeof value.value === "string") value.value = map(value.value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, map);
    return out as T;
  }
  return value;
}

/** Drop undefined members, so optional fields are left out rather than written as null. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
