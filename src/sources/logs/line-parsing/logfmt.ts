/**
 * What LogQL's `| logfmt` stage extracts from a line, as Loki 2.7.5's
 * decoder reads it (a go-logfmt decoder): `key=value`, `key="quoted
 * value"` and bare `key` (an empty value) pairs. Keys are sanitised to label
 * names, empty values are extracted too, a later duplicate wins, and a
 * syntax error stops the reading, keeping what was read before it, with the
 * error as Loki words it for `__error_details__`.
 */

import { sanitizeLabelKey } from "./json-fields.js";

export interface Logfmt {
  labels: Map<string, string>;
  /** Loki's __error_details__ for a LogfmtParserErr, or null when the line read cleanly */
  error: string | null;
}

const SPACE = 32;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;
/** what Go puts for bytes that are not UTF-8; Loki drops a value that holds it */
const REPLACEMENT = "\uFFFD";

export function readLogfmt(line: string): Logfmt {
  const labels = new Map<string, string>();
  const set = (key: string, value: string) => {
    const name = sanitizeLabelKey(key, true);
    if (name !== "") labels.set(name, value.includes(REPLACEMENT) ? "" : value);
  };
  const fail = (at: number, message: string): Logfmt => ({
    labels,
    // Go counts bytes from 1; this counts UTF-16 units, the same on ASCII lines
    error: `logfmt syntax error at pos ${at + 1} : ${message}`,
  });
  let at = 0;
  for (;;) {
    while (at < line.length && line.charCodeAt(at) <= SPACE) at++;
    if (at >= line.length) return { labels, error: null };
    const keyStart = at;
    at = keyEnd(line, at);
    const stop = line.charCodeAt(at);
    if (stop === QUOTE) return fail(at, `unexpected '"'`);
    if (stop === EQUALS && at === keyStart) return fail(at, "unexpected '='");
    const key = line.slice(keyStart, at);
    if (key.includes(REPLACEMENT)) return fail(at, "invalid key");
    if (stop !== EQUALS) {
      set(key, "");
      continue;
    }
    at++;
    const value = readValue(line, at);
    if ("error" in value) return fail(value.at, value.error);
    set(key, value.text);
    at = value.next;
  }
}

/** readLogfmt's labels alone. */
export function parseLogfmt(line: string): Map<string, string> {
  return readLogfmt(line).labels;
}

/** Where the key starting at i ends: at a space, "=", '"' or the end. */
function keyEnd(line: string, i: number): number {
  let at = i;
  while (at < line.length) {
    const c = line.charCodeAt(at);
    if (c <= SPACE || c === EQUALS || c === QUOTE) break;
    at++;
  }
  return at;
}

type Value = { text: string; next: number } | { error: string; at: number };

/** The value after a key's "=" (at `at`). */
function readValue(line: string, at: number): Value {
  if (at >= line.length || line.charCodeAt(at) <= SPACE) return { text: "", next: at };
  if (line.charCodeAt(at) === QUOTE) return readQuoted(line, at);
  let end = at;
  for (; end < line.length; end++) {
    const c = line.charCodeAt(end);
    if (c <= SPACE) break;
    if (c === EQUALS || c === QUOTE) {
      return { error: `unexpected '${String.fromCharCode(c)}'`, at: end };
    }
  }
  return { text: line.slice(at, end), next: end };
}

/** A quoted value opening at `open`: raw between the quotes, or unescaped when it has a backslash. */
function readQuoted(line: string, open: number): Value {
  let escaped = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) {
      escaped = true;
      i++;
    } else if (c === QUOTE) {
      if (!escaped) return { text: line.slice(open + 1, i), next: i + 1 };
      const text = unquote(line.slice(open + 1, i));
      return text === null ? { error: "invalid quoted value", at: i + 1 } : { text, next: i + 1 };
    }
  }
  return { error: "unterminated quoted value", at: line.length };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  "'": "'",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** go-logfmt's unquoteBytes: JSON's escapes and \', control characters refused; null when invalid. */
function unquote(body: string): string | null {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c < " ") return null;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const letter = body[++i];
    if (letter === "u") {
      const hex = body.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return null;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    const simple = letter === undefined ? undefined : SIMPLE_ESCAPES[letter];
    if (simple === undefined) return null;
    out += simple;
  }
  // a lone surrogate from \uD800 becomes U+FFFD, as Go's UTF-8 coercion does
  return out.replace(LONE_SURROGATE, REPLACEMENT);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
