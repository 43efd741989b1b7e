/**
 * The committed bundle, run the way the runner runs it: `node dist/index.js`
 * from a copy of the action without node_modules, inputs as INPUT_* variables
 * (hyphens kept), the event payload in GITHUB_EVENT_PATH, the summary and the
 * outputs in files; under this machine's Node and under Node 24, as
 * `runs.using: node24` does. GitHub is the stateful fake.
 */

import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  deploymentStatusEvent,
  HEAD,
  pullRequestEvent,
  runnerFiles,
} from "../github/runner-files.js";
import { hasStackTrace, ROOT } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";

const TOKEN = "ghs_bundletoken0123456789abcdefghijklmnop";
const AT = "2026-11-24T12:00:00Z";

let actionDir: string;
let node24: string;
let gh: FakeGitHub;

beforeAll(() => {
  // A clean copy: the action as a workflow checks it out, minus node_modules.
  actionDir = mkdtempSync(join(tmpdir(), "slo-action-"));
  cpSync(join(ROOT, "action.yml"), join(actionDir, "action.yml"));
  mkdirSync(join(actionDir, "dist"));
  cpSync(join(ROOT, "dist/index.js"), join(actionDir, "dist/index.js"));
  cpSync(join(ROOT, "dist/worker.js"), join(actionDir, "dist/worker.js"));
  node24 = execFileSync("npx", ["-y", "node@24", "-p", "process.execPath"], {
    encoding: "utf8",
    timeout: 120_000,
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}, 150_000);

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

interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The workspace: the example service's SLO files and logs. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-ws-"));
  cpSync(join(ROOT, "slos"), join(dir, "slos"), { recursive: true });
  return dir;
}

function runStep(
  node: string,
  env: Record<string, string>,
  inputs: Record<string, string>,
  cwd: string,
): Promise<StepResult> {
  // What the runner passes: every input, defaults filled in, as INPUT_<NAME> with hyphens kept.
  const defaults: Record<string, string> = {
    config: "slos/",
    "fail-on": "breach",
    "on-source-error": "error",
    "github-token": TOKEN,
    "check-name": "slo",
    comment: "true",
    "comment-id": "default",
    "override-label": "slo-override",
    "fail-on-report-error": "false",
  };
  const inputEnv = Object.fromEntries(
    Object.entries({ ...defaults, ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  return new Promise((resolve) => {
    execFile(
      node,
      [join(actionDir, "dist/index.js")],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...inputEnv },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : -1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

function expectClean(r: StepResult) {
  expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
}

describe("the committed bundle", () => {
  it("is what scripts/build-action.mjs builds from the sources", () => {
    const out = join(mkdtempSync(join(tmpdir(), "slo-build-")), "index.js");
    execFileSync(process.execPath, [join(ROOT, "scripts/build-action.mjs"), "--outfile", out], {
      stdio: "ignore",
    });
    for (const name of ["index.js", "worker.js"]) {
      const fresh = readFileSync(join(dirname(out), name), "utf8");
      const committed = readFileSync(join(ROOT, "dist", name), "utf8");
      // On failure: npm run build:action, and commit dist/.
      expect(committed === fresh, `dist/${name} is stale: run npm run build:action`).toBe(true);
    }
  }, 60_000);

  it("carries none of the CLI: no commander, no module of src/cli", () => {
    const bundle = readFileSync(join(ROOT, "dist", "index.js"), "utf8");
    // esbuild names each bundled module's path in a comment above its code
    expect(bundle).not.toMatch(/node_modules\/commander\//);
    expect(bundle).not.toMatch(/^\/\/ src\/cli\//m);
    expect(bundle).toMatch(/^\/\/ src\/pipeline\/gate\.ts$/m);
  });

  it("gates a PR under both Nodes: check run, sticky comment edited on the rerun, summary, outputs", async () => {
    const ws = workspace();
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7), {
      GITHUB_WORKSPACE: ws,
    });
    const first = await runStep(process.execPath, runner.env, { at: AT }, ws);
    expectClean(first);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("customer-info-sync");
    // The runner decodes %25 back to %.
    expect(first.stdout).toMatch(
      /^::error::The SLO gate fails: customer-info-sync breaching \(budget left -171\.5%25\)$/m,
    );
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: "failure", name: "slo" });
    expect(gh.checkRuns[0]!.annotations).toEqual([
      expect.objectContaining({
        path: "slos/ctrl.yaml",
        title: "SLO warning: ctrl/somesystem-latency",
        annotation_level: "warning",
      }),
      expect.objectContaining({
        path: "slos/ctrl.yaml",
        title: "SLO breaching: ctrl/customer-info-sync",
        annotation_level: "failure",
      }),
    ]);
    expect(gh.comments).toHaveLength(1);
    const outputs = runner.outputs();
    expect(outputs.result).toBe("fail");
    expect(JSON.parse(outputs.breaching!)).toEqual(["customer-info-sync"]);
    expect(JSON.parse(readFileSync(outputs.report!, "utf8")).result).toBe("fail");
    expect(readFileSync(outputs.markdown!, "utf8")).toMatch(
      /```mermaid\n%%\{init: .*\}%%\nxychart-beta/,
    );
    expect(runner.summary()).toContain("## ❌ SLO gate: fail");

    const second = await runStep(node24, runner.env, { at: AT }, ws);
    expectClean(second);
    expect(second.code).toBe(1);
    expect(gh.checkRuns).toHaveLength(2);
    expect(gh.comments).toHaveLength(1);
    expect(
      gh.requests.filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/")),
    ).toHaveLength(1);
  }, 60_000);

  it("on a forked PR: no check run, no comment, the summary, and which setup to use", async () => {
    gh.kind = "read-only";
    const ws = workspace();
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7, [], true), {
      GITHUB_WORKSPACE: ws,
    });
    const r = await runStep(node24, runner.env, { at: AT }, ws);
    expectClean(r);
    expect(r.code).toBe(1);
    expect(gh.requests.filter((x) => x.method !== "GET")).toEqual([]);
    expect(runner.summary()).toContain("## ❌ SLO gate: fail");
    expect(r.stdout).toMatch(
      /::warning::Skipping the check run and the PR comment: this pull request comes from a fork.*workflow_run/,
    );
  }, 60_000);

  it("the fork-safe two-workflow setup: the gate without a token, the report from workflow_run", async () => {
    const ws = workspace();
    const gate = runnerFiles(gh.url, "pull_request", pullRequestEvent(7, [], true), {
      GITHUB_WORKSPACE: ws,
    });
    const gated = await runStep(process.execPath, gate.env, { at: AT, "github-token": "" }, ws);
    expectClean(gated);
    expect(gated.code).toBe(1);
    expect(gh.requests).toEqual([]);
    expect(gate.summary()).toContain("## ❌ SLO gate: fail");

    const report = runnerFiles(
      gh.url,
      "workflow_run",
      {
        action: "completed",
        workflow_run: {
          head_sha: HEAD,
          pull_requests: [],
          head_repository: { full_name: "mallory/shop" },
        },
      },
      { GITHUB_WORKSPACE: ws },
    );
    const reported = await runStep(node24, report.env, { at: AT }, ws);
    expectClean(reported);
    expect(reported.code).toBe(1);
    expect(gh.checkRuns.map((c) => [c.head_sha, c.conclusion])).toEqual([[HEAD, "failure"]]);
    expect(gh.comments.map((c) => c.issue)).toEqual([7]);
  }, 60_000);

  it("a 403 names the permission and leaves the exit status to the SLOs; a 502 is retried", async () => {
    gh.deny.add("pull-requests");
    gh.failNext("POST", /check-runs$/, 502, { body: { message: "Bad Gateway" } });
    const ws = workspace();
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7), {
      GITHUB_WORKSPACE: ws,
    });
    const r = await runStep(process.execPath, runner.env, { at: AT, "fail-on": "never" }, ws);
    expectClean(r);
    expect(r.code).toBe(0);
    expect(gh.checkRuns).toHaveLength(1);
    expect(r.stdout).toContain("The token lacks `pull-requests: write`");
    const strict = await runStep(
      process.execPath,
      runner.env,
      { at: AT, "fail-on": "never", "fail-on-report-error": "true" },
      ws,
    );
    expect(strict.code).toBe(3);
  }, 60_000);

  it("mode: verify on deployment_status under Node 24: the deploy judged, slo verify's check run, a failure deployment status", async () => {
    const ws = mkdtempSync(join(tmpdir(), "slo-ws-"));
    cpSync(join(ROOT, "test/fixtures/verify-action"), ws, { recursive: true });
    const sha = "c0ffee".padEnd(40, "0");
    const deployment = gh.addDeployment({
      sha,
      ref: "v1.4.2",
      createdAt: "2026-11-24T11:28:00Z",
      statuses: [{ state: "success", createdAt: "2026-11-24T11:30:00Z" }],
    });
    const runner = runnerFiles(
      gh.url,
      "deployment_status",
      deploymentStatusEvent({
        deploymentId: deployment.id,
        sha,
        ref: "v1.4.2",
        environment: "production",
        state: "success",
        createdAt: "2026-11-24T11:30:00Z",
      }),
      { GITHUB_WORKSPACE: ws },
    );
    const r = await runStep(node24, runner.env, { mode: "verify", at: AT, for: "30m" }, ws);
    expectClean(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::The deploy regressed");
    expect(gh.checkRuns.map((c) => [c.name, c.head_sha, c.conclusion])).toEqual([
      ["slo verify", sha, "failure"],
    ]);
    expect(deployment.statuses.map((s) => s.state)).toEqual(["success", "failure"]);
    expect(runner.outputs()).toMatchObject({
      verdict: "regressed",
      regressed: '["checkout-availability"]',
      "deploy-sha": sha,
    });
  }, 60_000);

  it("gate with environment: the report's deploys are GitHub's deployments of it, with version, sha and PR", async () => {
    const ws = mkdtempSync(join(tmpdir(), "slo-ws-"));
    cpSync(join(ROOT, "test/fixtures/verify-action"), ws, { recursive: true });
    const sha = "c0ffee".padEnd(40, "0");
    gh.pulls.push({ number: 12, state: "closed", headSha: sha, labels: [], mergedAt: AT });
    gh.addDeployment({
      sha,
      ref: "refs/tags/v1.4.2",
      createdAt: "2026-11-24T11:28:00Z",
      statuses: [{ state: "success", createdAt: "2026-11-24T11:30:00Z" }],
    });
    // Another environment's deployment is not this one's deploy.
    gh.addDeployment({
      sha: "b".repeat(40),
      environment: "staging",
      createdAt: "2026-11-24T11:00:00Z",
      statuses: [{ state: "success", createdAt: "2026-11-24T11:01:00Z" }],
    });
    const runner = runnerFiles(gh.url, "push", { after: sha }, { GITHUB_WORKSPACE: ws });
    const r = await runStep(
      process.execPath,
      runner.env,
      { at: AT, environment: "production" },
      ws,
    );
    expectClean(r);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(runner.outputs().report!, "utf8"));
    for (const slo of report.slos) {
      expect(
        slo.deploys.map((d: Record<string, unknown>) => [d.at, d.version, d.sha, d.origin]),
      ).toEqual([["2026-11-24T11:30:00.000Z", "v1.4.2", sha, "github"]]);
      expect(slo.deploys[0].pullRequest).toEqual({
        number: 12,
        url: "https://github.test/acme/shop/pull/12",
      });
    }
  }, 60_000);

  it("a broken SLO file: exit 2, an annotation on its line, every output still defined", async () => {
    const ws = mkdtempSync(join(tmpdir(), "slo-ws-"));
    writeFileSync(join(ws, "bad.yaml"), "service: x\nslos:\n  - name: a\n    objective: 120%\n");
    const runner = runnerFiles(gh.url, "push", { after: HEAD }, { GITHUB_WORKSPACE: ws });
    const r = await runStep(process.execPath, runner.env, { config: "bad.yaml" }, ws);
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/::error title=slo,file=bad\.yaml,line=\d+,col=\d+::/);
    expect(Object.keys(runner.outputs()).sort()).toEqual(
      [
        "breaching",
        "markdown",
        "min-budget-remaining",
        "overridden",
        "report",
        "result",
        "verdict",
        "regressed",
        "deploy-sha",
      ].sort(),
    );
    expect(gh.requests).toEqual([]);
  }, 60_000);

  it("a key Sloth ignores in a Sloth file is a warning annotated on its line", async () => {
    const ws = mkdtempSync(join(tmpdir(), "slo-ws-"));
    mkdirSync(join(ws, "slos"));
    cpSync(
      join(ROOT, "test/fixtures/sloth/lenient/ignored-keys.yaml"),
      join(ws, "slos/ignored-keys.yaml"),
    );
    const runner = runnerFiles(gh.url, "push", { after: HEAD }, { GITHUB_WORKSPACE: ws });
    const r = await runStep(
      process.execPath,
      { ...runner.env, PROMETHEUS_URL: "http://127.0.0.1:9" },
      { at: AT, "github-token": "" },
      ws,
    );
    expectClean(r);
    expect(r.stdout).toContain(
      "::warning title=slo,file=slos/ignored-keys.yaml,line=19,col=7::Sloth spec, SLO 'requests-availability': slos[0].alerting.pageAlert: unknown key 'pageAlert': Sloth ignores it, and so does slo (did you mean 'page_alert'?)",
    );
    expect(r.stdout).not.toContain("::error title=slo,file=");
  }, 60_000);

  it("a bad input is a usage error naming the input", async () => {
    const ws = workspace();
    const runner = runnerFiles(gh.url, "push", { after: HEAD }, { GITHUB_WORKSPACE: ws });
    const r = await runStep(process.execPath, runner.env, { "fail-on": "sometimes" }, ws);
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "::error::fail-on sometimes: expected one of breach, warning, never",
    );
  }, 60_000);
});
