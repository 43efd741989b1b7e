/**
 * The issue operations of `slo alerts` and `slo report --issue` over the
 * shared Octokit client, configured from the environment a workflow has:
 * GITHUB_TOKEN (or GH_TOKEN), GITHUB_REPOSITORY, GITHUB_API_URL.
 */

import type { Issue, IssueApi, IssueComment } from "../alerts/issue-api.js";
import { SloError, usageError } from "../errors.js";
import { createGitHubClient, type GitHubClient } from "../github/client.js";
import { explainFailure } from "../github/errors.js";
import { type Author, isAuthor, ownLogin } from "../github/identity.js";
import type { CliIo } from "./io.js";

export function issueApiFromEnv(io: Pick<CliIo, "env" | "stderr">, why: string): IssueApi {
  const { env } = io;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  const repository = env.GITHUB_REPOSITORY ?? "";
  if (!token) {
    throw usageError(
      `${why} needs a GitHub token in GITHUB_TOKEN`,
      "in a workflow, set GITHUB_TOKEN from github.token and grant permissions: issues: write",
    );
  }
  const [owner, repo, extra] = repository.split("/");
  if (!owner || !repo || extra !== undefined) {
    throw usageError(
      `${why} needs the repository in GITHUB_REPOSITORY as owner/repo${repository ? `, not ${repository}` : ""}`,
      "GitHub Actions sets it; elsewhere export GITHUB_REPOSITORY=owner/repo",
    );
  }
  const client = createGitHubClient({
    token,
    baseUrl: env.GITHUB_API_URL,
    log: { info: () => {}, warning: (m) => io.stderr.write(`warning: ${m}\n`) },
  });
  return octokitIssueApi(client, owner, repo);
}

export function octokitIssueApi(client: GitHubClient, owner: string, repo: string): IssueApi {
  const repository = `${owner}/${repo}`;
  // Who slo is is asked only once there is an issue or a comment to tell apart.
  const byUs = async (author: Author) => isAuthor(await ownLogin(client), author);
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new SloError({
        code: "delivery",
        message: explainFailure(`GitHub ${what} in ${repository}`, "issues: write", error),
      });
    }
  };
  return {
    repository,
    listOpenIssues: (label) =>
      call("listing open issues", async () => {
        const issues = await client.paginate(client.rest.issues.listForRepo, {
          owner,
          repo,
          state: "open",
          labels: label,
          sort: "created",
          direction: "asc",
          per_page: 100,
        });
        return Promise.all(
          issues.filter((i) => !i.pull_request).map(async (i) => issueOf(i, await byUs(i.user))),
        );
      }),
    listComments: (issue) =>
      call(`listing the comments of issue #${issue}`, async () => {
        const comments = await client.paginate(client.rest.issues.listComments, {
          owner,
          repo,
          issue_number: issue,
          per_page: 100,
        });
        return Promise.all(
          comments.map(
            async (c): Promise<IssueComment> => ({
              id: c.id,
              body: c.body ?? "",
              ours: await byUs(c.user),
            }),
          ),
        );
      }),
    createIssue: (input) =>
      call("creating an issue", async () => {
        const { data } = await client.rest.issues.create({ owner, repo, ...input });
        return issueOf(data, true);
      }),
    updateIssue: (issue, patch) =>
      call(`updating issue #${issue}`, async () => {
        const { data } = await client.rest.issues.update({
          owner,
          repo,
          issue_number: issue,
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.body !== undefined ? { body: patch.body } : {}),
          ...(patch.state !== undefined ? { state: patch.state } : {}),
          ...(patch.stateReason !== undefined ? { state_reason: patch.stateReason } : {}),
        });
        return issueOf(data, await byUs(data.user));
      }),
    createComment: (issue, body) =>
      call(`commenting on issue #${issue}`, async () => {
        const { data } = await client.rest.issues.createComment({
          owner,
          repo,
          issue_number: issue,
          body,
        });
        return { id: data.id, body: data.body ?? "", ours: true };
      }),
  };
}

interface IssueLike {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  html_url: string;
  labels: (string | { name?: string | undefined })[];
}

function issueOf(data: IssueLike, ours: boolean): Issue {
  return {
    number: data.number,
    ours,
    title: data.title,
    body: data.body ?? "",
    state: data.state === "closed" ? "closed" : "open",
    labels: data.labels
      .map((l) => (typeof l === "string" ? l : (l.name ?? "")))
      .filter((l) => l !== ""),
    url: data.html_url,
  };
}
