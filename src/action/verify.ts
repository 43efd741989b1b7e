/**
 * The Action's `mode: verify`: on a deployment_status event whose state is
 * `success`, judge that deployment against its baseline (`slo verify`) and
 * publish the verdict on GitHub. Any other state is no deploy yet: a notice,
 * and the step passes without judging.
 *
 * Everything outside comes in through ActionIo (the environment, the log,
 * the clock, runVerify), so the tests run it in-process; main.ts gives it
 * the process and @actions/core.
 */

import { formatDuration } from "../definition/duration.js";
import type { SloSet } from "../definition/model.js";
import { EXIT, type SloError, usageError } from "../errors.js";
import { type ClientOptions, createGitHubClient } from "../github/client.js";
import { type Env, type EventContext, loadEventContext } from "../github/context.js";
import { deployOfDeployment, readGitHubDeploys } from "../github/deployments.js";
import { gitHubVerifyPublisher } from "../github/verify-publish.js";
import { parseAt } from "../parse-option.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { oldestWindowStart } from "../pipeline/requests.js";
import type { VerifyOptions, VerifyOutcome } from "../pipeline/verify-types.js";
import type { SloReport } from "../report/schema.js";
import type { ActionInputs } from "./main.js";

export interface ActionIo {
  env: Env;
  cwd: string;
  log: {
    info(message: string): void;
    notice(message: string): void;
    warning(message: string): void;
    setFailed(message: string): void;
    /** what loads but deserves a look (a key Sloth ignores), annotated on its line as the gate does */
    loadWarning(warning: SloError): void;
  };
  /** shows the report in the job log */
  show(report: SloReport): Promise<void>;
  runVerify(set: SloSet, options: VerifyOptions): Promise<VerifyOutcome>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** for tests: fetch, retry waits, throttling */
  client?: Partial<ClientOptions> | undefined;
}

/** mode: verify. Returns the exit code: 0 pass (and inconclusive unless told), 1 regressed, 3 a source. */
export async function verifyDeploy(inputs: ActionInputs, io: ActionIo): Promise<number> {
  const v = inputs.verify;
  if (v.wait && v.forMs === undefined) {
    throw usageError(
      "wait: true needs for: how long after the deploy to keep looking",
      "add `for: 30m` to the step's with:",
    );
  }
  const ctx = await loadEventContext(io.env);
  const judged = deploymentToJudge(ctx, io);
  if (judged === "nothing") return EXIT.ok;
  const token = inputs.token ?? "";
  const log = { info: io.log.info, warning: io.log.warning };
  const client = token
    ? createGitHubClient({ token, baseUrl: io.env.GITHUB_API_URL, log, ...io.client })
    : null;
  const deploy = judged
    ? await deployOfDeployment(judged, judged.status.atMs, {
        client,
        owner: ctx.owner,
        repo: ctx.repo,
        log,
      })
    : undefined;
  const publisher = gitHubVerifyPublisher({
    token,
    comment: inputs.comment,
    commentId: inputs.commentId,
    failOnInconclusive: v.failOnInconclusive,
    deploymentId: judged ? judged.id : null,
    deadlineMs: inputs.githubDeadlineMs,
    env: io.env,
    cwd: io.cwd,
    log,
    ...(io.client ? { client: io.client } : {}),
  });
  const atMs = inputs.at === undefined ? io.now() : parseAt(inputs.at, "at");
  const set = await loadSetOrThrow(inputs.config, {
    cwd: io.cwd,
    env: io.env,
    warn: io.log.loadWarning,
  });
  // Outside a deployment_status event, the newest of the environment's deployments is judged.
  const environment = judged ? null : inputs.environment;
  const deploys = environment
    ? await readGitHubDeploys({
        token,
        env: io.env,
        cwd: io.cwd,
        log,
        environment,
        sinceMs: oldestWindowStart(set, atMs),
        untilMs: atMs,
        deadlineMs: inputs.githubDeadlineMs,
        ...(io.client ? { client: io.client } : {}),
      })
    : undefined;
  const outcome = await io.runVerify(set, {
    atMs,
    deploy,
    deploys,
    forMs: v.forMs,
    baseline: v.baseline,
    confidence: v.confidence,
    minBurn: v.minBurn,
    minIncrease: v.minIncrease,
    failOn: v.failOnInconclusive ? "inconclusive" : "regressed",
    wait: v.wait
      ? {
          intervalMs: v.intervalMs,
          now: io.now,
          sleep: io.sleep,
          onInconclusive: (_report, remainingMs) =>
            io.log.info(
              `Inconclusive so far: looking again in ${formatDuration(Math.min(v.intervalMs, remainingMs))} (${formatDuration(remainingMs)} of the after window left).`,
            ),
        }
      : undefined,
    show: io.show,
    publisher,
    failOnReportError: inputs.failOnReportError,
  });
  sayVerdict(outcome, io);
  return outcome.exitCode;
}

type JudgedDeployment = NonNullable<EventContext["deployment"]> & {
  status: { state: string; atMs: number };
};

/**
 * The deployment the event announces, when it has succeeded; "nothing" for a
 * deployment_status that is no deploy (yet); null for other events (the
 * newest deploy found is judged).
 */
function deploymentToJudge(ctx: EventContext, io: ActionIo): JudgedDeployment | "nothing" | null {
  if (ctx.eventName !== "deployment_status") return null;
  const deployment = ctx.deployment;
  const state = deployment?.status?.state;
  if (!deployment?.status || state !== "success") {
    io.log.notice(
      `deployment_status ${state ?? "without a state"}${deployment ? ` (deployment ${deployment.id} to ${deployment.environment})` : ""}: not a finished deploy, so nothing to verify. slo verify judges a deployment once its status is success.`,
    );
    return "nothing";
  }
  return deployment as JudgedDeployment;
}

/** Deploys matter from the oldest start among the SLOs' windows: the one computation the CLI uses too. */
export { oldestWindowStart };

function sayVerdict(outcome: VerifyOutcome, io: ActionIo): void {
  if (outcome.exitCode === EXIT.fail) {
    io.log.setFailed(
      outcome.verdict === "regressed"
        ? "The deploy regressed: see the report above."
        : "The verification is inconclusive, and fail-on-inconclusive is true: see the report above.",
    );
  }
  if (outcome.exitCode === EXIT.source) {
    io.log.setFailed("A source could not be read, or a report could not be delivered: see above.");
  }
}
