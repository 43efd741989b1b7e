/**
 * Where `slo verify` publishes on GitHub: a check run "slo verify" (a commit
 * status with a personal token) on the deployed commit, its own sticky
 * comment on the PR that shipped the deploy (a separate marker, so it never
 * overwrites the gate's), and on `regressed` a deployment status `failure`
 * whose log is this run, so a rollback workflow can trigger on it. The job
 * summary and the outputs as the gate writes them.
 *
 * As for the gate, publishing never decides the verdict: each delivery that
 * fails is said with the permission to add and returned in `failures`.
 */

import { MARKER, VERIFY_CHECK_NAME } from "../conventions.js";
import { DEFAULT_GITHUB, DEFAULT_GITHUB_API } from "../defaults.js";
import { plainText } from "../report/escape.js";
import { renderMarkdown } from "../report/render-markdown.js";
import type { SloReport } from "../report/schema.js";
import { CHECK_SUMMARY_LIMIT, type Conclusion } from "./check-run.js";
import {
  type ClientOptions,
  createGitHubClient,
  type GitHubClient,
  type Logger,
} from "./client.js";
import { upsertStickyComment } from "./comment.js";
import { STATUS_DESCRIPTION_LIMIT } from "./commit-status.js";
import { type Env, type EventContext, loadEventContext } from "./context.js";
import { GitHubDeadline } from "./deadline.js";
import { pullRequestThatShipped } from "./deployments.js";
import { explainFailure } from "./errors.js";
import { apiReachable, checkSettings, publishGate, writeRunnerFiles } from "./publish.js";
import { truncateMarkdown } from "./truncate.js";

export interface VerifyPublishSettings {
  /** GITHUB_TOKEN, a GitHub App token or a personal token; never printed */
  token?: string | undefined;
  comment?: boolean | undefined;
  /** tells several SLO sets apart: their own check run and comment */
  commentId?: string | undefined;
  /** inconclusive fails the check run too */
  failOnInconclusive?: boolean | undefined;
  /** the deployment judged (the deployment_status event's): where a regression is marked */
  deploymentId?: number | null | undefined;
  /** how long all the GitHub calls of the reporting may take together (default DEFAULT_GITHUB_API) */
  deadlineMs?: number | undefined;
  env: Env;
  cwd: string;
  log: Logger;
  /** for tests: fetch, retry waits, throttling */
  client?: Partial<ClientOptions>;
}

/** slo verify's verdict on a deploy (pipeline/verify-types' DeployVerdict; github/ does not import pipeline/). */
export type DeployVerdict = NonNullable<SloReport["verification"]>["result"];

/** What publishing delivered: the shape of pipeline/gate's PublishOutcome. */
export interface VerifyPublishResult {
  overridden: boolean;
  /** deliveries that failed, worded with what to change */
  failures: string[];
}

/** A check run's title takes 255 characters (more are cut by GitHub). */
const TITLE_LIMIT = 255;

/** What publishes a verification to GitHub (a VerifyPublisher), its settings checked first. */
export function gitHubVerifyPublisher(settings: VerifyPublishSettings): {
  publish(report: SloReport, verdict: DeployVerdict): Promise<VerifyPublishResult>;
} {
  checkSettings({ commentId: settings.commentId });
  return { publish: (report, verdict) => publishVerification(report, verdict, settings) };
}

async function publishVerification(
  report: SloReport,
  verdict: DeployVerdict,
  settings: VerifyPublishSettings,
): Promise<VerifyPublishResult> {
  const deadline = new GitHubDeadline(settings.deadlineMs ?? DEFAULT_GITHUB_API.deadlineMs);
  try {
    return await publishVerificationWithin(deadline, report, verdict, settings);
  } finally {
    deadline.dispose();
  }
}

async function publishVerificationWithin(
  deadline: GitHubDeadline,
  report: SloReport,
  verdict: DeployVerdict,
  settings: VerifyPublishSettings,
): Promise<VerifyPublishResult> {
  const { env, log } = settings;
  const failures: string[] = [];
  const fail = (message: string) => {
    failures.push(message);
    log.warning(message);
  };
  const deploySha = report.verification?.deploy.sha;
  const ctx = await loadEventContext(env, deploySha);
  const client = settings.token
    ? createGitHubClient({
        token: settings.token,
        baseUrl: env.GITHUB_API_URL,
        log,
        deadline,
        ...settings.client,
      })
    : null;
  const canCall = client !== null && ctx.owner !== "" && ctx.repo !== "";
  const markdown = renderMarkdown(report, { runUrl: ctx.runUrl });
  await writeRunnerFiles(report, markdown, env, fail);
  if (client && apiReachable(ctx, canCall, log, fail)) {
    await deliverVerification({ client, ctx, report, verdict, markdown, settings, deadline }, fail);
  } else if (!client) {
    log.info(
      "No GitHub token: no check run, no PR comment and no deployment status, only the job summary and the outputs. Pass github-token to the Action.",
    );
  }
  const skipped = deadline.warning();
  if (skipped) fail(skipped);
  return { overridden: false, failures };
}

interface Delivery {
  client: GitHubClient;
  ctx: EventContext;
  report: SloReport;
  verdict: DeployVerdict;
  markdown: string;
  settings: VerifyPublishSettings;
  deadline: GitHubDeadline;
}

async function deliverVerification(d: Delivery, fail: (message: string) => void): Promise<void> {
  const { client, ctx, settings, deadline } = d;
  const commentId = settings.commentId || DEFAULT_GITHUB.commentId;
  const checkFailure = await deadline.run("the check run", () =>
    publishGate(client, ctx, {
      token: settings.token ?? "",
      name: VERIFY_CHECK_NAME(commentId),
      conclusion: conclusionOf(d.verdict, settings.failOnInconclusive === true),
      title: verifyTitleOf(d.report, d.verdict, TITLE_LIMIT),
      summary: truncateMarkdown(
        d.markdown,
        CHECK_SUMMARY_LIMIT,
        "The report was cut to fit the check run; the whole of it is in the job summary.",
      ),
      annotations: [],
      log: settings.log,
    }),
  );
  if (checkFailure) fail(checkFailure);
  if (settings.comment ?? true) {
    const failure = await deadline.run("the PR comment", () => commentOnShippingPull(d, commentId));
    if (failure) fail(failure);
  }
  if (d.verdict === "regressed") {
    const failure = await deadline.run("the deployment status", () => markDeploymentFailed(d));
    if (failure) fail(failure);
  }
}

function conclusionOf(verdict: DeployVerdict, failOnInconclusive: boolean): Conclusion {
  if (verdict === "regressed") return "failure";
  if (verdict === "inconclusive") return failOnInconclusive ? "failure" : "neutral";
  return "success";
}

/** The verify comment on the PR that shipped the deploy: the report's, else looked up by the commit. */
async function commentOnShippingPull(d: Delivery, commentId: string): Promise<string | null> {
  const { client, ctx, settings } = d;
  const where = { owner: ctx.owner, repo: ctx.repo };
  const deploy = d.report.verification?.deploy;
  let number = deploy?.pullRequest?.number;
  if (number === undefined && !deploy?.sha) {
    // A deploy found in the logs names no commit: the run's commit may be another deploy's.
    settings.log.info("The deploy has no commit: no PR comment.");
    return null;
  }
  if (number === undefined) {
    try {
      number = (await pullRequestThatShipped(client, where, ctx.sha))?.number;
    } catch (e) {
      const failure = explainFailure("Finding the pull request", "pull-requests: read", e);
      // Cut short by the deadline: the comment is what it skipped, said once.
      if (d.deadline.passed) return failure;
      settings.log.warning(failure);
    }
  }
  if (number === undefined) {
    settings.log.info("No pull request shipped this deploy: no PR comment.");
    return null;
  }
  try {
    const posted = await upsertStickyComment(client, {
      ...where,
      issueNumber: number,
      commentId,
      marker: MARKER.verifyComment(commentId),
      body: d.markdown,
      truncatedNote: `The report was cut to fit a comment; the whole of it is in the job summary${ctx.runUrl ? ` of ${ctx.runUrl}` : ""}.`,
    });
    settings.log.info(
      `PR #${number}: verify comment ${posted.action}${posted.url ? ` (${posted.url})` : ""}`,
    );
    return null;
  } catch (e) {
    return explainFailure(`Commenting on PR #${number}`, "pull-requests: write", e);
  }
}

/** A `failure` status on the deployment judged, with the verdict and this run as its log. */
async function markDeploymentFailed(d: Delivery): Promise<string | null> {
  const { client, ctx, settings } = d;
  const deploymentId = settings.deploymentId ?? ctx.deployment?.id;
  if (deploymentId === undefined || deploymentId === null) {
    settings.log.info(
      "The deploy is no GitHub deployment of this run's event: no deployment status.",
    );
    return null;
  }
  try {
    await client.rest.repos.createDeploymentStatus({
      owner: ctx.owner,
      repo: ctx.repo,
      deployment_id: deploymentId,
      state: "failure",
      description: plainText(
        `slo verify: ${verdictLine(d.report, d.verdict)}`,
        STATUS_DESCRIPTION_LIMIT,
      ),
      ...(ctx.runUrl ? { log_url: ctx.runUrl } : {}),
      // Marking this deployment failed must not touch the environment's other deployments.
      auto_inactive: false,
    });
    settings.log.info(`Deployment ${deploymentId}: status failure (slo verify: regressed)`);
    return null;
  } catch (e) {
    return explainFailure("Setting the deployment status", "deployments: write", e);
  }
}

/** The verdict in one plain line of at most `max` characters: a check run's title, a status's description. */
export function verifyTitleOf(report: SloReport, verdict: DeployVerdict, max: number): string {
  const line = verdictLine(report, verdict);
  return plainText(line.charAt(0).toUpperCase() + line.slice(1), max);
}

function verdictLine(report: SloReport, verdict: DeployVerdict): string {
  const deploy = report.verification?.deploy;
  const what = deploy ? `deploy ${deploy.version}` : "the deploy";
  const services = new Set(report.slos.map((s) => s.service));
  const nameOf = (s: SloReport["slos"][number]) =>
    services.size > 1 ? `${s.service}/${s.name}` : s.name;
  const count = (n: number) => `${n} SLO${n === 1 ? "" : "s"}`;
  if (verdict === "regressed") {
    const regressed = report.slos.filter((s) => s.verification?.verdict === "regressed");
    return `${what} regressed: ${regressed.map(nameOf).join(", ")}`;
  }
  if (verdict === "inconclusive") {
    const open = report.slos.filter((s) => s.verification?.verdict === "inconclusive").length;
    return `${what} inconclusive: too few events yet to judge ${open} of ${count(report.slos.length)}`;
  }
  return `${what} passes: no SLO worse than ${baselineWords(report)} (${count(report.slos.length)})`;
}

function baselineWords(report: SloReport): string {
  switch (report.verification?.baseline) {
    case "week":
      return "a week earlier";
    case "both":
      return "before it or a week earlier";
    default:
      return "before it";
  }
}
