/**
 * What LogQL's `| logfmt` stage extracts from a line: `key=value` and
 * `key="quoted value"` pairs. As in Loki, keys are sanitised to label names,
 * empty values are not extracted, a later duplicate wins, and a syntax error
 * keeps what was read before it.
 */

import { sanitizeLabelKey } from "./json-fields.js";

export function parseLogfmt(line: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = skipSpaces(line, 0);
  while (i < line.length) {
    const keyStart = i;
    i = keyEnd(line, i);
    // a stray '=' or '"' where a key should be: a syntax error
    if (i === keyStart) break;
    const key = sanitizeLabelKey(line.slice(keyStart, i), true);
    let value = "";
    if (line.charCodeAt(i) === 61 /* = */) {
      i++;
      const valueStart = i;
      if (line.charCodeAt(i) === 34 /* " */) {
        const close = closingQuote(line, i + 1);
        if (close < 0) break;
        i = close + 1;
        value = unquote(line.slice(valueStart, i));
      } else {
        i = wordEnd(line, i);
        value = line.slice(valueStart, i);
      }
    }
    if (key !== "" && value !== "") out.set(key, value);
    i = skipSpaces(line, i);
  }
  return out;
}

/** The first position at or after i that is not a space or a control character. */
function skipSpaces(line: string, i: number): number {
  while (i < line.length && line.charCodeAt(i) <= 32) i++;
  return i;
}

/** Where the key starting at i ends: at a space, "=" or '"'. */
function keyEnd(line: string, i: number): number {
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c <= 32 || c === 61 /* = */ || c === 34 /* " */) break;
    i++;
  }
  return i;
}

/** Where the unquoted value starting at i ends: at a space. */
function wordEnd(line: string, i: number): number {
  while (i < line.length && line.charCodeAt(i) > 32) i++;
  return i;
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
