/** `slo check --github`: the same reporters from any CI with a token, through the real CLI. */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitHubPublisher } from "../../src/github/publish.js";
import { runGate } from "../../src/pipeline/gate.js";
import { loadSetOrThrow } from "../../src/pipeline/load-set.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { refusingUrl, startTestServer } from "../support/misbehaving-server.js";
import { HEAD, pullRequestEvent, runnerFiles } from "./runner-files.js";

const TOKEN = "ghs_clitoken0123456789abcdefghijklmnopqr";
const AT = "2026-11-24T12:00:00Z";
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub({
    token: TOKEN,
    pulls: [{ number: 7, state: "open", headSha: HEAD, labels: [] }],
  });
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  await gh.close();
});

describe("slo check --github", () => {
  it("creates the check run and the comment, writes the summary and outputs, exits on the SLOs", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7), {
      GITHUB_TOKEN: TOKEN,
    });
    const r = await runCli(
      ["check", "slos/", "--at", AT, "--github", "--check-name", "slo / ctrl"],
      {
        env: { ...runner.env, GITHUB_WORKSPACE: undefined },
      },
    );
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stderr).toMatch(/^Check run slo \/ ctrl: failure/m);
    expect(gh.checkRuns.map((c) => [c.name, c.conclusion])).toEqual([["slo / ctrl", "failure"]]);
    expect(gh.comments).toHaveLength(1);
    expect(runner.summary()).toContain("## ❌ SLO gate: fail");
    expect(runner.outputs().result).toBe("fail");
  });

  it("--no-comment and --fail-on never: a passing check and no comment", async () => {
    const runner = runnerFiles(gh.url, "push", { after: HEAD }, { GITHUB_TOKEN: TOKEN });
    const r = await runCli(
      ["check", "slos/", "--at", AT, "--github", "--no-comment", "--fail-on", "never", "-q"],
      { env: runner.env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(gh.checkRuns.map((c) => c.conclusion)).toEqual(["success"]);
    expect(gh.comments).toEqual([]);
  });

  it("outside GitHub Actions: the verdict stands, and the missing setup is named", async () => {
    const r = await runCli(["check", "slos/", "--at", AT, "--github", "-q"], {
      env: {
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: undefined,
        GITHUB_SHA: undefined,
        GITHUB_EVENT_PATH: undefined,
        GITHUB_STEP_SUMMARY: undefined,
        GITHUB_OUTPUT: undefined,
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("warning: GITHUB_REPOSITORY or the commit is unknown");
    expect(gh.requests).toEqual([]);
  });

  it("a GitHub API that does not answer is named as such, once, not as an HTTP 500", async () => {
    // The gate slo check --github runs, in-process: Octokit's retries wait 1 ms, not 1, 4 and 9 s.
    const url = await refusingUrl();
    const runner = runnerFiles(url, "pull_request", pullRequestEvent(7), { GITHUB_TOKEN: TOKEN });
    const log: string[] = [];
    const publisher = gitHubPublisher({
      token: TOKEN,
      comment: false,
      env: { ...runner.env, GITHUB_WORKSPACE: undefined },
      cwd: ROOT,
      log: { info: () => {}, warning: (m) => log.push(`warning: ${m}`) },
      client: { retryBaseMs: 1 },
    });
    const outcome = await runGate(await loadSetOrThrow(["slos/"]), {
      atMs: Date.parse(AT),
      failOn: "breach",
      onSourceError: "error",
      publisher,
    });
    const stderr = log.join("\n");
    expect(outcome.exitCode).toBe(1);
    // one line for each thing that failed, none for each attempt
    expect(log).toEqual([
      expect.stringMatching(
        /^warning: Finding the pull request failed: no answer from the GitHub API/,
      ),
      expect.stringMatching(
        /^warning: Creating the check run failed: no answer from the GitHub API/,
      ),
    ]);
    expect(stderr).not.toMatch(/\b500\b/);
    expect(hasStackTrace(stderr)).toBe(false);
  });

  it("--github-deadline: a GitHub that never answers costs the deadline, said in one warning; the verdict stands", async () => {
    const silent = await startTestServer(() => ({ hang: true }));
    try {
      const runner = runnerFiles(silent.url, "pull_request", pullRequestEvent(7), {
        GITHUB_TOKEN: TOKEN,
      });
      const r = await runCli(
        ["check", "slos/", "--at", AT, "--github", "--github-deadline", "300ms", "-q"],
        { env: { ...runner.env, GITHUB_WORKSPACE: undefined } },
      );
      expect(r.code).toBe(1);
      expect(silent.requests.length).toBeLessThanOrEqual(1);
      expect(r.stderr.trim().split("\n")).toEqual([
        "warning: GitHub did not answer within the 300ms reporting deadline: skipped finding the pull request, the check run and the PR comment. Give it longer with the Action's github-deadline input (or --github-deadline), e.g. 2m.",
      ]);
    } finally {
      await silent.close();
    }
  });

  it("--github-deadline is a duration, and only with --github or --environment", async () => {
    let r = await runCli(["check", "slos/", "--github", "--github-deadline", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--github-deadline soon: expected a duration above zero");
    r = await runCli(["check", "slos/", "--github-deadline", "2m"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--github-deadline only applies with --github or --environment");
  });

  it("rejects a comment id that could break the marker, before any work", async () => {
    const r = await runCli(["check", "slos/", "--github", "--comment-id", "x -->"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: comment id "x -->": expected 1 to 64 letters');
  });
});
