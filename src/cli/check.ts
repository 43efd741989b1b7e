/** `slo check`: evaluate every SLO at one instant; the exit code says whether it is safe to ship. */

import type { Command } from "commander";
import { DEFAULT_FAIL_ON, DEFAULT_GITHUB, DEFAULT_ON_SOURCE_ERROR } from "../defaults.js";
import { usageError } from "../errors.js";
import type { Logger } from "../github/client.js";
import { oneOf, parseAt } from "../parse-option.js";
import { FAIL_ON, type GatePublisher, runGate } from "../pipeline/gate.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { renderJson } from "../report/render-json.js";
import { renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import {
  cacheOption,
  deployOption,
  deploysGiven,
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
import { progressLine } from "./progress.js";

/** The flags as commander gives them: text, checked in runCheck. */
export interface CheckOptions {
  /** --cache DIR (text), --no-cache (false) */
  cache?: string | boolean;
  at?: string;
  format: string;
  out?: string;
  failOn: string;
  onSourceError?: string;
  quiet?: boolean;
  /** a progress line on stderr: true forces it, false never, unset on a terminal */
  progress?: boolean;
  /** --github: a check run (or commit status), the PR comment, the job summary, step outputs */
  github?: boolean;
  checkName?: string;
  comment?: boolean;
  commentId?: string;
  overrideLabel?: string;
  sha?: string;
  failOnReportError?: boolean;
  deploy?: string[];
  environment?: string;
  githubDeadline?: string;
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("evaluate the SLOs and exit non-zero when the error budget says do not ship")
    .addArgument(pathsArgument())
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .addOption(cacheOption())
    .addOption(noCacheOption())
    .option("--format <format>", "text or json", "text")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--fail-on <level>", "breach, warning or never", DEFAULT_FAIL_ON)
    .addOption(deployOption())
    .addOption(environmentOption())
    .option(
      "--on-source-error <result>",
      "treat an unreadable source as pass or fail instead of exit 3",
    )
    .option("-q, --quiet", "print nothing; only the exit code speaks")
    .option("--progress", "show a progress line on stderr even when it is not a terminal")
    .option("--no-progress", "never show the progress line")
    .option(
      "--github",
      "report to GitHub: check run, PR comment, job summary (token: GITHUB_TOKEN or GH_TOKEN)",
    )
    .option("--check-name <name>", "--github: the check run's name", DEFAULT_GITHUB.checkName)
    .option(
      "--comment-id <id>",
      "--github: tells several SLO sets' PR comments apart",
      DEFAULT_GITHUB.commentId,
    )
    .option("--no-comment", "--github: no PR comment")
    .option(
      "--override-label <label>",
      "--github: PR label that lets a failing gate pass",
      DEFAULT_GITHUB.overrideLabel,
    )
    .option("--sha <sha>", "--github: the commit to report on, instead of the event's")
    .option("--fail-on-report-error", "--github: exit 3 when a report cannot be delivered")
    .addOption(gitHubDeadlineOption())
    .action(async (paths: string[], options: CheckOptions, command: Command) => {
      refuseGitHubOptionsWithoutGitHub(options, command);
      setExit(await runCheck(paths, options, io));
    });
}

/** The options that only mean something with --github, and their flags. */
const GITHUB_ONLY: [keyof CheckOptions, string][] = [
  ["checkName", "--check-name"],
  ["commentId", "--comment-id"],
  ["comment", "--no-comment"],
  ["overrideLabel", "--override-label"],
  ["sha", "--sha"],
  ["failOnReportError", "--fail-on-report-error"],
];

/** Without --github these would be ignored, and the user would think they reported: say so instead. */
function refuseGitHubOptionsWithoutGitHub(options: CheckOptions, command: Command): void {
  if (options.github) return;
  const given = GITHUB_ONLY.filter(([key]) => command.getOptionValueSource(key) === "cli");
  if (given.length === 0) return;
  const flags = given.map(([, flag]) => flag).join(", ");
  throw usageError(
    `${flags} only ${given.length === 1 ? "applies" : "apply"} with --github`,
    "add --github to report to GitHub, or leave it out",
  );
}

export async function runCheck(paths: string[], options: CheckOptions, io: CliIo): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "json"] as const);
  const failOn = oneOf("--fail-on", options.failOn, FAIL_ON);
  const onSourceError = options.onSourceError
    ? oneOf("--on-source-error", options.onSourceError, ["pass", "fail"] as const)
    : DEFAULT_ON_SOURCE_ERROR;
  const atMs = parseAt(options.at, "--at");
  const given = deploysGiven(options.deploy, atMs);
  const deadlineMs = gitHubDeadlineOf(
    options.githubDeadline,
    options.github === true || options.environment !== undefined,
  );
  const publisher = options.github ? await gitHubPublisherOf(options, io, deadlineMs) : null;
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
  // --quiet silences the automatic line; an explicit --progress still wins
  const progress = progressLine(io.stderr, {
    enabled: options.progress ?? (options.quiet ? false : undefined),
  });
  const show = async (report: SloReport) => {
    progress.finish();
    if (options.quiet && !options.out) return;
    const text =
      format === "json"
        ? renderJson(report)
        : renderText(report, { color: !options.out && useColor(io, io.stdout) });
    await writeOutput(io, text, options.out, set);
  };
  try {
    const outcome = await runGate(set, {
      atMs,
      failOn,
      onSourceError,
      sourceOptions: {
        onProgress: progress.onProgress,
        stdin: io.stdin,
        cache: logCacheOf(options.cache, io),
      },
      deploys: {
        given,
        github: await gitHubDeploysOf(options.environment, set, atMs, io, deadlineMs),
      },
      show,
      onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
      publisher,
      failOnReportError: options.failOnReportError === true,
    });
    return outcome.exitCode;
  } finally {
    progress.finish();
  }
}

/** Loaded only for --github: Octokit and the reporters stay out of every other run. */
async function gitHubPublisherOf(
  options: CheckOptions,
  io: CliIo,
  deadlineMs: number | undefined,
): Promise<GatePublisher> {
  const { gitHubPublisher } = await import("../github/publish.js");
  return gitHubPublisher({
    token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN,
    checkName: options.checkName,
    comment: options.comment,
    commentId: options.commentId,
    overrideLabel: options.overrideLabel,
    sha: options.sha,
    deadlineMs,
    env: io.env,
    cwd: io.cwd,
    log: stderrLog(io, options.quiet === true),
  });
}

function stderrLog(io: CliIo, quiet: boolean): Logger {
  return {
    info: (message) => {
      if (!quiet) io.stderr.write(`${message}\n`);
    },
    warning: (message) => io.stderr.write(`warning: ${message}\n`),
  };
}
