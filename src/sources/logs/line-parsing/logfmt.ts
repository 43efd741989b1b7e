/**
 * What LogQL's `| logfmt` stage extracts from a line: `key=value` and
 * `key="quoted value"` pairs. As in Loki, keys are sanitised to label names,
 * empty values are not extracted, a later duplicate wins, and a syntax error
 * keeps what was read before it.
 */

import { sanitizeLabelKey } from "./json-fields.js";

export function parseLogfmt(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c <= 32 || c === 61 /* = */ || c === 34 /* " */) break;
      i++;
    }
    if (i === keyStart) {
      // a stray '=' or '"' where a key should be: a syntax error
      if (i < n) break;
      continue;
    }
    const key = sanitizeLabelKey(line.slice(keyStart, i), true);
    let value = "";
    if (line.charCodeAt(i) === 61) {
      i++;
      if (line.charCodeAt(i) === 34) {
        const end = closingQuote(line, i + 1);
        if (end < 0) break;
        value = unquote(line.slice(i, end + 1));
        i = end + 1;
      } else {
        const valueStart = i;
        while (i < n && line.charCodeAt(i) > 32) i++;
        value = line.slice(valueStart, i);
      }
    }
    if (key !== "" && value !== "") out.set(key, value);
  }
  return out;
}

function closingQuote(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i;
  }
  return -1;
}

function unquote(quoted: string): string {
  try {
    const value: unknown = JSON.parse(quoted);
    return typeof value === "string" ? value : quoted.slice(1, -1);
  } catch {
    return quoted.slice(1, -1);
  }
}
