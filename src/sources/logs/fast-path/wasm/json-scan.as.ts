// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.mjs into
// ../json-scan-wasm.ts (run `npm run build:wasm` after changing this file).
//
// The byte-level half of the logs fast path (json-extractor.ts is the other
// half): validate one line as a JSON object, exactly as strictly as
// JSON.parse, and find the values of the names slo reads.
//
// Top-level members with a plain key ([A-Za-z0-9_], not starting with a
// digit, shorter than the group table's limit) are looked up in the
// extractor's key table: a key in no entry is skipped; a key whose entry is
// simple (it names slots, no nested names) has its value written to those
// slots here; any other entry's member is written to the token tape with
// the entry's number. Every other member (other keys, longer keys), and
// everything inside a written member's object, is written to the tape in
// full for json-extractor.ts to match. Arrays are validated and written as one
// token: `| json` skips them.
//
// Any answer below 0 means "let JSON.parse decide": invalid JSON, a key with
// an escape, nesting deeper than MAX_DEPTH, a name set twice (duplicate
// keys), or a tape too small.
//
// Memory is laid out by the caller; this module only reads and writes the
// addresses it is given. Reads may run up to 15 bytes past a line's end
// (the caller pads its buffers), never further.

const MAX_DEPTH: i32 = 64;

// Token kinds (keep in step with json-tokenizer.ts)
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
const T_KEY_ENTRY: i32 = 12;

const FAIL: i32 = -1;

// Byte classes, in a 256-byte table at classes
const C_PLAIN: u8 = 1; // [A-Za-z0-9_]
const C_SPACE: u8 = 2; // JSON whitespace

/** Bytes per key-table entry: key offset, key length, leaf slot, raw slot, simple (i32 each). */
const ENTRY_BYTES: usize = 20;

let classes: usize = 0;
// the active extractor's tables (configure)
let groups: usize = 0;
let groupLimit: i32 = 0;
let entries: usize = 0;
let keyBytes: usize = 0;
let setIn: usize = 0;
let kinds: usize = 0;
let starts: usize = 0;
let ends: usize = 0;
let touched: usize = 0;
let tape: usize = 0;
let tapeEnd: usize = 0;
let timestampSlot: i32 = -1;
let timestampAt: usize = 0;
let slotConstants: usize = 0;
let constants: usize = 0;
let constantBytes: usize = 0;
let matchOf: usize = 0;
let matchIn: usize = 0;
let numbers: usize = 0;
// the current line (scan)
let out: usize = 0;
let lineEnd: usize = 0;
let delta: i32 = 0;
let generation: u32 = 0;
let serial: u32 = 0;
// the last scalar value() read: token kind (0 for objects and arrays), range
let valueKind: i32 = 0;
let valueStart: usize = 0;
let valueEnd: usize = 0;

/**
 * Lay the memory out, once: where the caller keeps each table. The tables
 * themselves change with the extractor (configure).
 *
 * classesAt: 256 bytes, filled here. groupsAt: i32 [length * 256 + first
 * byte] for lengths below the limit: (first entry << 16 | entry count), or
 * 0. entriesAt: ENTRY_BYTES per entry: key offset from keyBytesAt, key
 * length, leaf slot, raw slot (-1 for none), 1 when not simple. Per slot:
 * setIn (u32), kinds, starts, ends (i32); touchedAt: u32 per slot, for the
 * top level. tapeAt: room for tapeTokens tokens of three i32 (kind, start,
 * end). timestampResultAt: an i32 state (0 not parsed here, 1 parsed, 2
 * not a valid time) and, 8 bytes on, the f64 epoch milliseconds.
 * slotConstantsAt: per slot, two i32: the first of its constants and their
 * number; constantsAt: per constant, two i32: its offset from
 * constantBytesAt and its length. When this module sets a slot that has
 * constants to a string without escapes, it writes at matchOfAt (i32 per
 * slot) 1 + the index among them of the constant equal to it, or 0, and at
 * matchInAt (u32 per slot) the line's generation; except when none is equal
 * and the string is not all ASCII. numbersAt: f64 per slot, written when a
 * slot is set to a number: its value (see numberValue), or NaN.
 */
export function init(
  classesAt: usize,
  groupsAt: usize,
  entriesAt: usize,
  keyBytesAt: usize,
  setInAt: usize,
  kindsAt: usize,
  startsAt: usize,
  endsAt: usize,
  touchedAt: usize,
  tapeAt: usize,
  tapeTokens: i32,
  timestampResultAt: usize,
  slotConstantsAt: usize,
  constantsAt: usize,
  constantBytesAt: usize,
  matchOfAt: usize,
  matchInAt: usize,
  numbersAt: usize,
): void {
  classes = classesAt;
  groups = groupsAt;
  entries = entriesAt;
  keyBytes = keyBytesAt;
  setIn = setInAt;
  kinds = kindsAt;
  starts = startsAt;
  ends = endsAt;
  touched = touchedAt;
  tape = tapeAt;
  tapeEnd = tapeAt + <usize>tapeTokens * 12;
  timestampAt = timestampResultAt;
  slotConstants = slotConstantsAt;
  constants = constantsAt;
  constantBytes = constantBytesAt;
  matchOf = matchOfAt;
  matchIn = matchInAt;
  numbers = numbersAt;
  for (let c: i32 = 0; c < 256; c++) {
    let k: u8 = 0;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95) k = C_PLAIN;
    if (c == 32 || c == 9 || c == 13 || c == 10) k = C_SPACE;
    store<u8>(classesAt + <usize>c, k);
  }
}

/**
 * The extractor whose tables the caller has just put in place: plain keys
 * shorter than limit are looked up in the group table; timestampSlotIndex
 * is the slot of the timestamp field (or -1), whose RFC 3339 text this
 * module then parses.
 */
export function configure(limit: i32, timestampSlotIndex: i32): void {
  groupLimit = limit;
  timestampSlot = timestampSlotIndex;
}

/**
 * Scan the line [start, end). Slot positions are written as address less
 * lineDelta. lineGeneration marks the slots set for this line;
 * objectSerial, the top-level slots matched in this line's object. Returns
 * the number of tokens on the tape, or a negative number.
 */
export function scan(
  start: usize,
  end: usize,
  lineDelta: i32,
  lineGeneration: u32,
  objectSerial: u32,
): i32 {
  out = tape;
  lineEnd = end;
  delta = lineDelta;
  generation = lineGeneration;
  serial = objectSerial;
  store<i32>(timestampAt, 0);
  const p = skipSpace(start);
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

/** A bit for each of the vector's bytes in [A-Za-z0-9_]. */
@inline
function plainBytes(v: v128): i32 {
  const letter = i8x16.lt_u(i8x16.sub(v128.or(v, i8x16.splat(32)), i8x16.splat(97)), i8x16.splat(26));
  const digit = i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10));
  const underscore = i8x16.eq(v, i8x16.splat(95));
  return i8x16.bitmask(v128.or(v128.or(letter, digit), underscore));
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

/** The entry for the plain key at keyStart (length below groupLimit), or -1. */
function findEntry(keyStart: usize, length: i32): i32 {
  const group = load<i32>(groups + ((<usize>length << 8) + <usize>load<u8>(keyStart)) * 4);
  if (group == 0) return -1;
  const first = group >>> 16;
  const last = first + (group & 0xffff);
  for (let e = first; e < last; e++) {
    const entry = entries + <usize>e * ENTRY_BYTES;
    const key = keyBytes + <usize>load<i32>(entry);
    if (sameBytes(key, keyStart, length)) return e;
  }
  return -1;
}

/** Mark a top-level slot matched in this line's object; false when it already was (a duplicate). */
@inline
function touch(slot: i32): bool {
  const at = touched + (<usize>slot << 2);
  if (load<u32>(at) == serial) return false;
  store<u32>(at, serial);
  return true;
}

/** Set a slot to the last scalar read; false when it already was set this line. */
function setSlot(slot: i32): bool {
  const at = <usize>slot << 2;
  if (load<u32>(setIn + at) == generation) return false;
  store<u32>(setIn + at, generation);
  // slot kinds (json-extractor.ts): string 1, escaped string 2, number 3, true 4, false 5
  store<i32>(kinds + at, valueKind - 4);
  store<i32>(starts + at, <i32>valueStart - delta);
  store<i32>(ends + at, <i32>valueEnd - delta);
  if (valueKind == T_STRING) {
    const count = load<i32>(slotConstants + (at << 1), 4);
    if (count > 0) matchConstant(slot, count);
  } else if (valueKind == T_NUMBER) {
    store<f64>(numbers + (at << 1), numberValue(valueStart, valueEnd));
  }
  // what timestampMs does with text of 20+ characters and a "-" fifth
  if (slot == timestampSlot && valueKind == T_STRING && valueEnd - valueStart >= 20 && load<u8>(valueStart + 4) == 45) {
    const ms = rfc3339Ms(valueStart, valueEnd);
    store<i32>(timestampAt, isNaN(ms) ? 2 : 1);
    store<f64>(timestampAt, ms, 8);
  }
  return true;
}

/** Note which of the slot's constants the last scalar (a plain string) equals. */
function matchConstant(slot: i32, count: i32): void {
  const at = <usize>slot << 2;
  const first = load<i32>(slotConstants + (at << 1));
  const length = <i32>(valueEnd - valueStart);
  let found: i32 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const constant = constants + (<usize>(first + k) << 3);
    if (load<i32>(constant, 4) != length) continue;
    if (sameBytes(constantBytes + <usize>load<i32>(constant), valueStart, length)) {
      found = k + 1;
      break;
    }
  }
  // unequal bytes are unequal text only where they are valid UTF-8 (decoding
  // turns invalid bytes into U+FFFD): past ASCII, JavaScript decides
  if (found == 0 && !ascii(valueStart, length)) return;
  store<i32>(matchOf + at, found);
  store<u32>(matchIn + at, generation);
}

/**
 * A JSON number's value as fast-line.ts's slotNumber works it out without
 * a string, operation for operation in doubles so the answer is the same to
 * the bit: at most 15 digits and no exponent, the digits as a whole number
 * divided by a power of ten (both exact doubles, so the division rounds as
 * Number() does). NaN for any other number, which JavaScript then reads.
 */
function numberValue(start: usize, end: usize): f64 {
  const negative = load<u8>(start) == 45;
  let i = negative ? start + 1 : start;
  if (end - i > 16) return NaN;
  let digits: i32 = 0;
  // at most 15 digits: an integer below 2^53, so the double made of it at
  // the end is the one that adding digit by digit in doubles gives
  let n: i64 = 0;
  let point: usize = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    const c = <u32>load<u8>(i);
    if (c == 46 && !seenPoint) {
      seenPoint = true;
      point = i;
      continue;
    }
    const d = c - 48;
    if (d > 9) break;
    n = n * 10 + <i64>d;
    digits++;
  }
  if (i != end || digits > 15) return NaN;
  const value = seenPoint ? <f64>n / tenTo(<i32>(end - point - 1)) : <f64>n;
  return negative ? -value : value;
}

/**
 * 10 to the k as JavaScript's 10 ** k gives it, for k from 0 to 16: every
 * one an exact double. (A switch, not a table: this module keeps no data in
 * memory, whose layout is the caller's.)
 */
function tenTo(k: i32): f64 {
  switch (k) {
    case 0: return 1e0;
    case 1: return 1e1;
    case 2: return 1e2;
    case 3: return 1e3;
    case 4: return 1e4;
    case 5: return 1e5;
    case 6: return 1e6;
    case 7: return 1e7;
    case 8: return 1e8;
    case 9: return 1e9;
    case 10: return 1e10;
    case 11: return 1e11;
    case 12: return 1e12;
    case 13: return 1e13;
    case 14: return 1e14;
    case 15: return 1e15;
    default: return 1e16;
  }
}

/** The low n bits (n in 0..16). */
@inline
function lowBits(n: i32): i32 {
  return (1 << n) - 1;
}

/** Whether [p, p + length) holds only ASCII bytes (reads up to 15 bytes past it). */
function ascii(p: usize, length: i32): bool {
  let i: i32 = 0;
  for (; i + 16 <= length; i += 16) {
    if (i8x16.bitmask(v128.load(p + <usize>i)) != 0) return false;
  }
  return (i8x16.bitmask(v128.load(p + <usize>i)) & lowBits(length - i)) == 0;
}

/** Whether [a, a + length) and [b, b + length) hold the same bytes (reads up to 15 bytes past both). */
function sameBytes(a: usize, b: usize, length: i32): bool {
  let i: i32 = 0;
  for (; i + 16 <= length; i += 16) {
    if (!v128.all_true<i8>(i8x16.eq(v128.load(a + <usize>i), v128.load(b + <usize>i)))) return false;
  }
  const equal = i8x16.bitmask(i8x16.eq(v128.load(a + <usize>i), v128.load(b + <usize>i)));
  const wanted = lowBits(length - i);
  return (equal & wanted) == wanted;
}

/** Two digits at p, or -1. */
@inline
function twoDigits(p: usize): i32 {
  const a = <i32>load<u8>(p) - 48;
  const b = <i32>load<u8>(p + 1) - 48;
  if (<u32>a > 9 || <u32>b > 9) return -1;
  return a * 10 + b;
}

// The last valid date-and-minute prefix rfc3339Ms parsed ("2026-10-25T12:00",
// 16 bytes) and its milliseconds: a log's lines mostly share it with the
// line before, and then only the seconds onwards are left to read.
let prefixKnown = false;
let prefixLow: u64 = 0;
let prefixHigh: u64 = 0;
let prefixMs: f64 = 0;

/**
 * line-parsing/timestamp.ts's rfc3339BytesMs on [start, end), operation for operation in
 * doubles so the answer is the same to the bit; NaN where it gives null.
 * (Whole milliseconds are integers far below 2^53, so summing the prefix's
 * part first gives the same double as summing field by field.)
 */
function rfc3339Ms(start: usize, end: usize): f64 {
  if (end - start < 20) return NaN;
  const low = load<u64>(start);
  const high = load<u64>(start, 8);
  if (!prefixKnown || low != prefixLow || high != prefixHigh) {
    const ms = prefixMsOf(start);
    if (isNaN(ms)) return NaN;
    prefixKnown = true;
    prefixLow = low;
    prefixHigh = high;
    prefixMs = ms;
  }
  const second = twoDigits(start + 17);
  if (load<u8>(start + 16) != 58) return NaN;
  if (second < 0 || second > 60) return NaN;

  let i = start + 19;
  let fractionMs: f64 = 0;
  if (i < end && load<u8>(i) == 46) {
    i++;
    // nine digits at most: an integer, exact as the double adding them gives
    let value: i32 = 0;
    const digitsStart = i;
    for (; i < end; i++) {
      const d = <u32>load<u8>(i) - 48;
      if (d > 9) break;
      // digits past nanoseconds cannot be represented anyway
      if (i - digitsStart < 9) value = value * 10 + <i32>d;
    }
    if (i == digitsStart) return NaN;
    const counted = i - digitsStart;
    fractionMs = (<f64>value * 1000) / tenTo(counted < 9 ? <i32>counted : 9);
  }

  if (i >= end) return NaN;
  let offsetMinutes: i32 = 0;
  const zone = load<u8>(i);
  if (zone == 90 || zone == 122) {
    if (i + 1 != end) return NaN;
  } else if (zone == 43 || zone == 45) {
    const colon = load<u8>(i + 3) == 58;
    if (i + (colon ? 6 : 5) != end) return NaN;
    const oh = twoDigits(i + 1);
    const om = twoDigits(i + (colon ? 4 : 3));
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (zone == 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return NaN;
  }

  const wholeMs: f64 = prefixMs + <f64>second * 1000 - <f64>offsetMinutes * 60_000;
  const fractionWhole = Math.floor(fractionMs);
  return withFraction(wholeMs + fractionWhole, fractionMs - fractionWhole);
}

/**
 * The milliseconds of a date, hour and minute ("YYYY-MM-DDTHH:MM", then ":"
 * is checked by the caller) at start, checked as rfc3339BytesMs checks them; NaN when invalid.
 */
function prefixMsOf(start: usize): f64 {
  const centuries = twoDigits(start);
  const years = twoDigits(start + 2);
  const month = twoDigits(start + 5);
  const day = twoDigits(start + 8);
  if (centuries < 0 || years < 0 || month < 0 || day < 0) return NaN;
  const year = centuries * 100 + years;
  const sepT = load<u8>(start + 10);
  if (load<u8>(start + 4) != 45 || load<u8>(start + 7) != 45) return NaN;
  if (sepT != 84 && sepT != 116 && sepT != 32) return NaN;
  const hour = twoDigits(start + 11);
  const minute = twoDigits(start + 14);
  if (load<u8>(start + 13) != 58) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + <f64>hour * 3_600_000 + <f64>minute * 60_000;
}

function withFraction(whole: f64, fraction: f64): f64 {
  const t = whole + fraction;
  if (fraction > 0 && t <= whole) return whole + Math.abs(whole) * f64.EPSILON;
  return t;
}

function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** Days since 1970-01-01 (Howard Hinnant's algorithm), as line-parsing/timestamp.ts works them out. */
function daysFromCivil(year: i32, month: i32, day: i32): f64 {
  const y: f64 = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * <f64>(month + (month > 2 ? -3 : 9)) + 2) / 5) + <f64>day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * An object at p ("{"). emit_: write its tokens; topLevel: the line's own
 * object, where plain keys are looked up in the key table. Returns the
 * position after "}", or 0 on failure (0 is never a line's address).
 */
function object(p: usize, depth: i32, emit_: bool, topLevel: bool): usize {
  if (depth > MAX_DEPTH) return 0;
  const end = lineEnd;
  if (emit_ && !emit(T_OBJECT, p, p)) return 0;
  p++;
  if (load<u8>(p) <= 32) p = skipSpace(p);
  if (p < end && load<u8>(p) == 125) {
    if (emit_ && !emit(T_OBJECT_END, p, p)) return 0;
    return p + 1;
  }
  while (true) {
    if (p >= end || load<u8>(p) != 34) return 0;
    // the key: most are short and plain, and one vector holds them whole
    const keyStart = p + 1;
    let q = keyStart;
    let plain = true;
    const head = v128.load(keyStart);
    const quotes = i8x16.bitmask(i8x16.eq(head, i8x16.splat(34)));
    const below = (quotes & -quotes) - 1;
    if (quotes != 0 && (plainBytes(head) & below) == below) {
      q += <usize>ctz<i32>(quotes);
    } else {
      while (q < end && isPlain(load<u8>(q))) q++;
      if (q >= end || load<u8>(q) != 34) {
        plain = false;
        q = stringEnd(q);
        // a key with an escape is left to JSON.parse
        if (q == 0 || (q & ESCAPED) != 0) return 0;
      }
    }
    const keyEnd = q;
    if (keyEnd >= end) return 0;
    p = q + 1;
    if (load<u8>(p) <= 32) p = skipSpace(p);
    if (p >= end || load<u8>(p) != 58) return 0;
    p++;
    if (load<u8>(p) <= 32) p = skipSpace(p);
    if (p >= end) return 0;

    let write = emit_ && keyEnd > keyStart;
    let entry: i32 = -1;
    if (write && topLevel && plain && load<u8>(keyStart) > 57) {
      const length = <i32>(keyEnd - keyStart);
      if (length < groupLimit) {
        entry = findEntry(keyStart, length);
        // no entry: the member sets nothing; a simple entry: its slots are set here
        write = entry >= 0 && load<i32>(entries + <usize>entry * ENTRY_BYTES, 16) != 0;
      }
    }
    if (write) {
      if (entry >= 0) {
        if (!emit(T_KEY_ENTRY, entry, entry)) return 0;
      } else if (!emit(plain ? T_KEY_PLAIN : T_KEY, keyStart, keyEnd)) return 0;
    }

    const first = <u32>load<u8>(p);
    if (!write && entry < 0 && first == 34) {
      // the usual member: a string or a number that matters to no one
      const close = stringEnd(p + 1);
      if (close == 0) return 0;
      p = (close & POSITION) + 1;
    } else if (!write && entry < 0 && (isDigit(first) || first == 45)) {
      p = number(p);
      if (p == 0) return 0;
    } else {
      p = value(p, depth, write);
      if (p == 0) return 0;
    }

    if (entry >= 0 && !write) {
      const at = entries + <usize>entry * ENTRY_BYTES;
      const leaf = load<i32>(at, 8);
      const raw = load<i32>(at, 12);
      if (leaf >= 0 && !touch(leaf)) return 0;
      if (raw >= 0 && !touch(raw)) return 0;
      // null, objects and arrays set nothing
      if (valueKind >= T_STRING && valueKind <= T_FALSE) {
        if (leaf >= 0 && !setSlot(leaf)) return 0;
        if (raw >= 0 && !setSlot(raw)) return 0;
      }
    }

    if (load<u8>(p) <= 32) p = skipSpace(p);
    if (p >= end) return 0;
    const next = load<u8>(p);
    if (next == 44) {
      p++;
      if (load<u8>(p) <= 32) p = skipSpace(p);
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
  if (load<u8>(p) <= 32) p = skipSpace(p);
  if (p < end && load<u8>(p) == 93) return p + 1;
  while (true) {
    if (p >= end) return 0;
    p = value(p, depth, false);
    if (p == 0) return 0;
    if (load<u8>(p) <= 32) p = skipSpace(p);
    if (p >= end) return 0;
    const next = load<u8>(p);
    if (next == 44) {
      p++;
      if (load<u8>(p) <= 32) p = skipSpace(p);
      continue;
    }
    if (next == 93) return p + 1;
    return 0;
  }
  return 0;
}

/**
 * A value at p (p < lineEnd, not whitespace) of an object at depth; the
 * position after it, or 0. A scalar is noted in valueKind/Start/End.
 */
function value(p: usize, depth: i32, write: bool): usize {
  const end = lineEnd;
  const c = load<u8>(p);
  let kind: i32 = 0;
  let from = p;
  let to: usize = 0;
  if (c == 34) {
    const close = stringEnd(p + 1);
    if (close == 0) return 0;
    kind = (close & ESCAPED) != 0 ? T_ESCAPED_STRING : T_STRING;
    from = p + 1;
    to = close & POSITION;
    p = to + 1;
  } else if (c == 123) {
    const after = object(p, depth + 1, write, false);
    // (after the values inside, which note themselves)
    valueKind = 0;
    return after;
  } else if (c == 91) {
    const after = array(p, depth + 1);
    valueKind = 0;
    if (after == 0) return 0;
    if (write && !emit(T_ARRAY, p, after)) return 0;
    return after;
  } else if (c == 116) {
    // true
    if (p + 4 > end || load<u32>(p) != 0x65757274) return 0;
    kind = T_TRUE;
    p += 4;
    to = p;
  } else if (c == 102) {
    // false
    if (p + 5 > end || load<u32>(p + 1) != 0x65736c61) return 0;
    kind = T_FALSE;
    p += 5;
    to = p;
  } else if (c == 110) {
    // null
    if (p + 4 > end || load<u32>(p) != 0x6c6c756e) return 0;
    kind = T_NULL;
    p += 4;
    to = p;
  } else {
    p = number(p);
    if (p == 0) return 0;
    kind = T_NUMBER;
    to = p;
  }
  valueKind = kind;
  valueStart = from;
  valueEnd = to;
  if (write && !emit(kind, from, to)) return 0;
  return p;
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
    p = skipDigits(p + 1);
  } else return 0;
  if (p < end && load<u8>(p) == 46) {
    p++;
    const digits = p;
    p = skipDigits(p);
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

/** The first position at or after p that is not a digit (or the line's end). */
@inline
function skipDigits(p: usize): usize {
  const end = lineEnd;
  while (true) {
    const v = v128.load(p);
    const digits = i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10)));
    if (digits != 0xffff) {
      p += <usize>ctz<i32>(~digits);
      return p < end ? p : end;
    }
    p += 16;
    if (p >= end) return end;
  }
  return end;
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
@inline
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
