/**
 * `slo diff --base REF`: what a change to the SLO files does. Each SLO
 * added, removed or changed since REF, evaluated under both definitions on
 * the same data: budget left, status, and the alerts replayed over the
 * window. The same review the Action adds to a pull request's comment.
 */

import type { Command } from "commander";
import { EXIT } from "../errors.js";
import { oneOf, parseAt } from "../parse-option.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { diffSlos } from "../pipeline/slo-diff.js";
import { diffSourceFailed } from "../report/diff-model.js";
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from "../report/render-diff.js";
import {
  cacheOption,
  logCacheOf,
  noCacheOption,
  pathsArgument,
  printWarning,
  writeOutput,
} from "./common.js";
import type { CliIo } from "./io.js";

export interface DiffOptions {
  /** --cache DIR (text), --no-cache (false) */
  cache?: string | boolean;
  base: string;
  at?: string;
  format: string;
  out?: string;
}

export function registerDiff(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("diff")
    .description(
      "review a change to the SLO files: each SLO added, removed or changed since a commit, evaluated under both definitions",
    )
    .addArgument(pathsArgument())
    .requiredOption(
      "--base <ref>",
      "the git commit, branch or tag to compare with (e.g. main, HEAD~1)",
    )
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .addOption(cacheOption())
    .addOption(noCacheOption())
    .option("--format <format>", "text, markdown or json", "text")
    .option("--out <file>", "write the review to a file instead of stdout")
    .action(async (paths: string[], options: DiffOptions) => {
      setExit(await runDiff(paths, options, io));
    });
}

export async function runDiff(paths: string[], options: DiffOptions, io: CliIo): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "markdown", "json"] as const);
  const atMs = parseAt(options.at, "--at");
  const warn = printWarning(io);
  const head = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn });
  const diff = await diffSlos(head, {
    base: options.base,
    paths,
    cwd: io.cwd,
    env: io.env,
    atMs,
    warn,
    sourceOptions: { stdin: io.stdin, cache: logCacheOf(options.cache, io) },
  });
  const text =
    format === "json"
      ? renderDiffJson(diff)
      : format === "markdown"
        ? renderDiffMarkdown(diff)
        : renderDiffText(diff);
  await writeOutput(io, text, options.out, head);
  return diffSourceFailed(diff) ? EXIT.source : EXIT.ok;
}
