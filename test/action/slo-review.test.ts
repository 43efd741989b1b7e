/**
 * The Action on a pull request that changes SLO files: the bundle, built
 * from the sources, run as a runner runs it in a real git checkout
 * (test/support/slo-git-repo.ts), the event naming the base commit, against
 * the fake GitHub. The comment, the check run and the job summary carry the
 * review; without the base commit the gate still runs, and says why there
 * is no review.
 */

import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HEAD, pullRequestEvent, runnerFiles } from "../github/runner-files.js";
import { hasStackTrace, ROOT } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { git, makeSloHistory } from "../support/slo-git-repo.js";

const TOKEN = "ghs_reviewtoken0123456789abcdefghijklmnop";
const AT = "2026-11-24T12:00:00Z";

let bundle: string;
let repo: string;
let baseSha: string;
let brokenSha: string;
let gh: FakeGitHub;

beforeAll(async () => {
  const out = join(mkdtempSync(join(tmpdir(), "slo-action-")), "index.js");
  execFileSync(process.execPath, [join(ROOT, "scripts/build-action.mjs"), "--outfile", out], {
    stdio: "ignore",
  });
  bundle = out;
  repo = join(mkdtempSync(join(tmpdir(), "slo-ws-")), "repo");
  [brokenSha, baseSha] = (await makeSloHistory(repo)) as [string, string];
}, 120_000);

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

function runStep(env: Record<string, string>, cwd: string) {
  const inputs = { config: "slos/", "github-token": TOKEN, at: AT, "fail-on": "never" };
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [bundle],
      { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...inputEnv } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : -1) : 0,
          stdout: stdout + stderr,
        }),
    );
  });
}

function pullRequestOn(base: string) {
  const event = pullRequestEvent(7);
  return {
    ...event,
    pull_request: { ...event.pull_request, base: { ...event.pull_request.base, sha: base } },
  };
}

describe("the Action on a pull request that changes SLO files", () => {
  it("puts the review into the comment, the check run and the job summary", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestOn(baseSha), {
      GITHUB_WORKSPACE: repo,
    });
    const step = await runStep(runner.env, repo);
    expect(hasStackTrace(step.stdout)).toBe(false);
    expect(step.stdout).not.toContain(TOKEN);
    expect(step.code).toBe(0);
    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0]!.body;
    expect(body).toContain("## 📝 SLO changes");
    expect(body).toContain("1 changed, 1 added, 1 removed, 1 unchanged");
    expect(body).toContain("| objective | 99% | **99.9%** |");
    expect(body).toMatch(/Would have paged \d+ times? in the last 30d; now \d+\./);
    expect(body).toContain("| | removed |");
    // the gate's own report is still there, before it
    expect(body.indexOf("SLO gate")).toBeLessThan(body.indexOf("SLO changes"));
    expect(gh.checkRuns.at(-1)!.output?.summary).toContain("| objective | 99% | **99.9%** |");
    expect(runner.summary()).toContain("| objective | 99% | **99.9%** |");
  }, 120_000);

  it("without the base commit (a shallow checkout), gates as ever and says fetch-depth: 0 is needed", async () => {
    const shallow = join(mkdtempSync(join(tmpdir(), "slo-ws-")), "shallow");
    await git(tmpdir(), "clone", "-q", "--depth", "1", `file://${repo}`, shallow);
    const runner = runnerFiles(gh.url, "pull_request", pullRequestOn(baseSha), {
      GITHUB_WORKSPACE: shallow,
    });
    const step = await runStep(runner.env, shallow);
    expect(step.code).toBe(0);
    expect(step.stdout).toMatch(/::warning::No review of the SLO changes: .*fetch-depth: 0/);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain("SLO gate");
    expect(gh.comments[0]!.body).not.toContain("SLO changes");
  }, 120_000);

  it("when a file at the base does not load, gates as ever and the review names it as sha:path", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestOn(brokenSha), {
      GITHUB_WORKSPACE: repo,
    });
    const step = await runStep(runner.env, repo);
    expect(step.code).toBe(0);
    expect(step.stdout).not.toContain("::warning::No review of the SLO changes");
    expect(gh.comments[0]!.body).toContain(
      `unreadable at the base: \`${brokenSha.slice(0, 7)}:slos/hand.yaml:`,
    );
  }, 120_000);
});
