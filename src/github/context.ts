/**
 * Which repository, commit and pull request a run is about, from the event
 * that started the workflow. GITHUB_SHA is not always the commit to report
 * on: for pull_request it is a merge commit nobody reviews.
 */

import { readFile } from "node:fs/promises";

export type Env = Record<string, string | undefined>;

export interface EventContext {
  eventName: string;
  owner: string;
  repo: string;
  sha: string;
  /** the PR the event names directly; others are looked up (see pullRequestLookup) */
  pullNumber: number | null;
  /** labels as the event saw them; the live labels are fetched when possible */
  labels: string[];
  /** how to find the PR when the event does not name one */
  pullRequestLookup: "none" | "open-by-commit" | "any-by-commit" | "open-by-head-sha";
  /** the token is read-only (a forked PR, or Dependabot): why, or null */
  readOnlyReason: string | null;
  /** the event has no commit to report on (a push that deleted a branch): why, or null */
  noCommitReason: string | null;
  /** deployment events: the environment deployed to */
  environment: string | null;
  /** deployment events: the deployment, and (deployment_status) the status that started the run */
  deployment: DeploymentOfEvent | null;
  runUrl: string | null;
}

export interface DeploymentOfEvent {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  /** the new status: its state (success, failure, in_progress, ...) and created_at; null on a deployment event */
  status: { state: string; atMs: number } | null;
}

type Payload = Record<string, unknown>;

/** Read GITHUB_EVENT_PATH and resolve the context; a missing or broken payload counts as empty. */
export async function loadEventContext(env: Env, sha?: string): Promise<EventContext> {
  let payload: Payload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8")) as Payload;
    } catch {
      payload = {};
    }
  }
  return eventContextOf(env.GITHUB_EVENT_NAME ?? "", payload, env, sha);
}

export function eventContextOf(
  eventName: string,
  payload: Payload,
  env: Env,
  shaOverride?: string,
): EventContext {
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? repoOf(payload) ?? "").split("/");
  const base = {
    eventName,
    owner,
    repo,
    labels: [] as string[],
    readOnlyReason: null as string | null,
    noCommitReason: null as string | null,
    environment: null as string | null,
    deployment: null as DeploymentOfEvent | null,
    runUrl: runUrlOf(env),
  };
  const envSha = env.GITHUB_SHA ?? "";
  const pick = (sha: unknown) => shaOverride || (typeof sha === "string" && sha) || envSha;
  switch (eventName) {
    case "pull_request":
    case "pull_request_target":
    case "pull_request_review":
    case "pull_request_review_comment": {
      const pr = obj(payload.pull_request);
      const head = obj(pr.head);
      const headRepo = obj(head.repo);
      const baseRepo = obj(obj(pr.base).repo);
      // Only pull_request runs with the fork's read-only token; pull_request_target runs with the base's.
      const forked =
        eventName !== "pull_request_target" &&
        (headRepo.full_name === undefined || headRepo.full_name !== baseRepo.full_name);
      const dependabot =
        eventName !== "pull_request_target" && env.GITHUB_ACTOR === "dependabot[bot]";
      return {
        ...base,
        sha: pick(head.sha),
        pullNumber: typeof pr.number === "number" ? pr.number : null,
        labels: labelsOf(pr.labels),
        pullRequestLookup: "none",
        readOnlyReason: forked
          ? "this pull request comes from a fork, and GitHub gives its workflows a read-only token"
          : dependabot
            ? "Dependabot's pull requests run with a read-only token"
            : null,
      };
    }
    case "push":
      return pushContext(base, payload, env, pick, shaOverride);
    case "deployment":
    case "deployment_status": {
      const deployment = obj(payload.deployment);
      return {
        ...base,
        sha: pick(deployment.sha),
        pullNumber: null,
        // After a deploy the PR that shipped is usually merged already.
        pullRequestLookup: "any-by-commit",
        environment: typeof deployment.environment === "string" ? deployment.environment : null,
        deployment: deploymentOf(
          deployment,
          eventName === "deployment_status" ? obj(payload.deployment_status) : null,
        ),
      };
    }
    case "workflow_run": {
      const run = obj(payload.workflow_run);
      const prs = Array.isArray(run.pull_requests) ? run.pull_requests.map(obj) : [];
      const number = prs.find((p) => typeof p.number === "number")?.number as number | undefined;
      return {
        ...base,
        sha: pick(run.head_sha),
        pullNumber: number ?? null,
        // pull_requests is empty for a fork's run: match open PRs by their head commit.
        pullRequestLookup: number === undefined ? "open-by-head-sha" : "none",
      };
    }
    default:
      // schedule, workflow_dispatch, and anything else: the branch tip, no PR.
      return { ...base, sha: pick(undefined), pullNumber: null, pullRequestLookup: "none" };
  }
}

type ContextBase = Omit<EventContext, "sha" | "pullNumber" | "pullRequestLookup">;

function pushContext(
  base: ContextBase,
  payload: Payload,
  env: Env,
  pick: (sha: unknown) => string,
  shaOverride: string | undefined,
): EventContext {
  const deleted = deletedRef(payload);
  if (deleted !== null && !shaOverride) {
    // GITHUB_SHA is then the default branch's tip, which this push did not touch.
    return {
      ...base,
      sha: "",
      pullNumber: null,
      pullRequestLookup: "none",
      noCommitReason: `This push deleted ${deleted}: there is no commit to report on`,
    };
  }
  return {
    ...base,
    sha: pick(payload.after),
    pullNumber: null,
    pullRequestLookup: "open-by-commit",
    readOnlyReason:
      env.GITHUB_ACTOR === "dependabot[bot]"
        ? "Dependabot's pushes run with a read-only token"
        : null,
  };
}

/** The ref a push deleted (`deleted: true`, `after` all zeros), or null. */
function deletedRef(payload: Payload): string | null {
  const deleted =
    payload.deleted === true ||
    (typeof payload.after === "string" && /^0{40}$/.test(payload.after));
  if (!deleted) return null;
  return typeof payload.ref === "string" && payload.ref ? payload.ref : "the branch";
}

/** The workflow run a report or alert links back to; null outside GitHub Actions. */
export function runUrlOf(env: Env): string | null {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  const server = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

function deploymentOf(
  deployment: Record<string, unknown>,
  status: Record<string, unknown> | null,
): DeploymentOfEvent | null {
  const { id, sha, ref, environment } = deployment;
  if (typeof id !== "number" || typeof sha !== "string") return null;
  const atMs = typeof status?.created_at === "string" ? Date.parse(status.created_at) : Number.NaN;
  return {
    id,
    sha,
    ref: typeof ref === "string" ? ref : sha,
    environment: typeof environment === "string" ? environment : "",
    status:
      status && typeof status.state === "string" && Number.isFinite(atMs)
        ? { state: status.state, atMs }
        : null,
  };
}

function repoOf(payload: Payload): string | undefined {
  const name = obj(payload.repository).full_name;
  return typeof name === "string" ? name : undefined;
}

function labelsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((l) => obj(l).name).filter((n): n is string => typeof n === "string");
}

function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/**
 * A pull request's base commit (`pull_request.base.sha`), from which the
 * SLO-change review reads the SLO files as they were; null on any other
 * event, or a payload without one.
 */
export async function pullRequestBaseOf(env: Env): Promise<string | null> {
  if (env.GITHUB_EVENT_NAME !== "pull_request" && env.GITHUB_EVENT_NAME !== "pull_request_target")
    return null;
  if (!env.GITHUB_EVENT_PATH) return null;
  try {
    const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8")) as Payload;
    const sha = obj(obj(payload.pull_request).base).sha;
    return typeof sha === "string" && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(sha) ? sha : null;
  } catch {
    return null;
  }
}
