/**
 * Who slo posts as with a token, so that the sticky comment and the alert
 * and report issues are found among slo's own writing only. Anyone can
 * write a hidden marker in a comment: were it trusted, another user's
 * comment would be edited by slo (and stay theirs), and an outsider's
 * "resolved" would make the next run announce the alert again.
 *
 * GET /user names the user of a personal or OAuth token. An installation
 * token (GITHUB_TOKEN, a GitHub App's) is refused there with 403; GraphQL's
 * `viewer` names its bot (`github-actions[bot]`, `my-app[bot]`). Should that
 * fail too, a 403 on /user means an installation token, and the one every
 * workflow has is GITHUB_TOKEN's.
 */

import type { GitHubClient } from "./client.js";

/** The author of what GITHUB_TOKEN writes. */
export const WORKFLOW_TOKEN_LOGIN = "github-actions[bot]";

/** A comment's or an issue's author, as the REST API gives it (null for a deleted account). */
export type Author = { login?: string | undefined } | null | undefined;

const logins = new WeakMap<GitHubClient, Promise<string>>();

/** The login slo posts as with this client's token: asked once, the first time it is needed. */
export function ownLogin(client: GitHubClient): Promise<string> {
  let login = logins.get(client);
  if (!login) {
    login = askLogin(client);
    logins.set(client, login);
  }
  return login;
}

/** Whether `author` is `login`: GitHub logins are case-insensitive. */
export function isAuthor(login: string, author: Author): boolean {
  return typeof author?.login === "string" && author.login.toLowerCase() === login.toLowerCase();
}

async function askLogin(client: GitHubClient): Promise<string> {
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    // Any other failure (a bad token, GitHub down) is the caller's to explain.
    if (statusOf(error) !== 403) throw error;
  }
  return (await viewerLogin(client)) ?? WORKFLOW_TOKEN_LOGIN;
}

async function viewerLogin(client: GitHubClient): Promise<string | undefined> {
  try {
    const answer = await client.graphql<{ viewer?: { login?: unknown } }>(
      "query { viewer { login } }",
    );
    const login = answer.viewer?.login;
    return typeof login === "string" && login !== "" ? login : undefined;
  } catch {
    // No GraphQL here (an old GitHub Enterprise Server, a proxy): the workflow token it is.
    return undefined;
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}
