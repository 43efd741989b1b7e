/** Which commit and which PR each event is about, and when the token is read-only. */

import { describe, expect, it } from "vitest";
import { eventContextOf } from "../../src/github/context.js";
import { webhookProblems } from "../support/github-server.js";
import { deploymentStatusEvent } from "./runner-files.js";

const env = {
  GITHUB_REPOSITORY: "acme/shop",
  GITHUB_SHA: "merge000",
  GITHUB_SERVER_URL: "https://github.example.com",
  GITHUB_RUN_ID: "42",
};

const pr = (head: string, base = "acme/shop") => ({
  pull_request: {
    number: 7,
    head: { sha: "head111", repo: { full_name: head } },
    base: { repo: { full_name: base } },
    labels: [{ name: "slo-override" }, { name: "bug" }],
  },
});

describe("eventContextOf", () => {
  it("pull_request: the head commit, not the merge commit; the PR and its labels", () => {
    const ctx = eventContextOf("pull_request", pr("acme/shop"), env);
    expect(ctx).toMatchObject({
      owner: "acme",
      repo: "shop",
      sha: "head111",
      pullNumber: 7,
      labels: ["slo-override", "bug"],
      readOnlyReason: null,
      runUrl: "https://github.example.com/acme/shop/actions/runs/42",
    });
  });

  it("pull_request from a fork: read-only; pull_request_target from a fork: not", () => {
    expect(eventContextOf("pull_request", pr("mallory/shop"), env).readOnlyReason).toMatch(/fork/);
    expect(
      eventContextOf("pull_request_target", pr("mallory/shop"), env).readOnlyReason,
    ).toBeNull();
    // A deleted fork has no head repository at all.
    const gone = pr("x");
    (gone.pull_request.head as { repo: unknown }).repo = null;
    expect(eventContextOf("pull_request", gone, env).readOnlyReason).toMatch(/fork/);
  });

  it("Dependabot's pull requests run read-only", () => {
    const ctx = eventContextOf("pull_request", pr("acme/shop"), {
      ...env,
      GITHUB_ACTOR: "dependabot[bot]",
    });
    expect(ctx.readOnlyReason).toMatch(/Dependabot/);
  });

  it("push: payload.after, PR looked up among the commit's open PRs", () => {
    const ctx = eventContextOf("push", { after: "after222" }, env);
    expect(ctx).toMatchObject({
      sha: "after222",
      pullNumber: null,
      pullRequestLookup: "open-by-commit",
    });
  });

  it("push that deletes a branch: no commit, and why; an explicit sha still counts", () => {
    const payload = { ref: "refs/heads/gone", after: "0".repeat(40), deleted: true };
    expect(eventContextOf("push", payload, env)).toMatchObject({
      sha: "",
      pullRequestLookup: "none",
      noCommitReason: "This push deleted refs/heads/gone: there is no commit to report on",
    });
    expect(eventContextOf("push", payload, env, "abc1234")).toMatchObject({
      sha: "abc1234",
      noCommitReason: null,
    });
  });

  it("deployment and deployment_status: the deployment's commit and environment", () => {
    for (const name of ["deployment", "deployment_status"]) {
      const ctx = eventContextOf(
        name,
        { deployment: { sha: "dep333", environment: "production" } },
        env,
      );
      expect(ctx).toMatchObject({
        sha: "dep333",
        environment: "production",
        pullRequestLookup: "any-by-commit",
      });
    }
  });

  it("deployment_status: the deployment (id, sha, ref) and its status (state, time), from a payload shaped as GitHub sends it", () => {
    const payload = deploymentStatusEvent({
      deploymentId: 77,
      sha: "d".repeat(40),
      ref: "v1.4.2",
      environment: "production",
      state: "success",
      createdAt: "2026-11-24T10:00:00Z",
    });
    expect(webhookProblems("deployment-status-created", payload)).toEqual([]);
    const ctx = eventContextOf("deployment_status", payload, env);
    expect(ctx.deployment).toEqual({
      id: 77,
      sha: "d".repeat(40),
      ref: "v1.4.2",
      environment: "production",
      status: { state: "success", atMs: Date.parse("2026-11-24T10:00:00Z") },
    });
    expect(ctx.sha).toBe("d".repeat(40));
    // A deployment event has no status yet; other events no deployment.
    const created = eventContextOf("deployment", { deployment: payload.deployment }, env);
    expect(created.deployment).toMatchObject({ id: 77, status: null });
    expect(eventContextOf("push", { after: "x" }, env).deployment).toBeNull();
  });

  it("workflow_run: the run's head commit; a fork's run has no pull_requests, so match by head", () => {
    const same = eventContextOf(
      "workflow_run",
      { workflow_run: { head_sha: "wr444", pull_requests: [{ number: 9 }] } },
      env,
    );
    expect(same).toMatchObject({ sha: "wr444", pullNumber: 9, pullRequestLookup: "none" });
    const fork = eventContextOf(
      "workflow_run",
      { workflow_run: { head_sha: "wr555", pull_requests: [] } },
      env,
    );
    expect(fork).toMatchObject({
      sha: "wr555",
      pullNumber: null,
      pullRequestLookup: "open-by-head-sha",
    });
    // The workflow_run workflow has the base repository's write token.
    expect(fork.readOnlyReason).toBeNull();
  });

  it("schedule and workflow_dispatch: GITHUB_SHA, no PR", () => {
    for (const name of ["schedule", "workflow_dispatch"]) {
      expect(eventContextOf(name, {}, env)).toMatchObject({
        sha: "merge000",
        pullNumber: null,
        pullRequestLookup: "none",
      });
    }
  });

  it("an explicit sha wins; the repository falls back to the payload's", () => {
    const ctx = eventContextOf(
      "push",
      { after: "a", repository: { full_name: "o/r" } },
      {},
      "beef123",
    );
    expect(ctx).toMatchObject({ owner: "o", repo: "r", sha: "beef123", runUrl: null });
  });
});
