/**
 * `slo convert --to native|openslo|pyrra [paths] [--out DIR]`: read SLO files in
 * any format slo loads (native, OpenSLO, Sloth) and write them in another.
 * `${VAR}` references are written back as references, never their values,
 * and an existing file is never overwritten without --force.
 */

import { access } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_PATHS } from "../defaults.js";
import { CONVERT_TARGETS, convertPaths } from "../definition/write/convert.js";
import { EXIT, usageError } from "../errors.js";
import { oneOf } from "../parse-option.js";
import { makeUserFolder, pathsArgument, printWarning, writeUserFile } from "./common.js";
import type { CliIo } from "./io.js";

export interface ConvertOptions {
  to: string;
  out?: string;
  force?: boolean;
}

export function registerConvert(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  program
    .command("convert")
    .description(
      "convert SLO files (native, OpenSLO, Sloth, Pyrra) to slo's native format, OpenSLO or Pyrra",
    )
    .addArgument(pathsArgument())
    .requiredOption("--to <format>", "native, openslo or pyrra")
    .option("--out <dir>", "write one file per service into this folder instead of to stdout")
    .option("--force", "overwrite files that already exist in --out")
    .action(async (paths: string[], options: ConvertOptions) => {
      setExit(await runConvert(paths, options, io));
    });
}

function shown(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

export async function runConvert(
  paths: string[],
  options: ConvertOptions,
  io: CliIo,
): Promise<number> {
  const to = oneOf("--to", options.to, CONVERT_TARGETS);
  const outDir = resolve(io.cwd, options.out ?? ".");
  const { files, warnings } = await convertPaths(paths.length > 0 ? paths : DEFAULT_PATHS, to, {
    outDir,
    cwd: io.cwd,
  });
  for (const warning of warnings) printWarning(io)(warning);
  if (!options.out) {
    io.stdout.write(files.map((f) => f.text).join("---\n"));
    return EXIT.ok;
  }
  const targets = files.map((f) => ({ ...f, path: join(outDir, f.name) }));
  if (!options.force) {
    const exists = await Promise.all(
      targets.map((t) =>
        access(t.path).then(
          () => true,
          () => false,
        ),
      ),
    );
    const taken = targets.filter((_, i) => exists[i]).map((t) => shown(io, t.path));
    if (taken.length > 0) {
      throw usageError(
        `refusing to overwrite ${taken.join(", ")}`,
        "add --force to overwrite, or choose another --out folder",
      );
    }
  }
  await makeUserFolder(outDir, `--out ${options.out}`);
  for (const t of targets) {
    await writeUserFile(t.path, t.text, `--out ${options.out}`);
    io.stdout.write(`wrote ${shown(io, t.path)}\n`);
  }
  return EXIT.ok;
}
