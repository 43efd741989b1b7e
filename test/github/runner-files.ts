/** The files and variables a GitHub runner gives a step, in a temp folder. */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunnerFiles {
  dir: string;
  env: Record<string, string>;
  summary(): string;
  outputs(): Record<string, string>;
}

export function runnerFiles(
  apiUrl: string,
  eventName: string,
  payload: unknown,
  extra: Record<string, string> = {},
): RunnerFiles {
  const dir = mkdtempSync(join(tmpdir(), "slo-runner-"));
  const event = join(dir, "event.json");
  writeFileSync(event, JSON.stringify(payload));
  const summary = join(dir, "summary.md");
  const output = join(dir, "output.txt");
  writeFileSync(summary, "");
  writeFileSync(output, "");
  return {
    dir,
    env: {
      GITHUB_ACTIONS: "true",
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: "https://github.test",
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_SHA: "0000000000000000000000000000000000000000",
      GITHUB_RUN_ID: "4242",
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: dir,
      RUNNER_TEMP: dir,
      ...extra,
    },
    summary: () => readFileSync(summary, "utf8"),
    outputs: () => parseOutputFile(readFileSync(output, "utf8")),
  };
}

/** GITHUB_OUTPUT as the runner reads it: `name<<DELIM ... DELIM` or `name=value`; the last write wins. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

export const HEAD = "1111111111111111111111111111111111111111";

export function pullRequestEvent(number: number, labels: string[] = [], fork = false) {
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      head: { sha: HEAD, repo: { full_name: fork ? "mallory/shop" : "acme/shop" } },
      base: { sha: "2222222222222222222222222222222222222222", repo: { full_name: "acme/shop" } },
      labels: labels.map((name) => ({ name })),
    },
    repository: { full_name: "acme/shop" },
  };
}

export interface DeploymentStatusEventInput {
  deploymentId: number;
  sha: string;
  ref: string;
  environment: string;
  state: "success" | "failure" | "error" | "pending" | "in_progress" | "queued" | "inactive";
  /** the status's time, RFC 3339 */
  createdAt: string;
}

/**
 * A deployment_status event as GitHub sends it (test/github/context.test.ts
 * checks it against the webhook's schema in GitHub's OpenAPI description).
 */
export function deploymentStatusEvent(input: DeploymentStatusEventInput) {
  const api = "https://api.github.test/repos/acme/shop";
  const user = {
    login: "deploy-bot[bot]",
    id: 41,
    node_id: "MDM6Qm90NDE=",
    avatar_url: "https://avatars.github.test/u/41",
    gravatar_id: "",
    url: "https://api.github.test/users/deploy-bot%5Bbot%5D",
    html_url: "https://github.test/apps/deploy-bot",
    followers_url: "https://api.github.test/users/deploy-bot/followers",
    following_url: "https://api.github.test/users/deploy-bot/following{/other_user}",
    gists_url: "https://api.github.test/users/deploy-bot/gists{/gist_id}",
    starred_url: "https://api.github.test/users/deploy-bot/starred{/owner}{/repo}",
    subscriptions_url: "https://api.github.test/users/deploy-bot/subscriptions",
    organizations_url: "https://api.github.test/users/deploy-bot/orgs",
    repos_url: "https://api.github.test/users/deploy-bot/repos",
    events_url: "https://api.github.test/users/deploy-bot/events{/privacy}",
    received_events_url: "https://api.github.test/users/deploy-bot/received_events",
    type: "Bot",
    site_admin: false,
  };
  const deploymentUrl = `${api}/deployments/${input.deploymentId}`;
  return {
    action: "created",
    deployment_status: {
      url: `${deploymentUrl}/statuses/${input.deploymentId + 1}`,
      id: input.deploymentId + 1,
      node_id: "DES_kwDOAAAAAc4AAAAB",
      state: input.state,
      creator: user,
      description: "",
      environment: input.environment,
      target_url: "",
      created_at: input.createdAt,
      updated_at: input.createdAt,
      deployment_url: deploymentUrl,
      repository_url: api,
    },
    deployment: {
      url: deploymentUrl,
      id: input.deploymentId,
      node_id: "DE_kwDOAAAAAc4AAAAB",
      sha: input.sha,
      ref: input.ref,
      task: "deploy",
      payload: {},
      original_environment: input.environment,
      environment: input.environment,
      description: null,
      creator: user,
      created_at: input.createdAt,
      updated_at: input.createdAt,
      statuses_url: `${deploymentUrl}/statuses`,
      repository_url: api,
    },
    repository: repositoryOf(api),
    sender: user,
  };
}

function repositoryOf(api: string) {
  const owner = {
    login: "acme",
    id: 1,
    node_id: "MDEyOk9yZ2FuaXphdGlvbjE=",
    avatar_url: "https://avatars.github.test/u/1",
    gravatar_id: "",
    url: "https://api.github.test/users/acme",
    html_url: "https://github.test/acme",
    followers_url: "https://api.github.test/users/acme/followers",
    following_url: "https://api.github.test/users/acme/following{/other_user}",
    gists_url: "https://api.github.test/users/acme/gists{/gist_id}",
    starred_url: "https://api.github.test/users/acme/starred{/owner}{/repo}",
    subscriptions_url: "https://api.github.test/users/acme/subscriptions",
    organizations_url: "https://api.github.test/users/acme/orgs",
    repos_url: "https://api.github.test/users/acme/repos",
    events_url: "https://api.github.test/users/acme/events{/privacy}",
    received_events_url: "https://api.github.test/users/acme/received_events",
    type: "Organization",
    site_admin: false,
  };
  const urls = Object.fromEntries(
    [
      "archive",
      "assignees",
      "blobs",
      "branches",
      "collaborators",
      "comments",
      "commits",
      "compare",
      "contents",
      "contributors",
      "deployments",
      "downloads",
      "events",
      "forks",
      "git_commits",
      "git_refs",
      "git_tags",
      "hooks",
      "issue_comment",
      "issue_events",
      "issues",
      "keys",
      "labels",
      "languages",
      "merges",
      "milestones",
      "notifications",
      "pulls",
      "releases",
      "stargazers",
      "statuses",
      "subscribers",
      "subscription",
      "tags",
      "teams",
      "trees",
    ].map((name) => [`${name}_url`, `${api}/${name}`]),
  );
  return {
    id: 2,
    node_id: "MDEwOlJlcG9zaXRvcnky",
    name: "shop",
    full_name: "acme/shop",
    private: false,
    owner,
    html_url: "https://github.test/acme/shop",
    description: null,
    fork: false,
    url: api,
    ...urls,
    git_url: "git://github.test/acme/shop.git",
    ssh_url: "git@github.test:acme/shop.git",
    clone_url: "https://github.test/acme/shop.git",
    svn_url: "https://github.test/acme/shop",
    mirror_url: null,
    homepage: null,
    language: "TypeScript",
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: "main",
    open_issues_count: 0,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "public",
    pushed_at: "2026-11-24T09:00:00Z",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-11-24T09:00:00Z",
    forks: 0,
    open_issues: 0,
    watchers: 0,
    license: null,
  };
}
