/**
 * The Action's `mode: verify`, in-process against the stateful fake GitHub
 * (every request body checked against GitHub's OpenAPI description), with a
 * deployment_status event shaped as GitHub sends it. runVerify is a stand-in
 * here that makes the report a test asks for: these tests are about what the
 * Action reads from the event and what it publishes.
 */

import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ActionInputs, parseInputs } from "../../src/action/main.js";
import { type ActionIo, verifyDeploy } from "../../src/action/verify.js";
import type { SloSet } from "../../src/definition/model.js";
import { EXIT, SloError } from "../../src/errors.js";
import { exitCodeAfterPublishing } from "../../src/pipeline/gate.js";
import type { VerifyOptions, VerifyOutcome } from "../../src/pipeline/verify-types.js";
import type { ReportDeployRef } from "../../src/report/schema.js";
import { AT, reportOf, sloYaml, type Verdict, verifiedReportOf } from "../github/report-fixture.js";
import { deploymentStatusEvent, type RunnerFiles, runnerFiles } from "../github/runner-files.js";
import { ROOT } from "../support/cli.js";
import { type FakeGitHub, startDeployedRepo, startFakeGitHub } from "../support/github-server.js";

const TOKEN = "ghs_actionverify0123456789abcdefghijklmn";
const DEPLOY_SHA = "d".repeat(40);
const DEPLOYED_AT = AT - 30 * 60_000;
const RUN_URL = "https://github.test/acme/shop/actions/runs/4242";

let gh: FakeGitHub;
let deploymentId: number;
let logs: string[];
let calls: VerifyOptions[];

beforeEach(async () => {
  logs = [];
  calls = [];
  ({ gh, deploymentId } = await startDeployedRepo({
    token: TOKEN,
    sha: DEPLOY_SHA,
    tags: ["v1.4.2"],
    createdAt: new Date(DEPLOYED_AT - 60_000).toISOString(),
    deployedAt: new Date(DEPLOYED_AT).toISOString(),
    pr: { number: 7, mergedAt: new Date(AT - 3_600_000).toISOString() },
  }));
});
afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  expect(logs.join("\n")).not.toContain(TOKEN);
  await gh.close();
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-ws-"));
  cpSync(join(ROOT, "slos"), join(dir, "slos"), { recursive: true });
  return dir;
}

function deploymentStatus(state: "success" | "failure" | "in_progress" = "success"): RunnerFiles {
  const ws = workspace();
  return runnerFiles(
    gh.url,
    "deployment_status",
    deploymentStatusEvent({
      deploymentId,
      sha: DEPLOY_SHA,
      ref: "v1.4.2",
      environment: "production",
      state,
      createdAt: new Date(DEPLOYED_AT).toISOString(),
    }),
    { GITHUB_WORKSPACE: ws },
  );
}

/** Stands in for runVerify: the report a test asks for, on the deploy it is given, then published. */
function standIn(verdict: Verdict, regressed: string[] = []): ActionIo["runVerify"] {
  return async (_set: SloSet, options: VerifyOptions): Promise<VerifyOutcome> => {
    calls.push(options);
    const base = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout", "search"]), {});
    const d = options.deploy ?? options.deploys?.at(-1);
    const deploy: ReportDeployRef = {
      at: new Date(d!.atMs).toISOString(),
      version: d!.version,
      ...(d!.sha ? { sha: d!.sha } : {}),
      ...(d!.pullRequest ? { pullRequest: d!.pullRequest } : {}),
      origin: d!.origin,
    };
    const report = verifiedReportOf(base, deploy, verdict, regressed);
    await options.show?.(report);
    const exit =
      verdict === "regressed" || (verdict === "inconclusive" && options.failOn === "inconclusive")
        ? EXIT.fail
        : EXIT.ok;
    const published = await options.publisher!.publish(report, verdict);
    return {
      report,
      verdict,
      exitCode: exitCodeAfterPublishing(exit, published, options.failOnReportError === true),
      published,
    };
  };
}

function io(runner: RunnerFiles, runVerify: ActionIo["runVerify"]): ActionIo {
  return {
    env: runner.env,
    cwd: runner.env.GITHUB_WORKSPACE!,
    log: {
      info: (m) => logs.push(`info: ${m}`),
      notice: (m) => logs.push(`notice: ${m}`),
      warning: (m) => logs.push(`warning: ${m}`),
      setFailed: (m) => logs.push(`failed: ${m}`),
      loadWarning: (w) => logs.push(`warning at ${w.file}:${w.line}:${w.col}: ${w.message}`),
    },
    show: async () => {},
    runVerify,
    now: () => AT,
    sleep: async () => {},
    client: { retryBaseMs: 5, throttle: false },
  };
}

function inputs(values: Record<string, string> = {}): ActionInputs {
  const all: Record<string, string> = { mode: "verify", "github-token": TOKEN, ...values };
  return parseInputs((name) => all[name] ?? "");
}

const failureStatuses = () =>
  gh.deployments.find((d) => d.id === deploymentId)!.statuses.filter((s) => s.state === "failure");

describe("mode: verify on deployment_status", () => {
  it("success, regressed: judges that deployment; check run, comment, a failure deployment status; exit 1", async () => {
    const runner = deploymentStatus();
    const code = await verifyDeploy(
      inputs({ for: "30m" }),
      io(runner, standIn("regressed", ["search"])),
    );
    expect(code).toBe(EXIT.fail);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.deploy).toEqual({
      atMs: DEPLOYED_AT,
      version: "v1.4.2",
      sha: DEPLOY_SHA,
      pullRequest: { number: 7, url: "https://github.test/acme/shop/pull/7" },
      origin: "github",
    });
    expect(calls[0]).toMatchObject({
      atMs: AT,
      forMs: 30 * 60_000,
      baseline: "before",
      confidence: 0.99,
      failOn: "regressed",
    });
    expect(calls[0]!.deploys).toBeUndefined();
    expect(gh.checkRuns.map((r) => [r.name, r.head_sha, r.conclusion])).toEqual([
      ["slo verify", DEPLOY_SHA, "failure"],
    ]);
    expect(gh.comments.map((c) => c.issue)).toEqual([7]);
    expect(failureStatuses()).toEqual([
      expect.objectContaining({
        description: "slo verify: deploy v1.4.2 regressed: search",
        log_url: RUN_URL,
      }),
    ]);
    expect(runner.outputs()).toMatchObject({
      verdict: "regressed",
      regressed: '["search"]',
      "deploy-sha": DEPLOY_SHA,
    });
    expect(logs).toContain("failed: The deploy regressed: see the report above.");
  });

  it("success, pass: a successful check run, no failure status, exit 0", async () => {
    const runner = deploymentStatus();
    expect(await verifyDeploy(inputs(), io(runner, standIn("pass")))).toBe(EXIT.ok);
    expect(gh.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
    expect(failureStatuses()).toEqual([]);
    expect(logs.filter((l) => l.startsWith("failed:"))).toEqual([]);
  });

  it.each(["failure", "in_progress"] as const)(
    "%s: a notice, nothing judged, nothing written, exit 0",
    async (state) => {
      const runner = deploymentStatus(state);
      expect(await verifyDeploy(inputs(), io(runner, standIn("regressed")))).toBe(EXIT.ok);
      expect(calls).toEqual([]);
      expect(gh.requests).toEqual([]);
      expect(logs).toEqual([
        `notice: deployment_status ${state} (deployment ${deploymentId} to production): not a finished deploy, so nothing to verify. slo verify judges a deployment once its status is success.`,
      ]);
    },
  );

  it("inconclusive passes, unless fail-on-inconclusive", async () => {
    const runner = deploymentStatus();
    expect(await verifyDeploy(inputs(), io(runner, standIn("inconclusive")))).toBe(EXIT.ok);
    expect(
      await verifyDeploy(
        inputs({ "fail-on-inconclusive": "true" }),
        io(runner, standIn("inconclusive")),
      ),
    ).toBe(EXIT.fail);
    expect(calls.map((c) => c.failOn)).toEqual(["regressed", "inconclusive"]);
    expect(gh.checkRuns.map((r) => r.conclusion)).toEqual(["neutral", "failure"]);
    expect(logs).toContain(
      "failed: The verification is inconclusive, and fail-on-inconclusive is true: see the report above.",
    );
  });

  it("a key Sloth ignores is a warning on its line, as in mode: gate", async () => {
    const runner = deploymentStatus();
    cpSync(
      join(ROOT, "test/fixtures/sloth/lenient/ignored-keys.yaml"),
      join(runner.env.GITHUB_WORKSPACE!, "slos/ignored-keys.yaml"),
    );
    expect(await verifyDeploy(inputs(), io(runner, standIn("pass")))).toBe(EXIT.ok);
    expect(logs).toContain(
      "warning at slos/ignored-keys.yaml:19:7: Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert: unknown key 'pageAlert': Sloth ignores it, and so does slo",
    );
  });

  it("writes refused (a read-only token): the verdict still decides the exit; each failure named as the gate names them", async () => {
    gh.kind = "read-only";
    const runner = deploymentStatus();
    expect(await verifyDeploy(inputs(), io(runner, standIn("regressed", ["checkout"])))).toBe(
      EXIT.fail,
    );
    expect(gh.requests.filter((r) => r.method !== "GET" && r.status < 400)).toEqual([]);
    const warnings = logs.filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      expect.stringMatching(/Creating the check run failed: .*`checks: write`.*`statuses: write`/),
      expect.stringMatching(/Commenting on PR #7 failed: .*`pull-requests: write`/),
      expect.stringMatching(/Setting the deployment status failed: .*`deployments: write`/),
    ]);
    expect(runner.outputs().verdict).toBe("regressed");
    // A pass stays a pass, unless reporting must succeed.
    expect(await verifyDeploy(inputs(), io(runner, standIn("pass")))).toBe(EXIT.ok);
    expect(
      await verifyDeploy(inputs({ "fail-on-report-error": "true" }), io(runner, standIn("pass"))),
    ).toBe(EXIT.source);
  });

  it("a personal token: a commit status slo verify instead of a check run", async () => {
    await gh.close();
    const PAT = "ghp_actionverifypat0123456789abcdefghijk";
    gh = await startFakeGitHub({ token: PAT, kind: "pat" });
    deploymentId = gh.addDeployment({
      sha: DEPLOY_SHA,
      ref: "main",
      createdAt: new Date(DEPLOYED_AT).toISOString(),
      statuses: [{ state: "success", createdAt: new Date(DEPLOYED_AT).toISOString() }],
    }).id;
    const runner = deploymentStatus();
    const code = await verifyDeploy(
      inputs({ "github-token": PAT }),
      io(runner, standIn("regressed", ["search"])),
    );
    expect(code).toBe(EXIT.fail);
    expect(gh.checkRuns).toEqual([]);
    expect(gh.statuses.map((s) => [s.context, s.sha, s.state])).toEqual([
      ["slo verify", DEPLOY_SHA, "failure"],
    ]);
    expect(failureStatuses()).toHaveLength(1);
    // The ref is no tag here (the fake has none): the version is the short sha.
    expect(calls[0]!.deploy!.version).toBe(DEPLOY_SHA.slice(0, 7));
  });

  it("wait: true without for is a usage error naming the inputs", async () => {
    const runner = deploymentStatus();
    const error = await verifyDeploy(inputs({ wait: "true" }), io(runner, standIn("pass"))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SloError);
    expect((error as SloError).code).toBe("usage");
    expect((error as SloError).message).toBe(
      "wait: true needs for: how long after the deploy to keep looking",
    );
    expect(calls).toEqual([]);
  });

  it("wait: the clock, the pause and the interval go to runVerify", async () => {
    const runner = deploymentStatus();
    await verifyDeploy(
      inputs({ wait: "true", for: "30m", interval: "2m" }),
      io(runner, standIn("pass")),
    );
    expect(calls[0]!.wait).toMatchObject({ intervalMs: 120_000 });
    calls[0]!.wait!.onInconclusive?.({} as never, 10 * 60_000);
    expect(logs).toContain(
      "info: Inconclusive so far: looking again in 2m (10m of the after window left).",
    );
  });
});

describe("mode: verify on other events", () => {
  it("with environment: the environment's deployments from GitHub, the newest judged", async () => {
    const ws = workspace();
    const runner = runnerFiles(gh.url, "workflow_dispatch", {}, { GITHUB_WORKSPACE: ws });
    expect(
      await verifyDeploy(inputs({ environment: "production" }), io(runner, standIn("pass"))),
    ).toBe(EXIT.ok);
    expect(calls[0]!.deploy).toBeUndefined();
    expect(calls[0]!.deploys).toEqual([
      expect.objectContaining({ atMs: DEPLOYED_AT, sha: DEPLOY_SHA, version: "v1.4.2" }),
    ]);
    // No deployment of this run's event: the check run and comment, no deployment status.
    expect(gh.checkRuns.map((r) => r.head_sha)).toEqual([DEPLOY_SHA]);
  });
});
