/**
 * The fallback when check runs are out of reach (a personal token, or a job
 * without `checks: write`): a commit status, which a branch protection rule
 * or an environment can require just the same.
 */

import { plainText } from "../report/escape.js";
import type { Conclusion } from "./check-run.js";
import type { GitHubClient } from "./client.js";

/** GitHub rejects a longer description with 422. */
export const STATUS_DESCRIPTION_LIMIT = 140;

export interface CommitStatusInput {
  owner: string;
  repo: string;
  sha: string;
  context: string;
  conclusion: Conclusion;
  description: string;
  targetUrl?: string | null | undefined;
}

export async function publishCommitStatus(
  client: GitHubClient,
  input: CommitStatusInput,
): Promise<void> {
  await client.rest.repos.createCommitStatus({
    owner: input.owner,
    repo: input.repo,
    sha: input.sha,
    context: input.context,
    // A status has no "neutral": an overridden gate lets the deploy through, so it is a success.
    state: input.conclusion === "failure" ? "failure" : "success",
    description: plainText(input.description, STATUS_DESCRIPTION_LIMIT),
    ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
  });
}
