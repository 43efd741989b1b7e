/**
 * The fast path: validate a line as a JSON object straight from its bytes
 * and note where the few fields slo needs are, without JSON.parse and
 * without making strings for the rest.
 *
 * It must never disagree with the straightforward path (JSON.parse, then
 * flattenJson): it accepts a line only when it is certain JSON.parse
 * would accept it, and gives up (scan() returns false, and the caller uses
 * JSON.parse) on anything it does not handle: escaped keys, control
 * characters, deep nesting, a wanted name set twice (duplicate keys, or two
 * keys that sanitise alike), a wanted key repeated in one object.
 */

import { sanitizeLabelKey } from "./json-fields.js";

/** What a slot holds for the current line. */
export const SLOT_STRING = 1;
export const SLOT_ESCAPED_STRING = 2;
export const SLOT_NUMBER = 3;
export const SLOT_TRUE = 4;
export const SLOT_FALSE = 5;

const MAX_DEPTH = 64;

/** [A-Za-z0-9_]: key bytes that sanitise to themselves */
const PLAIN = new Uint8Array(256);
/**
 * Bytes that end a run of ordinary string bytes: the quote, a backslash,
 * and control characters (JSON.parse rejects them raw in strings). A line's
 * end is always followed by "\r", "\n" or the end of the buffer (undefined,
 * which is not 0 either), so a run stops there too without a bounds check.
 */
const STRING_STOP = new Uint8Array(256);
/** JSON whitespace */
const SPACE = new Uint8Array(256);
SPACE[32] = SPACE[9] = SPACE[10] = SPACE[13] = 1;
for (let c = 0; c < 256; c++) {
  PLAIN[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 1 : 0;
  STRING_STOP[c] = c === 34 || c === 92 || c < 32 ? 1 : 0;
}

/** A position in the wanted names while inside nested objects: name index and chars consumed. */
type Level = Int32Array;

export interface ExtractTargets {
  /** names as `| json` extracts them (flattened, sanitised): a_b, user_agent */
  flat: string[];
  /** top-level keys as written ("@timestamp"), for LineRecord.field */
  raw: string[];
}

export class JsonExtractor {
  readonly flatNames: string[];
  readonly rawNames: string[];
  /** slot kind (0 = not set this line), value range in the line's buffer */
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly setIn: Uint32Array;
  private generation = 0;
  private readonly flatBytes: Uint8Array[];
  private readonly rawBytes: Uint8Array[];
  private readonly top: Level;
  /** top-level names by key length: [target, child offset or -1 for a whole-name match]... */
  private readonly topByLength: (Int32Array | undefined)[] = [];
  /** raw names by byte length */
  private readonly rawByLength: (Int32Array | undefined)[] = [];
  /**
   * [length * 256 + first byte] = 1 + the index in topKeys of the top-level
   * keys of that length and first byte that match something, or 0: most keys
   * of a line match nothing, and this rules them out at once.
   */
  private readonly topKeyGroup: Int32Array;
  /** keys this long or longer match no name */
  private readonly topFirstLimit: number;
  /**
   * Every plain top-level key (of [A-Za-z0-9_], not starting with a digit)
   * that matches a name (a flat name, the part of one before a "_", a raw
   * name), with what matchTop and matchRaw find for it, worked out once.
   */
  private readonly topKeys: TopKey[][] = [];
  /**
   * Which object (by serial) last matched each slot, per nesting depth: a
   * key that matters seen twice in one object (a duplicate key) makes the
   * scan give up, because JSON.parse keeps only the last one's value.
   */
  private readonly touched: Uint32Array;
  private objectSerial = 0;
  /** what the last match* call found: a flat slot or -1, and the level inside the key's object */
  private matchedLeaf = -1;
  private matchedChild: Level | null = null;

  constructor(targets: ExtractTargets) {
    this.flatNames = [...new Set(targets.flat)].filter((n) => n !== "");
    this.rawNames = [...new Set(targets.raw)].filter((n) => n !== "");
    const slots = this.flatNames.length + this.rawNames.length;
    this.kinds = new Uint8Array(slots);
    this.starts = new Int32Array(slots);
    this.ends = new Int32Array(slots);
    this.setIn = new Uint32Array(slots);
    this.touched = new Uint32Array((MAX_DEPTH + 2) * slots);
    this.flatBytes = this.flatNames.map((n) => Buffer.from(n, "utf8"));
    this.rawBytes = this.rawNames.map((n) => Buffer.from(n, "utf8"));
    this.top = new Int32Array(this.flatNames.length * 2);
    const byLength: number[][] = [];
    const entriesOfLength = (length: number): number[] => {
      byLength[length] ??= [];
      return byLength[length];
    };
    this.flatBytes.forEach((name, i) => {
      this.top[2 * i] = i;
      this.top[2 * i + 1] = 0;
      entriesOfLength(name.length).push(i, -1);
      // a key that is a prefix ending before a "_" leads into a nested object
      for (let k = 1; k < name.length - 1; k++) {
        if (name[k] === 95) entriesOfLength(k).push(i, k + 1);
      }
    });
    byLength.forEach((entries, length) => {
      this.topByLength[length] = Int32Array.from(entries);
    });
    const rawLengths: number[][] = [];
    this.rawBytes.forEach((name, r) => {
      rawLengths[name.length] ??= [];
      rawLengths[name.length]!.push(r);
    });
    rawLengths.forEach((indexes, length) => {
      this.rawByLength[length] = Int32Array.from(indexes);
    });
    this.topFirstLimit = Math.max(64, byLength.length, rawLengths.length);
    this.topKeyGroup = new Int32Array(this.topFirstLimit * 256);
    const candidates = [
      ...this.flatBytes.flatMap((name) =>
        Array.from({ length: name.length }, (_, i) => i + 1)
          .filter((k) => k === name.length || name[k] === 95)
          .map((k) => Buffer.from(name.subarray(0, k))),
      ),
      ...this.rawBytes.map((name) => Buffer.from(name)),
    ];
    const seen = new Set<string>();
    for (const key of candidates) {
      const text = key.toString("latin1");
      if (seen.has(text) || key[0]! <= 57 || !key.every((c) => PLAIN[c] === 1)) continue;
      seen.add(text);
      this.matchTop(key, 0, key.length);
      const topKey: TopKey = {
        bytes: key,
        leaf: this.matchedLeaf,
        child: this.matchedChild,
        raw: this.matchRaw(key, 0, key.length),
      };
      if (topKey.leaf < 0 && topKey.child === null && topKey.raw < 0) continue;
      const at = key.length * 256 + key[0]!;
      if (this.topKeyGroup[at] === 0) this.topKeyGroup[at] = this.topKeys.push([]);
      this.topKeys[this.topKeyGroup[at]! - 1]!.push(topKey);
    }
  }

  /** The slot of a flat name, then raw names after them. */
  flatSlot(i: number): number {
    return i;
  }

  rawSlot(i: number): number {
    return this.flatNames.length + i;
  }

  /** Whether the slot was set by the last successful scan. */
  isSet(slot: number): boolean {
    return this.setIn[slot] === this.generation;
  }

  /**
   * Scan buf[start, end) (one line, no line break). true: it is a JSON
   * object and the slots are filled; false: let JSON.parse decide.
   * buf[end] must be "\r" or "\n", or end must be the buffer's length.
   */
  scan(buf: Buffer, start: number, end: number): boolean {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.setIn.fill(0);
      this.generation = 1;
    }
    if (end > POSITION_MASK) return false;
    useWords(buf);
    let p = skipSpace(buf, start, end);
    if (p >= end || buf[p] !== 123) return false;
    p = this.object(buf, p, end, this.top, true, 0);
    if (p < 0) return false;
    return skipSpace(buf, p, end) === end;
  }

  /**
   * An object at buf[p] === "{"; the position after its "}", or -1.
   * Positions never pass end, and buf[end] is "\r", "\n" or past the
   * buffer, which no check below takes for JSON: so the common compact
   * layout is read without a bounds check at every step.
   */
  private object(
    buf: Buffer,
    p: number,
    end: number,
    level: Level | null,
    topLevel: boolean,
    depth: number,
  ): number {
    if (depth > MAX_DEPTH) return -1;
    p++;
    if (SPACE[buf[p]!] === 1) p = skipSpace(buf, p, end);
    if (buf[p] === 125) return p + 1;
    const serial = this.nextObjectSerial();
    const touchedBase = depth * this.kinds.length;
    for (;;) {
      if (buf[p] !== 34) {
        if (SPACE[buf[p]!] !== 1) return -1;
        p = skipSpace(buf, p, end);
        if (buf[p] !== 34) return -1;
      }
      const keyStart = p + 1;
      let q = keyStart;
      while (PLAIN[buf[q]!] === 1) q++;
      let plain = true;
      if (buf[q] !== 34) {
        plain = false;
        while (STRING_STOP[buf[q]!] === 0) q++;
        if (buf[q] !== 34) return -1;
      }
      const keyEnd = q;
      p = q + 1;
      if (buf[p] !== 58) {
        if (SPACE[buf[p]!] !== 1) return -1;
        p = skipSpace(buf, p, end);
        if (buf[p] !== 58) return -1;
      }
      p++;
      if (SPACE[buf[p]!] === 1) p = skipSpace(buf, p, end);

      let leaf = -1;
      let raw = -1;
      let child: Level | null = null;
      if (level !== null && keyEnd > keyStart) {
        // a plain top-level key not starting with a digit ("_" is put before one)
        const plainTop = plain && topLevel && buf[keyStart]! > 57;
        if (!plainTop && (!plain || topLevel)) {
          this.matchSanitised(buf, keyStart, keyEnd, level, topLevel);
        } else if (topLevel) {
          const length = keyEnd - keyStart;
          this.matchedLeaf = -1;
          this.matchedChild = null;
          if (length < this.topFirstLimit) {
            const group = this.topKeyGroup[length * 256 + buf[keyStart]!]!;
            if (group !== 0)
              raw = this.matchTopKey(buf, keyStart, length, this.topKeys[group - 1]!);
          }
        } else {
          this.matchPlain(buf, keyStart, keyEnd, level);
        }
        leaf = this.matchedLeaf;
        child = this.matchedChild;
        if (topLevel && !plainTop) raw = this.matchRaw(buf, keyStart, keyEnd);
        if (leaf >= 0 && !this.touch(touchedBase + leaf, serial)) return -1;
        if (raw >= 0 && !this.touch(touchedBase + raw, serial)) return -1;
        if (child !== null) {
          for (let i = 0; i < child.length; i += 2) {
            if (!this.touch(touchedBase + child[i]!, serial)) return -1;
          }
        }
      }

      const c = buf[p]!;
      if (c === 34) {
        const valueStart = p + 1;
        const close = stringEnd(buf, valueStart, end);
        if (close < 0) return -1;
        q = close & POSITION_MASK;
        if (leaf >= 0 || raw >= 0) {
          const kind = close === q ? SLOT_STRING : SLOT_ESCAPED_STRING;
          if (leaf >= 0 && !this.set(leaf, kind, valueStart, q)) return -1;
          if (raw >= 0 && !this.set(raw, kind, valueStart, q)) return -1;
        }
        p = q + 1;
      } else if (c === 123) {
        p = this.object(buf, p, end, child, false, depth + 1);
        if (p < 0) return -1;
      } else if (c === 91) {
        p = this.array(buf, p, end, depth + 1);
        if (p < 0) return -1;
      } else if (c === 116) {
        if (!literal(buf, p, end, TRUE)) return -1;
        if (leaf >= 0 && !this.set(leaf, SLOT_TRUE, p, p + 4)) return -1;
        if (raw >= 0 && !this.set(raw, SLOT_TRUE, p, p + 4)) return -1;
        p += 4;
      } else if (c === 102) {
        if (!literal(buf, p, end, FALSE)) return -1;
        if (leaf >= 0 && !this.set(leaf, SLOT_FALSE, p, p + 5)) return -1;
        if (raw >= 0 && !this.set(raw, SLOT_FALSE, p, p + 5)) return -1;
        p += 5;
      } else if (c === 110) {
        if (!literal(buf, p, end, NULL)) return -1;
        p += 4;
      } else {
        const numberEnd = skipNumber(buf, p, end);
        if (numberEnd < 0) return -1;
        if (leaf >= 0 && !this.set(leaf, SLOT_NUMBER, p, numberEnd)) return -1;
        if (raw >= 0 && !this.set(raw, SLOT_NUMBER, p, numberEnd)) return -1;
        p = numberEnd;
      }

      let next = buf[p];
      if (SPACE[next!] === 1) {
        p = skipSpace(buf, p, end);
        next = buf[p];
      }
      if (next === 44) {
        p++;
        continue;
      }
      if (next === 125) return p + 1;
      return -1;
    }
  }

  /** An array at buf[p] === "[": validated and skipped (`| json` skips arrays). */
  private array(buf: Buffer, p: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    p = skipSpace(buf, p + 1, end);
    if (p < end && buf[p] === 93) return p + 1;
    for (;;) {
      if (p >= end) return -1;
      const c = buf[p]!;
      if (c === 34) {
        const close = stringEnd(buf, p + 1, end);
        if (close < 0) return -1;
        p = (close & POSITION_MASK) + 1;
      } else if (c === 123) {
        p = this.object(buf, p, end, null, false, depth + 1);
      } else if (c === 91) {
        p = this.array(buf, p, end, depth + 1);
      } else if (c === 116) {
        p = literal(buf, p, end, TRUE) ? p + 4 : -1;
      } else if (c === 102) {
        p = literal(buf, p, end, FALSE) ? p + 5 : -1;
      } else if (c === 110) {
        p = literal(buf, p, end, NULL) ? p + 4 : -1;
      } else {
        p = skipNumber(buf, p, end);
      }
      if (p < 0) return -1;
      p = skipSpace(buf, p, end);
      if (p >= end) return -1;
      const next = buf[p];
      if (next === 44) {
        p = skipSpace(buf, p + 1, end);
        continue;
      }
      if (next === 93) return p + 1;
      return -1;
    }
  }

  private set(slot: number, kind: number, start: number, end: number): boolean {
    if (this.setIn[slot] === this.generation) return false;
    this.setIn[slot] = this.generation;
    this.kinds[slot] = kind;
    this.starts[slot] = start;
    this.ends[slot] = end;
    return true;
  }

  /** A top-level key of [A-Za-z0-9_]: only names of its length (or with a "_" there) can match. */
  private matchTop(buf: Buffer, keyStart: number, keyEnd: number): void {
    const length = keyEnd - keyStart;
    this.matchedLeaf = -1;
    this.matchedChild = null;
    const entries = this.topByLength[length];
    if (entries === undefined) return;
    let child: number[] | null = null;
    for (let i = 0; i < entries.length; i += 2) {
      const target = entries[i]!;
      const name = this.flatBytes[target]!;
      let k = 0;
      while (k < length && name[k] === buf[keyStart + k]) k++;
      if (k < length) continue;
      const childOffset = entries[i + 1]!;
      if (childOffset < 0) this.matchedLeaf = target;
      else {
        child ??= [];
        child.push(target, childOffset);
      }
    }
    if (child) this.matchedChild = Int32Array.from(child);
  }

  /** A plain top-level key against its group of topKeys: sets matchedLeaf/Child, returns raw. */
  private matchTopKey(buf: Buffer, keyStart: number, length: number, group: TopKey[]): number {
    for (let i = 0; i < group.length; i++) {
      const key = group[i]!;
      const bytes = key.bytes;
      // the first byte is the group's
      let k = 1;
      while (k < length && bytes[k] === buf[keyStart + k]) k++;
      if (k === length) {
        this.matchedLeaf = key.leaf;
        this.matchedChild = key.child;
        return key.raw;
      }
    }
    return -1;
  }

  /** Mark slot i (at its depth) as matched in this object; false when it already was. */
  private touch(i: number, serial: number): boolean {
    if (this.touched[i] === serial) return false;
    this.touched[i] = serial;
    return true;
  }

  private nextObjectSerial(): number {
    if (this.objectSerial === 0xffffffff) {
      this.touched.fill(0);
      this.objectSerial = 0;
    }
    return ++this.objectSerial;
  }

  /** A key of [A-Za-z0-9_] against the names still wanted at this level; sets matchedLeaf/Child. */
  private matchPlain(buf: Buffer, keyStart: number, keyEnd: number, level: Level): void {
    const length = keyEnd - keyStart;
    let leaf = -1;
    let child: number[] | null = null;
    for (let i = 0; i < level.length; i += 2) {
      const target = level[i]!;
      const offset = level[i + 1]!;
      const name = this.flatBytes[target]!;
      const rest = name.length - offset;
      if (rest < length) continue;
      let same = true;
      for (let k = 0; k < length; k++) {
        if (name[offset + k] !== buf[keyStart + k]) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      if (rest === length) leaf = target;
      else if (name[offset + length] === 95 && rest > length + 1) {
        child ??= [];
        child.push(target, offset + length + 1);
      }
    }
    this.matchedLeaf = leaf;
    this.matchedChild = child ? Int32Array.from(child) : null;
  }

  /** Any other key: sanitise it as flattenJson does, then compare as strings. */
  private matchSanitised(
    buf: Buffer,
    keyStart: number,
    keyEnd: number,
    level: Level,
    topLevel: boolean,
  ): void {
    const key = sanitizeLabelKey(buf.toString("utf8", keyStart, keyEnd), topLevel);
    let leaf = -1;
    let child: number[] | null = null;
    this.matchedLeaf = -1;
    this.matchedChild = null;
    if (key === "") return;
    for (let i = 0; i < level.length; i += 2) {
      const target = level[i]!;
      const offset = level[i + 1]!;
      const name = this.flatNames[target]!;
      if (!name.startsWith(key, offset)) continue;
      const rest = name.length - offset;
      if (rest === key.length) leaf = target;
      else if (name.charCodeAt(offset + key.length) === 95 && rest > key.length + 1) {
        child ??= [];
        child.push(target, offset + key.length + 1);
      }
    }
    this.matchedLeaf = leaf;
    this.matchedChild = child ? Int32Array.from(child) : null;
  }

  /** A top-level key exactly as written; its slot or -1. */
  private matchRaw(buf: Buffer, keyStart: number, keyEnd: number): number {
    const length = keyEnd - keyStart;
    const candidates = this.rawByLength[length];
    if (candidates === undefined) return -1;
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates[i]!;
      const name = this.rawBytes[r]!;
      let k = 0;
      while (k < length && name[k] === buf[keyStart + k]) k++;
      if (k === length) return this.flatNames.length + r;
    }
    return -1;
  }
}

interface TopKey {
  bytes: Buffer;
  /** as matchTop finds them (child is shared by every line: it is only read) */
  leaf: number;
  child: Level | null;
  /** as matchRaw finds it */
  raw: number;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

function literal(buf: Buffer, p: number, end: number, word: number[]): boolean {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word[i]) return false;
  return true;
}

/** JSON whitespace (a line has no "\n"). */
function skipSpace(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    p++;
  }
  return p;
}

/** -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? from p; its end, or -1. */
function skipNumber(buf: Buffer, p: number, end: number): number {
  if (p < end && buf[p] === 45) p++;
  if (p >= end) return -1;
  const first = buf[p]!;
  if (first === 48) p++;
  else if (first >= 49 && first <= 57) p = skipDigits(buf, p + 1, end);
  else return -1;
  if (p < end && buf[p] === 46) {
    const digits = p + 1;
    p = skipDigits(buf, digits, end);
    if (p === digits) return -1;
  }
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    if (p < end && (buf[p] === 43 || buf[p] === 45)) p++;
    const digits = p;
    p = skipDigits(buf, digits, end);
    if (p === digits) return -1;
  }
  return p;
}

function skipDigits(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c < 48 || c > 57) break;
    p++;
  }
  return p;
}

/** Set in stringEnd's answer when the string has escapes. */
const ESCAPED = 0x40000000;
const POSITION_MASK = ESCAPED - 1;

/**
 * From just after an opening quote: the position of the closing quote (plus
 * ESCAPED when the string has escapes), or -1 when it is not a valid JSON
 * string before end. Lines are shorter than ESCAPED bytes (MAX_LINE_BYTES).
 */
function stringEnd(buf: Buffer, q: number, end: number): number {
  let escaped = 0;
  for (;;) {
    // byte by byte up to a word boundary, then four bytes at a time
    while (((q - wordBase) & 3) !== 0 && STRING_STOP[buf[q]!] === 0) q++;
    if (((q - wordBase) & 3) === 0) {
      let w = (q - wordBase) >> 2;
      const limit = words.length;
      while (w < limit && !hasStringStop(words[w]!)) w++;
      q = wordBase + (w << 2);
    }
    while (STRING_STOP[buf[q]!] === 0) q++;
    const d = buf[q];
    if (d === 34) return q + escaped;
    if (d !== 92 || q >= end) return -1;
    const skip = escapeLength(buf, q, end);
    if (skip < 0) return -1;
    escaped = ESCAPED;
    q += skip;
  }
}

/**
 * The current buffer as aligned 32-bit words, for stringEnd: words[i] holds
 * buf[wordBase + 4i, wordBase + 4i + 4), and only whole words inside buf.
 */
let wordsOf: Buffer | null = null;
let words: Int32Array = new Int32Array(0);
let wordBase = 0;

function useWords(buf: Buffer): void {
  if (buf === wordsOf) return;
  wordsOf = buf;
  wordBase = (4 - (buf.byteOffset & 3)) & 3;
  const count = buf.length > wordBase ? (buf.length - wordBase) >> 2 : 0;
  words = new Int32Array(buf.buffer, buf.byteOffset + wordBase, count);
}

const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const SPACES = 0x20202020;
const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;

/**
 * Whether any of a word's four bytes is a quote, a backslash or below 0x20
 * (the bytes STRING_STOP marks). The byte order does not matter: these are
 * the exact "has a byte < n" and "has a zero byte" tests of Bit Twiddling
 * Hacks (only which bit is set can be off, never whether one is).
 */
function hasStringStop(x: number): boolean {
  const quote = x ^ QUOTES;
  const backslash = x ^ BACKSLASHES;
  return (
    ((((x - SPACES) & ~x) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) &
      HIGHS) !==
    0
  );
}

/** Length of a valid escape at buf[q] === "\\", or -1. */
function escapeLength(buf: Buffer, q: number, end: number): number {
  if (q + 1 >= end) return -1;
  switch (buf[q + 1]) {
    case 34:
    case 92:
    case 47:
    case 98:
    case 102:
    case 110:
    case 114:
    case 116:
      return 2;
    case 117: {
      if (q + 6 > end) return -1;
      for (let k = q + 2; k < q + 6; k++) {
        const c = buf[k]!;
        const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
        if (!hex) return -1;
      }
      return 6;
    }
    default:
      return -1;
  }
}
