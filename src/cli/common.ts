/** What the commands share: loading SLO files, reading --at, writing output. */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Argument } from "commander";
import { loadSpec } from "../definition/load.js";
import type { SloSet } from "../definition/model.js";
import { SloErrors, usageError } from "../errors.js";
import { resolveInputs } from "../sources/logs/reading/inputs.js";

export const DEFAULT_PATHS = ["slos/"];

/** Every command's [paths...]: SLO files or folders, slos/ when none is given. */
export function pathsArgument(): Argument {
  return new Argument("[paths...]", "SLO files or folders").default([], DEFAULT_PATHS.join(" "));
}

export async function loadOrThrow(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths.length > 0 ? paths : DEFAULT_PATHS);
  if (errors.length > 0) throw new SloErrors(errors);
  return set;
}

/**
 * --at: an RFC 3339 instant; evaluation is then reproducible. Default: now.
 * option: how the user gave it, for the error (the Action's input is "at").
 */
export function parseAt(text: string | undefined, option = "--at"): number {
  if (text === undefined) return Date.now();
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const ms = rfc3339.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw usageError(`${option} ${text}: expected an RFC 3339 time like 2026-11-24T12:00:00Z`);
  }
  return ms;
}

export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`${option} ${value}: expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/**
 * Write to --out or stdout. Nothing the command reads is overwritten by its
 * output: not an SLO file, not a log file of a logs source.
 */
export async function writeOutput(
  text: string,
  out: string | undefined,
  set: SloSet,
): Promise<void> {
  if (!out || out === "-") {
    process.stdout.write(text);
    return;
  }
  const target = resolve(out);
  if (set.files.some((f) => resolve(f) === target)) {
    throw usageError(`--out ${out} is one of the SLO files being read; refusing to overwrite it`);
  }
  if ((await logFilesOf(set)).includes(target)) {
    throw usageError(`--out ${out} is a log file the SLOs read; refusing to overwrite it`);
  }
  await writeUserFile(target, text, `--out ${out}`);
}

/** The files the logs sources of the set read (those that exist now). */
async function logFilesOf(set: SloSet): Promise<string[]> {
  const files: string[] = [];
  for (const service of set.services) {
    for (const source of Object.values(service.sources)) {
      if (source.type !== "logs") continue;
      const inputs = await resolveInputs(source.name, source.paths, source.baseDir);
      if (!Array.isArray(inputs)) continue;
      for (const input of inputs) if (input.kind === "file") files.push(resolve(input.path));
    }
  }
  return files;
}

/**
 * Create the folder the user named (and those above it); a path that cannot
 * be one is theirs to fix (exit 2), not a bug in slo.
 */
export async function makeUserFolder(path: string, what: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw usageError(`${what}: cannot make the folder ${path}: ${fileProblem(error)}`);
  }
}

/** Write a file the user named, making its folder first; failures as in makeUserFolder. */
export async function writeUserFile(path: string, text: string, what: string): Promise<void> {
  await makeUserFolder(dirname(path), what);
  try {
    await writeFile(path, text);
  } catch (error) {
    throw usageError(`${what}: cannot write ${path}: ${fileProblem(error)}`);
  }
}

function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EISDIR":
      return "it is a folder";
    case "EEXIST":
    case "ENOTDIR":
      return "a file is in the way (a folder was expected)";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "the file system is read-only";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}
