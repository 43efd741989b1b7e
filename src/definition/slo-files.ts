/**
 * The SLO files the paths name, and their text. They are the user's files:
 * whatever is wrong with one (a FIFO, a dangling or looping symlink, a
 * folder named like a file, no permission, too large) is an error naming
 * the path and the reason (exit 2), never a hang and never a bug in slo.
 */

import { constants, type Stats } from "node:fs";
import { type FileHandle, lstat, open, readdir, readlink, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { SloError, usageError } from "../errors.js";
import { fileErrorReason } from "../file-errors.js";
import { MAX_SLO_FILE_BYTES } from "../limits.js";

const YAML_FILE = /\.ya?ml$/i;

export interface FoundFiles {
  /** absolute paths, each once, in the order named (a folder's sorted by name) */
  files: string[];
  errors: SloError[];
}

/**
 * The YAML files the paths name. A path named explicitly is read whatever it
 * is (and refused with the reason when it is not a regular file); in folders,
 * only regular files (or links to them) are taken, so a FIFO or socket that
 * happens to sit there is passed over rather than read forever.
 */
export async function findSloFiles(paths: string[], cwd: string): Promise<FoundFiles> {
  const found: FoundFiles = { files: [], errors: [] };
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    const info = await stat(absolute).catch(async (error: unknown) =>
      errnoOf(error) === "ENOENT" && !(await lstat(absolute).catch(() => null)) ? null : "broken",
    );
    if (info === null) found.errors.push(usageError(`no such file or folder: ${p}`));
    else if (info !== "broken" && !info.isFile() && !info.isDirectory()) {
      const { problem, hint } = notARegularFile(info);
      found.errors.push(fileError(cwd, absolute, problem, hint));
    } else if (info !== "broken" && info.isDirectory()) {
      const before = { files: found.files.length, errors: found.errors.length };
      await walkFolder(absolute, cwd, found);
      if (found.files.length === before.files && found.errors.length === before.errors)
        found.errors.push(usageError(`no .yaml or .yml files in ${p}`));
    }
    // a file, or what only reading it can explain (a dangling link, a loop, no permission)
    else found.files.push(absolute);
  }
  return { files: [...new Set(found.files)], errors: found.errors };
}

async function walkFolder(folder: string, cwd: string, found: FoundFiles): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    found.errors.push(fileError(cwd, folder, `cannot list this folder: ${fileErrorReason(error)}`));
    return [];
  });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = join(folder, entry.name);
    if (entry.isDirectory()) await walkFolder(full, cwd, found);
    else if (!YAML_FILE.test(entry.name)) continue;
    else if (entry.isFile() || (entry.isSymbolicLink() && (await linkToRead(full))))
      found.files.push(full);
  }
}

/**
 * A link to a regular file, or one that reading must explain (it points
 * nowhere, loops, or names a folder called like a YAML file); not one to a
 * FIFO, socket or device, which are passed over like the things themselves.
 */
async function linkToRead(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info === null || info.isFile() || info.isDirectory();
}

/** An error about one path: shown as the path slo was given it by (relative to cwd when inside). */
export function fileError(cwd: string, absolute: string, message: string, hint?: string): SloError {
  return new SloError({ code: "usage", message, file: displayPath(cwd, absolute), hint });
}

export function displayPath(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel.startsWith("..") ? absolute : rel;
}

export type SloFileText = { text: string } | { problem: string; hint?: string };

/**
 * The text of one SLO file, or why it cannot be had. Opened without
 * blocking (a FIFO put in a file's place since it was found would otherwise
 * wait for a writer forever), then checked to be a regular file of at most
 * MAX_SLO_FILE_BYTES, then read no further than that, should it grow.
 */
export async function readSloFile(absolute: string): Promise<SloFileText> {
  let handle: FileHandle;
  try {
    handle = await open(absolute, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { problem: `cannot read this SLO file: ${await whyUnopenable(absolute, error)}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return notARegularFile(info);
    if (info.size > MAX_SLO_FILE_BYTES) return tooLarge(`is ${info.size} bytes`);
    const bytes = await readAtMost(handle, MAX_SLO_FILE_BYTES);
    if (bytes === null) return tooLarge(`grew past ${MAX_SLO_FILE_BYTES} bytes while being read`);
    return { text: bytes.toString("utf8") };
  } catch (error) {
    return { problem: `cannot read this SLO file: ${fileErrorReason(error)}` };
  } finally {
    await handle.close();
  }
}

function notARegularFile(info: Stats): { problem: string; hint: string } {
  if (info.isDirectory()) {
    return {
      problem: "cannot read this SLO file: it is a folder",
      hint: "a folder named like a YAML file; name the folder itself to read the SLO files in it",
    };
  }
  const kind = info.isFIFO() ? "a FIFO" : info.isSocket() ? "a socket" : "a device";
  return {
    problem: `cannot read this SLO file: it is ${kind}, not a regular file`,
    hint: "slo reads SLO files only from regular files; name a file or a folder of them",
  };
}

const MIB = 1024 * 1024;

function tooLarge(what: string): { problem: string; hint: string } {
  return {
    problem: `this SLO file ${what}; SLO files may be at most ${MAX_SLO_FILE_BYTES} bytes (${MAX_SLO_FILE_BYTES / MIB} MiB)`,
    hint: "split it into several files (slo reads every SLO file of a folder), or leave out what it does not need",
  };
}

const CHUNK_BYTES = 64 * 1024;

/** The file's bytes, or null when it holds more than `limit` of them. */
async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > limit) return null;
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

/** ENOENT on a link means the link points nowhere: say where it points. */
async function whyUnopenable(absolute: string, error: unknown): Promise<string> {
  if (errnoOf(error) === "ENOENT") {
    const target = await readlink(absolute).catch(() => null);
    if (target !== null) return `it is a symlink to ${target}, which does not exist`;
  }
  return fileErrorReason(error);
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
