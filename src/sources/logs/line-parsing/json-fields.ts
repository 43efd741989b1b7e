/**
 * What LogQL's `| json` stage extracts from a JSON object, as Loki does it:
 * nested objects are flattened with "_" (`{"a":{"b":1}}` -> a_b), arrays and
 * nulls are skipped, keys are sanitised to label names ("user-agent" ->
 * user_agent), and values become strings: a number keeps the text it is
 * written with ("1.0", "5e2", "12345678901234567890"), booleans are
 * true/false. Keys are read in the order written and a later one wins, also
 * over an earlier key that sanitises alike.
 */

export type JsonObject = Record<string, unknown>;

/** The labels `| json` extracts, and the text of each top-level number under its key as written. */
export interface JsonText {
  flat: Map<string, string>;
  topNumbers: Map<string, string>;
}

/**
 * text, which JSON.parse has accepted as an object, read in order. Throws a
 * RangeError on nesting too deep to walk (as deep nesting does in JSON.parse).
 */
export function readJsonText(text: string): JsonText {
  const walker = new JsonTextWalker(text);
  const out: JsonText = { flat: new Map(), topNumbers: new Map() };
  walker.skipSpaces();
  walker.object("", out, true);
  return out;
}

/** The labels `| json` extracts from text (a JSON object JSON.parse accepts). */
export function flattenJsonText(text: string): Map<string, string> {
  return readJsonText(text).flat;
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A walk over valid JSON text: it checks nothing JSON.parse has checked already. */
class JsonTextWalker {
  private at = 0;

  constructor(private readonly text: string) {}

  skipSpaces(): void {
    const text = this.text;
    let c = text.charCodeAt(this.at);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++this.at);
  }

  /** The object at `at`, its labels under prefix ("" at the top level); extract: false only walks it. */
  object(prefix: string, out: JsonText, extract: boolean): void {
    this.at++; // {
    this.skipSpaces();
    while (this.text.charCodeAt(this.at) === 34 /* " */) {
      const key = this.string();
      this.skipSpaces();
      this.at++; // :
      this.skipSpaces();
      this.member(prefix, key, out, extract);
      this.skipSpaces();
      if (this.text.charCodeAt(this.at) === 44 /* , */) {
        this.at++;
        this.skipSpaces();
      }
    }
    this.at++; // }
  }

  private member(prefix: string, key: string, out: JsonText, extract: boolean): void {
    const clean = sanitizeLabelKey(key, prefix === "");
    const name = prefix === "" ? clean : `${prefix}_${clean}`;
    // nothing under a key that sanitises to nothing is extracted
    const extractHere = extract && clean !== "";
    const c = this.text.charCodeAt(this.at);
    if (c === 123 /* { */) {
      this.object(name, out, extractHere);
      return;
    }
    const value = this.scalarOrSkip(c);
    if (value === undefined || !extractHere) return;
    out.flat.set(name, value);
    if (prefix === "" && isNumberStart(c)) out.topNumbers.set(key, value);
  }

  /** A scalar's label text; arrays and null are skipped (undefined). */
  private scalarOrSkip(c: number): string | undefined {
    switch (c) {
      case 34:
        return this.string();
      case 116: // t
        this.at += 4;
        return "true";
      case 102: // f
        this.at += 5;
        return "false";
      case 110: // n
        this.at += 4;
        return undefined;
      case 91: // [
        this.skipArray();
        return undefined;
      default:
        return this.number();
    }
  }

  private string(): string {
    const text = this.text;
    const start = this.at + 1;
    let i = start;
    let escaped = false;
    for (let c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(i)) {
      if (c === 92 /* \ */) {
        escaped = true;
        i += 2;
      } else i++;
    }
    this.at = i + 1;
    return escaped ? (JSON.parse(text.slice(start - 1, i + 1)) as string) : text.slice(start, i);
  }

  private number(): string {
    JSON_NUMBER.lastIndex = this.at;
    JSON_NUMBER.test(this.text);
    const text = this.text.slice(this.at, JSON_NUMBER.lastIndex);
    this.at = JSON_NUMBER.lastIndex;
    return text;
  }

  /** Past the array at `at`: only strings (which may hold brackets) need care. */
  private skipArray(): void {
    const text = this.text;
    let depth = 0;
    do {
      const c = text.charCodeAt(this.at);
      if (c === 34) {
        this.string();
        continue;
      }
      if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) depth--;
      this.at++;
    } while (depth > 0);
  }
}

function isNumberStart(c: number): boolean {
  return c === 45 || (c >= 48 && c <= 57);
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
