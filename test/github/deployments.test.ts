/** GitHub's deployments as deploys, against the stateful fake: pagination, statuses, versions, PRs, and tokens that cannot read them. */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubClient, type Logger } from "../../src/github/client.js";
import { gitHubDeploys, readGitHubDeploys } from "../../src/github/deployments.js";
import { MAX_GITHUB_DEPLOYMENTS } from "../../src/limits.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { startTestServer } from "../support/misbehaving-server.js";

const TOKEN = "ghs_deploytoken0123456789abcdefghijklmno";
const T = Date.parse("2026-11-24T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const sha = (n: number) => n.toString(16).padStart(40, "a");

let gh: FakeGitHub;
let logs: string[];
const log: Logger = {
  info: (m) => logs.push(`info: ${m}`),
  warning: (m) => logs.push(`warning: ${m}`),
};

beforeEach(() => {
  logs = [];
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  expect(logs.join("\n")).not.toContain(TOKEN);
  await gh.close();
});

function client() {
  return createGitHubClient({
    token: TOKEN,
    baseUrl: gh.url,
    log,
    retryBaseMs: 5,
    throttle: false,
  });
}

const query = (environment = "production") => ({
  client: client(),
  owner: "acme",
  repo: "shop",
  environment,
  sinceMs: T - 30 * DAY,
  untilMs: T,
  log,
});

describe("gitHubDeploys", () => {
  it("gives the environment's successful deployments oldest first: status time, version, sha, merged PR", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      tags: ["v1.4.0"],
      pulls: [
        // Merged elsewhere first: not the PR that shipped it to the default branch.
        {
          number: 10,
          state: "closed",
          headSha: sha(9),
          commits: [sha(1)],
          labels: [],
          base: "release",
          mergedAt: iso(T - 5 * HOUR),
        },
        {
          number: 11,
          state: "closed",
          headSha: sha(8),
          commits: [sha(1)],
          labels: [],
          mergedAt: iso(T - 4 * HOUR),
        },
        // Open, never merged: not shipped by it.
        { number: 12, state: "open", headSha: sha(3), labels: [] },
      ],
      deployments: [
        {
          sha: sha(1),
          ref: "v1.4.0",
          createdAt: iso(T - 3 * HOUR),
          statuses: [
            { state: "in_progress", createdAt: iso(T - 3 * HOUR + MIN) },
            { state: "success", createdAt: iso(T - 3 * HOUR + 5 * MIN) },
            { state: "inactive", createdAt: iso(T - HOUR) },
          ],
        },
        {
          sha: sha(2),
          ref: "main",
          createdAt: iso(T - 2 * HOUR),
          statuses: [{ state: "failure", createdAt: iso(T - 2 * HOUR + MIN) }],
        },
        {
          sha: sha(3),
          ref: "main",
          createdAt: iso(T - HOUR),
          statuses: [{ state: "success", createdAt: iso(T - 55 * MIN) }],
        },
        {
          sha: sha(4),
          ref: "refs/tags/v2.0.0-rc.1",
          createdAt: iso(T - 30 * MIN),
          statuses: [{ state: "success", createdAt: iso(T - 29 * MIN) }],
        },
        // Another environment.
        {
          sha: sha(5),
          ref: "v1.5.0",
          environment: "staging",
          createdAt: iso(T - 20 * MIN),
          statuses: [{ state: "success", createdAt: iso(T - 19 * MIN) }],
        },
        // Still deploying: not a deploy yet.
        {
          sha: sha(6),
          ref: "main",
          createdAt: iso(T - 10 * MIN),
          statuses: [{ state: "in_progress", createdAt: iso(T - 9 * MIN) }],
        },
        // Before the range.
        {
          sha: sha(7),
          ref: "v1.3.0",
          createdAt: iso(T - 40 * DAY),
          statuses: [{ state: "success", createdAt: iso(T - 40 * DAY + MIN) }],
        },
      ],
    });
    const deploys = await gitHubDeploys(query());
    expect(deploys).toEqual([
      {
        atMs: T - 3 * HOUR + 5 * MIN,
        version: "v1.4.0",
        sha: sha(1),
        pullRequest: { number: 11, url: "https://github.test/acme/shop/pull/11" },
        origin: "github",
      },
      { atMs: T - 55 * MIN, version: sha(3).slice(0, 7), sha: sha(3), origin: "github" },
      { atMs: T - 29 * MIN, version: "v2.0.0-rc.1", sha: sha(4), origin: "github" },
    ]);
    expect(logs.filter((l) => l.startsWith("warning"))).toEqual([]);
    const listed = gh.requests.filter((r) => r.path.startsWith("/repos/acme/shop/deployments?"));
    expect(listed.map((r) => new URL(r.path, gh.url).searchParams.get("environment"))).toEqual([
      "production",
    ]);
  });

  it("reads further pages until the deployments are older than the range, and pages a deployment's statuses", async () => {
    const newer = Array.from({ length: 120 }, (_, i) => ({
      sha: sha(100 + i),
      ref: "main",
      createdAt: iso(T + HOUR + i * MIN),
      statuses: [{ state: "success", createdAt: iso(T + HOUR + i * MIN + MIN) }],
    }));
    const manyStatuses = [
      { state: "success", createdAt: iso(T - 2 * DAY) },
      ...Array.from({ length: 130 }, (_, i) => ({
        state: "inactive",
        createdAt: iso(T - DAY + i * MIN),
      })),
    ];
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        ...newer,
        { sha: sha(1), ref: "main", createdAt: iso(T - 2 * DAY - 5 * MIN), statuses: manyStatuses },
        {
          sha: sha(2),
          ref: "main",
          createdAt: iso(T - 31 * DAY),
          statuses: [{ state: "success", createdAt: iso(T - 31 * DAY) }],
        },
        {
          sha: sha(3),
          ref: "main",
          createdAt: iso(T - 32 * DAY),
          statuses: [{ state: "success", createdAt: iso(T - 32 * DAY) }],
        },
      ],
    });
    const deploys = await gitHubDeploys(query());
    expect(deploys.map((d) => [d.sha, d.atMs])).toEqual([[sha(1), T - 2 * DAY]]);
    const pages = gh.requests.filter((r) => r.path.startsWith("/repos/acme/shop/deployments?"));
    expect(pages.map((r) => new URL(r.path, gh.url).searchParams.get("page") ?? "1")).toEqual([
      "1",
      "2",
    ]);
    // The 120 deployments after the range cost no status requests.
    const statusReads = gh.requests.filter((r) => /\/deployments\/\d+\/statuses/.test(r.path));
    expect(statusReads).toHaveLength(2);
  });

  it(`reads at most ${MAX_GITHUB_DEPLOYMENTS} deployments, the newest, and says so`, async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: Array.from({ length: MAX_GITHUB_DEPLOYMENTS + 5 }, (_, i) => ({
        sha: sha(1),
        ref: "main",
        createdAt: iso(T - DAY + i * MIN),
        statuses: [{ state: "success", createdAt: iso(T - DAY + i * MIN + 1000) }],
      })),
    });
    const deploys = await gitHubDeploys(query());
    expect(deploys).toHaveLength(MAX_GITHUB_DEPLOYMENTS);
    expect(deploys[0]!.atMs).toBe(T - DAY + 5 * MIN + 1000);
    expect(deploys.at(-1)!.atMs).toBe(T - DAY + (MAX_GITHUB_DEPLOYMENTS + 4) * MIN + 1000);
    expect(logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^warning: GitHub has more than ${MAX_GITHUB_DEPLOYMENTS} deployments of production.*older ones are left out`,
        ),
      ),
    );
    // One PR lookup for the one commit they all deployed.
    expect(gh.requests.filter((r) => r.path.includes("/pulls"))).toHaveLength(1);
  });

  it("a token that cannot read deployments: a warning naming the permission, no deploys", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        {
          sha: sha(1),
          createdAt: iso(T - HOUR),
          statuses: [{ state: "success", createdAt: iso(T - HOUR) }],
        },
      ],
    });
    gh.deny.add("deployments");
    expect(await gitHubDeploys(query())).toEqual([]);
    expect(logs).toEqual([
      expect.stringMatching(
        /^warning: Reading the deployments of production failed: GitHub answered 403: Resource not accessible by integration\. The token lacks `deployments: read`.*No deploys from GitHub\.$/,
      ),
    ]);
  });

  it("a forked PR's read-only token reads deployments as GitHub lets it", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      kind: "read-only",
      deployments: [
        {
          sha: sha(1),
          createdAt: iso(T - HOUR),
          statuses: [{ state: "success", createdAt: iso(T - HOUR) }],
        },
      ],
    });
    expect((await gitHubDeploys(query())).map((d) => d.sha)).toEqual([sha(1)]);
  });

  it("a PR lookup that fails leaves the deploy without its PR, with one warning", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        {
          sha: sha(1),
          createdAt: iso(T - 2 * HOUR),
          statuses: [{ state: "success", createdAt: iso(T - 2 * HOUR) }],
        },
        {
          sha: sha(2),
          createdAt: iso(T - HOUR),
          statuses: [{ state: "success", createdAt: iso(T - HOUR) }],
        },
      ],
    });
    gh.failNext("GET", /\/commits\/[0-9a-f]+\/pulls$/, 403, {
      times: 2,
      body: { message: "Resource not accessible by integration" },
    });
    const deploys = await gitHubDeploys(query());
    expect(deploys.map((d) => [d.sha, d.pullRequest])).toEqual([
      [sha(1), undefined],
      [sha(2), undefined],
    ]);
    expect(logs.filter((l) => l.includes("pull requests"))).toHaveLength(1);
    expect(logs[0]).toMatch(
      /^warning: Finding the pull requests that shipped the deploys failed: .*`pull-requests: read`/,
    );
  });
});

describe("readGitHubDeploys (for slo check --github --environment)", () => {
  it("a GitHub that never answers costs the deadline, then no deploys and one warning", async () => {
    gh = await startFakeGitHub({ token: TOKEN });
    const silent = await startTestServer(() => ({ hang: true }));
    try {
      const deploys = await readGitHubDeploys({
        token: TOKEN,
        env: { GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: silent.url },
        cwd: "/",
        log,
        environment: "production",
        sinceMs: T - DAY,
        untilMs: T,
        deadlineMs: 300,
        client: { retryBaseMs: 5, throttle: false },
      });
      expect(deploys).toEqual([]);
      expect(silent.requests.length).toBeLessThanOrEqual(1);
      expect(logs).toEqual([
        "warning: Reading the deployments of production failed: no answer from the GitHub API (none within the 300ms deadline). No deploys from GitHub.",
      ]);
    } finally {
      await silent.close();
    }
  });

  it("takes the repository from GITHUB_REPOSITORY and the API from GITHUB_API_URL", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        {
          sha: sha(1),
          createdAt: iso(T - HOUR),
          statuses: [{ state: "success", createdAt: iso(T - HOUR) }],
        },
      ],
    });
    const deploys = await readGitHubDeploys({
      token: TOKEN,
      env: { GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: gh.url },
      cwd: "/",
      log,
      environment: "production",
      sinceMs: T - DAY,
      untilMs: T,
      client: { retryBaseMs: 5, throttle: false },
    });
    expect(deploys.map((d) => d.sha)).toEqual([sha(1)]);
  });

  it("without a token or a repository: a warning, no deploys, no request", async () => {
    gh = await startFakeGitHub({ token: TOKEN });
    const base = { cwd: "/", log, environment: "production", sinceMs: T - DAY, untilMs: T };
    expect(
      await readGitHubDeploys({
        ...base,
        token: "",
        env: { GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: gh.url },
      }),
    ).toEqual([]);
    expect(
      await readGitHubDeploys({ ...base, token: TOKEN, env: { GITHUB_API_URL: gh.url } }),
    ).toEqual([]);
    expect(gh.requests).toEqual([]);
    expect(logs).toEqual([
      expect.stringMatching(
        /^warning: No GitHub token: no deploys from GitHub's deployments of production\. Set GITHUB_TOKEN/,
      ),
      expect.stringMatching(
        /^warning: GITHUB_REPOSITORY is not set: no deploys from GitHub's deployments of production\./,
      ),
    ]);
  });
});
