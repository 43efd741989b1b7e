/**
 * The Action: inputs in, the same pipeline as `slo check --github`, outputs
 * out. Nothing here computes anything; a failing step says why in one line.
 */

import * as core from "@actions/core";
import {
  DEFAULT_FAIL_ON,
  DEFAULT_GITHUB,
  DEFAULT_GITHUB_API,
  DEFAULT_ON_SOURCE_ERROR,
  DEFAULT_PATHS,
  DEFAULT_VERIFY,
} from "../defaults.js";
import { EXIT, exitCodeFor, type SloError, SloErrors, toSloError, usageError } from "../errors.js";
import { readGitHubDeploys } from "../github/deployments.js";
import { emptyOutputs, writeOutputs } from "../github/outputs.js";
import { gitHubPublisher } from "../github/publish.js";
import {
  oneOf,
  parseAt,
  parseConfidence,
  parseDurationOption,
  parseMinBurn,
  parseMinIncrease,
} from "../parse-option.js";
import {
  FAIL_ON,
  type FailOn,
  ON_SOURCE_ERROR,
  type OnSourceError,
  runGate,
} from "../pipeline/gate.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { runVerify } from "../pipeline/verify.js";
import { BASELINES, type Baseline, type VerifyFailOn } from "../pipeline/verify-types.js";
import { colorWanted, renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import { reviewOfPullRequest } from "./slo-review.js";
import { gateFailedMessage } from "./step-error.js";
import { type ActionIo, oldestWindowStart, verifyDeploy } from "./verify.js";

export const MODES = ["gate", "verify"] as const;
export type Mode = (typeof MODES)[number];

/** mode: verify's inputs, as `slo verify`'s options. */
export interface VerifyInputs {
  /** the after window's length; absent: until now */
  forMs: number | undefined;
  baseline: Baseline;
  confidence: number;
  minBurn: number;
  minIncrease: number;
  wait: boolean;
  intervalMs: number;
  failOnInconclusive: boolean;
}

export interface ActionInputs {
  mode: Mode;
  /** GitHub's deployments of this environment are the deploys (verify on deployment_status: the event's) */
  environment: string | undefined;
  verify: VerifyInputs;
  config: string[];
  at: string | undefined;
  failOn: FailOn;
  onSourceError: OnSourceError;
  token: string | undefined;
  checkName: string;
  comment: boolean;
  commentId: string;
  overrideLabel: string;
  sha: string | undefined;
  failOnReportError: boolean;
  /** github-deadline: how long all the GitHub calls of the reporting (or the deployments read) may take */
  githubDeadlineMs: number;
}

/** action.yml's defaults apply only on a runner; here they come from defaults.ts (a test checks both agree). Empty means not given. */
export function parseInputs(
  input: (name: string) => string = (n) => core.getInput(n),
): ActionInputs {
  const text = (name: string) => input(name).trim() || undefined;
  const at = text("at");
  // checked here, so the error names the input rather than the CLI's --at
  if (at !== undefined) parseAt(at, "at");
  return {
    mode: oneOf("mode", text("mode") ?? "gate", MODES),
    environment: text("environment"),
    verify: parseVerifyInputs(input),
    config: (text("config") ?? DEFAULT_PATHS.join("\n"))
      .split(/[\n,]/)
      .map((p) => p.trim())
      .filter(Boolean),
    at,
    failOn: oneOf("fail-on", text("fail-on") ?? DEFAULT_FAIL_ON, FAIL_ON),
    onSourceError: oneOf(
      "on-source-error",
      text("on-source-error") ?? DEFAULT_ON_SOURCE_ERROR,
      ON_SOURCE_ERROR,
    ),
    // The runner fills in github.token; an explicit "" means: report nothing to the API.
    token: text("github-token"),
    checkName: text("check-name") ?? DEFAULT_GITHUB.checkName,
    comment: bool(input, "comment", true),
    commentId: text("comment-id") ?? DEFAULT_GITHUB.commentId,
    overrideLabel: text("override-label") ?? DEFAULT_GITHUB.overrideLabel,
    sha: text("sha"),
    failOnReportError: bool(input, "fail-on-report-error", false),
    githubDeadlineMs:
      text("github-deadline") === undefined
        ? DEFAULT_GITHUB_API.deadlineMs
        : parseDurationOption(text("github-deadline")!, "github-deadline"),
  };
}

/** The same ranges as `slo verify`'s options, named as the inputs are. */
function parseVerifyInputs(input: (name: string) => string): VerifyInputs {
  const text = (name: string) => input(name).trim() || undefined;
  const forText = text("for");
  return {
    forMs: forText === undefined ? undefined : parseDurationOption(forText, "for"),
    baseline: oneOf("baseline", text("baseline") ?? DEFAULT_VERIFY.baseline, BASELINES),
    confidence: parseConfidence(
      text("confidence") ?? String(DEFAULT_VERIFY.confidence),
      "confidence",
    ),
    minBurn: parseMinBurn(text("min-burn") ?? String(DEFAULT_VERIFY.minBurn), "min-burn"),
    minIncrease: parseMinIncrease(
      text("min-increase") ?? String(DEFAULT_VERIFY.minIncrease),
      "min-increase",
    ),
    wait: bool(input, "wait", false),
    intervalMs:
      text("interval") === undefined
        ? DEFAULT_VERIFY.intervalMs
        : parseDurationOption(text("interval")!, "interval"),
    failOnInconclusive: bool(
      input,
      "fail-on-inconclusive",
      (DEFAULT_VERIFY.failOn as VerifyFailOn) === "inconclusive",
    ),
  };
}

function bool(input: (name: string) => string, name: string, fallback: boolean): boolean {
  const value = input(name).trim().toLowerCase();
  if (value === "") return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw usageError(`${name} ${JSON.stringify(value)}: expected true or false`);
}

export async function run(): Promise<void> {
  // Defined before anything can fail, so later steps can always read them.
  if (process.env.GITHUB_OUTPUT) await writeOutputs(process.env.GITHUB_OUTPUT, emptyOutputs());
  try {
    const inputs = parseInputs();
    process.exitCode =
      inputs.mode === "verify" ? await verifyDeploy(inputs, processIo()) : await gate(inputs);
  } catch (error) {
    process.exitCode = failWith(error);
  }
}

/** The runner's process as mode: verify sees it: @actions/core's log, the real clock, the real runVerify. */
function processIo(): ActionIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    log: {
      info: core.info,
      notice: (message) => core.notice(message),
      warning: (message) => core.warning(message),
      setFailed: core.setFailed,
      loadWarning: annotateWarning,
    },
    show: showInLog,
    runVerify,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

async function showInLog(report: SloReport): Promise<void> {
  process.stdout.write(
    renderText(report, { color: colorWanted(process.env, process.stdout.isTTY === true) }),
  );
}

/** The gate with the Action's inputs: the report in the log, the verdict on GitHub. */
async function gate(inputs: ActionInputs): Promise<number> {
  let review: string | undefined;
  // The runner masks the token already (github.token, secrets); it is never printed.
  const publisher = gitHubPublisher({
    appendix: () => review,
    // An explicit "" means: report nothing to the API.
    token: inputs.token ?? "",
    checkName: inputs.checkName,
    comment: inputs.comment,
    commentId: inputs.commentId,
    overrideLabel: inputs.overrideLabel,
    sha: inputs.sha,
    deadlineMs: inputs.githubDeadlineMs,
    env: process.env,
    cwd: process.cwd(),
    log: { info: core.info, warning: core.warning },
  });
  // "now" is read before the files are, as slo check does
  const atMs = parseAt(inputs.at, "at");
  const set = await loadSetOrThrow(inputs.config, { warn: annotateWarning });
  const log = { info: core.info, warning: (m: string) => core.warning(m) };
  const context = { env: process.env, cwd: process.cwd(), paths: inputs.config, atMs, log };
  review = await reviewOfPullRequest(set, context);
  // With environment, GitHub's deployments say which deploy spent the budget.
  const github = inputs.environment
    ? await readGitHubDeploys({
        token: inputs.token ?? "",
        env: process.env,
        cwd: process.cwd(),
        log: { info: core.info, warning: core.warning },
        environment: inputs.environment,
        sinceMs: oldestWindowStart(set, atMs),
        untilMs: atMs,
        deadlineMs: inputs.githubDeadlineMs,
      })
    : undefined;
  const { exitCode, report } = await runGate(set, {
    atMs,
    failOn: inputs.failOn,
    onSourceError: inputs.onSourceError,
    deploys: github ? { github } : undefined,
    show: showInLog,
    onWarning: (message) => core.warning(message),
    publisher,
    failOnReportError: inputs.failOnReportError,
  });
  if (exitCode === EXIT.fail) core.setFailed(gateFailedMessage(report, inputs));
  if (exitCode === EXIT.source) {
    core.setFailed("A source could not be read, or a report could not be delivered: see above.");
  }
  return exitCode;
}

/** What loads but deserves a look (a key Sloth ignores) is a warning on its line. */
function annotateWarning(w: SloError): void {
  core.warning(w.hint ? `${w.message} (${w.hint})` : w.message, {
    title: "slo",
    file: w.file,
    startLine: w.line,
    startColumn: w.col,
  });
}

/** SLO file problems become annotations on the lines at fault; setFailed says the rest. */
function failWith(error: unknown): number {
  const errors = error instanceof SloErrors ? error.errors : [toSloError(error)];
  for (const e of errors.filter((x) => x.file)) {
    core.error(e.hint ? `${e.message} (${e.hint})` : e.message, {
      title: "slo",
      file: e.file,
      startLine: e.line,
      startColumn: e.col,
    });
  }
  core.setFailed(
    errors.length > 1
      ? `${errors.length} problems in the SLO files: see the errors above`
      : errors[0]!.format(),
  );
  return exitCodeFor(error instanceof SloErrors ? error : errors[0]);
}
