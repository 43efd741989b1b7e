/**
 * What LogQL's `| json` stage extracts from a JSON object, as Loki does it:
 * nested objects are flattened with "_" (`{"a":{"b":1}}` -> a_b), arrays and
 * nulls are skipped, keys are sanitised to label names ("user-agent" ->
 * user_agent), and values become strings (numbers as JavaScript prints them:
 * 252.2 -> "252.2", booleans as true/false). A later duplicate key wins.
 */

export type JsonObject = Record<string, unknown>;

export function flattenJson(object: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  flattenInto(object, "", out);
  return out;
}

function flattenInto(object: JsonObject, prefix: string, out: Map<string, string>): void {
  for (const key in object) {
    const value = object[key];
    const clean = sanitizeLabelKey(key, prefix === "");
    if (clean === "") continue;
    const name = prefix === "" ? clean : `${prefix}_${clean}`;
    const text = jsonScalarText(value);
    if (text !== undefined) {
      out.set(name, text);
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      flattenInto(value as JsonObject, name, out);
    }
  }
}

/** The label text of a JSON scalar; undefined for null, objects and arrays. */
export function jsonScalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      return undefined;
  }
}

/**
 * Loki's sanitizeLabelKey: trim spaces, replace every character that is not
 * [A-Za-z0-9_] with "_", and put "_" before a leading digit of a top-level key.
 */
export function sanitizeLabelKey(key: string, topLevel: boolean): string {
  const trimmed = key.trim();
  if (trimmed === "") return "";
  let clean = /^[A-Za-z0-9_]*$/.test(trimmed) ? trimmed : trimmed.replace(/[^A-Za-z0-9_]/gu, "_");
  const first = clean.charCodeAt(0);
  if (topLevel && first >= 48 && first <= 57) clean = `_${clean}`;
  return clean;
}
