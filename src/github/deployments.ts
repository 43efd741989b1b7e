/**
 * GitHub's deployments of an environment as deploys: a deployment is a
 * deploy once it has a `success` status, at that status's time. Its version
 * is the deployed ref when that ref is a tag (v1.4.2), else the short sha;
 * the PR that shipped it is the one that merged its commit into the default
 * branch.
 *
 * Reading deploys never fails a run: a token that cannot read deployments
 * (or any failure) is a warning and no deploys.
 */

import { DEFAULT_GITHUB_API } from "../defaults.js";
import type { Deploy } from "../definition/model.js";
import { MAX_GITHUB_DEPLOYMENTS } from "../limits.js";
import {
  type ClientOptions,
  createGitHubClient,
  type GitHubClient,
  type Logger,
} from "./client.js";
import type { Env } from "./context.js";
import { GitHubDeadline } from "./deadline.js";
import { explainFailure, failureOf } from "./errors.js";

export interface DeploysQuery {
  client: GitHubClient;
  owner: string;
  repo: string;
  environment: string;
  /** deploys in (sinceMs, untilMs] */
  sinceMs: number;
  untilMs: number;
  log: Logger;
}

/** A deployment as the REST API and the deployment_status event give it. */
export interface DeploymentRef {
  sha: string;
  ref: string;
}

const SHORT_SHA = 7;
const TAG_PREFIX = "refs/tags/";
const PER_PAGE = 100;

/** The environment's deploys in the range, oldest first; none (and a warning) when GitHub cannot be read. */
export async function gitHubDeploys(query: DeploysQuery): Promise<Deploy[]> {
  const { log, environment } = query;
  let found: { deployment: DeploymentRef; atMs: number }[];
  try {
    found = await successfulDeployments(query);
  } catch (e) {
    log.warning(
      `${explainFailure(`Reading the deployments of ${environment}`, "deployments: read", e)} No deploys from GitHub.`,
    );
    return [];
  }
  const describe = deployDescriber(query.client, query, log);
  const deploys: Deploy[] = [];
  for (const { deployment, atMs } of found) deploys.push(await describe(deployment, atMs));
  return deploys.sort((a, b) => a.atMs - b.atMs);
}

/** Deployments created in the range (newest first, as GitHub lists them), each with its first success. */
async function successfulDeployments(
  query: DeploysQuery,
): Promise<{ deployment: DeploymentRef; atMs: number }[]> {
  const { client, owner, repo, environment, sinceMs, untilMs } = query;
  const inRange: { id: number; sha: string; ref: string }[] = [];
  let capped = false;
  pages: for await (const page of client.paginate.iterator(client.rest.repos.listDeployments, {
    owner,
    repo,
    environment,
    per_page: PER_PAGE,
  })) {
    for (const d of page.data) {
      const createdMs = Date.parse(d.created_at);
      if (createdMs > untilMs) continue;
      // Newest first: from here on, every deployment is older than the range.
      if (createdMs <= sinceMs) break pages;
      if (inRange.length >= MAX_GITHUB_DEPLOYMENTS) {
        capped = true;
        break pages;
      }
      inRange.push({ id: d.id, sha: d.sha, ref: d.ref });
    }
  }
  if (capped) {
    query.log.warning(
      `GitHub has more than ${MAX_GITHUB_DEPLOYMENTS} deployments of ${environment} in the range: the newest ${MAX_GITHUB_DEPLOYMENTS} are read, the older ones are left out. Shorten the window, or give the deploys with --deploy.`,
    );
  }
  const found: { deployment: DeploymentRef; atMs: number }[] = [];
  for (const d of inRange) {
    const atMs = await firstSuccessMs(client, owner, repo, d.id);
    if (atMs !== null && atMs > sinceMs && atMs <= untilMs) found.push({ deployment: d, atMs });
  }
  return found;
}

/** When the deployment first succeeded; null if it never did (failed, still running). */
async function firstSuccessMs(
  client: GitHubClient,
  owner: string,
  repo: string,
  deploymentId: number,
): Promise<number | null> {
  const statuses = await client.paginate(client.rest.repos.listDeploymentStatuses, {
    owner,
    repo,
    deployment_id: deploymentId,
    per_page: PER_PAGE,
  });
  const successes = statuses
    .filter((s) => s.state === "success")
    .map((s) => Date.parse(s.created_at))
    .filter(Number.isFinite);
  return successes.length > 0 ? Math.min(...successes) : null;
}

/**
 * Turns a deployment and its time into a Deploy: its version and PR, each
 * asked once per ref and per commit. A failed lookup leaves the version at
 * the short sha or the PR out, with one warning per kind.
 */
export function deployDescriber(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  log: Logger,
): (deployment: DeploymentRef, atMs: number) => Promise<Deploy> {
  // only these two: Octokit sends every other field it is given as a query parameter
  const where = { owner: repository.owner, repo: repository.repo };
  const tags = new Map<string, Promise<boolean>>();
  const pulls = new Map<string, Promise<Deploy["pullRequest"]>>();
  const warned = new Set<string>();
  const warnOnce = (what: string, permission: string, e: unknown) => {
    if (warned.has(what)) return;
    warned.add(what);
    log.warning(explainFailure(what, permission, e));
  };
  let defaultBranch: Promise<string | null> | undefined;
  const branch = () => {
    defaultBranch ??= client.rest.repos
      .get(where)
      .then(({ data }) => data.default_branch)
      .catch(() => null);
    return defaultBranch;
  };
  const isTag = (ref: string) => {
    let known = tags.get(ref);
    if (!known) {
      known = tagExists(client, where, ref).catch((e) => {
        warnOnce("Reading the deployed tags", "contents: read", e);
        return false;
      });
      tags.set(ref, known);
    }
    return known;
  };
  const pullOf = (sha: string) => {
    let known = pulls.get(sha);
    if (!known) {
      known = branch()
        .then((base) => shippedBy(client, where, sha, base))
        .catch((e) => {
          warnOnce("Finding the pull requests that shipped the deploys", "pull-requests: read", e);
          return undefined;
        });
      pulls.set(sha, known);
    }
    return known;
  };
  return async (deployment, atMs) => {
    const ref = deployment.ref.trim();
    const asked = mayBeTag(deployment) && (await isTag(ref));
    const version = versionOf(deployment, asked);
    const pullRequest = await pullOf(deployment.sha);
    return {
      atMs,
      version,
      sha: deployment.sha,
      ...(pullRequest ? { pullRequest } : {}),
      origin: "github",
    };
  };
}

/** The ref when it is a tag (refs/tags/X, or a bare ref found to be one), else the short sha. */
function versionOf(deployment: DeploymentRef, bareRefIsTag: boolean): string {
  const ref = deployment.ref.trim();
  if (ref.startsWith(TAG_PREFIX) && ref.length > TAG_PREFIX.length)
    return ref.slice(TAG_PREFIX.length);
  return bareRefIsTag ? ref : deployment.sha.slice(0, SHORT_SHA);
}

/** A bare ref may name a tag (it is asked); a sha or refs/heads/X does not. */
function mayBeTag(deployment: DeploymentRef): boolean {
  const ref = deployment.ref.trim();
  if (ref === "" || ref === deployment.sha || /^[0-9a-f]{40}$/i.test(ref)) return false;
  return !ref.startsWith("refs/");
}

async function tagExists(
  client: GitHubClient,
  where: { owner: string; repo: string },
  tag: string,
): Promise<boolean> {
  try {
    await client.rest.git.getRef({ ...where, ref: `tags/${tag}` });
    return true;
  } catch (e) {
    if (failureOf(e).status === 404) return false;
    throw e;
  }
}

/** The PR that shipped a commit: the merged one into the default branch. */
export async function pullRequestThatShipped(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  sha: string,
): Promise<Deploy["pullRequest"]> {
  const where = { owner: repository.owner, repo: repository.repo };
  const base = await client.rest.repos
    .get(where)
    .then(({ data }) => data.default_branch)
    .catch(() => null);
  return shippedBy(client, where, sha, base);
}

/** The merged PR into the default branch (any merged PR when that branch is unknown) that holds the commit. */
async function shippedBy(
  client: GitHubClient,
  where: { owner: string; repo: string },
  sha: string,
  defaultBranch: string | null,
): Promise<Deploy["pullRequest"]> {
  const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    ...where,
    commit_sha: sha,
    per_page: PER_PAGE,
  });
  const merged = data.filter(
    (p) => p.merged_at !== null && (defaultBranch === null || p.base.ref === defaultBranch),
  );
  const pull = merged[0];
  return pull ? { number: pull.number, url: pull.html_url } : undefined;
}

/**
 * The deploy a deployment_status event announces, described by the same
 * rules; without a client, a bare ref cannot be told a tag and the version
 * is the short sha.
 */
export async function deployOfDeployment(
  deployment: DeploymentRef,
  atMs: number,
  lookup: { client: GitHubClient | null; owner: string; repo: string; log: Logger },
): Promise<Deploy> {
  if (lookup.client) {
    return deployDescriber(lookup.client, lookup, lookup.log)(deployment, atMs);
  }
  return { atMs, version: versionOf(deployment, false), sha: deployment.sha, origin: "github" };
}

export interface ReadDeploysSettings {
  /** GITHUB_TOKEN or any token that can read deployments; never printed */
  token?: string | undefined;
  env: Env;
  cwd: string;
  log: Logger;
  environment: string;
  sinceMs: number;
  untilMs: number;
  /** how long reading GitHub's deployments may take in all (default DEFAULT_GITHUB_API) */
  deadlineMs?: number | undefined;
  /** for tests: fetch, retry waits, throttling */
  client?: Partial<ClientOptions>;
}

/**
 * gitHubDeploys with the settings `slo check --github` already has: the
 * repository from GITHUB_REPOSITORY, the API from GITHUB_API_URL.
 */
export async function readGitHubDeploys(settings: ReadDeploysSettings): Promise<Deploy[]> {
  const { env, log, environment } = settings;
  const what = `no deploys from GitHub's deployments of ${environment}.`;
  if (!settings.token) {
    log.warning(`No GitHub token: ${what} Set GITHUB_TOKEN (it needs \`deployments: read\`).`);
    return [];
  }
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (owner === "" || repo === "") {
    log.warning(
      `GITHUB_REPOSITORY is not set: ${what} Run inside GitHub Actions, or set GITHUB_REPOSITORY=owner/repo.`,
    );
    return [];
  }
  // A GitHub that never answers costs the deadline, then no deploys: the gate goes on without them.
  const deadline = new GitHubDeadline(settings.deadlineMs ?? DEFAULT_GITHUB_API.deadlineMs);
  const client = createGitHubClient({
    token: settings.token,
    baseUrl: env.GITHUB_API_URL,
    log,
    deadline,
    ...settings.client,
  });
  try {
    return await gitHubDeploys({
      client,
      owner,
      repo,
      environment,
      sinceMs: settings.sinceMs,
      untilMs: settings.untilMs,
      log,
    });
  } finally {
    deadline.dispose();
  }
}
