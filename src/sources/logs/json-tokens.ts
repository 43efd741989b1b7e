/**
 * The WebAssembly tokenizer of the logs fast path (wasm/json-scan.as.ts),
 * one instance per thread, and the memory it reads: lines are tokenized
 * where they lie when they were read into one of its read buffers
 * (range-reader.ts reads plain files there), and copied into it otherwise.
 *
 * The memory is sized once and never grows, so the Buffers and typed
 * arrays over it stay valid.
 */

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

/** The relevance table covers plain keys shorter than this; longer ones are always written. */
export const RELEVANCE_LIMIT = 1024;
/** Longer lines that were not read into a read buffer are left to JSON.parse. */
const SCRATCH_BYTES = 1024 * 1024;
/** A line with more tokens than this (after filtering) is left to JSON.parse. */
const TAPE_TOKENS = 16 * 1024;
export const READ_BUFFER_BYTES = 4 * 1024 * 1024;
const READ_BUFFERS = 2;
/** Vector reads run up to 15 bytes past a line's end. */
const PAD = 64;

const CLASSES_AT = 1024;
const RELEVANCE_AT = CLASSES_AT + 256;
const TAPE_AT = RELEVANCE_AT + RELEVANCE_LIMIT * 256;
const SCRATCH_AT = TAPE_AT + TAPE_TOKENS * 12;
const READ_BUFFERS_AT = SCRATCH_AT + SCRATCH_BYTES + PAD;
const MEMORY_BYTES = READ_BUFFERS_AT + READ_BUFFERS * (READ_BUFFER_BYTES + PAD);

interface ScanExports {
  memory: WebAssembly.Memory;
  init(at: number): void;
  scan(
    start: number,
    end: number,
    relevantAt: number,
    limit: number,
    tapeAt: number,
    tapeTokens: number,
  ): number;
}

export class JsonTokenizer {
  /** tokens of the last scan: kind, start, end (addresses; see delta) */
  readonly tape: Int32Array;
  /** what to subtract from a token's address to get its position in the scanned buffer */
  delta = 0;
  private readonly exports: ScanExports;
  private readonly bytes: Uint8Array;
  private readonly memory: ArrayBuffer;
  private readonly freeReadBuffers: Buffer[] = [];
  private relevanceOwner: object | null = null;
  private relevanceLimit = 0;

  constructor() {
    const module = new WebAssembly.Module(Buffer.from(JSON_SCAN_WASM, "base64"));
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as ScanExports;
    const memory = this.exports.memory;
    const pages = Math.ceil(MEMORY_BYTES / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    this.memory = memory.buffer;
    this.bytes = new Uint8Array(this.memory);
    this.tape = new Int32Array(this.memory, TAPE_AT, TAPE_TOKENS * 3);
    this.exports.init(CLASSES_AT);
    for (let i = 0; i < READ_BUFFERS; i++) {
      const at = READ_BUFFERS_AT + i * (READ_BUFFER_BYTES + PAD);
      this.freeReadBuffers.push(Buffer.from(this.memory, at, READ_BUFFER_BYTES));
    }
  }

  /**
   * Tokenize buf[start, end) with owner's relevance table; the number of
   * tokens on the tape, or -1 when JSON.parse must decide.
   */
  scan(buf: Buffer, start: number, end: number, owner: object, relevance: Uint8Array): number {
    if (this.relevanceOwner !== owner) {
      this.bytes.set(relevance, RELEVANCE_AT);
      this.relevanceOwner = owner;
      this.relevanceLimit = relevance.length >> 8;
    }
    let from: number;
    if (buf.buffer === this.memory) {
      from = buf.byteOffset + start;
    } else {
      if (end - start > SCRATCH_BYTES) return -1;
      buf.copy(this.bytes, SCRATCH_AT, start, end);
      from = SCRATCH_AT;
    }
    this.delta = from - start;
    return this.exports.scan(
      from,
      from + (end - start),
      RELEVANCE_AT,
      this.relevanceLimit,
      TAPE_AT,
      TAPE_TOKENS,
    );
  }

  /** A buffer of READ_BUFFER_BYTES in this memory (lines read there are not copied), or null. */
  takeReadBuffer(): Buffer | null {
    return this.freeReadBuffers.pop() ?? null;
  }

  giveBackReadBuffer(buf: Buffer): void {
    if (buf.buffer === this.memory && !this.freeReadBuffers.includes(buf)) {
      this.freeReadBuffers.push(buf);
    }
  }
}

let shared: JsonTokenizer | null = null;

/** This thread's tokenizer. */
export function jsonTokenizer(): JsonTokenizer {
  shared ??= new JsonTokenizer();
  return shared;
}
