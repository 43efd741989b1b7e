/**
 * A log file as the cache knows it: its identity (device, inode), size and
 * modification time, how far a read counted (the end of its last whole
 * line), and hashes of its first 4 KiB and of the 4 KiB ending there. From
 * the cached state and the file now: whether it is unchanged, only grew (read
 * from where the last run stopped), or anything else (read again from the
 * start). A byte changed in the middle with the size and modification time
 * put back by hand cannot be seen without reading the whole file.
 */

import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";

/** Bytes hashed at the file's start and before where a read stopped. */
export const HASHED_BYTES = 4096;

export interface FileState {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** where the counted lines end: after the last "\n" (a .gz: its size) */
  readTo: number;
  /** sha256 of [0, min(4 KiB, readTo)) */
  headHash: string;
  /** sha256 of the 4 KiB before readTo */
  tailHash: string;
}

/** The hashes a file has with a read end of `at`: where a cached read stopped. */
export interface HashesAt {
  headHash: string;
  tailHash: string;
}

/** The file now, its hashes taken at its own read end, and those at `at` (null when the file is shorter). */
export async function fileStateOf(
  path: string,
  gzip: boolean,
  at?: number,
): Promise<{ now: FileState; atOldEnd: HashesAt | null }> {
  const file = await open(path, "r");
  try {
    const info = await file.stat();
    const readTo = gzip ? info.size : await lastLineEnd(file, info.size);
    const now: FileState = {
      dev: info.dev,
      ino: info.ino,
      size: info.size,
      mtimeMs: info.mtimeMs,
      readTo,
      headHash: await hashRange(file, 0, Math.min(HASHED_BYTES, readTo)),
      tailHash: await hashRange(file, Math.max(0, readTo - HASHED_BYTES), readTo),
    };
    let atOldEnd: HashesAt | null = null;
    if (at === readTo) atOldEnd = { headHash: now.headHash, tailHash: now.tailHash };
    else if (at !== undefined && at <= info.size) {
      atOldEnd = {
        headHash: await hashRange(file, 0, Math.min(HASHED_BYTES, at)),
        tailHash: await hashRange(file, Math.max(0, at - HASHED_BYTES), at),
      };
    }
    return { now, atOldEnd };
  } finally {
    await file.close();
  }
}

export type FileChange = "unchanged" | "grew" | "changed";

/**
 * What happened to the file since the cached read. unchanged: same
 * identity, size, time and hashes. grew: same identity and start, larger,
 * the bytes before the old read end as they were (read from there). Anything
 * else (another inode: rotated; smaller: truncated; same size, other time:
 * rewritten; a hashed byte changed) is changed. A .gz is unchanged or changed.
 */
export function changeOf(
  cached: FileState,
  now: FileState,
  gzip: boolean,
  atOldEnd: HashesAt | null,
): FileChange {
  if (cached.dev !== now.dev || cached.ino !== now.ino) return "changed";
  if (now.size < cached.size || atOldEnd === null) return "changed";
  if (atOldEnd.headHash !== cached.headHash || atOldEnd.tailHash !== cached.tailHash)
    return "changed";
  if (now.size === cached.size) return now.mtimeMs === cached.mtimeMs ? "unchanged" : "changed";
  return gzip ? "changed" : "grew";
}

/** The offset after the last "\n" at or before size (0 when there is none). */
async function lastLineEnd(file: FileHandle, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await file.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

async function hashRange(file: FileHandle, from: number, to: number): Promise<string> {
  const length = Math.max(0, to - from);
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, from + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return createHash("sha256").update(buf.subarray(0, done)).digest("hex");
}
