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
  private readonly tokenizer: JsonTokenizer = requireTokenizer();
  /** topKeys for the tokenizer, and the TopKey of each of its entries; null: too big for it */
  private readonly keyTable: KeyTable | null;
  private readonly entryKeys: TopKey[] = [];
  private objectSerial = 0;
  /** what the last match* call found: a flat slot or -1, and the level inside the key's object */
  private matchedLeaf = -1;
  private matchedChild: Level | null = null;

  constructor(targets: ExtractTargets) {
    this.flatNames = [...new Set(targets.flat)].filter((n) => n !== "");
    this.rawNames = [...new Set(targets.raw)].filter((n) => n !== "");
    const slots = this.flatNames.length + this.rawNames.length;
    this.slotCount = slots;
    const tokenizer = this.tokenizer;
    this.kinds = tokenizer.kinds;
    this.starts = tokenizer.starts;
    this.ends = tokenizer.ends;
    this.setIn = tokenizer.setIn;
    this.touched = tokenizer.touched;
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
    this.constantsOf = Array.from({ length: slots }, () => []);
    for (const [name, bytes] of targets.equals ?? []) {
      const flat = this.flatNames.indexOf(name);
      if (flat < 0) continue;
      // one Buffer per distinct value: constantMatch finds a value by its Buffer,
      // and the tokenizer names only the first equal constant
      const list = this.constantsOf[this.flatSlot(flat)]!;
      if (!list.some((b) => b.equals(bytes))) list.push(bytes);
    }
    const timestampRaw = targets.timestamp ? this.rawNames.indexOf(targets.timestamp) : -1;
    this.timestampSlot = timestampRaw < 0 ? -1 : this.rawSlot(timestampRaw);
    this.keyTable = slots <= MAX_SLOTS ? this.buildKeyTable() : null;
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
      groups[at] = (this.entryKeys.length << 16) | keys.length;
      for (const key of keys) {
        this.entryKeys.push(key);
        entries.push(keyBytes.length, key.bytes.length, key.leaf, key.raw, key.child ? 1 : 0);
        keyBytes.push(...key.bytes);
      }
    }
    if (this.entryKeys.length > MAX_ENTRIES || keyBytes.length > MAX_KEY_BYTES) return null;
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
      groups,
      limit,
      entries: Int32Array.from(entries),
      keyBytes: Uint8Array.from(keyBytes),
      timestampSlot: this.timestampSlot,
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
      const keyKind = tape[i]!;
      if (keyKind === T_OBJECT_END) return i + 3;
      const keyStart = tape[i + 1]! - delta;
      const keyEnd = tape[i + 2]! - delta;
      i += 3;

      let leaf = -1;
      let raw = -1;
      let child: Level | null = null;
      if (keyKind === T_KEY_ENTRY) {
        // a top-level key the tokenizer found in the key table (tape[i - 2] is the entry)
        const key = this.entryKeys[tape[i - 2]!]!;
        leaf = key.leaf;
        raw = key.raw;
        child = key.child;
      } else if (level !== null) {
        const plain = keyKind === T_KEY_PLAIN;
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
      }
      if (leaf >= 0 && !this.touch(touchedBase + leaf, serial)) return -1;
      if (raw >= 0 && !this.touch(touchedBase + raw, serial)) return -1;
      if (child !== null) {
        for (let k = 0; k < child.length; k += 2) {
          if (!this.touch(touchedBase + child[k]!, serial)) return -1;
        }
      }

      const valueKind = tape[i]!;
      if (valueKind === T_OBJECT) {
        i = this.object(buf, tape, i + 3, delta, child, false, depth + 1);
        if (i < 0) return -1;
        continue;
      }
      if (leaf >= 0 || raw >= 0) {
        const kind = SLOT_OF_TOKEN[valueKind]!;
        if (kind !== 0) {
          const valueStart = tape[i + 1]! - delta;
          const valueEnd = tape[i + 2]! - delta;
          if (leaf >= 0 && !this.set(leaf, kind, valueStart, valueEnd)) return -1;
          if (raw >= 0 && !this.set(raw, kind, valueStart, valueEnd)) return -1;
        }
      }
      i += 3;
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
