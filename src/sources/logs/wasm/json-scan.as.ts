// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.mjs into
// ../json-scan-wasm.ts (run `npm run build:wasm` after changing this file).
//
// The byte-level half of the logs fast path (json-extract.ts is the other
// half): validate one line as a JSON object, exactly as strictly as
// JSON.parse, and write the members that may matter to a token tape. A
// member of the top-level object whose key is plain ([A-Za-z0-9_], not
// starting with a digit) and shorter than the table's limit is written only
// when the relevance table names its (length, first byte); every other member, and everything inside a written
// member's object, is written in full. Arrays are validated and written as
// one token: `| json` skips them.
//
// Any answer below 0 means "let JSON.parse decide": invalid JSON, a key with
// an escape, nesting deeper than MAX_DEPTH, or a tape too small.
//
// Memory is laid out by the caller; this module only reads and writes the
// addresses it is given. Reads may run up to 15 bytes past a line's end
// (the caller pads its buffers), never further.

const MAX_DEPTH: i32 = 64;

// Token kinds (keep in step with json-extract.ts)
const T_OBJECT: i32 = 1;
const T_OBJECT_END: i32 = 2;
const T_KEY: i32 = 3;
const T_KEY_PLAIN: i32 = 4;
const T_STRING: i32 = 5;
const T_ESCAPED_STRING: i32 = 6;
const T_NUMBER: i32 = 7;
const T_TRUE: i32 = 8;
const T_FALSE: i32 = 9;
const T_NULL: i32 = 10;
const T_ARRAY: i32 = 11;

const FAIL: i32 = -1;

// Byte classes, in a 256-byte table at classes
const C_PLAIN: u8 = 1; // [A-Za-z0-9_]
const C_SPACE: u8 = 2; // JSON whitespace

let classes: usize = 0;
let relevant: usize = 0;
let relevantLimit: i32 = 0;
let tape: usize = 0;
let tapeEnd: usize = 0;
let out: usize = 0;
let lineEnd: usize = 0;

/** Fill the byte-class table (256 bytes at at). */
export function init(at: usize): void {
  classes = at;
  for (let c: i32 = 0; c < 256; c++) {
    let k: u8 = 0;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95) k = C_PLAIN;
    if (c == 32 || c == 9 || c == 13 || c == 10) k = C_SPACE;
    store<u8>(at + <usize>c, k);
  }
}

/**
 * Tokenise the line [start, end). relevantAt: limit * 256 bytes, non-zero
 * at [length * 256 + first byte] for plain top-level keys worth writing.
 * tapeAt: room for tapeTokens tokens of three i32 (kind, start, end).
 * Returns the number of tokens written, or a negative number.
 */
export function scan(
  start: usize,
  end: usize,
  relevantAt: usize,
  limit: i32,
  tapeAt: usize,
  tapeTokens: i32,
): i32 {
  relevant = relevantAt;
  relevantLimit = limit;
  tape = tapeAt;
  tapeEnd = tapeAt + <usize>tapeTokens * 12;
  out = tapeAt;
  lineEnd = end;
  let p = skipSpace(start);
  if (p >= end || load<u8>(p) != 123) return FAIL;
  const after = object(p, 0, true, true);
  if (after == 0) return FAIL;
  if (skipSpace(after) != end) return FAIL;
  return <i32>((out - tape) / 12);
}

@inline
function isSpace(c: u32): bool {
  return load<u8>(classes + <usize>c) == C_SPACE;
}

@inline
function isPlain(c: u32): bool {
  return load<u8>(classes + <usize>c) == C_PLAIN;
}

function skipSpace(p: usize): usize {
  const end = lineEnd;
  while (p < end && isSpace(load<u8>(p))) p++;
  return p;
}

/** Write a token; false when the tape is full. */
@inline
function emit(kind: i32, from: usize, to: usize): bool {
  if (out >= tapeEnd) return false;
  store<i32>(out, kind);
  store<i32>(out, <i32>from, 4);
  store<i32>(out, <i32>to, 8);
  out += 12;
  return true;
}

/**
 * An object at p ("{"). emit: write its tokens; topLevel: the line's own
 * object, where plain keys are filtered by the relevance table. Returns the
 * position after "}", or 0 on failure (0 is never a line's address).
 */
function object(p: usize, depth: i32, emit_: bool, topLevel: bool): usize {
  if (depth > MAX_DEPTH) return 0;
  const end = lineEnd;
  if (emit_ && !emit(T_OBJECT, p, p)) return 0;
  p++;
  while (p < end && isSpace(load<u8>(p))) p++;
  if (p < end && load<u8>(p) == 125) {
    if (emit_ && !emit(T_OBJECT_END, p, p)) return 0;
    return p + 1;
  }
  while (true) {
    if (p >= end || load<u8>(p) != 34) return 0;
    // the key
    const keyStart = p + 1;
    let q = keyStart;
    while (q < end && isPlain(load<u8>(q))) q++;
    let plain = true;
    if (load<u8>(q) != 34) {
      plain = false;
      q = stringEnd(q);
      // a key with an escape is left to JSON.parse
      if (q == 0 || (q & ESCAPED) != 0) return 0;
    }
    const keyEnd = q;
    if (keyEnd >= end) return 0;
    p = q + 1;
    while (p < end && isSpace(load<u8>(p))) p++;
    if (p >= end || load<u8>(p) != 58) return 0;
    p++;
    while (p < end && isSpace(load<u8>(p))) p++;
    if (p >= end) return 0;

    let write = emit_ && keyEnd > keyStart;
    if (write && topLevel && plain && load<u8>(keyStart) > 57) {
      const length = <i32>(keyEnd - keyStart);
      write =
        length >= relevantLimit ||
        load<u8>(relevant + <usize>(length * 256) + <usize>load<u8>(keyStart)) != 0;
    }
    if (write && !emit(plain ? T_KEY_PLAIN : T_KEY, keyStart, keyEnd)) return 0;

    p = value(p, depth, write);
    if (p == 0) return 0;

    while (p < end && isSpace(load<u8>(p))) p++;
    if (p >= end) return 0;
    const next = load<u8>(p);
    if (next == 44) {
      p++;
      while (p < end && isSpace(load<u8>(p))) p++;
      continue;
    }
    if (next == 125) {
      if (emit_ && !emit(T_OBJECT_END, p, p)) return 0;
      return p + 1;
    }
    return 0;
  }
  return 0;
}

/** An array at p ("["), validated; the position after "]", or 0. */
function array(p: usize, depth: i32): usize {
  if (depth > MAX_DEPTH) return 0;
  const end = lineEnd;
  p++;
  while (p < end && isSpace(load<u8>(p))) p++;
  if (p < end && load<u8>(p) == 93) return p + 1;
  while (true) {
    if (p >= end) return 0;
    p = value(p, depth, false);
    if (p == 0) return 0;
    while (p < end && isSpace(load<u8>(p))) p++;
    if (p >= end) return 0;
    const next = load<u8>(p);
    if (next == 44) {
      p++;
      while (p < end && isSpace(load<u8>(p))) p++;
      continue;
    }
    if (next == 93) return p + 1;
    return 0;
  }
  return 0;
}

/** A value at p (p < lineEnd, not whitespace) of an object at depth; the position after it, or 0. */
function value(p: usize, depth: i32, write: bool): usize {
  const end = lineEnd;
  const c = load<u8>(p);
  if (c == 34) {
    const close = stringEnd(p + 1);
    if (close == 0) return 0;
    const q = close & POSITION;
    if (write && !emit((close & ESCAPED) != 0 ? T_ESCAPED_STRING : T_STRING, p + 1, q)) return 0;
    return q + 1;
  }
  if (c == 123) return object(p, depth + 1, write, false);
  if (c == 91) {
    const after = array(p, depth + 1);
    if (after == 0) return 0;
    if (write && !emit(T_ARRAY, p, after)) return 0;
    return after;
  }
  if (c == 116) {
    // true
    if (p + 4 > end || load<u32>(p) != 0x65757274) return 0;
    if (write && !emit(T_TRUE, p, p + 4)) return 0;
    return p + 4;
  }
  if (c == 102) {
    // false
    if (p + 5 > end || load<u32>(p + 1) != 0x65736c61) return 0;
    if (write && !emit(T_FALSE, p, p + 5)) return 0;
    return p + 5;
  }
  if (c == 110) {
    // null
    if (p + 4 > end || load<u32>(p) != 0x6c6c756e) return 0;
    if (write && !emit(T_NULL, p, p + 4)) return 0;
    return p + 4;
  }
  const after = number(p);
  if (after == 0) return 0;
  if (write && !emit(T_NUMBER, p, after)) return 0;
  return after;
}

@inline
function isDigit(c: u32): bool {
  return c - 48 < 10;
}

/** -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? at p; its end, or 0. */
function number(p: usize): usize {
  const end = lineEnd;
  if (load<u8>(p) == 45) p++;
  if (p >= end) return 0;
  const first = load<u8>(p);
  if (first == 48) p++;
  else if (first >= 49 && first <= 57) {
    p++;
    while (p < end && isDigit(load<u8>(p))) p++;
  } else return 0;
  if (p < end && load<u8>(p) == 46) {
    p++;
    const digits = p;
    while (p < end && isDigit(load<u8>(p))) p++;
    if (p == digits) return 0;
  }
  if (p < end && (load<u8>(p) | 32) == 101) {
    p++;
    if (p < end && (load<u8>(p) == 43 || load<u8>(p) == 45)) p++;
    const digits = p;
    while (p < end && isDigit(load<u8>(p))) p++;
    if (p == digits) return 0;
  }
  return p;
}

/** Set in stringEnd's answer when the string has escapes; addresses stay below it. */
const ESCAPED: usize = 0x80000000;
const POSITION: usize = 0x7fffffff;

/**
 * From just after an opening quote: the address of the closing quote (plus
 * ESCAPED when the string has escapes), or 0 when there is no valid JSON
 * string before the line's end. Sixteen bytes at a time: a quote, a
 * backslash or a control character stops the run.
 */
function stringEnd(q: usize): usize {
  const end = lineEnd;
  const quotes = i8x16.splat(34);
  const backslashes = i8x16.splat(92);
  const space = i8x16.splat(32);
  let escaped: usize = 0;
  while (true) {
    while (true) {
      if (q >= end) return 0;
      const v = v128.load(q);
      const stops = v128.or(
        v128.or(i8x16.eq(v, quotes), i8x16.eq(v, backslashes)),
        i8x16.lt_u(v, space),
      );
      const mask = i8x16.bitmask(stops);
      if (mask != 0) {
        q += <usize>ctz<i32>(mask);
        break;
      }
      q += 16;
    }
    if (q >= end) return 0;
    const c = load<u8>(q);
    if (c == 34) return q | escaped;
    if (c != 92) return 0;
    const skip = escapeLength(q);
    if (skip == 0) return 0;
    escaped = ESCAPED;
    q += skip;
  }
  return 0;
}

/** The length of a valid escape at q ("\\"), or 0. */
function escapeLength(q: usize): usize {
  const end = lineEnd;
  if (q + 1 >= end) return 0;
  const c = load<u8>(q + 1);
  if (c == 34 || c == 92 || c == 47 || c == 98 || c == 102 || c == 110 || c == 114 || c == 116) return 2;
  if (c != 117 || q + 6 > end) return 0;
  for (let k = q + 2; k < q + 6; k++) {
    const h = <u32>load<u8>(k);
    if (!(isDigit(h) || (h | 32) - 97 < 6)) return 0;
  }
  return 6;
}
