/** The bytes of a file or a stream (stdin), gunzipped where they are gzip, in chunks. */

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { membersAfter } from "./gzip-members.js";
import { openRegularFile } from "./regular-file.js";

/**
 * Streams (.gz, stdin) are read and inflated this much at a time. Every
 * chunk is a new buffer; at 1 MiB, those freed in worker threads kept peak
 * RSS near 200 MB on 1 GB of .gz, at 256 KiB it is about 140 MB, as fast.
 */
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
  const file = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
  if (onRawBytes) file.on("data", (chunk) => onRawBytes(chunk.length));
  if (!gzip) {
    yield* file as AsyncIterable<Buffer>;
    return;
  }
  let handedOn = 0;
  try {
    for await (const chunk of gunzipped(file)) {
      handedOn += chunk.length;
      yield chunk;
    }
  } catch (error) {
    if (!(error instanceof GzipDamage) || !error.afterMember) throw error;
    // the text of the step that met the junk is lost: read it again, exactly
    const exact = yield* membersAfter(path, handedOn, READ_CHUNK_BYTES);
    if (exact !== null) throw new GzipDamage(exact.offset, exact.reason, true);
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
  if (head[0] === 0x1f && head[1] === 0x8b) yield* gunzipped(Readable.from(rest()));
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

async function* gunzipped(source: Readable): AsyncIterable<Buffer> {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  let startsAsGzip = false;
  source.once("data", (first: Buffer) => {
    startsAsGzip = first[0] === 0x1f && first[1] === 0x8b;
  });
  // pipeline destroys gunzip with the error when the source fails, so the
  // reader sees every failure; the rejection itself is handled there.
  pipeline(source, gunzip).catch(() => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    const reason = damageReason(error, startsAsGzip);
    if (reason === null) throw error;
    throw new GzipDamage(gunzip.bytesWritten, reason, startsAsGzip && isHeaderError(error));
  }
}

/** zlib found no gzip header where a member should start. */
function isHeaderError(error: unknown): boolean {
  return /header check|unknown compression method/.test((error as Error).message ?? "");
}

/** What is wrong with the gzip data, in words; null when the error is not zlib's (an I/O error). */
function damageReason(error: unknown, startsAsGzip: boolean): string | null {
  const { code, message } = error as { code?: unknown; message?: string };
  if (code === "Z_BUF_ERROR") return "the gzip data ends early: the file is truncated";
  if (code !== "Z_DATA_ERROR" && code !== "Z_NEED_DICT") return null;
  if (isHeaderError(error)) {
    return startsAsGzip
      ? "bytes after a gzip member are not gzip (junk appended, or a damaged member header)"
      : "not gzip data: the file does not start with gzip's magic bytes 1f 8b";
  }
  if (/data check|length check/.test(message ?? ""))
    return "corrupt gzip data: the checksum does not match what was decoded";
  return `corrupt gzip data (zlib: ${message})`;
}
