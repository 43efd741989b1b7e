/**
 * The inputs of a logs source: its `paths` (files, globs, "-" for stdin)
 * resolved to a sorted, de-duplicated list of files to read.
 */

import { stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { type SloError, sourceError } from "../../../errors.js";
import { fileKind } from "./regular-file.js";

export type LogInput =
  | {
      kind: "file";
      /** absolute path */
      path: string;
      /** as shown in samples and errors: the path as matched, relative when written relative */
      display: string;
      gzip: boolean;
      size: number;
    }
  | { kind: "stdin"; display: string };

export const STDIN_DISPLAY = "<stdin>";

/** The files (and stdin) to read, or the error naming the path that matched nothing. */
export async function resolveInputs(
  sourceName: string,
  paths: string[],
  baseDir: string,
): Promise<LogInput[] | SloError> {
  const inputs: LogInput[] = [];
  const seen = new Set<string>();
  for (const pattern of paths) {
    if (pattern === "-") {
      if (!seen.has("-")) inputs.push({ kind: "stdin", display: STDIN_DISPLAY });
      seen.add("-");
      continue;
    }
    const matches = await filesMatching(sourceName, pattern, baseDir);
    if (!Array.isArray(matches)) return matches;
    for (const file of matches) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      inputs.push({
        kind: "file",
        path: file.path,
        display: file.display,
        gzip: file.path.endsWith(".gz"),
        size: file.size,
      });
    }
  }
  return inputs;
}

/** The files a path or glob names, sorted by path; the error when it names none. */
async function filesMatching(
  sourceName: string,
  pattern: string,
  baseDir: string,
): Promise<FoundFile[] | SloError> {
  const matches = isDynamicPattern(pattern)
    ? await expandGlob(pattern, baseDir)
    : await staticFile(pattern, baseDir);
  if (typeof matches === "string") {
    return sourceError(
      `logs source '${sourceName}': ${matches}`,
      `paths are resolved against ${baseDir}`,
    );
  }
  if (matches.length === 0) {
    return sourceError(
      `logs source '${sourceName}': no file matches '${pattern}'`,
      `paths are resolved against ${baseDir}`,
    );
  }
  return matches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface FoundFile {
  path: string;
  display: string;
  size: number;
}

/** A plain path: the file, or a message saying why it cannot be read. */
async function staticFile(path: string, baseDir: string): Promise<FoundFile[] | string> {
  const absolute = resolve(baseDir, path);
  try {
    const info = await stat(absolute);
    if (info.isDirectory())
      return `'${path}' is a folder: give files or a glob like ${join(path, "*.ndjson")}`;
    if (!info.isFile())
      return `'${path}' is not a regular file (${fileKind(info)}): slo reads log files, and a pipe as '-' (stdin)`;
    return [{ path: absolute, display: path, size: info.size }];
  } catch {
    return [];
  }
}

async function expandGlob(pattern: string, baseDir: string): Promise<FoundFile[]> {
  // Crawl from the pattern's static prefix, not from baseDir: an absolute
  // pattern or one starting with ../ would otherwise walk far too much.
  const absolutePattern = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
  const segments = absolutePattern.split(sep);
  let staticCount = 0;
  while (staticCount < segments.length - 1 && !isDynamicPattern(segments[staticCount]!))
    staticCount++;
  const root = segments.slice(0, staticCount).join(sep) || sep;
  const rest = segments.slice(staticCount).join("/");
  const files = await glob(rest, {
    cwd: root,
    absolute: true,
    onlyFiles: true,
    expandDirectories: false,
  });
  const found: FoundFile[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) continue;
    const display = isAbsolute(pattern) ? file : relative(baseDir, file);
    found.push({ path: resolve(file), display, size: info.size });
  }
  return found;
}
