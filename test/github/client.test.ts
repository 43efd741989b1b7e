/** The shared Octokit client against the fake GitHub: what each request's retries wait. */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubClient, type GitHubClient } from "../../src/github/client.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { HEAD } from "./runner-files.js";

const TOKEN = "ghs_faketoken0123456789abcdefghijklmnopq";

let gh: FakeGitHub;
let warnings: string[];
beforeEach(async () => {
  warnings = [];
  gh = await startFakeGitHub({ token: TOKEN });
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  await gh.close();
});

/**
 * The waits plugin-retry asks for, in units of retryAfterBaseValue, as it
 * hands them to retryRequest (the last one follows the last attempt and is
 * not waited). Recorded rather than timed.
 */
function recordRetryWaits(client: GitHubClient): number[] {
  const asked: number[] = [];
  const plugin = (client as unknown as { retry: { retryRequest: RetryRequest } }).retry;
  const original = plugin.retryRequest;
  plugin.retryRequest = (error, retries, retryAfter) => {
    asked.push(retryAfter);
    return original(error, retries, retryAfter);
  };
  return asked;
}
type RetryRequest = (error: unknown, retries: number, retryAfter: number) => unknown;

const createCheckRun = (client: GitHubClient) =>
  client.rest.checks.create({ owner: "acme", repo: "shop", name: "slo", head_sha: HEAD }).then(
    () => "created",
    (e: { status?: number }) => e.status,
  );

describe("retries", () => {
  it("each request starts its own count: two failing requests in a row each wait 1, 4, 9 units", async () => {
    gh.failNext("POST", /check-runs$/, 500, { body: { message: "Server Error" }, times: 100 });
    const client = createGitHubClient({
      token: TOKEN,
      baseUrl: gh.url,
      log: { info: () => {}, warning: (m) => warnings.push(m) },
      retryBaseMs: 1,
    });
    const asked = recordRetryWaits(client);
    expect(await createCheckRun(client)).toBe(500);
    expect(await createCheckRun(client)).toBe(500);
    expect(gh.requests.filter((r) => r.path.endsWith("check-runs"))).toHaveLength(8);
    expect(asked).toEqual([1, 4, 9, 16, 1, 4, 9, 16]);
  });
});
