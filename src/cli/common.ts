/** What the commands share: loading SLO files, reading --at, writing output. */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { SloErrors, usageError } from "../errors.js";
import { loadSpec } from "../spec/load.js";
import type { SloSet } from "../spec/model.js";

export const DEFAULT_PATHS = ["slos/"];

export async function loadOrThrow(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths.length > 0 ? paths : DEFAULT_PATHS);
  if (errors.length > 0) throw new SloErrors(errors);
  return set;
}

/** --at: an RFC 3339 instant; evaluation is then reproducible. Default: now. */
export function parseAt(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const ms = rfc3339.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw usageError(`--at ${text}: expected an RFC 3339 time like 2026-11-24T12:00:00Z`);
  }
  return ms;
}

export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`${option} ${value}: expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** Write to --out or stdout. An SLO file given as input is never overwritten by a report. */
export async function writeOutput(
  text: string,
  out: string | undefined,
  inputs: string[],
): Promise<void> {
  if (!out || out === "-") {
    process.stdout.write(text);
    return;
  }
  const target = resolve(out);
  if (inputs.some((f) => resolve(f) === target)) {
    throw usageError(`--out ${out} is one of the SLO files being read; refusing to overwrite it`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}
