/**
 * A .gz read again member by member, for a file whose decoding stopped at
 * bytes after a gzip member that are not another member (junk appended).
 * zlib's gunzip drops the text of the decoding step that found them (up to
 * READ_CHUNK_BYTES), so those lines would be lost although the member is
 * whole; raw inflate stops exactly at each member's end, which also gives
 * the exact byte where the junk starts.
 */

import type { FileHandle } from "node:fs/promises";
import * as zlib from "node:zlib";
import { openRegularFile } from "./regular-file.js";

/** What a member read says: its text so far, or where and why the file stops being gzip. */
export interface MemberBreak {
  offset: number;
  reason: string;
}

/** More than any header slo will meet (a file name, a comment); a longer one is taken as damage. */
const HEADER_PROBE_BYTES = 64 * 1024;
const TRAILER_BYTES = 8;

/**
 * The text of every member of the file after its first `skip` bytes; returns
 * where the gzip data breaks, or null when it ends cleanly (as gunzip does,
 * a zero byte after a member ends the data: padding).
 */
export async function* membersAfter(
  path: string,
  skip: number,
  chunkBytes: number,
): AsyncGenerator<Buffer, MemberBreak | null> {
  const file = await openRegularFile(path);
  try {
    const size = (await file.stat()).size;
    let pos = 0;
    let toSkip = skip;
    while (pos < size) {
      const head = await readAt(file, pos, Math.min(HEADER_PROBE_BYTES, size - pos));
      if (pos > 0 && head[0] === 0) return null;
      const headerBytes = headerLength(head);
      if (headerBytes === null)
        return { offset: pos, reason: "bytes after a gzip member are not gzip (junk appended?)" };
      const member = inflateMember(file, pos + headerBytes, chunkBytes);
      let next = await member.next();
      for (; !next.done; next = await member.next()) {
        const text = next.value;
        if (toSkip >= text.length) toSkip -= text.length;
        else {
          yield toSkip > 0 ? text.subarray(toSkip) : text;
          toSkip = 0;
        }
      }
      const result = next.value;
      if ("reason" in result)
        return { offset: pos + headerBytes + result.offset, reason: result.reason };
      const trailerAt = pos + headerBytes + result.consumed;
      const trailer = await readAt(file, trailerAt, TRAILER_BYTES);
      const bad = trailerProblem(trailer, result.length, result.crc);
      if (bad) return { offset: trailerAt, reason: bad };
      pos = trailerAt + TRAILER_BYTES;
    }
    return null;
  } finally {
    await file.close();
  }
}

/** The length of the gzip header at the start of b, or null when b does not start with one. */
export function headerLength(b: Buffer): number | null {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return null;
  const flags = b[3]!;
  if ((flags & 0xe0) !== 0) return null;
  let at = 10;
  if (flags & 4) {
    if (b.length < at + 2) return null;
    at += 2 + b.readUInt16LE(at);
  }
  for (const flag of [8, 16]) {
    if ((flags & flag) === 0) continue;
    const end = b.indexOf(0, at);
    if (end < 0) return null;
    at = end + 1;
  }
  if (flags & 2) at += 2;
  return at <= b.length ? at : null;
}

type MemberEnd =
  | { consumed: number; length: number; crc: number | null }
  | { offset: number; reason: string };

/** One member's deflate data from `from`: its text, then how many bytes it took (or where it broke). */
async function* inflateMember(
  file: FileHandle,
  from: number,
  chunkBytes: number,
): AsyncGenerator<Buffer, MemberEnd> {
  const inflater = zlib.createInflateRaw({ chunkSize: chunkBytes });
  // zlib.crc32 is in Node 20.15 and later; without it the length alone is checked
  const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  let fed = 0;
  let stop = false;
  const feeding = (async () => {
    while (!stop) {
      const chunk = await readAt(file, from + fed, chunkBytes);
      if (chunk.length === 0) break;
      fed += chunk.length;
      await new Promise<void>((resolve) => inflater.write(chunk, () => resolve()));
      // input left unread: the deflate data ended inside what was fed
      if (inflater.bytesWritten < fed) return;
    }
    inflater.end();
  })();
  let length = 0;
  let crc = crc32 ? 0 : null;
  try {
    for await (const text of inflater as AsyncIterable<Buffer>) {
      length += text.length;
      if (crc !== null) crc = crc32!(text, crc);
      yield text;
    }
  } catch (error) {
    return {
      offset: inflater.bytesWritten,
      reason: `corrupt gzip data (zlib: ${(error as Error).message})`,
    };
  } finally {
    stop = true;
    inflater.destroy();
    await feeding.catch(() => {});
  }
  return { consumed: inflater.bytesWritten, length, crc };
}

function trailerProblem(trailer: Buffer, length: number, crc: number | null): string | null {
  if (trailer.length < TRAILER_BYTES) return "the gzip data ends early: the file is truncated";
  if (
    trailer.readUInt32LE(4) !== length >>> 0 ||
    (crc !== null && trailer.readUInt32LE(0) !== crc >>> 0)
  )
    return "corrupt gzip data: the checksum does not match what was decoded";
  return null;
}

async function readAt(file: FileHandle, at: number, bytes: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(bytes);
  const { bytesRead } = await file.read(buf, 0, bytes, at);
  return buf.subarray(0, bytesRead);
}
