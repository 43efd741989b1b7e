/**
 * Log files are read only when they are regular files: opening a FIFO with
 * no writer blocks forever (and holds one of libuv's few threads while it
 * waits), and a device never ends.
 */

import type { Stats } from "node:fs";
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** What a path that is not a regular file is, in words for a message. */
export function fileKind(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a FIFO";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return info.isFile() ? "a regular file" : "not a file";
}

export class NotRegularFileError extends Error {}

/**
 * The file opened for reading, checked on the open handle: a path swapped
 * for a FIFO after it was listed fails here instead of blocking, since
 * O_NONBLOCK lets open return at once (it changes nothing for regular files).
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new NotRegularFileError(`not a regular file (${fileKind(info)})`);
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}
