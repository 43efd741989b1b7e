/**
 * The fast path: check a line is a JSON object straight from its bytes and
 * note where the few fields slo needs are, without JSON.parse and without
 * making strings for the rest. The bytes are validated and tokenized in
 * WebAssembly (json-tokenizer.ts); this file matches the tokens' keys against
 * the wanted names.
 *
 * It must never disagree with the straightforward path (JSON.parse, then
 * flattenJson): it accepts a line only when it is certain JSON.parse
 * would accept it, and gives up (scan() returns false, and the caller uses
 * JSON.parse) on anything it does not handle: escaped keys, control
 * characters, deep nesting, a wanted name set twice (duplicate keys, or two
 * keys that sanitise alike), a wanted key repeated in one object.
 */

import { sanitizeLabelKey } from "../line-parsing/json-fields.js";
import {
  GROUP_LIMIT,
  type JsonTokenizer,
  jsonTokenizer,
  type KeyTable,
  MAX_CONSTANT_BYTES,
  MAX_CONSTANTS,
  MAX_ENTRIES,
  MAX_KEY_BYTES,
  MAX_SLOTS,
  T_ESCAPED_STRING,
  T_FALSE,
  T_KEY_ENTRY,
  T_KEY_PLAIN,
  T_NUMBER,
  T_OBJECT,
  T_OBJECT_END,
  T_STRING,
  T_TRUE,
} from "./json-tokenizer.js";

/** What a slot holds for the current line. */
export const SLOT_STRING = 1;
export const SLOT_ESCAPED_STRING = 2;
export const SLOT_NUMBER = 3;
export const SLOT_TRUE = 4;
export const SLOT_FALSE = 5;

/** The slot kind of a value token; 0 for null and arrays, which set nothing. */
const SLOT_OF_TOKEN = new Uint8Array(16);
SLOT_OF_TOKEN[T_STRING] = SLOT_STRING;
SLOT_OF_TOKEN[T_ESCAPED_STRING] = SLOT_ESCAPED_STRING;
SLOT_OF_TOKEN[T_NUMBER] = SLOT_NUMBER;
SLOT_OF_TOKEN[T_TRUE] = SLOT_TRUE;
SLOT_OF_TOKEN[T_FALSE] = SLOT_FALSE;

function requireTokenizer(): JsonTokenizer {
  const tokenizer = jsonTokenizer();
  // the Evaluator reads every line with JSON.parse where there is none
  if (tokenizer === null) throw new Error("internal: no WebAssembly tokenizer on this thread");
  return tokenizer;
}

/** [A-Za-z0-9_]: key bytes that sanitise to themselves */
const PLAIN = new Uint8Array(256);
for (let c = 0; c < 256; c++) PLAIN[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 1 : 0;

/** A position in the wanted names while inside nested objects: name index and chars consumed. */
type Level = Int32Array;

/** What a key matches among the wanted names. */
interface KeyMatch {
  /** the slot of the flat name whose value the key's value is, or -1 */
  readonly leaf: number;
  /** the names the key leads into when its value is an object, or null */
  readonly child: Level | null;
  /** the slot of the raw name the key is (top-level keys only), or -1 */
  readonly raw: number;
}

const NO_MATCH: KeyMatch = { leaf: -1, child: null, raw: -1 };

/** A plain top-level key that matches something, and what it matches (worked out once). */
interface TopKey {
  bytes: Buffer;
  /** shared by every line: it is only read */
  match: KeyMatch;
}

/** Whether name[offset, offset + length) equals buf[start, start + length). */
function sameBytesAt(
  name: Uint8Array,
  offset: number,
  buf: Buffer,
  start: number,
  length: number,
): boolean {
  for (let k = 0; k < length; k++) if (name[offset + k] !== buf[start + k]) return false;
  return true;
}

function pushAt(lists: number[][], index: number, ...values: number[]): void {
  lists[index] ??= [];
  lists[index].push(...values);
}

/** Lists indexed by length, as Int32Arrays. */
function byLength(lists: number[][]): (Int32Array | undefined)[] {
  const out: (Int32Array | undefined)[] = [];
  lists.forEach((entries, length) => {
    out[length] = Int32Array.from(entries);
  });
  return out;
}

export interface ExtractTargets {
  /** names as `| json` extracts them (flattened, sanitised): a_b, user_agent */
  flat: string[];
  /** top-level keys as written ("@timestamp"), for LineRecord.field */
  raw: string[];
  /** the raw name of the timestamp field, which the tokenizer then parses (see timestampParsed) */
  timestamp?: string;
  /**
   * (flat name, value) pairs the queries compare for equality, each value
   * one Buffer per distinct value: the tokenizer compares them (see constantMatch)
   */
  equals?: ReadonlyArray<readonly [string, Buffer]>;
}

export class JsonExtractor {
  readonly flatNames: string[];
  readonly rawNames: string[];
  /**
   * slot kind (0 = not set this line), value range in the line's buffer:
   * the tokenizer's, valid for this extractor's last scan
   */
  readonly kinds: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** a number slot's value when the tokenizer set it and worked it out, else NaN */
  readonly numbers: Float64Array;
  private readonly setIn: Uint32Array;
  private readonly slotCount: number;
  /** the raw slot of the timestamp field, or -1 */
  readonly timestampSlot: number;
  /** per slot, the values the tokenizer compares it with (constantMatch's numbering) */
  private readonly constantsOf: Buffer[][];
  private generation = 0;
  private readonly flatBytes: Uint8Array[];
  private readonly rawBytes: Uint8Array[];
  private readonly top: Level;
  /** top-level names by key length: [target, child offset or -1 for a whole-name match]... */
  private readonly topByLength: (Int32Array | undefined)[];
  /** raw names by byte length */
  private readonly rawByLength: (Int32Array | undefined)[];
  /** the match of a key that is only flat name i (leafMatches[i]) or only raw name i (rawMatches[i]) */
  private readonly leafMatches: KeyMatch[];
  private readonly rawMatches: KeyMatch[];
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
   * name), with what it matches, worked out once.
   */
  private readonly topKeys: TopKey[][] = [];
  /**
   * Which object (by serial) last matched each slot, per nesting depth: a
   * key that matters seen twice in one object (a duplicate key) makes the
   * scan give up, because JSON.parse keeps only the last one's value.
   */
  private readonly touched: Uint32Array;
  private readonly tokenizer: JsonTokenizer = requireTokenizer();
  /** topKeys for the tokenizer, and the match of each of its entries; null: too big for it */
  private readonly keyTable: KeyTable | null;
  private readonly entryMatches: KeyMatch[] = [];
  private objectSerial = 0;

  constructor(targets: ExtractTargets) {
    this.flatNames = [...new Set(targets.flat)].filter((n) => n !== "");
    this.rawNames = [...new Set(targets.raw)].filter((n) => n !== "");
    const slots = this.flatNames.length + this.rawNames.length;
    this.slotCount = slots;
    const tokenizer = this.tokenizer;
    this.kinds = tokenizer.kinds;
    this.starts = tokenizer.starts;
    this.ends = tokenizer.ends;
    this.numbers = tokenizer.numbers;
    this.setIn = tokenizer.setIn;
    this.touched = tokenizer.touched;
    this.flatBytes = this.flatNames.map((n) => Buffer.from(n, "utf8"));
    this.rawBytes = this.rawNames.map((n) => Buffer.from(n, "utf8"));
    this.leafMatches = this.flatNames.map((_, i) => ({ leaf: i, child: null, raw: -1 }));
    this.rawMatches = this.rawNames.map((_, r) => ({
      leaf: -1,
      child: null,
      raw: this.rawSlot(r),
    }));
    this.top = new Int32Array(this.flatNames.length * 2);
    this.flatNames.forEach((_, i) => {
      this.top[2 * i] = i;
    });
    this.topByLength = byLength(this.topNamesByLength());
    this.rawByLength = byLength(this.rawIndexesByLength());
    this.topFirstLimit = Math.max(64, this.topByLength.length, this.rawByLength.length);
    this.topKeyGroup = new Int32Array(this.topFirstLimit * 256);
    this.groupTopKeys();
    this.constantsOf = this.constantsBySlot(targets.equals ?? []);
    const timestampRaw = targets.timestamp ? this.rawNames.indexOf(targets.timestamp) : -1;
    this.timestampSlot = timestampRaw < 0 ? -1 : this.rawSlot(timestampRaw);
    this.keyTable = slots <= MAX_SLOTS ? this.buildKeyTable() : null;
  }

  /**
   * Per top-level key length, the flat names a key of that length matches:
   * [name, -1] for the whole name, [name, offset] for the part of it before
   * a "_" (a key leading into a nested object, the name going on at offset).
   */
  private topNamesByLength(): number[][] {
    const lists: number[][] = [];
    this.flatBytes.forEach((name, i) => {
      pushAt(lists, name.length, i, -1);
      for (let k = 1; k < name.length - 1; k++) {
        if (name[k] === 95) pushAt(lists, k, i, k + 1);
      }
    });
    return lists;
  }

  private rawIndexesByLength(): number[][] {
    const lists: number[][] = [];
    this.rawBytes.forEach((name, r) => {
      pushAt(lists, name.length, r);
    });
    return lists;
  }

  /** Work out topKeys (and topKeyGroup): what each plain top-level key that matters matches. */
  private groupTopKeys(): void {
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
      const top = this.matchTop(key, 0, key.length);
      const match = this.keyMatch(top.leaf, top.child, this.matchRaw(key, 0, key.length));
      if (match === NO_MATCH) continue;
      const at = key.length * 256 + key[0]!;
      if (this.topKeyGroup[at] === 0) this.topKeyGroup[at] = this.topKeys.push([]);
      this.topKeys[this.topKeyGroup[at]! - 1]!.push({ bytes: key, match });
    }
  }

  /** Per slot, the distinct values (one Buffer each) the queries compare its flat name with. */
  private constantsBySlot(equals: ReadonlyArray<readonly [string, Buffer]>): Buffer[][] {
    const constantsOf: Buffer[][] = Array.from({ length: this.slotCount }, () => []);
    for (const [name, bytes] of equals) {
      const flat = this.flatNames.indexOf(name);
      if (flat < 0) continue;
      // one Buffer per distinct value: constantMatch finds a value by its Buffer,
      // and the tokenizer names only the first equal constant
      const list = constantsOf[this.flatSlot(flat)]!;
      if (!list.some((b) => b.equals(bytes))) list.push(bytes);
    }
    return constantsOf;
  }

  /** topKeys as the tokenizer's key table, or null when they do not fit it. */
  private buildKeyTable(): KeyTable | null {
    const limit = Math.min(this.topFirstLimit, GROUP_LIMIT);
    const groups = new Int32Array(limit * 256);
    const entries: number[] = [];
    const keyBytes: number[] = [];
    for (let at = 0; at < groups.length; at++) {
      const group = this.topKeyGroup[at]!;
      if (group === 0) continue;
      const keys = this.topKeys[group - 1]!;
      groups[at] = (this.entryMatches.length << 16) | keys.length;
      for (const { bytes, match } of keys) {
        this.entryMatches.push(match);
        entries.push(keyBytes.length, bytes.length, match.leaf, match.raw, match.child ? 1 : 0);
        keyBytes.push(...bytes);
      }
    }
    if (this.entryMatches.length > MAX_ENTRIES || keyBytes.length > MAX_KEY_BYTES) return null;
    return {
      groups,
      limit,
      entries: Int32Array.from(entries),
      keyBytes: Uint8Array.from(keyBytes),
      timestampSlot: this.timestampSlot,
      ...this.constantTables(),
    };
  }

  /** The compared values as the tokenizer's tables; those past its room are left out of constantsOf. */
  private constantTables(): Pick<KeyTable, "slotConstants" | "constants" | "constantBytes"> {
    const slotConstants = new Int32Array(this.slotCount * 2);
    const constants: number[] = [];
    const constantBytes: number[] = [];
    this.constantsOf.forEach((list, slot) => {
      const count = constants.length / 2;
      const bytes = list.reduce((sum, b) => sum + b.length, 0);
      // past the tokenizer's room, FastLine compares them itself
      if (
        count + list.length > MAX_CONSTANTS ||
        constantBytes.length + bytes > MAX_CONSTANT_BYTES
      ) {
        list.length = 0;
        return;
      }
      slotConstants[2 * slot] = count;
      slotConstants[2 * slot + 1] = list.length;
      for (const b of list) {
        constants.push(constantBytes.length, b.length);
        constantBytes.push(...b);
      }
    });
    return {
      slotConstants,
      constants: Int32Array.from(constants),
      constantBytes: Uint8Array.from(constantBytes),
    };
  }

  /** The slot of a flat name, then raw names after them. */
  flatSlot(i: number): number {
    return i;
  }

  rawSlot(i: number): number {
    return this.flatNames.length + i;
  }

  /**
   * The timestamp slot's time as rfc3339BytesMs gives it, when the last
   * scan parsed it: a number, null (not a valid time), or undefined (not
   * parsed: ask rfc3339BytesMs).
   */
  timestampParsed(): number | null | undefined {
    const state = this.tokenizer.timestampState[0];
    if (state === 1) return this.tokenizer.timestampMs[0]!;
    return state === 2 ? null : undefined;
  }

  /**
   * For a slot holding a plain string: whether it equals bytes, when the
   * tokenizer compared the two (bytes is one of the equals values it was
   * given for the slot's name); undefined when it did not.
   */
  constantMatch(slot: number, bytes: Buffer): boolean | undefined {
    const tokenizer = this.tokenizer;
    if (tokenizer.matchIn[slot] !== this.generation) return undefined;
    const list = this.constantsOf[slot]!;
    for (let k = 0; k < list.length; k++) {
      if (list[k] === bytes) return tokenizer.matchOf[slot] === k + 1;
    }
    return undefined;
  }

  /** Whether the slot was set by the last successful scan. */
  isSet(slot: number): boolean {
    return this.setIn[slot] === this.generation;
  }

  /**
   * Scan buf[start, end) (one line, no line break). true: it is a JSON
   * object and the slots are filled; false: let JSON.parse decide.
   */
  scan(buf: Buffer, start: number, end: number): boolean {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.setIn.fill(0);
      this.tokenizer.matchIn.fill(0);
      this.generation = 1;
    }
    if (this.keyTable === null) return false;
    const tokenizer = this.tokenizer;
    tokenizer.activate(this, this.keyTable);
    const serial = this.nextObjectSerial();
    const tokens = tokenizer.scan(buf, start, end, this.generation, serial);
    if (tokens < 0) return false;
    // the tape starts with the line's object; [T_OBJECT, T_OBJECT_END]: the tokenizer did it all
    if (tokens === 2) return true;
    return this.object(buf, tokenizer.tape, 3, tokenizer.delta, this.top, true, 0, serial) >= 0;
  }

  /**
   * The members of an object on the tape, from index i (just after its
   * T_OBJECT) to its T_OBJECT_END: the index after that, or -1 to give up.
   * Token addresses less delta are positions in buf. At the top level the
   * tape holds only the members whose keys may matter (see json-scan.as.ts).
   */
  private object(
    buf: Buffer,
    tape: Int32Array,
    i: number,
    delta: number,
    level: Level | null,
    topLevel: boolean,
    depth: number,
    serial = this.nextObjectSerial(),
  ): number {
    const touchedBase = depth * this.slotCount;
    for (;;) {
      if (tape[i] === T_OBJECT_END) return i + 3;
      const match = this.matchKey(buf, tape, i, delta, level, topLevel);
      i += 3;
      if (match !== NO_MATCH && !this.touchAll(match, touchedBase, serial)) return -1;
      if (tape[i] === T_OBJECT) {
        i = this.object(buf, tape, i + 3, delta, match.child, false, depth + 1);
        if (i < 0) return -1;
        continue;
      }
      if (!this.setValue(match, tape[i]!, tape[i + 1]! - delta, tape[i + 2]! - delta)) return -1;
      i += 3;
    }
  }

  /** What the key of the member at tape[i] matches; level: the names wanted in its object. */
  private matchKey(
    buf: Buffer,
    tape: Int32Array,
    i: number,
    delta: number,
    level: Level | null,
    topLevel: boolean,
  ): KeyMatch {
    const keyKind = tape[i]!;
    // a top-level key the tokenizer found in the key table: its start is the entry's number
    if (keyKind === T_KEY_ENTRY) return this.entryMatches[tape[i + 1]!]!;
    if (level === null) return NO_MATCH;
    const keyStart = tape[i + 1]! - delta;
    const keyEnd = tape[i + 2]! - delta;
    if (!topLevel) {
      return keyKind === T_KEY_PLAIN
        ? this.matchPlain(buf, keyStart, keyEnd, level)
        : this.matchSanitised(buf, keyStart, keyEnd, level, false);
    }
    // a plain key starting with a digit is sanitised ("_" is put before it)
    if (keyKind === T_KEY_PLAIN && buf[keyStart]! > 57) {
      return this.matchTopKey(buf, keyStart, keyEnd);
    }
    const match = this.matchSanitised(buf, keyStart, keyEnd, level, true);
    const raw = this.matchRaw(buf, keyStart, keyEnd);
    return raw < 0 ? match : this.keyMatch(match.leaf, match.child, raw);
  }

  /** Mark the slots a key matches as seen in this object; false when one already was. */
  private touchAll(match: KeyMatch, touchedBase: number, serial: number): boolean {
    if (match.leaf >= 0 && !this.touch(touchedBase + match.leaf, serial)) return false;
    if (match.raw >= 0 && !this.touch(touchedBase + match.raw, serial)) return false;
    const child = match.child;
    if (child === null) return true;
    for (let k = 0; k < child.length; k += 2) {
      if (!this.touch(touchedBase + child[k]!, serial)) return false;
    }
    return true;
  }

  /** Fill the slots a key matches with its value (null, arrays set nothing); false when one already is. */
  private setValue(match: KeyMatch, valueKind: number, start: number, end: number): boolean {
    if (match.leaf < 0 && match.raw < 0) return true;
    const kind = SLOT_OF_TOKEN[valueKind]!;
    if (kind === 0) return true;
    if (match.leaf >= 0 && !this.set(match.leaf, kind, start, end)) return false;
    return match.raw < 0 || this.set(match.raw, kind, start, end);
  }

  private set(slot: number, kind: number, start: number, end: number): boolean {
    if (this.setIn[slot] === this.generation) return false;
    this.setIn[slot] = this.generation;
    this.kinds[slot] = kind;
    this.starts[slot] = start;
    this.ends[slot] = end;
    // the tokenizer works out the numbers it sets itself, not these
    this.numbers[slot] = Number.NaN;
    return true;
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

  /**
   * A match of leaf, child and raw: a shared one, unless the key leads into
   * nested names or is a flat and a raw name at once (then a new one).
   */
  private keyMatch(leaf: number, child: Level | null, raw: number): KeyMatch {
    if (child !== null || (leaf >= 0 && raw >= 0)) return { leaf, child, raw };
    if (leaf >= 0) return this.leafMatches[leaf]!;
    return raw >= 0 ? this.rawMatches[raw - this.flatNames.length]! : NO_MATCH;
  }

  /** A top-level key of [A-Za-z0-9_] against the flat names: only names of its length (or with a "_" there) can match. */
  private matchTop(buf: Buffer, keyStart: number, keyEnd: number): KeyMatch {
    const length = keyEnd - keyStart;
    const entries = this.topByLength[length];
    if (entries === undefined) return NO_MATCH;
    let leaf = -1;
    let child: number[] | null = null;
    for (let i = 0; i < entries.length; i += 2) {
      const target = entries[i]!;
      if (!sameBytesAt(this.flatBytes[target]!, 0, buf, keyStart, length)) continue;
      const childOffset = entries[i + 1]!;
      if (childOffset < 0) leaf = target;
      else {
        child ??= [];
        child.push(target, childOffset);
      }
    }
    return this.keyMatch(leaf, child ? Int32Array.from(child) : null, -1);
  }

  /** A plain top-level key not starting with a digit: its topKeys match, found by length and first byte. */
  private matchTopKey(buf: Buffer, keyStart: number, keyEnd: number): KeyMatch {
    const length = keyEnd - keyStart;
    if (length >= this.topFirstLimit) return NO_MATCH;
    const group = this.topKeyGroup[length * 256 + buf[keyStart]!]!;
    if (group === 0) return NO_MATCH;
    const keys = this.topKeys[group - 1]!;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      // the first byte is the group's
      if (sameBytesAt(key.bytes, 1, buf, keyStart + 1, length - 1)) return key.match;
    }
    return NO_MATCH;
  }

  /** A key of [A-Za-z0-9_] against the names still wanted at this level. */
  private matchPlain(buf: Buffer, keyStart: number, keyEnd: number, level: Level): KeyMatch {
    const length = keyEnd - keyStart;
    let leaf = -1;
    let child: number[] | null = null;
    for (let i = 0; i < level.length; i += 2) {
      const target = level[i]!;
      const offset = level[i + 1]!;
      const name = this.flatBytes[target]!;
      const rest = name.length - offset;
      if (rest < length || !sameBytesAt(name, offset, buf, keyStart, length)) continue;
      if (rest === length) leaf = target;
      else if (name[offset + length] === 95 && rest > length + 1) {
        child ??= [];
        child.push(target, offset + length + 1);
      }
    }
    return this.keyMatch(leaf, child ? Int32Array.from(child) : null, -1);
  }

  /** Any other key: sanitise it as flattenJson does, then compare as strings. */
  private matchSanitised(
    buf: Buffer,
    keyStart: number,
    keyEnd: number,
    level: Level,
    topLevel: boolean,
  ): KeyMatch {
    const key = sanitizeLabelKey(buf.toString("utf8", keyStart, keyEnd), topLevel);
    if (key === "") return NO_MATCH;
    let leaf = -1;
    let child: number[] | null = null;
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
    return this.keyMatch(leaf, child ? Int32Array.from(child) : null, -1);
  }

  /** A top-level key exactly as written; its slot or -1. */
  private matchRaw(buf: Buffer, keyStart: number, keyEnd: number): number {
    const length = keyEnd - keyStart;
    const candidates = this.rawByLength[length];
    if (candidates === undefined) return -1;
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates[i]!;
      if (sameBytesAt(this.rawBytes[r]!, 0, buf, keyStart, length)) return this.rawSlot(r);
    }
    return -1;
  }
}
