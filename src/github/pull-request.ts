/**
 * The pull request a run reports on, with its live labels: the event's copy
 * is stale when a job is re-run after someone added the override label.
 */

import type { GitHubClient } from "./client.js";
import type { EventContext } from "./context.js";

export interface PullRequestInfo {
  number: number;
  labels: string[];
}

interface PullLike {
  number: number;
  state?: string;
  labels?: ({ name?: string } | string)[];
  head?: { sha?: string };
}

export async function findPullRequest(
  client: GitHubClient,
  ctx: EventContext,
): Promise<PullRequestInfo | null> {
  const { owner, repo } = ctx;
  if (ctx.pullNumber !== null) {
    const { data } = await client.rest.pulls.get({ owner, repo, pull_number: ctx.pullNumber });
    return infoOf(data);
  }
  switch (ctx.pullRequestLookup) {
    case "open-by-commit":
    case "any-by-commit": {
      const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
        owner,
        repo,
        commit_sha: ctx.sha,
        per_page: 100,
      });
      const open = data.find((p) => p.state === "open");
      const chosen = ctx.pullRequestLookup === "open-by-commit" ? open : (open ?? data[0]);
      return chosen ? infoOf(chosen) : null;
    }
    case "open-by-head-sha": {
      const pulls = await client.paginate(client.rest.pulls.list, {
        owner,
        repo,
        state: "open",
        per_page: 100,
      });
      const match = pulls.find((p) => p.head.sha === ctx.sha);
      return match ? infoOf(match) : null;
    }
    default:
      return null;
  }
}

/** Who added the label most recently, from the issue's events; null when unknown. */
export async function labelAddedBy(
  client: GitHubClient,
  ctx: EventContext,
  number: number,
  label: string,
): Promise<string | null> {
  const events = await client.paginate(client.rest.issues.listEvents, {
    owner: ctx.owner,
    repo: ctx.repo,
    issue_number: number,
    per_page: 100,
  });
  const added = events.filter(
    (e) => e.event === "labeled" && (e as { label?: { name?: string } }).label?.name === label,
  );
  return added.at(-1)?.actor?.login ?? null;
}

function infoOf(pull: PullLike): PullRequestInfo {
  return {
    number: pull.number,
    labels: (pull.labels ?? [])
      .map((l) => (typeof l === "string" ? l : l.name))
      .filter((n): n is string => typeof n === "string"),
  };
}
