/**
 * The WebAssembly tokenizer of the logs fast path (wasm/json-scan.as.ts),
 * one instance per thread, and the memory it reads: lines are tokenized
 * where they lie when they were read into one of the read buffers it lends
 * the readers (it is their BufferProvider), and copied into it otherwise.
 *
 * The memory is sized once and never grows, so the Buffers and typed
 * arrays over it stay valid.
 */

import type { BufferProvider } from "../reading/buffer-provider.js";
import { RANGE_READ_BYTES } from "../reading/range-reader.js";
import { JSON_SCAN_WASM } from "./json-scan-wasm.js";

/** Token kinds, as wasm/json-scan.as.ts writes them. */
export const T_OBJECT = 1;
export const T_OBJECT_END = 2;
export const T_KEY = 3;
export const T_KEY_PLAIN = 4;
export const T_STRING = 5;
export const T_ESCAPED_STRING = 6;
export const T_NUMBER = 7;
export const T_TRUE = 8;
export const T_FALSE = 9;
export const T_NULL = 10;
export const T_ARRAY = 11;
/** a top-level key found in the key table: start and end are the entry's number */
export const T_KEY_ENTRY = 12;

/** Plain keys this long or longer are not looked up in the key table (json-extractor.ts does). */
export const GROUP_LIMIT = 1024;
/** An extractor with more slots, key-table entries or key bytes is not given the fast path. */
export const MAX_SLOTS = 256;
export const MAX_ENTRIES = 4096;
export const MAX_KEY_BYTES = 64 * 1024;
/** Constants (compared values) beyond these are compared in JavaScript instead. */
export const MAX_CONSTANTS = 4096;
export const MAX_CONSTANT_BYTES = 64 * 1024;
/** Nesting the tokenizer accepts (json-scan.as.ts's MAX_DEPTH). */
export const MAX_DEPTH = 64;
/** Per entry: key offset, key length, leaf slot, raw slot, 1 when not simple. */
export const ENTRY_FIELDS = 5;
/** Longer lines that were not read into a read buffer are left to JSON.parse. */
const SCRATCH_BYTES = 1024 * 1024;
/** A line with more tokens than this (after filtering) is left to JSON.parse. */
const TAPE_TOKENS = 16 * 1024;
/** As big as the range reader's reads, so plain files are read where they are tokenized. */
const READ_BUFFER_BYTES = RANGE_READ_BYTES;
const READ_BUFFERS = 2;
/** Vector reads run up to 15 bytes past a line's end. */
const PAD = 64;

const CLASSES_AT = 1024;
const GROUPS_AT = CLASSES_AT + 256;
const ENTRIES_AT = GROUPS_AT + GROUP_LIMIT * 256 * 4;
const KEY_BYTES_AT = ENTRIES_AT + MAX_ENTRIES * ENTRY_FIELDS * 4;
const SET_IN_AT = KEY_BYTES_AT + MAX_KEY_BYTES;
const KINDS_AT = SET_IN_AT + MAX_SLOTS * 4;
const STARTS_AT = KINDS_AT + MAX_SLOTS * 4;
const ENDS_AT = STARTS_AT + MAX_SLOTS * 4;
const TOUCHED_AT = ENDS_AT + MAX_SLOTS * 4;
const TIMESTAMP_AT = TOUCHED_AT + (MAX_DEPTH + 2) * MAX_SLOTS * 4;
const SLOT_CONSTANTS_AT = TIMESTAMP_AT + 16;
const CONSTANTS_AT = SLOT_CONSTANTS_AT + MAX_SLOTS * 8;
const CONSTANT_BYTES_AT = CONSTANTS_AT + MAX_CONSTANTS * 8;
const MATCH_OF_AT = CONSTANT_BYTES_AT + MAX_CONSTANT_BYTES;
const MATCH_IN_AT = MATCH_OF_AT + MAX_SLOTS * 4;
/** f64 per slot: every offset before it is a multiple of 8 */
const NUMBERS_AT = MATCH_IN_AT + MAX_SLOTS * 4;
const TAPE_AT = NUMBERS_AT + MAX_SLOTS * 8;
const SCRATCH_AT = TAPE_AT + TAPE_TOKENS * 12;
const READ_BUFFERS_AT = SCRATCH_AT + SCRATCH_BYTES + PAD;
const MEMORY_BYTES = READ_BUFFERS_AT + READ_BUFFERS * (READ_BUFFER_BYTES + PAD);

/** An extractor's tables, as json-scan.as.ts's init() describes them. */
export interface KeyTable {
  /** [length * 256 + first byte] for lengths below limit: first entry << 16 | count */
  groups: Int32Array;
  limit: number;
  entries: Int32Array;
  keyBytes: Uint8Array;
  /** the slot whose RFC 3339 text the tokenizer parses itself, or -1 */
  timestampSlot: number;
  /** per slot: first constant, count; per constant: byte offset, length; their bytes */
  slotConstants: Int32Array;
  constants: Int32Array;
  constantBytes: Uint8Array;
}

interface ScanExports {
  memory: WebAssembly.Memory;
  init(
    classesAt: number,
    groupsAt: number,
    entriesAt: number,
    keyBytesAt: number,
    setInAt: number,
    kindsAt: number,
    startsAt: number,
    endsAt: number,
    touchedAt: number,
    tapeAt: number,
    tapeTokens: number,
    timestampAt: number,
    slotConstantsAt: number,
    constantsAt: number,
    constantBytesAt: number,
    matchOfAt: number,
    matchInAt: number,
    numbersAt: number,
  ): void;
  configure(limit: number, timestampSlot: number): void;
  scan(start: number, end: number, delta: number, generation: number, serial: number): number;
}

export class JsonTokenizer implements BufferProvider {
  /** tokens of the last scan: kind, start, end (addresses; see delta) */
  readonly tape: Int32Array;
  /**
   * The active extractor's slots, set by the last scan and by the
   * extractor: the line (generation) each was set in, its kind and range.
   */
  readonly setIn: Uint32Array;
  readonly kinds: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** per nesting depth, per slot: the object (serial) that last matched it; depth 0 is shared */
  readonly touched: Uint32Array;
  /** what to subtract from a token's address to get its position in the scanned buffer */
  delta = 0;
  /**
   * The timestamp slot as the last scan parsed it: [0] is 0 when it did not,
   * 1 when timestampMs[0] holds the time, 2 when the text is not a valid time.
   */
  readonly timestampState: Int32Array;
  readonly timestampMs: Float64Array;
  /** per slot, when matchIn is the line's generation: 1 + which of its constants it equals, or 0 */
  readonly matchOf: Int32Array;
  readonly matchIn: Uint32Array;
  /** per slot set to a number: its value where the tokenizer worked it out, else NaN */
  readonly numbers: Float64Array;
  private readonly exports: ScanExports;
  private readonly bytes: Uint8Array;
  private readonly memory: ArrayBuffer;
  private readonly freeReadBuffers: Buffer[] = [];
  private active: object | null = null;
  /** the last buffer scanned, and whether it lies in this memory */
  private lastBuf: Buffer | null = null;
  private lastInMemory = false;

  constructor() {
    const module = new WebAssembly.Module(Buffer.from(JSON_SCAN_WASM, "base64"));
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as ScanExports;
    const memory = this.exports.memory;
    const pages = Math.ceil(MEMORY_BYTES / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    this.memory = memory.buffer;
    this.bytes = new Uint8Array(this.memory);
    this.tape = new Int32Array(this.memory, TAPE_AT, TAPE_TOKENS * 3);
    this.setIn = new Uint32Array(this.memory, SET_IN_AT, MAX_SLOTS);
    this.kinds = new Int32Array(this.memory, KINDS_AT, MAX_SLOTS);
    this.starts = new Int32Array(this.memory, STARTS_AT, MAX_SLOTS);
    this.ends = new Int32Array(this.memory, ENDS_AT, MAX_SLOTS);
    this.touched = new Uint32Array(this.memory, TOUCHED_AT, (MAX_DEPTH + 2) * MAX_SLOTS);
    this.timestampState = new Int32Array(this.memory, TIMESTAMP_AT, 1);
    this.timestampMs = new Float64Array(this.memory, TIMESTAMP_AT + 8, 1);
    this.matchOf = new Int32Array(this.memory, MATCH_OF_AT, MAX_SLOTS);
    this.matchIn = new Uint32Array(this.memory, MATCH_IN_AT, MAX_SLOTS);
    this.numbers = new Float64Array(this.memory, NUMBERS_AT, MAX_SLOTS);
    this.exports.init(
      CLASSES_AT,
      GROUPS_AT,
      ENTRIES_AT,
      KEY_BYTES_AT,
      SET_IN_AT,
      KINDS_AT,
      STARTS_AT,
      ENDS_AT,
      TOUCHED_AT,
      TAPE_AT,
      TAPE_TOKENS,
      TIMESTAMP_AT,
      SLOT_CONSTANTS_AT,
      CONSTANTS_AT,
      CONSTANT_BYTES_AT,
      MATCH_OF_AT,
      MATCH_IN_AT,
      NUMBERS_AT,
    );
    for (let i = 0; i < READ_BUFFERS; i++) {
      const at = READ_BUFFERS_AT + i * (READ_BUFFER_BYTES + PAD);
      this.freeReadBuffers.push(Buffer.from(this.memory, at, READ_BUFFER_BYTES));
    }
  }

  /**
   * Make owner's tables the ones scan() uses (a no-op when they are). The
   * slots and marks start cleared: 0 is never a generation or a serial.
   */
  activate(owner: object, table: KeyTable): void {
    if (this.active === owner) return;
    this.bytes.set(asBytes(table.groups), GROUPS_AT);
    this.bytes.set(asBytes(table.entries), ENTRIES_AT);
    this.bytes.set(table.keyBytes, KEY_BYTES_AT);
    this.bytes.fill(0, SLOT_CONSTANTS_AT, SLOT_CONSTANTS_AT + MAX_SLOTS * 8);
    this.bytes.set(asBytes(table.slotConstants), SLOT_CONSTANTS_AT);
    this.bytes.set(asBytes(table.constants), CONSTANTS_AT);
    this.bytes.set(table.constantBytes, CONSTANT_BYTES_AT);
    this.matchIn.fill(0);
    this.setIn.fill(0);
    this.touched.fill(0);
    this.exports.configure(table.limit, table.timestampSlot);
    this.active = owner;
  }

  /**
   * Scan buf[start, end) with the active tables; the number of tokens on
   * the tape, or -1 when JSON.parse must decide.
   */
  scan(buf: Buffer, start: number, end: number, generation: number, serial: number): number {
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastInMemory = buf.buffer === this.memory;
    }
    let from: number;
    if (this.lastInMemory) {
      from = buf.byteOffset + start;
    } else {
      if (end - start > SCRATCH_BYTES) return -1;
      buf.copy(this.bytes, SCRATCH_AT, start, end);
      from = SCRATCH_AT;
    }
    const delta = from - start;
    this.delta = delta;
    return this.exports.scan(from, from + (end - start), delta, generation, serial);
  }

  /** A buffer of READ_BUFFER_BYTES in this memory (lines read there are not copied), or null. */
  takeReadBuffer(minBytes: number): Buffer | null {
    if (minBytes > READ_BUFFER_BYTES) return null;
    return this.freeReadBuffers.pop() ?? null;
  }

  giveBackReadBuffer(buf: Buffer): void {
    if (buf.buffer === this.memory && !this.freeReadBuffers.includes(buf)) {
      this.freeReadBuffers.push(buf);
    }
  }
}

function asBytes(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

let shared: JsonTokenizer | null | undefined;

/**
 * This thread's tokenizer; null where WebAssembly cannot run it (no SIMD:
 * an old CPU, or a runtime started with WebAssembly restricted), and then
 * every line is read with JSON.parse.
 */
export function jsonTokenizer(): JsonTokenizer | null {
  if (shared === undefined) {
    try {
      shared = new JsonTokenizer();
    } catch {
      shared = null;
    }
  }
  return shared;
}
