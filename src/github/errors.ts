/**
 * GitHub's answers, worded for the person reading the job log: a 403 names
 * the permission the workflow must grant, never just "Forbidden".
 */

import { STATUS_CODES } from "node:http";

export interface GitHubFailure {
  status: number | null;
  message: string;
  /** the body was no JSON (a proxy's or GitHub's HTML error page): message is the status's reason phrase */
  summarised?: boolean;
}

/**
 * The status and GitHub's own message of whatever Octokit threw. Octokit
 * gives a request that got no answer at all (refused, timed out) status 500;
 * that is no answer from GitHub, so it has no status here.
 */
export function failureOf(error: unknown): GitHubFailure {
  const e = error as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  const answered = e?.response !== undefined;
  if (!answered && e?.status === 500 && typeof e?.message === "string") {
    return { status: null, message: `no answer from the GitHub API (${e.message})` };
  }
  const status = typeof e?.status === "number" ? e.status : null;
  if (answered && status !== null && typeof e.response?.data === "string") {
    // An error page is meant for a browser: its HTML in a job log helps nobody.
    return { status, message: STATUS_CODES[status] ?? "an error page", summarised: true };
  }
  const data = e?.response?.data as { message?: unknown } | undefined;
  const raw =
    typeof data?.message === "string"
      ? data.message
      : typeof e?.message === "string"
        ? e.message
        : String(error);
  // Octokit appends the documentation URL; keep GitHub's sentence.
  return { status, message: raw.replace(/ - https:\/\/docs\.github\.com\S*$/, "") };
}

/** "You must authenticate via a GitHub App": a personal token, which cannot create check runs. */
export function needsGitHubApp(error: unknown): boolean {
  const f = failureOf(error);
  return f.status === 403 && /github app/i.test(f.message);
}

/** A primary (x-ratelimit-remaining: 0) or secondary rate limit: GitHub's "not now", not "not allowed". */
export function isRateLimited(error: unknown): boolean {
  const f = failureOf(error);
  if (f.status !== 403 && f.status !== 429) return false;
  const headers = (error as { response?: { headers?: Record<string, unknown> } })?.response
    ?.headers;
  return /rate limit/i.test(f.message) || String(headers?.["x-ratelimit-remaining"]) === "0";
}

/**
 * The token lacks a permission (or is a kind that cannot do this at all):
 * the one 403 where another way of reporting (a commit status) may work.
 */
export function isPermissionDenied(error: unknown): boolean {
  const f = failureOf(error);
  return (
    f.status === 403 &&
    !isRateLimited(error) &&
    (/not accessible by (integration|personal access token)/i.test(f.message) ||
      needsGitHubApp(error))
  );
}

/**
 * One line saying what failed, why, and what to change.
 * `permission` is the `permissions:` entry the request needs, e.g. "checks: write".
 */
export function explainFailure(what: string, permission: string, error: unknown): string {
  const f = failureOf(error);
  // GitHub's sentence may end with its own full stop; the line adds one.
  const message = f.message.replace(/\.$/, "");
  const said = f.summarised
    ? `GitHub answered ${f.status} ${message}`
    : f.status
      ? `GitHub answered ${f.status}: ${message}`
      : message;
  if (f.status === 401) {
    return `${what} failed: ${said}. The token is invalid or expired; pass a valid one in github-token (or GITHUB_TOKEN).`;
  }
  if (isRateLimited(error)) {
    return `${what} failed: ${said}. The token's GitHub API rate limit is spent (other jobs using the same token count too); run the job again once it resets.`;
  }
  if (isPermissionDenied(error)) {
    return `${what} failed: ${said}. The token lacks \`${permission}\`: add \`permissions: { ${permission} }\` to the job, or use a token that has it.`;
  }
  if (f.status === 404) {
    return `${what} failed: ${said}. The token cannot see the repository or the object; check GITHUB_REPOSITORY and the token's access (\`${permission}\`).`;
  }
  return `${what} failed: ${said}.`;
}
