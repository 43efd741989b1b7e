/**
 * The Action's `mode: verify` end to end with the real runVerify: a logs-file
 * SLO set (test/fixtures/verify-action: checkouts fail 1 in 400 before the
 * deploy of v1.4.2 at 11:30 and 1 in 16 after it; searches unchanged), a
 * deployment_status event as GitHub sends it, and the stateful fake GitHub.
 */

import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseInputs } from "../../src/action/main.js";
import { type ActionIo, verifyDeploy } from "../../src/action/verify.js";
import { EXIT } from "../../src/errors.js";
import { runVerify } from "../../src/pipeline/verify.js";
import type { SloReport } from "../../src/report/schema.js";
import { deploymentStatusEvent, type RunnerFiles, runnerFiles } from "../github/runner-files.js";
import { ROOT } from "../support/cli.js";
import { type FakeGitHub, startDeployedRepo } from "../support/github-server.js";

const TOKEN = "ghs_endtoendverify0123456789abcdefghijk";
const AT = "2026-11-24T12:00:00Z";
const DEPLOYED_AT = "2026-11-24T11:30:00Z";
const DEPLOY_SHA = "c0ffee".padEnd(40, "0");

let gh: FakeGitHub;
let deploymentId: number;
let logs: string[];
let shown: SloReport[];

beforeEach(async () => {
  logs = [];
  shown = [];
  ({ gh, deploymentId } = await startDeployedRepo({
    token: TOKEN,
    sha: DEPLOY_SHA,
    tags: ["v1.4.2"],
    createdAt: "2026-11-24T11:28:00Z",
    deployedAt: DEPLOYED_AT,
    pr: { number: 12, mergedAt: "2026-11-24T11:00:00Z" },
  }));
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  expect(logs.join("\n")).not.toContain(TOKEN);
  await gh.close();
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-ws-"));
  cpSync(join(ROOT, "test/fixtures/verify-action"), dir, { recursive: true });
  return dir;
}

function event(state: "success" | "in_progress"): RunnerFiles {
  return runnerFiles(
    gh.url,
    "deployment_status",
    deploymentStatusEvent({
      deploymentId,
      sha: DEPLOY_SHA,
      ref: "v1.4.2",
      environment: "production",
      state,
      createdAt: DEPLOYED_AT,
    }),
    { GITHUB_WORKSPACE: workspace() },
  );
}

function io(runner: RunnerFiles): ActionIo {
  return {
    env: runner.env,
    cwd: runner.env.GITHUB_WORKSPACE!,
    log: {
      info: (m) => logs.push(`info: ${m}`),
      notice: (m) => logs.push(`notice: ${m}`),
      warning: (m) => logs.push(`warning: ${m}`),
      loadWarning: (w) => logs.push(`warning: ${w.format()}`),
      setFailed: (m) => logs.push(`failed: ${m}`),
    },
    show: async (report) => {
      shown.push(report);
    },
    runVerify,
    now: () => Date.parse(AT),
    sleep: async () => {},
    client: { retryBaseMs: 5, throttle: false },
  };
}

const inputs = (values: Record<string, string> = {}) => {
  const all: Record<string, string> = {
    mode: "verify",
    "github-token": TOKEN,
    config: "slos/",
    at: AT,
    ...values,
  };
  return parseInputs((name) => all[name] ?? "");
};

describe("mode: verify, the real runVerify on a logs file", () => {
  it("judges the deployment of the event: checkout regressed; the check run, the comment, the failure status, the outputs", async () => {
    const runner = event("success");
    const code = await verifyDeploy(inputs({ for: "30m" }), io(runner));
    expect(code).toBe(EXIT.fail);
    const report = shown.at(-1)!;
    expect(report.verification).toMatchObject({
      deploy: {
        at: "2026-11-24T11:30:00.000Z",
        version: "v1.4.2",
        sha: DEPLOY_SHA,
        pullRequest: { number: 12 },
        origin: "github",
      },
      result: "regressed",
    });
    const verdicts = Object.fromEntries(report.slos.map((s) => [s.name, s.verification?.verdict]));
    expect(verdicts["checkout-availability"]).toBe("regressed");
    expect(verdicts["search-latency"]).not.toBe("regressed");

    expect(gh.checkRuns.map((r) => [r.name, r.head_sha, r.conclusion, r.output.title])).toEqual([
      ["slo verify", DEPLOY_SHA, "failure", "Deploy v1.4.2 regressed: checkout-availability"],
    ]);
    expect(gh.comments.map((c) => [c.issue, c.body.split("\n")[0]])).toEqual([
      [12, "<!-- slo-verify:default -->"],
    ]);
    const statuses = gh.deployments.find((d) => d.id === deploymentId)!.statuses;
    expect(statuses.map((s) => [s.state, s.description, s.log_url])).toEqual([
      ["success", "", ""],
      [
        "failure",
        "slo verify: deploy v1.4.2 regressed: checkout-availability",
        "https://github.test/acme/shop/actions/runs/4242",
      ],
    ]);
    expect(runner.outputs()).toMatchObject({
      verdict: "regressed",
      regressed: '["checkout-availability"]',
      "deploy-sha": DEPLOY_SHA,
      result: report.result,
    });
    expect(logs).toContain("failed: The deploy regressed: see the report above.");
  });

  it("a deployment still in progress: nothing read, nothing judged, exit 0", async () => {
    const runner = event("in_progress");
    expect(await verifyDeploy(inputs(), io(runner))).toBe(EXIT.ok);
    expect(shown).toEqual([]);
    expect(gh.requests).toEqual([]);
    expect(logs.map((l) => l.split(":")[0])).toEqual(["notice"]);
  });
});
