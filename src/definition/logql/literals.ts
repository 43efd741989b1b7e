/**
 * LogQL's literals and label values read as Loki (Go) reads them: string
 * literals, floats, durations and byte sizes. Both the parser and the logs
 * source's evaluator use these, so the two always agree.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** How many hex digits follow each hex escape letter: \xHH, \uHHHH, \UHHHHHHHH. */
const HEX_ESCAPE_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** What an escape stands for, and where the string goes on after it. */
interface Unescaped {
  text: string;
  next: number;
}

/** A Go string literal: "double quoted" with escapes, or `raw`. Throws on a bad escape. */
export function unquoteGoString(raw: string): string {
  if (raw.startsWith("`")) return raw.slice(1, -1).replace(/\r/g, "");
  const body = raw.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  let at = 0;
  while (at < body.length) {
    if (body[at] === "\\") {
      const unescaped = unescapeAt(body, at + 1);
      out += unescaped.text;
      at = unescaped.next;
    } else {
      out += body[at];
      at++;
    }
  }
  return out;
}

/** The escape whose letter (the character after the backslash) is at body[at]. */
function unescapeAt(body: string, at: number): Unescaped {
  const letter = body[at];
  if (letter === undefined) throw new Error("string ends in a backslash");
  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return { text: simple, next: at + 1 };
  const hexDigits = HEX_ESCAPE_DIGITS[letter];
  if (hexDigits !== undefined) return unescapeHex(body, at, hexDigits);
  if (letter >= "0" && letter <= "7") return unescapeOctal(body, at);
  throw new Error(`invalid escape \\${letter} in string`);
}

function unescapeHex(body: string, at: number, digits: number): Unescaped {
  const hex = body.slice(at + 1, at + 1 + digits);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
    throw new Error(`invalid escape \\${body[at]}${hex} in string`);
  }
  // \xHH is a byte in Go; bytes >= 0x80 only make sense in UTF-8 sequences,
  // which JS strings cannot hold, so they are taken as code points.
  return { text: String.fromCodePoint(Number.parseInt(hex, 16)), next: at + 1 + digits };
}

/** \NNN: exactly three octal digits, as in Go. */
function unescapeOctal(body: string, at: number): Unescaped {
  const octal = body.slice(at, at + 3);
  if (!/^[0-7]{3}$/.test(octal)) throw new Error(`invalid escape \\${octal} in string`);
  return { text: String.fromCharCode(Number.parseInt(octal, 8)), next: at + 3 };
}

/** A decimal float as Go writes it: digits may be separated by single underscores. */
const GO_DECIMAL_FLOAT =
  /^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;

/** A hexadecimal float: Go requires the p exponent ("0x10" is not a float, "0x1p4" is 16). */
const GO_HEX_FLOAT =
  /^([+-]?)0[xX]_?((?:[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)?)(?:\.((?:[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)?))?[pP]([+-]?\d+(?:_\d+)*)$/;

const GO_SPECIAL_FLOAT = /^(?:[+-]?inf(?:inity)?|nan)$/i;

/** Why strconv.ParseFloat refuses a text, in its own words. */
export type GoFloatError = "invalid syntax" | "value out of range";

/**
 * A label value as Go's strconv.ParseFloat reads it (what Loki's numeric
 * label filters use), or why Go refuses it. Stricter than Number(): "",
 * " 1", "0x10" (no p exponent) are not numbers, and "1e400" is out of range
 * (Number() makes it Infinity). Underflow is 0, as in Go.
 */
export function readGoFloat(text: string): number | GoFloatError {
  if (GO_DECIMAL_FLOAT.test(text)) {
    const value = Number(text.replace(/_/g, ""));
    return Number.isFinite(value) ? value : "value out of range";
  }
  if (GO_SPECIAL_FLOAT.test(text)) {
    const lower = text.toLowerCase();
    if (lower === "nan") return Number.NaN;
    return lower.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const hex = GO_HEX_FLOAT.exec(text);
  if (hex) return hexFloat(hex);
  return "invalid syntax";
}

/** The value of a GO_HEX_FLOAT match: sign, integer digits, fraction digits, binary exponent. */
function hexFloat(match: RegExpExecArray): number | GoFloatError {
  const whole = match[2]!.replace(/_/g, "");
  const fraction = (match[3] ?? "").replace(/_/g, "");
  if (whole === "" && fraction === "") return "invalid syntax";
  const mantissa = Number.parseInt(whole + fraction || "0", 16);
  const exponent = Number(match[4]!.replace(/_/g, "")) - 4 * fraction.length;
  const value = mantissa * 2 ** exponent;
  if (!Number.isFinite(value)) return "value out of range";
  return match[1] === "-" ? -value : value;
}

/** readGoFloat's number, or null when Go refuses the text. */
export function parseGoFloat(text: string): number | null {
  const value = readGoFloat(text);
  return typeof value === "number" ? value : null;
}

const DURATION_UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const EXTENDED_UNIT_NANOS: Record<string, number> = {
  ...DURATION_UNIT_NANOS,
  d: 86_400e9,
  w: 7 * 86_400e9,
  y: 365 * 86_400e9,
};

const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/y;

/**
 * A Go duration ("250ms", "1.5s", "1h30m", "-2s") in seconds, or null.
 * Label values are read like Go's time.ParseDuration (units ns..h); query
 * literals also allow d, w and y (allowDays), as the LogQL grammar does.
 */
export function parseGoDuration(text: string, opts?: { allowDays?: boolean }): number | null {
  const nanos = parseGoDurationNanos(text, opts);
  return nanos === null ? null : nanos / 1e9;
}

/** parseGoDuration in nanoseconds (summed in nanoseconds, so "300ms" is exactly 3e8). */
export function parseGoDurationNanos(text: string, opts?: { allowDays?: boolean }): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return null;
  const units = opts?.allowDays ? EXTENDED_UNIT_NANOS : DURATION_UNIT_NANOS;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const m = DURATION_PART.exec(s);
    if (!m) return null;
    const unit = units[m[2]!];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
  }
  return sign * total;
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** A byte size like humanize.ParseBytes (what Loki uses): "2KB", "2 KiB", "1.5mb", "42". */
export function parseHumanBytes(text: string): number | null {
  const m = /^\s*(\d[\d,]*(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const name = m[2]!.toLowerCase();
  const unit = Object.hasOwn(BYTE_UNITS, name) ? BYTE_UNITS[name] : undefined;
  if (unit === undefined) return null;
  return Number(m[1]!.replace(/,/g, "")) * unit;
}
