/**
 * Every GitHub reporter from the one JSON report: the check run (or a commit
 * status), annotations, the sticky PR comment, the job summary and the step
 * outputs. Shared by `slo check --github` and the Action.
 *
 * Reporting never decides the verdict: a delivery that fails is logged with
 * what to change and returned in `failures`; the caller chooses whether that
 * fails the step (fail-on-report-error).
 */

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_GITHUB, DEFAULT_GITHUB_API } from "../defaults.js";
import { usageError } from "../errors.js";
import { markdownUrl, plainText } from "../report/escape.js";
import type { Fit } from "../report/markdown-fit.js";
import { renderJson } from "../report/render-json.js";
import { type MarkdownOptions, markdownRenderer } from "../report/render-markdown.js";
import type { SloReport } from "../report/schema.js";
import { annotationsOf } from "./annotations.js";
import { CHECK_SUMMARY_LIMIT, type Conclusion, publishCheckRun } from "./check-run.js";
import {
  type ClientOptions,
  createGitHubClient,
  type GitHubClient,
  type Logger,
} from "./client.js";
import { upsertStickyComment } from "./comment.js";
import { changesSince, digestOf, readDigest } from "./comment-digest.js";
import { publishCommitStatus } from "./commit-status.js";
import { type Env, type EventContext, loadEventContext } from "./context.js";
import { GitHubDeadline } from "./deadline.js";
import { explainFailure, failureOf, isPermissionDenied, needsGitHubApp } from "./errors.js";
import { outputsOf, writeOutputs } from "./outputs.js";
import { findPullRequest, labelAddedBy, type PullRequestInfo } from "./pull-request.js";
import { appendJobSummary, SUMMARY_LIMIT } from "./summary.js";
import { truncateMarkdown } from "./truncate.js";

export interface GitHubSettings {
  /** GITHUB_TOKEN, a GitHub App token or a personal token; never printed */
  token?: string | undefined;
  checkName?: string | undefined;
  comment?: boolean | undefined;
  /** tells several SLO sets on one PR apart */
  commentId?: string | undefined;
  overrideLabel?: string | undefined;
  /** the commit to report on, instead of the event's */
  sha?: string | undefined;
  /**
   * Markdown added after the report in the comment, the check run and the
   * job summary (the Action's review of the SLO changes); asked for when
   * publishing, since it is known only once the SLOs are loaded.
   */
  appendix?: (() => string | undefined) | undefined;
  /** how long all the GitHub calls of the reporting may take together (default DEFAULT_GITHUB_API) */
  deadlineMs?: number | undefined;
}

export interface PublishOptions extends GitHubSettings {
  /** the exit code's verdict, before any override */
  gatePasses: boolean;
  env: Env;
  cwd: string;
  log: Logger;
  /** the wall clock, which the footer shows as the run's time (for tests) */
  now?: () => Date;
  /** for tests: fetch, retry waits, throttling */
  client?: Partial<ClientOptions>;
}

export interface PublishResult {
  /** the gate failed and the override label let it through */
  overridden: boolean;
  /** deliveries that failed, worded with what to change */
  failures: string[];
  files: { report: string; markdown: string };
}

/** Token kinds that cannot create check runs: personal (classic, fine-grained), OAuth, user-to-server. */
const USER_TOKEN = /^(ghp_|github_pat_|gho_|ghu_)/;

/** What publishes a gate's report to GitHub, its settings checked before anything is evaluated. */
export function gitHubPublisher(settings: Omit<PublishOptions, "gatePasses">): {
  publish(report: SloReport, verdict: { gatePasses: boolean }): Promise<PublishResult>;
} {
  checkSettings(settings);
  return {
    publish: (report, verdict) =>
      publishToGitHub(report, { ...settings, gatePasses: verdict.gatePasses }),
  };
}

export function checkSettings(settings: GitHubSettings): void {
  if (settings.commentId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(settings.commentId)) {
    throw usageError(
      `comment id ${JSON.stringify(settings.commentId)}: expected 1 to 64 letters, digits, '-', '_' or '.'`,
    );
  }
  if (settings.sha !== undefined && !/^[0-9a-f]{7,64}$/i.test(settings.sha)) {
    throw usageError(`sha ${JSON.stringify(settings.sha)}: expected a commit SHA in hex`);
  }
}

export async function publishToGitHub(
  report: SloReport,
  options: PublishOptions,
): Promise<PublishResult> {
  checkSettings(options);
  const deadline = new GitHubDeadline(options.deadlineMs ?? DEFAULT_GITHUB_API.deadlineMs);
  try {
    return await publishWithin(deadline, report, options);
  } finally {
    deadline.dispose();
  }
}

async function publishWithin(
  deadline: GitHubDeadline,
  report: SloReport,
  options: PublishOptions,
): Promise<PublishResult> {
  const { env, log } = options;
  const failures: string[] = [];
  const fail = (message: string) => {
    failures.push(message);
    log.warning(message);
  };
  const ctx = await loadEventContext(env, options.sha);
  const client = options.token
    ? createGitHubClient({
        token: options.token,
        baseUrl: env.GITHUB_API_URL,
        log,
        deadline,
        ...options.client,
      })
    : null;
  const canCall = client !== null && ctx.owner !== "" && ctx.repo !== "" && !ctx.noCommitReason;

  // Without a comment, a PR is looked up only when the event names one (its live labels may override).
  const lookUp = canCall && (options.comment !== false || ctx.pullNumber !== null);
  const pr = lookUp ? await pullRequestOf(client, ctx, log, deadline) : fromEvent(ctx);
  const override =
    options.gatePasses || !pr
      ? undefined
      : await overrideOf(canCall && !deadline.passed ? client : null, ctx, pr, options);
  const conclusion: Conclusion = options.gatePasses ? "success" : override ? "neutral" : "failure";
  const markdownOptions: MarkdownOptions = {
    override,
    gate:
      report.result === "warn" || report.result === "unknown" ? gateWord(conclusion) : undefined,
    runUrl: ctx.runUrl,
    commit: ctx.sha || null,
    ranAt: (options.now?.() ?? new Date()).toISOString(),
    appendix: options.appendix?.(),
  };
  const render = markdownRenderer(report, markdownOptions);
  const markdown = render();
  const summary = render({
    limit: SUMMARY_LIMIT,
    where: "the job summary",
    fullReport: REPORT_FILE,
  });
  const overridden = override !== undefined;
  const files = await writeRunnerFiles(report, markdown, env, fail, { summary, overridden });
  const result = { overridden, failures, files };
  if (client && apiReachable(ctx, canCall, log, fail)) {
    const delivery = { client, ctx, pr, report, render, conclusion, override, options };
    await deliverToApi(delivery, deadline, fail);
  } else if (!client) {
    // Deliberate in the two-workflow setup's gating half (github-token: ""), so not a failure.
    log.info(
      "No GitHub token: no check run and no PR comment, only the job summary and the outputs. Pass github-token to the Action, or set GITHUB_TOKEN for `slo check --github`.",
    );
  }
  const skipped = deadline.warning();
  if (skipped) fail(skipped);
  return result;
}

/** The report files, the job summary and the step outputs: what needs no API call. */
export async function writeRunnerFiles(
  report: SloReport,
  markdown: string,
  env: Env,
  fail: (message: string) => void,
  extras: {
    /** the job summary's, fitted to its limit (default: the report itself) */
    summary?: string;
    overridden?: boolean;
  } = {},
): Promise<PublishResult["files"]> {
  const files = await writeReportFiles(report, markdown, env).catch((e) => {
    fail(`Writing the report files failed: ${failureOf(e).message}`);
    return { report: "", markdown: "" };
  });
  if (env.GITHUB_STEP_SUMMARY) {
    await appendJobSummary(env.GITHUB_STEP_SUMMARY, extras.summary ?? markdown).catch((e) =>
      fail(`Writing the job summary failed: ${failureOf(e).message}`),
    );
  }
  if (env.GITHUB_OUTPUT) {
    await writeOutputs(
      env.GITHUB_OUTPUT,
      outputsOf(report, files, extras.overridden ?? false),
    ).catch((e) => fail(`Writing the step outputs failed: ${failureOf(e).message}`));
  }
  return files;
}

/** Whether the check run and the comment can be written; says why not when they cannot. */
export function apiReachable(
  ctx: EventContext,
  canCall: boolean,
  log: Logger,
  fail: (message: string) => void,
): boolean {
  if (ctx.noCommitReason) {
    log.info(
      `${ctx.noCommitReason}, so no check run and no PR comment. The verdict is in the job summary and in this step's exit status.`,
    );
    return false;
  }
  if (ctx.readOnlyReason) {
    log.warning(readOnlyNotice(ctx.readOnlyReason));
    return false;
  }
  if (!canCall || !ctx.sha) {
    fail(
      "GITHUB_REPOSITORY or the commit is unknown: no check run and no PR comment. Run inside GitHub Actions, or set GITHUB_REPOSITORY and GITHUB_SHA (or --sha).",
    );
    return false;
  }
  return true;
}

interface ApiDelivery {
  client: GitHubClient;
  ctx: EventContext;
  pr: PullRequestInfo | null;
  report: SloReport;
  /** the Markdown report, fitted to a place's limit */
  render: (fit?: Fit, changes?: string) => string;
  conclusion: Conclusion;
  override: MarkdownOptions["override"];
  options: PublishOptions;
}

/** The check run (or commit status) and the sticky comment; each failure is said as it happens. */
async function deliverToApi(
  d: ApiDelivery,
  deadline: GitHubDeadline,
  fail: (message: string) => void,
): Promise<void> {
  const { client, ctx, options } = d;
  const gateFailure = await deadline.run("the check run", () =>
    publishGate(client, ctx, {
      token: options.token ?? "",
      name: options.checkName || DEFAULT_GITHUB.checkName,
      conclusion: d.conclusion,
      title: titleOf(d.report, d.conclusion, d.override?.label),
      summary: truncateMarkdown(
        d.render({
          limit: CHECK_SUMMARY_LIMIT,
          where: "the check run",
          fullReport: jobSummaryOf(ctx),
        }),
        CHECK_SUMMARY_LIMIT,
        "The report was cut to fit the check run; the whole of it is in the job summary.",
      ),
      annotations: annotationsOf(
        d.report,
        options.env.GITHUB_WORKSPACE || options.cwd,
        options.cwd,
      ),
      log: options.log,
    }),
  );
  if (gateFailure) fail(gateFailure);
  if (options.comment ?? true) {
    const failure = await deadline.run("the PR comment", () =>
      publishComment(client, ctx, d, options),
    );
    if (failure) fail(failure);
  }
}

/** The override label on the PR of a failing gate: the error budget policy's exception, and who made it. */
async function overrideOf(
  client: GitHubClient | null,
  ctx: EventContext,
  pr: PullRequestInfo,
  options: PublishOptions,
): Promise<MarkdownOptions["override"]> {
  const label = options.overrideLabel || DEFAULT_GITHUB.overrideLabel;
  if (!pr.labels.includes(label)) return undefined;
  const by = client ? await labelAddedBy(client, ctx, pr.number, label).catch(() => null) : null;
  options.log.warning(
    `The gate fails, but the pull request has the label ${label}${by ? ` (added by ${by})` : ""}: reporting it as neutral and letting the step pass.`,
  );
  return { label, by };
}

/** The sticky comment on the run's PR, if it has one. Returns a failure or null. */
async function publishComment(
  client: GitHubClient,
  ctx: EventContext,
  d: Pick<ApiDelivery, "pr" | "render" | "report">,
  options: PublishOptions,
): Promise<string | null> {
  const { pr } = d;
  if (!pr) {
    options.log.info("No pull request for this run: no PR comment.");
    return null;
  }
  try {
    const posted = await upsertStickyComment(client, {
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: pr.number,
      commentId: options.commentId || DEFAULT_GITHUB.commentId,
      body: (room, previous) => commentBody(d, ctx, room, previous),
      truncatedNote: `The report was cut to fit a comment; the whole of it is in the job summary${ctx.runUrl ? ` of ${ctx.runUrl}` : ""}.`,
    });
    options.log.info(
      `PR #${pr.number}: comment ${posted.action}${posted.url ? ` (${posted.url})` : ""}`,
    );
    return null;
  } catch (e) {
    return explainFailure(`Commenting on PR #${pr.number}`, "pull-requests: write", e);
  }
}

async function pullRequestOf(
  client: GitHubClient,
  ctx: EventContext,
  log: Logger,
  deadline: GitHubDeadline,
): Promise<PullRequestInfo | null> {
  let pr = fromEvent(ctx);
  const failure = await deadline.run("finding the pull request", async () => {
    try {
      pr = await findPullRequest(client, ctx);
      return null;
    } catch (e) {
      return explainFailure("Finding the pull request", "pull-requests: read", e);
    }
  });
  if (failure) log.warning(failure);
  return pr;
}

function fromEvent(ctx: EventContext): PullRequestInfo | null {
  return ctx.pullNumber !== null ? { number: ctx.pullNumber, labels: ctx.labels } : null;
}

export interface GateInput {
  token: string;
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  annotations: ReturnType<typeof annotationsOf>;
  log: Logger;
}

/** A check run; a commit status where the token cannot create one. Returns a failure or null. */
export async function publishGate(
  client: GitHubClient,
  ctx: EventContext,
  input: GateInput,
): Promise<string | null> {
  let checkError: unknown = null;
  if (!USER_TOKEN.test(input.token)) {
    try {
      const run = await publishCheckRun(client, {
        owner: ctx.owner,
        repo: ctx.repo,
        sha: ctx.sha,
        name: input.name,
        conclusion: input.conclusion,
        title: input.title,
        summary: input.summary,
        annotations: input.annotations,
        detailsUrl: ctx.runUrl,
      });
      input.log.info(
        `Check run ${input.name}: ${input.conclusion}${run.url ? ` (${run.url})` : ""}`,
      );
      return null;
    } catch (e) {
      // Only a missing permission has another way: a rate limit would refuse a status too.
      if (!isPermissionDenied(e))
        return explainFailure("Creating the check run", "checks: write", e);
      checkError = e;
    }
  }
  try {
    await publishCommitStatus(client, {
      owner: ctx.owner,
      repo: ctx.repo,
      sha: ctx.sha,
      context: input.name,
      conclusion: input.conclusion,
      description: input.title,
      targetUrl: ctx.runUrl,
    });
    const why =
      checkError === null || needsGitHubApp(checkError)
        ? "a personal token cannot create check runs"
        : "the token has no `checks: write`";
    input.log.info(`Commit status ${input.name}: ${input.conclusion} (${why})`);
    return null;
  } catch (e) {
    const status = explainFailure("Setting the commit status", "statuses: write", e);
    return checkError !== null && !needsGitHubApp(checkError)
      ? `${explainFailure("Creating the check run", "checks: write", checkError)} ${status}`
      : status;
  }
}

/** One line for the check run title and the commit status description. */
export function titleOf(report: SloReport, conclusion: Conclusion, overrideLabel?: string): string {
  const count = (status: string) => report.slos.filter((s) => s.status === status).length;
  const parts: string[] = [];
  const breaching = count("breaching");
  if (breaching > 0) parts.push(`${breaching} of ${report.slos.length} SLOs breaching`);
  if (count("error") > 0) parts.push(`${count("error")} unreadable`);
  if (count("warning") > 0) parts.push(`${count("warning")} warning`);
  if (count("no-data") > 0) parts.push(`${count("no-data")} without data`);
  const unhealthy = (report.health ?? []).filter((h) => !h.ok).map((h) => h.name);
  if (unhealthy.length > 0) parts.push(`unhealthy: ${unhealthy.join(", ")}`);
  const what = parts.length > 0 ? parts.join(", ") : `all ${report.slos.length} SLOs within budget`;
  const prefix =
    conclusion === "neutral"
      ? `Overridden by ${overrideLabel}: `
      : conclusion === "failure"
        ? "Gate fails: "
        : "Gate passes: ";
  return plainText(prefix + what, 255);
}

/**
 * The comment: the report fitted to the room left by its hidden digest,
 * saying what changed since the comment it replaces when that one has a digest.
 */
function commentBody(
  d: Pick<ApiDelivery, "render" | "report">,
  ctx: EventContext,
  room: number,
  previous: string | null,
): string {
  const digest = digestOf(d.report, ctx.sha || null);
  const before = previous === null ? null : readDigest(previous);
  const changes = before ? changesSince(before, d.report) : undefined;
  const fit = {
    limit: room - digest.length - 1,
    where: "this comment",
    fullReport: jobSummaryOf(ctx),
  };
  return `${d.render(fit, changes)}${digest}\n`;
}

/** Where a fitted report says the whole of it is. */
const REPORT_FILE = "report.md (the step's `markdown` output)";

function jobSummaryOf(ctx: EventContext): string {
  const url = ctx.runUrl ? markdownUrl(ctx.runUrl) : null;
  return url
    ? `the job summary of [the workflow run](${url})`
    : `the job summary and ${REPORT_FILE}`;
}

function gateWord(conclusion: Conclusion): "passes" | "fails" {
  return conclusion === "failure" ? "fails" : "passes";
}

function readOnlyNotice(reason: string): string {
  return [
    `Skipping the check run and the PR comment: ${reason}.`,
    "The verdict is in the job summary and in this step's exit status.",
    "To get the check and the comment on such pull requests, use the two-workflow setup: this workflow gates with read-only permissions, and a second one on `workflow_run` (which has a write token and never runs the PR's code) reports. See docs/github-action.md, “Pull requests from forks”.",
  ].join(" ");
}

/** report.json and report.md in a fresh folder under RUNNER_TEMP (or the system's temp). */
async function writeReportFiles(
  report: SloReport,
  markdown: string,
  env: Env,
): Promise<{ report: string; markdown: string }> {
  const parent = env.RUNNER_TEMP || tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, "slo-"));
  const files = { report: join(dir, "report.json"), markdown: join(dir, "report.md") };
  await writeFile(files.report, renderJson(report));
  await writeFile(files.markdown, markdown);
  return files;
}
