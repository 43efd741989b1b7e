/** What the commands share: the paths argument, writing output where the user said. */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Argument } from "commander";
import { DEFAULT_PATHS } from "../defaults.js";
import type { SloSet } from "../definition/model.js";
import { usageError } from "../errors.js";
import { resolveInputs } from "../sources/logs/reading/inputs.js";
import type { CliIo } from "./io.js";

/** Every command's [paths...]: SLO files or folders, slos/ when none is given. */
export function pathsArgument(): Argument {
  return new Argument("[paths...]", "SLO files or folders").default([], DEFAULT_PATHS.join(" "));
}

/**
 * Write to --out or stdout. Nothing the command reads is overwritten by its
 * output: not an SLO file, not a log file of a logs source.
 */
export async function writeOutput(
  io: CliIo,
  text: string,
  out: string | undefined,
  set: SloSet,
): Promise<void> {
  if (!out || out === "-") {
    io.stdout.write(text);
    return;
  }
  const target = resolve(io.cwd, out);
  if (set.files.some((f) => resolve(io.cwd, f) === target)) {
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
