/**
 * slo verify's GitHub publisher against the stateful fake, on a hand-made
 * verified report: the check run "slo verify" on the deployed commit, the
 * sticky comment on the PR that shipped it (never the gate's), and on
 * `regressed` a deployment status `failure` a rollback workflow can trigger on.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MARKER } from "../../src/conventions.js";
import type { Logger } from "../../src/github/client.js";
import {
  type DeployVerdict,
  gitHubVerifyPublisher,
  type VerifyPublishSettings,
  verifyTitleOf,
} from "../../src/github/verify-publish.js";
import type { SloReport } from "../../src/report/schema.js";
import { type FakeGitHub, startDeployedRepo, startFakeGitHub } from "../support/github-server.js";
import { startTestServer } from "../support/misbehaving-server.js";
import { AT, reportOf, sloYaml, verifiedReportOf } from "./report-fixture.js";
import { deploymentStatusEvent, type RunnerFiles, runnerFiles } from "./runner-files.js";

const TOKEN = "ghs_verifytoken0123456789abcdefghijklmno";
const PAT = "ghp_verifypat0123456789abcdefghijklmnopqr";
const DEPLOY_SHA = "d".repeat(40);
const DEPLOYED_AT = AT - 30 * 60_000;

let gh: FakeGitHub;
let deploymentId: number;
let logs: string[];
const log: Logger = {
  info: (m) => logs.push(`info: ${m}`),
  warning: (m) => logs.push(`warning: ${m}`),
};

beforeEach(async () => {
  logs = [];
  ({ gh, deploymentId } = await startDeployedRepo({
    token: TOKEN,
    sha: DEPLOY_SHA,
    createdAt: new Date(DEPLOYED_AT - 60_000).toISOString(),
    deployedAt: new Date(DEPLOYED_AT).toISOString(),
    pr: { number: 7, mergedAt: new Date(AT - 3_600_000).toISOString() },
  }));
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  expect(logs.join("\n")).not.toContain(TOKEN);
  expect(logs.join("\n")).not.toContain(PAT);
  await gh.close();
});

/** A report of three SLOs as slo verify makes it: the run's verdict and each SLO's. */
async function verifiedReport(
  verdict: DeployVerdict,
  regressed: string[] = [],
  options: { pullRequest?: boolean; names?: string[] } = {},
): Promise<SloReport> {
  const names = options.names ?? ["checkout", "search", "login"];
  const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", names), {});
  const deploy = {
    at: new Date(DEPLOYED_AT).toISOString(),
    version: "v1.4.2",
    sha: DEPLOY_SHA,
    ...(options.pullRequest === false
      ? {}
      : { pullRequest: { number: 7, url: "https://github.test/acme/shop/pull/7" } }),
    origin: "github" as const,
  };
  return verifiedReportOf(report, deploy, verdict, regressed);
}

function eventRunner(): RunnerFiles {
  return runnerFiles(
    gh.url,
    "deployment_status",
    deploymentStatusEvent({
      deploymentId,
      sha: DEPLOY_SHA,
      ref: "v1.4.2",
      environment: "production",
      state: "success",
      createdAt: new Date(DEPLOYED_AT).toISOString(),
    }),
  );
}

function publisher(runner: RunnerFiles, overrides: Partial<VerifyPublishSettings> = {}) {
  return gitHubVerifyPublisher({
    token: TOKEN,
    deploymentId,
    env: runner.env,
    cwd: runner.dir,
    log,
    client: { retryBaseMs: 5, throttle: false },
    ...overrides,
  });
}

const deploymentStatuses = () => gh.deployments.find((d) => d.id === deploymentId)!.statuses;

describe("a GitHub that never answers", () => {
  it("regressed: the check run waits out the deadline, the comment and the deployment status are skipped, one warning", async () => {
    const silent = await startTestServer(() => ({ hang: true }));
    try {
      const runner = eventRunner();
      runner.env.GITHUB_API_URL = silent.url;
      const report = await verifiedReport("regressed", ["checkout"]);
      const outcome = await publisher(runner, { deadlineMs: 300 }).publish(report, "regressed");
      // Recorded once its body is in: under load the deadline may stop it first.
      expect(silent.requests.length).toBeLessThanOrEqual(1);
      expect(silent.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
        ["POST /repos/acme/shop/check-runs"].slice(0, silent.requests.length),
      );
      const warning =
        "GitHub did not answer within the 300ms reporting deadline: skipped the check run, the PR comment and the deployment status. Give it longer with the Action's github-deadline input (or --github-deadline), e.g. 2m.";
      expect(outcome.failures).toEqual([warning]);
      expect(logs.filter((l) => l.startsWith("warning: "))).toEqual([`warning: ${warning}`]);
      expect(runner.outputs().verdict).toBe("regressed");
    } finally {
      await silent.close();
    }
  });
});

describe("gitHubVerifyPublisher", () => {
  it("regressed: a failing check run on the deployed commit, the verify comment beside the gate's, a failure deployment status with the run as its log", async () => {
    const runner = eventRunner();
    const gateComment = gh.addComment(7, `${MARKER.comment("default")}\n## gate report`);
    const report = await verifiedReport("regressed", ["checkout", "search"]);
    const outcome = await publisher(runner).publish(report, "regressed");
    expect(outcome).toEqual({ overridden: false, failures: [] });

    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]).toMatchObject({
      name: "slo verify",
      head_sha: DEPLOY_SHA,
      conclusion: "failure",
      details_url: "https://github.test/acme/shop/actions/runs/4242",
    });
    expect(gh.checkRuns[0]!.output.title).toBe("Deploy v1.4.2 regressed: checkout, search");

    const verifyComments = gh.comments.filter((c) =>
      c.body.startsWith(MARKER.verifyComment("default")),
    );
    expect(verifyComments.map((c) => c.issue)).toEqual([7]);
    expect(gh.comments.find((c) => c.id === gateComment.id)!.body).toBe(
      `${MARKER.comment("default")}\n## gate report`,
    );

    expect(deploymentStatuses().map((s) => s.state)).toEqual(["success", "failure"]);
    const failure = deploymentStatuses()[1]!;
    expect(failure.description).toBe("slo verify: deploy v1.4.2 regressed: checkout, search");
    expect(failure.log_url).toBe("https://github.test/acme/shop/actions/runs/4242");

    expect(runner.summary()).toContain("checkout");
    expect(runner.outputs()).toMatchObject({
      verdict: "regressed",
      regressed: JSON.stringify(["checkout", "search"]),
      "deploy-sha": DEPLOY_SHA,
    });
  });

  it("the next run edits the verify comment in place", async () => {
    const runner = eventRunner();
    await publisher(runner).publish(await verifiedReport("inconclusive"), "inconclusive");
    await publisher(runner).publish(await verifiedReport("pass"), "pass");
    const marked = gh.comments.filter((c) => c.body.startsWith(MARKER.verifyComment("default")));
    expect(marked).toHaveLength(1);
    expect(gh.checkRuns.map((r) => [r.name, r.conclusion])).toEqual([
      ["slo verify", "neutral"],
      ["slo verify", "success"],
    ]);
  });

  it("pass: a successful check run and no deployment status", async () => {
    const runner = eventRunner();
    await publisher(runner).publish(await verifiedReport("pass"), "pass");
    expect(gh.checkRuns.map((r) => [r.conclusion, r.output.title])).toEqual([
      ["success", "Deploy v1.4.2 passes: no SLO worse than before it (3 SLOs)"],
    ]);
    expect(deploymentStatuses().map((s) => s.state)).toEqual(["success"]);
    expect(gh.requests.some((r) => r.method === "POST" && r.path.includes("/deployments/"))).toBe(
      false,
    );
    expect(runner.outputs()).toMatchObject({ verdict: "pass", regressed: "[]" });
  });

  it("inconclusive fails the check only when told to fail on it", async () => {
    const runner = eventRunner();
    await publisher(runner, { failOnInconclusive: true }).publish(
      await verifiedReport("inconclusive"),
      "inconclusive",
    );
    expect(gh.checkRuns.map((r) => r.conclusion)).toEqual(["failure"]);
    expect(deploymentStatuses().map((s) => s.state)).toEqual(["success"]);
  });

  it("a personal token gets a commit status named slo verify instead of a check run", async () => {
    await gh.close();
    gh = await startFakeGitHub({ token: PAT, kind: "pat" });
    deploymentId = gh.addDeployment({
      sha: DEPLOY_SHA,
      ref: "v1.4.2",
      createdAt: new Date(DEPLOYED_AT).toISOString(),
      statuses: [{ state: "success", createdAt: new Date(DEPLOYED_AT).toISOString() }],
    }).id;
    const runner = eventRunner();
    const outcome = await publisher(runner, { token: PAT }).publish(
      await verifiedReport("regressed", ["login"], { pullRequest: false }),
      "regressed",
    );
    expect(outcome.failures).toEqual([]);
    expect(gh.checkRuns).toEqual([]);
    expect(gh.statuses).toEqual([
      expect.objectContaining({
        sha: DEPLOY_SHA,
        context: "slo verify",
        state: "failure",
        description: "Deploy v1.4.2 regressed: login",
      }),
    ]);
    expect(deploymentStatuses().map((s) => s.state)).toEqual(["success", "failure"]);
  });

  it("writes refused (a read-only token): every failure said with the permission, nothing written, the outputs still set", async () => {
    gh.kind = "read-only";
    const runner = eventRunner();
    const outcome = await publisher(runner).publish(
      await verifiedReport("regressed", ["search"]),
      "regressed",
    );
    expect(gh.requests.filter((r) => r.method !== "GET" && r.status < 400)).toEqual([]);
    expect(outcome.failures).toEqual([
      expect.stringMatching(
        /^Creating the check run failed: GitHub answered 403.*`checks: write`.* Setting the commit status failed: GitHub answered 403.*`statuses: write`/,
      ),
      expect.stringMatching(
        /^Commenting on PR #7 failed: GitHub answered 403.*`pull-requests: write`/,
      ),
      expect.stringMatching(
        /^Setting the deployment status failed: GitHub answered 403.*`deployments: write`/,
      ),
    ]);
    expect(runner.outputs()).toMatchObject({ verdict: "regressed", regressed: '["search"]' });
  });

  it("a deploy without a PR in the report: the PR is looked up by the commit; none: no comment", async () => {
    const runner = eventRunner();
    await publisher(runner).publish(
      await verifiedReport("pass", [], { pullRequest: false }),
      "pass",
    );
    expect(gh.comments.map((c) => c.issue)).toEqual([7]);
    gh.pulls.length = 0;
    gh.comments.length = 0;
    await publisher(runner).publish(
      await verifiedReport("pass", [], { pullRequest: false }),
      "pass",
    );
    expect(gh.comments).toEqual([]);
    expect(logs).toContain("info: No pull request shipped this deploy: no PR comment.");
  });

  it("a deploy without a commit (found in the logs): the check on the run's commit, no PR guessed", async () => {
    const runner = runnerFiles(gh.url, "workflow_dispatch", {}, { GITHUB_SHA: "a".repeat(40) });
    const base = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout"]), {});
    const deploy = {
      at: new Date(DEPLOYED_AT).toISOString(),
      version: "v9",
      origin: "source" as const,
    };
    await publisher(runner, { deploymentId: null }).publish(
      verifiedReportOf(base, deploy, "regressed", ["checkout"]),
      "regressed",
    );
    expect(gh.checkRuns.map((r) => [r.head_sha, r.conclusion])).toEqual([
      ["a".repeat(40), "failure"],
    ]);
    expect(gh.comments).toEqual([]);
    expect(gh.requests.some((r) => r.path.includes("/pulls"))).toBe(false);
    expect(deploymentStatuses().map((s) => s.state)).toEqual(["success"]);
    expect(logs).toContain("info: The deploy has no commit: no PR comment.");
  });

  it("several SLO sets: their own check and comment, by comment id", async () => {
    const runner = eventRunner();
    await publisher(runner, { commentId: "api" }).publish(await verifiedReport("pass"), "pass");
    expect(gh.checkRuns.map((r) => r.name)).toEqual(["slo verify (api)"]);
    expect(gh.comments[0]!.body.startsWith(MARKER.verifyComment("api"))).toBe(true);
  });
});

describe("verifyTitleOf", () => {
  it("one plain line for any names, that a deployment status (140 characters) takes cut", async () => {
    const long = Array.from({ length: 12 }, (_, i) => `endpoint-${i}-with-a-long-name`);
    const report = await verifiedReport("regressed", long, { names: long });
    const line = verifyTitleOf(report, "regressed", 140);
    expect(line.length).toBeLessThanOrEqual(140);
    expect(line).toMatch(/^Deploy v1\.4\.2 regressed: endpoint-0-with-a-long-name, .*…$/);
    expect(line).not.toContain("\n");
  });
});
