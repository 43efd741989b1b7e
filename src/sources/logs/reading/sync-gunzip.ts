/**
 * Gunzip on the reading thread, synchronously, into one reused buffer.
 *
 * zlib's streams inflate in the libuv threadpool and need the reading
 * thread to take each chunk, so inflating and scanning take turns (measured:
 * 1.3 of 2 cores busy on 8 .gz files), and each chunk is a new buffer freed
 * only at the next collection (peak RSS near 200 MB). Node's own
 * `zlib.*Sync` functions call the handle's writeSync with an output buffer
 * of their choosing; this does the same, a chunk at a time, so a worker
 * inflates and scans with no round trip and no garbage per chunk.
 * Multi-member files and zero padding are handled by Node's zlib binding,
 * as for createGunzip.
 */

import * as zlib from "node:zlib";

/** The part of a zlib stream's native handle this uses (as lib/zlib.js's processChunkSync does). */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Buffer,
    inOffset: number,
    inLength: number,
    output: Buffer,
    outOffset: number,
    outLength: number,
  ): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

/** zlib's error names by number (Z_DATA_ERROR...): lib/zlib.js exports them untyped. */
const codeNames = (zlib as unknown as { codes: Record<number, string> }).codes;

/** zlib's error, as createGunzip's stream would have emitted it. */
export class ZlibError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** compressed bytes taken before the decoding step that failed */
    readonly consumed: number,
  ) {
    super(message);
  }
}

/**
 * The text of the gzip data in `compressed`, in chunks of up to chunkBytes
 * that are views of one buffer: each is valid until the next is asked for.
 * Throws a ZlibError where the data is damaged or ends early.
 */
export async function* gunzipSync(
  compressed: AsyncIterable<Buffer>,
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  const stream = zlib.createGunzip();
  const handle = (stream as unknown as { _handle: ZlibHandle })._handle;
  // [avail_out, avail_in] after each writeSync, as the binding reports them
  const state = (stream as unknown as { _writeState: Uint32Array })._writeState;
  let failure: { message: string; code: string | undefined } | null = null;
  handle.onerror = (message, errno, code) => {
    failure = { message, code: code ?? codeNames[errno] };
  };
  const out = Buffer.allocUnsafe(chunkBytes);
  let consumed = 0;
  /** Inflate input[from, from + length) until it is all taken; yields each full or last chunk. */
  const inflate = function* (flush: number, input: Buffer): Generator<Buffer> {
    let from = 0;
    let length = input.length;
    for (;;) {
      handle.writeSync(flush, input, from, length, out, 0, out.length);
      if (failure !== null) {
        const { message, code } = failure as { message: string; code: string | undefined };
        throw new ZlibError(message, code, consumed);
      }
      const availOut = state[0]!;
      const availIn = state[1]!;
      consumed += length - availIn;
      from += length - availIn;
      length = availIn;
      if (availOut < out.length) yield out.subarray(0, out.length - availOut);
      // room left in the output: zlib took all the input it could use
      if (availOut !== 0) return;
    }
  };
  try {
    for await (const chunk of compressed) yield* inflate(zlib.constants.Z_NO_FLUSH, chunk);
    yield* inflate(zlib.constants.Z_FINISH, Buffer.alloc(0));
  } finally {
    stream.close();
  }
}
