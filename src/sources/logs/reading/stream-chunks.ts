/** The bytes of a file or a stream (stdin), gunzipped where they are gzip, in chunks. */

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
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
  yield* gzip ? gunzipped(file) : (file as AsyncIterable<Buffer>);
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

function gunzipped(source: Readable): AsyncIterable<Buffer> {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  // pipeline destroys gunzip with the error when the source fails, so the
  // reader sees every failure; the rejection itself is handled there.
  pipeline(source, gunzip).catch(() => {});
  return gunzip;
}
