/** The bytes of a file or a stream (stdin), gunzipped where they are gzip, in chunks. */

import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { membersAfter } from "./gzip-members.js";
import { openRegularFile } from "./regular-file.js";
import { gunzipSync, ZlibError } from "./sync-gunzip.js";

/** Streams (.gz, stdin) are read and inflated this much at a time. */
export const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The decompressed bytes of a file; onRawBytes counts the bytes read from
 * disk (compressed ones for .gz) for progress.
 */
export async function* fileChunks(
  path: string,
  gzip: boolean,
  onRawBytes?: (n: number) => void,
): AsyncIterable<Buffer> {
  const handle = await openRegularFile(path);
  if (!gzip) {
    const file = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    if (onRawBytes) file.on("data", (chunk) => onRawBytes(chunk.length));
    yield* file as AsyncIterable<Buffer>;
    return;
  }
  let handedOn = 0;
  try {
    for await (const chunk of gunzipped(fileBytes(handle, onRawBytes))) {
      handedOn += chunk.length;
      yield chunk;
    }
  } catch (error) {
    if (!(error instanceof GzipDamage) || !error.afterMember) throw error;
    // the text of the step that met the junk is lost: read it again, exactly
    const exact = yield* membersAfter(path, handedOn, READ_CHUNK_BYTES);
    if (exact !== null) throw new GzipDamage(exact.offset, exact.reason, true);
  } finally {
    await handle.close();
  }
}

/**
 * A file's bytes, read in order into one reused buffer: each chunk is valid
 * until the next is asked for. Read synchronously: a read from the page
 * cache takes less than the threadpool round trip (measured: 0.17 s of a
 * worker's 4.7 s on 1 GB of .gz went to the async read's call alone), and
 * the thread has nothing else to do meanwhile.
 */
async function* fileBytes(
  handle: FileHandle,
  onRawBytes?: (n: number) => void,
): AsyncIterable<Buffer> {
  const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  for (;;) {
    const bytesRead = readSync(handle.fd, buf, 0, buf.length, null);
    if (bytesRead === 0) return;
    onRawBytes?.(bytesRead);
    yield buf.subarray(0, bytesRead);
  }
}

/** A stream's bytes, gunzipped when they start with the gzip magic number (for stdin). */
export async function* sniffedChunks(stream: NodeJS.ReadableStream): AsyncIterable<Buffer> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  const rest = async function* (): AsyncIterable<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield toBuffer(next.value);
    }
  };
  if (head[0] === 0x1f && head[1] === 0x8b) yield* gunzipped(rest());
  else yield* rest();
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

/**
 * A .gz that breaks part-way: offset is how far into its bytes decoding got
 * (zlib reports it a decoding step at a time, so the break is at or after it).
 */
export class GzipDamage extends Error {
  constructor(
    readonly offset: number,
    reason: string,
    /** the break is bytes after a gzip member that are not another member */
    readonly afterMember = false,
  ) {
    super(reason);
  }
}

/** The text of gzip data; a GzipDamage where it breaks. */
async function* gunzipped(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let startsAsGzip: boolean | null = null;
  const watched = async function* (): AsyncIterable<Buffer> {
    for await (const chunk of source) {
      if (chunk.length === 0) continue;
      startsAsGzip ??= chunk[0] === 0x1f && chunk[1] === 0x8b;
      yield chunk;
    }
  };
  try {
    yield* gunzipSync(watched(), READ_CHUNK_BYTES);
  } catch (error) {
    if (!(error instanceof ZlibError)) throw error;
    const gzip = startsAsGzip === true;
    throw new GzipDamage(error.consumed, damageReason(error, gzip), gzip && isHeaderError(error));
  }
}

/** zlib found no gzip header where a member should start. */
function isHeaderError(error: unknown): boolean {
  return /header check|unknown compression method/.test((error as Error).message ?? "");
}

/** What is wrong with the gzip data, in words. */
function damageReason(error: ZlibError, startsAsGzip: boolean): string {
  const { code, message } = error;
  if (code === "Z_BUF_ERROR") return "the gzip data ends early: the file is truncated";
  if (isHeaderError(error)) {
    return startsAsGzip
      ? "bytes after a gzip member are not gzip (junk appended, or a damaged member header)"
      : "not gzip data: the file does not start with gzip's magic bytes 1f 8b";
  }
  if (/data check|length check/.test(message ?? ""))
    return "corrupt gzip data: the checksum does not match what was decoded";
  return `corrupt gzip data (zlib: ${message})`;
}
