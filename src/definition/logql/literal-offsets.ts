/**
 * Where a character of a string literal's value is written in the query:
 * an error found in the value (a regex's bad escape) points at its place in
 * the text the user wrote, escapes and all.
 */

import { unquoteGoString } from "./literals.js";

/** The lengths a Go escape can have, backslash included: \n, \x41 and \101, \u00e9, \U0001F600. */
const ESCAPE_LENGTHS = [2, 4, 6, 10];

/**
 * The offset in `raw` (a Go string literal, quotes included, as in the
 * query) of the character at `valueOffset` in its value (UTF-16 units, as
 * JavaScript counts). Past the end: the closing quote.
 */
export function offsetInLiteral(raw: string, valueOffset: number): number {
  const body = raw.slice(1, -1);
  let decoded = 0;
  let at = 0;
  while (at < body.length && decoded < valueOffset) {
    const written = writtenLength(body, at, raw.startsWith("`"));
    decoded += written.valueLength;
    at += written.length;
  }
  return 1 + at;
}

/** How long the character (or escape) at body[at] is as written, and in the value. */
function writtenLength(
  body: string,
  at: number,
  raw: boolean,
): { length: number; valueLength: number } {
  if (raw) return { length: 1, valueLength: body[at] === "\r" ? 0 : 1 };
  if (body[at] !== "\\") return { length: 1, valueLength: 1 };
  for (const length of ESCAPE_LENGTHS) {
    const value = unquotedOrNull(`"${body.slice(at, at + length)}"`);
    if (value !== null) return { length, valueLength: value.length };
  }
  return { length: 1, valueLength: 1 };
}

function unquotedOrNull(literal: string): string | null {
  try {
    return unquoteGoString(literal);
  } catch {
    return null;
  }
}
