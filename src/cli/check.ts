/** `slo check`: evaluate every SLO at one instant; the exit code says whether it is safe to ship. */

import type { Command } from "commander";
import { EXIT } from "../errors.js";
import type { Logger } from "../github/client.js";
import { evaluateSet } from "../pipeline/evaluate-set.js";
import { renderJson } from "../report/render-json.js";
import { renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import { loadOrThrow, oneOf, parseAt, pathsArgument, useColor, writeOutput } from "./common.js";
import { progressLine } from "./progress.js";

export interface CheckOptions {
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
  /** the Action passes its github-token input and its logger; the CLI reads GITHUB_TOKEN */
  githubToken?: string;
  log?: Logger;
}

export function registerCheck(program: Command, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("evaluate the SLOs and exit non-zero when the error budget says do not ship")
    .addArgument(pathsArgument())
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .option("--format <format>", "text or json", "text")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--fail-on <level>", "breach, warning or never", "breach")
    .option(
      "--on-source-error <result>",
      "treat an unreadable source as pass or fail instead of exit 3",
    )
    .option("-q, --quiet", "print nothing; only the exit code speaks")
    .option("--progress", "show a progress line on stderr even when it is not a terminal")
    .option("--no-progress", "never show the progress line")
    .option(
      "--github",
      "report to GitHub: check run, PR comment, job summary (token: GITHUB_TOKEN)",
    )
    .option("--check-name <name>", "--github: the check run's name", "slo")
    .option("--comment-id <id>", "--github: tells several SLO sets' PR comments apart", "default")
    .option("--no-comment", "--github: no PR comment")
    .option(
      "--override-label <label>",
      "--github: PR label that lets a failing gate pass",
      "slo-override",
    )
    .option("--sha <sha>", "--github: the commit to report on, instead of the event's")
    .option("--fail-on-report-error", "--github: exit 3 when a report cannot be delivered")
    .action(async (paths: string[], options: CheckOptions) => {
      setExit(await runCheck(paths, options));
    });
}

export async function runCheck(paths: string[], options: CheckOptions): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "json"] as const);
  const failOn = oneOf("--fail-on", options.failOn, ["breach", "warning", "never"] as const);
  const onSourceError = options.onSourceError
    ? oneOf("--on-source-error", options.onSourceError, ["pass", "fail"] as const)
    : "error";
  const atMs = parseAt(options.at);
  // Loaded only for --github: Octokit and the reporters stay out of every other run.
  const github = options.github ? await import("../github/publish.js") : null;
  github?.checkSettings(options);
  const set = await loadOrThrow(paths);
  // --quiet silences the automatic line; an explicit --progress still wins
  const progress = progressLine(process.stderr, {
    enabled: options.progress ?? (options.quiet ? false : undefined),
  });
  let report: SloReport;
  try {
    report = await evaluateSet(set, {
      atMs,
      onSourceError,
      sourceOptions: { onProgress: progress.onProgress },
    });
  } finally {
    progress.finish();
  }
  if (!options.quiet || options.out) {
    const text =
      format === "json"
        ? renderJson(report)
        : renderText(report, { color: !options.out && useColor(process.stdout) });
    await writeOutput(text, options.out, set);
  }
  const code = exitCodeOf(report, failOn, onSourceError);
  if (!github) return code;
  const published = await github.publishToGitHub(report, {
    ...options,
    token: options.githubToken ?? (process.env.GITHUB_TOKEN || process.env.GH_TOKEN),
    gatePasses: code === EXIT.ok,
    env: process.env,
    cwd: process.cwd(),
    log: options.log ?? stderrLog(options.quiet === true),
  });
  return github.exitCodeAfterPublishing(code, published, options.failOnReportError === true);
}

function stderrLog(quiet: boolean): Logger {
  return {
    info: (message) => {
      if (!quiet) process.stderr.write(`${message}\n`);
    },
    warning: (message) => process.stderr.write(`warning: ${message}\n`),
  };
}

/**
 * 1 when the gate fails; 3 when a source could not be read and nothing failed
 * outright (a known breach is the stronger verdict); else 0.
 */
export function exitCodeOf(
  report: SloReport,
  failOn: "breach" | "warning" | "never",
  onSourceError: "error" | "pass" | "fail",
): number {
  if (failOn === "never") return EXIT.ok;
  if (report.result === "fail") return EXIT.fail;
  const sourceFailed = report.slos.some((s) => s.gated && s.status === "error");
  if (sourceFailed && onSourceError === "error") return EXIT.source;
  if (report.result === "warn" && failOn === "warning") return EXIT.fail;
  return EXIT.ok;
}
