/** `slo verify`: did this deploy make things worse? Each SLO's after window against its baseline. */

import { type Command, Option } from "commander";
import { DEFAULT_VERIFY } from "../defaults.js";
import { formatDuration } from "../definition/duration.js";
import type { Deploy } from "../definition/model.js";
import { usageError } from "../errors.js";
import {
  oneOf,
  parseAt,
  parseConfidence,
  parseDeploy,
  parseDurationOption,
  parseMinBurn,
  parseMinIncrease,
} from "../parse-option.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { runVerify } from "../pipeline/verify.js";
import { BASELINES, VERIFY_FAIL_ON } from "../pipeline/verify-types.js";
import { renderJson } from "../report/render-json.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import {
  cacheOption,
  environmentOption,
  gitHubDeadlineOf,
  gitHubDeadlineOption,
  gitHubDeploysOf,
  logCacheOf,
  noCacheOption,
  pathsArgument,
  printWarning,
  writeOutput,
} from "./common.js";
import { type CliIo, useColor } from "./io.js";

/** The flags as commander gives them: text, checked in runVerifyCommand. */
export interface VerifyCommandOptions {
  /** --cache DIR (text), --no-cache (false) */
  cache?: string | boolean;
  deploy?: string;
  for?: string;
  baseline: string;
  confidence: string;
  minBurn: string;
  minIncrease: string;
  failOn: string;
  wait?: boolean;
  interval: string;
  at?: string;
  format: string;
  out?: string;
  quiet?: boolean;
  environment?: string;
  githubDeadline?: string;
}

export function registerVerify(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("verify")
    .description(
      "judge a deploy by its SLOs: is the error ratio after it higher than before, beyond chance and by enough to matter?",
    )
    .addArgument(pathsArgument())
    .addOption(
      new Option(
        "--deploy <version@time>",
        "the deploy to judge, e.g. v1.4.2@2026-11-24T10:00:00Z (default: each service's newest, from --environment or its deploys:)",
      ).argParser((value: string, previous: string | undefined) => {
        if (previous !== undefined)
          throw usageError(
            "--deploy is given twice: slo verify judges one deploy",
            "give one --deploy",
          );
        return value;
      }),
    )
    .option("--for <duration>", "the after window: this long after the deploy (default: until now)")
    .option(
      "--baseline <kind>",
      "before (the same length just before the deploy), week (the same hours a week earlier) or both",
      DEFAULT_VERIFY.baseline,
    )
    .option(
      "--confidence <p>",
      "how sure the exact test must be that errors rose (0.5 to 0.999999)",
      String(DEFAULT_VERIFY.confidence),
    )
    .option(
      "--min-burn <x>",
      "regressed only if the after window burns the budget at least this fast",
      String(DEFAULT_VERIFY.minBurn),
    )
    .option(
      "--min-increase <x>",
      "regressed only if the after error ratio is at least this many times the baseline's",
      String(DEFAULT_VERIFY.minIncrease),
    )
    .option("--fail-on <verdict>", "regressed or inconclusive", DEFAULT_VERIFY.failOn)
    .option(
      "--wait",
      "while inconclusive, look again every --interval until --for runs out (needs --for; with --at, judges once)",
    )
    .option(
      "--interval <duration>",
      "--wait: how often to look again",
      formatDuration(DEFAULT_VERIFY.intervalMs),
    )
    .addOption(environmentOption())
    .addOption(gitHubDeadlineOption())
    .option("--at <time>", "judge at this RFC 3339 instant instead of now")
    .addOption(cacheOption())
    .addOption(noCacheOption())
    .option("--format <format>", "text, json or markdown", "text")
    .option("--out <file>", "write the verdict to a file instead of stdout")
    .option("-q, --quiet", "print nothing; only the exit code speaks")
    .action(async (paths: string[], options: VerifyCommandOptions, command: Command) => {
      // ignored, it would look as if it had been heard
      if (command.getOptionValueSource("interval") === "cli" && !options.wait)
        throw usageError(
          "--interval only applies with --wait",
          "add --wait, or leave --interval out",
        );
      setExit(await runVerifyCommand(paths, options, io));
    });
}

export async function runVerifyCommand(
  paths: string[],
  options: VerifyCommandOptions,
  io: CliIo,
): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "json", "markdown"] as const);
  const settings = {
    baseline: oneOf("--baseline", options.baseline, BASELINES),
    confidence: parseConfidence(options.confidence, "--confidence"),
    minBurn: parseMinBurn(options.minBurn, "--min-burn"),
    minIncrease: parseMinIncrease(options.minIncrease, "--min-increase"),
    failOn: oneOf("--fail-on", options.failOn, VERIFY_FAIL_ON),
    forMs: options.for === undefined ? undefined : parseDurationOption(options.for, "--for"),
  };
  const intervalMs = parseDurationOption(options.interval, "--interval");
  const deadlineMs = gitHubDeadlineOf(options.githubDeadline, options.environment !== undefined);
  // now exactly, not the minute: the after window starts at the deploy, which a verification may follow within seconds
  const atMs = options.at === undefined ? Date.now() : parseAt(options.at, "--at");
  const deploy: Deploy | undefined =
    options.deploy !== undefined
      ? { ...parseDeploy(options.deploy, "--deploy"), origin: "command-line" }
      : undefined;
  if (intervalMs < MIN_INTERVAL_MS)
    throw usageError(`--interval ${options.interval}: expected at least 1s`);
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
  const show = async (report: SloReport) => {
    if (options.quiet && !options.out) return;
    if (waited && tty) io.stderr.write("\r\x1b[2K");
    const text =
      format === "json"
        ? renderJson(report)
        : format === "markdown"
          ? renderMarkdown(report)
          : renderText(report, { color: !options.out && useColor(io, io.stdout) });
    await writeOutput(io, text, options.out, set);
  };
  const tty = io.stderr.isTTY === true;
  let waited = false;
  const outcome = await runVerify(set, {
    ...settings,
    atMs,
    deploy,
    deploys: deploy
      ? undefined
      : await gitHubDeploysOf(options.environment, set, atMs, io, deadlineMs),
    show,
    sourceOptions: { stdin: io.stdin, cache: logCacheOf(options.cache, io) },
    wait: options.wait
      ? {
          intervalMs,
          now: () => Date.now(),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          onInconclusive: (report, remainingMs) => {
            if (options.quiet) return;
            const line = waitingLine(report, intervalMs, remainingMs);
            // on a terminal one line is redrawn in place; a log gets a line per look
            io.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
            waited = true;
          },
        }
      : undefined,
  });
  return outcome.exitCode;
}

/** "inconclusive: 2 SLOs need more events; looking again in 1m (29m left)" */
function waitingLine(report: SloReport, intervalMs: number, remainingMs: number): string {
  const waiting = report.slos.filter((s) => s.verification?.verdict === "inconclusive").length;
  const seconds = (ms: number) => formatDuration(Math.max(1000, Math.round(ms / 1000) * 1000));
  const next = seconds(Math.min(intervalMs, remainingMs));
  const slos = waiting === 1 ? "1 SLO needs" : `${waiting} SLOs need`;
  return `inconclusive: ${slos} more events; looking again in ${next} (${seconds(remainingMs)} left)`;
}

/** Looking again more often than this only loads the sources. */
const MIN_INTERVAL_MS = 1000;
