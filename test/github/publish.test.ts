/** Every reporter against the stateful fake GitHub, with every request body checked against the OpenAPI description. */

import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import type { Logger } from "../../src/github/client.js";
import { markerOf } from "../../src/github/comment.js";
import { type PublishOptions, publishToGitHub } from "../../src/github/publish.js";
import { MAX_COMMENT_DIGEST_CHARS } from "../../src/limits.js";
import { exitCodeAfterPublishing } from "../../src/pipeline/gate.js";
import type { SloReport } from "../../src/report/schema.js";
import {
  breaching,
  decode,
  expectEveryBreachingNamed,
  expectWellFormed,
  twoHundredSlos,
  twoThousandSlos,
} from "../report/scale-fixture.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { startTestServer } from "../support/misbehaving-server.js";
import { reportOf, sloYaml } from "./report-fixture.js";
import { HEAD, pullRequestEvent, type RunnerFiles, runnerFiles } from "./runner-files.js";

const TOKEN = "ghs_faketoken0123456789abcdefghijklmnopq";
const MARKER = markerOf("default");

let gh: FakeGitHub;
let logs: string[];
const log: Logger = {
  info: (m) => logs.push(`info: ${m}`),
  warning: (m) => logs.push(`warning: ${m}`),
};

beforeEach(async () => {
  logs = [];
  gh = await startFakeGitHub({
    token: TOKEN,
    pulls: [{ number: 7, state: "open", headSha: HEAD, labels: [] }],
    labelEvents: { 7: [{ label: "slo-override", actor: "alice" }] },
  });
});
afterEach(async () => {
  // No request the project sent may break GitHub's description.
  expect(gh.invalid).toEqual([]);
  // The token goes in the Authorization header and nowhere else.
  expect(logs.join("\n")).not.toContain(TOKEN);
  await gh.close();
});

const failing = () =>
  reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout", "search"]), { search: 0.005 });
const passing = () =>
  reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout"]), { checkout: 0.0001 });

function publish(report: SloReport, runner: RunnerFiles, overrides: Partial<PublishOptions> = {}) {
  return publishToGitHub(report, {
    token: TOKEN,
    gatePasses: report.result !== "fail",
    env: runner.env,
    cwd: runner.dir,
    log,
    client: { retryBaseMs: 5, throttle: false },
    ...overrides,
  });
}

const writes = () => gh.requests.filter((r) => r.method !== "GET");

describe("on a pull request with a write token", () => {
  it("creates a failing check run with annotations, a sticky comment, the summary and the outputs", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const report = await failing();
    const result = await publish(report, runner);
    expect(result.failures).toEqual([]);
    expect(result.overridden).toBe(false);

    expect(gh.checkRuns).toHaveLength(1);
    const run = gh.checkRuns[0]!;
    expect(run).toMatchObject({
      name: "slo",
      head_sha: HEAD,
      status: "completed",
      conclusion: "failure",
    });
    expect(run.details_url).toBe("https://github.test/acme/shop/actions/runs/4242");
    expect(run.output.title).toBe("Gate fails: 1 of 2 SLOs breaching");
    expect(run.output.summary).toContain("## ❌ SLO gate: fail");
    expect(run.annotations).toEqual([
      expect.objectContaining({
        path: "slos/ctrl.yaml",
        start_line: report.slos[1]!.definedAt.line,
        annotation_level: "failure",
        title: "SLO breaching: ctrl/search",
      }),
    ]);

    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.issue).toBe(7);
    expect(gh.comments[0]!.body.startsWith(`${MARKER}\n## ❌ SLO gate: fail`)).toBe(true);

    expect(runner.summary()).toContain("## ❌ SLO gate: fail");
    const outputs = runner.outputs();
    expect(outputs.result).toBe("fail");
    expect(JSON.parse(outputs.breaching!)).toEqual(["search"]);
    expect(Number(outputs["min-budget-remaining"])).toBeCloseTo(-4, 5);
    expect(JSON.parse(readFileSync(outputs.report!, "utf8"))).toEqual(report);
    // the comment is the report, and the hidden digest the next run compares with
    expect(gh.comments[0]!.body).toBe(
      `${MARKER}\n${readFileSync(outputs.markdown!, "utf8")}${/<!-- slo-digest .* -->\n$/.exec(gh.comments[0]!.body)![0]}`,
    );
    expect(gh.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it("edits the same comment on the next run instead of adding one", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, "LGTM", "bob");
    await publish(await failing(), runner);
    const first = gh.comments.find((c) => c.body.startsWith(MARKER))!;
    await publish(await passing(), runner, { gatePasses: true });
    const marked = gh.comments.filter((c) => c.body.startsWith(MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]!.id).toBe(first.id);
    expect(marked[0]!.body).toContain("## ✅ SLO gate: pass");
    expect(gh.comments).toHaveLength(2);
    expect(logs).toContain(
      `info: PR #7: comment updated (https://github.test/acme/shop/pull/7#issuecomment-${first.id})`,
    );
    expect(gh.checkRuns.map((r) => r.conclusion)).toEqual(["failure", "success"]);
  });

  it("keeps one comment per comment id, and a quoted marker is not the comment", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, `> ${MARKER}\n> quoted by a reviewer`, "bob");
    await publish(await failing(), runner, { commentId: "api" });
    await publish(await failing(), runner, { commentId: "web" });
    await publish(await failing(), runner, { commentId: "api" });
    const bodies = gh.comments.map((c) => c.body.split("\n")[0]);
    expect(bodies).toEqual([`> ${MARKER}`, markerOf("api"), markerOf("web")]);
  });

  it("gives way to a twin another job created at the same time, and removes old twins", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.beforeCreateComment = (issue, body) => gh.addComment(issue, body.replace("fail", "twin"));
    await publish(await failing(), runner);
    let marked = gh.comments.filter((c) => c.body.startsWith(MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]!.body).toContain("SLO gate: fail");
    expect(gh.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);

    gh.addComment(7, `${MARKER}\nleft by an old race`);
    await publish(await passing(), runner, { gatePasses: true });
    marked = gh.comments.filter((c) => c.body.startsWith(MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]!.body).toContain("SLO gate: pass");
  });

  it("sends annotations past 50 in further updates", async () => {
    const names = Array.from({ length: 120 }, (_, i) => `slo-${i}`);
    const report = await reportOf(
      "slos/ctrl.yaml",
      sloYaml("ctrl", names),
      Object.fromEntries(names.map((n) => [n, 0.01])),
    );
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(report, runner, { comment: false });
    expect(result.failures).toEqual([]);
    const run = gh.checkRuns[0]!;
    expect(run.annotations).toHaveLength(120);
    expect(new Set(run.annotations.map((a) => a.start_line)).size).toBe(120);
    const sizes = gh.requests
      .filter((r) => /check-runs/.test(r.path))
      .map(
        (r) => ((r.body as { output: { annotations: unknown[] } }).output.annotations ?? []).length,
      );
    expect(sizes).toEqual([50, 50, 20]);
  });

  it("cuts a report too long for a comment or a check run, and says so", async () => {
    const names = Array.from({ length: 80 }, (_, i) => `a-rather-long-slo-name-${i}`);
    const report = await reportOf(
      "slos/ctrl.yaml",
      sloYaml("ctrl", names),
      Object.fromEntries(names.map((n) => [n, 0.0005])),
    );
    for (const e of report.slos)
      e.breakdown = Array.from({ length: 10 }, (_, i) => ({
        value: `error kind ${i} `.repeat(20),
        count: 1,
      }));
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(report, runner);
    expect(result.failures).toEqual([]);
    const body = gh.comments[0]!.body;
    expect(readFileSync(result.files.markdown, "utf8").length).toBeGreaterThan(65_536);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(
      /> To fit this comment, this leaves out the details of \d+ ok SLOs\. The whole report is in the job summary of \[the workflow run\]\(https:\/\/github\.test\/acme\/shop\/actions\/runs\/4242\)\./,
    );
    expect(gh.checkRuns[0]!.output.summary.length).toBeLessThanOrEqual(65_535);
    // What is left still renders: fences and <details> are closed.
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
    expect(runner.summary()).not.toContain("was cut");
  });
});

describe("a report too big for a comment", () => {
  async function publishBig(report: SloReport) {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(report, runner);
    expect(result.failures).toEqual([]);
    const comment = gh.comments[0]!.body;
    const check = gh.checkRuns[0]!.output.summary;
    const summary = runner.summary();
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(check.length).toBeLessThanOrEqual(65_535);
    // GitHub's step summary takes 1024 KiB, in bytes
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024);
    for (const body of [comment, check, summary]) {
      expectWellFormed(body);
      expectEveryBreachingNamed(body, report);
    }
    return { comment, check, summary, result };
  }

  it("200 SLOs in 8 services, 39 breaching: every one named in the comment, the check run and the job summary", async () => {
    const report = await twoHundredSlos();
    expect(breaching(report)).toHaveLength(39);
    const { comment, check, result } = await publishBig(report);
    expect(readFileSync(result.files.markdown, "utf8").length).toBeGreaterThan(65_536);
    for (const body of [comment, check]) {
      expect(body).toContain("### Not ok");
      expect(body).toContain(
        "The whole report is in the job summary of [the workflow run](https://github.test/acme/shop/actions/runs/4242).",
      );
    }
    expect(comment).toContain("> To fit this comment, this leaves out");
    expect(check).toContain("> To fit the check run, this leaves out");
  });

  it("2,000 SLOs, every one breaching: every one still named everywhere", async () => {
    const report = await twoThousandSlos(true);
    const { summary } = await publishBig(report);
    expect(summary).toContain("> To fit the job summary, this leaves out");
    expect(summary).toContain("The whole report is in report.md (the step's `markdown` output).");
  }, 120_000);
});

describe("which run and which commit, and what changed since the last comment", () => {
  const NAMES = ["customer-info-sync", "somesystem-latency", "check-balance"];
  const ctrl = (shares: Record<string, number>) =>
    reportOf("slos/ctrl.yaml", sloYaml("ctrl", NAMES), shares);
  const at = (iso: string) => ({ now: () => new Date(iso) });
  const body = () => gh.comments.find((c) => c.body.startsWith(MARKER))!.body;

  it("the footer names the commit (7 characters) and when the run happened, apart from --at", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    await publish(await ctrl({ "customer-info-sync": 0.0025 }), runner, at("2026-12-06T21:30:12Z"));
    for (const text of [body(), gh.checkRuns[0]!.output.summary, runner.summary()]) {
      expect(text).toContain(
        "<sub>Evaluated at 2026-11-24 12:00 UTC · commit 1111111 · run at 2026-12-06 21:30 UTC",
      );
    }
  });

  it("an edited comment says what changed since the version it replaces, and 'no change' when nothing did", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    await publish(await ctrl({ "customer-info-sync": 0.0025 }), runner, at("2026-12-06T21:30:00Z"));
    const first = body();
    // the first version has nothing to compare with
    expect(first).not.toContain("Since the last run");
    await publish(
      await ctrl({ "customer-info-sync": 0.00271, "somesystem-latency": 0.0008 }),
      runner,
      at("2026-12-06T21:40:00Z"),
    );
    expect(decode(body())).toContain(
      "**Since the last run** (commit 1111111): customer-info-sync: budget left -150% → -171%; somesystem-latency now warning.",
    );
    await publish(
      await ctrl({ "customer-info-sync": 0.00271, "somesystem-latency": 0.0008 }),
      runner,
      at("2026-12-06T21:50:00Z"),
    );
    expect(body()).toContain("**Since the last run** (commit 1111111): no change.");
    await publish(
      await ctrl({ "customer-info-sync": 0.00271 }),
      runner,
      at("2026-12-06T22:00:00Z"),
    );
    expect(decode(body())).toContain(": somesystem-latency now ok.");
    expect(gh.comments.filter((c) => c.body.startsWith(MARKER))).toHaveLength(1);
  });

  it("the hidden digest is one HTML comment that no name can end, and bounded", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const report = await ctrl({ "customer-info-sync": 0.0025 });
    report.slos[0]!.name = "x --> <img src=x onerror=alert(1)> --!> y";
    await publish(report, runner);
    const digest = /<!-- slo-digest [^\n]*/.exec(body())![0];
    expect(digest).toMatch(/^<!-- slo-digest [^<>!]* -->$/);
    expect(body()).not.toContain("<img");
    await publish(report, runner);
    expect(body()).toContain("**Since the last run** (commit 1111111): no change.");
    // the change line names it as escaped text
    report.slos[0]!.status = "warning";
    await publish(report, runner);
    expect(body()).not.toContain("<img");
    expect(decode(body())).toContain(
      "**Since the last run** (commit 1111111): x --> <img src=x onerror=alert(1)> --!> y now warning.",
    );

    const big = await twoThousandSlos(true);
    await publish(big, runner);
    const bigDigest = /<!-- slo-digest [^\n]*/.exec(body())![0];
    expect(bigDigest.length).toBeLessThanOrEqual(MAX_COMMENT_DIGEST_CHARS);
    expect(body().length).toBeLessThanOrEqual(65_536);
    // the digest holds the worst it had room for; the others are not said to be "now ok"
    await publish(big, runner);
    expect(body()).toContain("no change.");
  }, 120_000);
});

describe("where the token cannot do everything", () => {
  it("a personal token gets a commit status instead of a check run", async () => {
    await gh.close();
    const pat = "ghp_personal0123456789abcdefghijklmnopqrs";
    gh = await startFakeGitHub({
      token: pat,
      kind: "pat",
      pulls: [{ number: 7, state: "open", headSha: HEAD, labels: [] }],
    });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await failing(), runner, { token: pat });
    expect(result.failures).toEqual([]);
    expect(gh.requests.some((r) => r.path.includes("check-runs"))).toBe(false);
    expect(gh.statuses).toEqual([
      {
        sha: HEAD,
        state: "failure",
        context: "slo",
        description: "Gate fails: 1 of 2 SLOs breaching",
        target_url: "https://github.test/acme/shop/actions/runs/4242",
      },
    ]);
    expect(logs.join("\n")).not.toContain(pat);
  });

  it("falls back to a commit status when GitHub says a check run needs an App, and keeps it under 140 characters", async () => {
    gh.kind = "pat";
    const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
    const report = await reportOf(
      "slos/ctrl.yaml",
      sloYaml("ctrl", names),
      Object.fromEntries(names.map((n, i) => [n, i % 2 ? 0.01 : 0.0009])),
    );
    report.health = [
      {
        service: "ctrl",
        name: "a-very-long-health-check-name-".repeat(5),
        url: "http://x/",
        ok: false,
        onFailure: "fail",
        dependencies: [],
        error: "down",
      },
    ];
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(report, runner);
    expect(result.failures).toEqual([]);
    expect(gh.checkRuns).toHaveLength(0);
    expect(gh.statuses).toHaveLength(1);
    expect(gh.statuses[0]!.description!.length).toBeLessThanOrEqual(140);
    expect(logs.join("\n")).toContain("a personal token cannot create check runs");
  });

  it("a forked PR: no check run, no comment, the summary and a pointer to the two-workflow setup", async () => {
    gh.kind = "read-only";
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7, [], true));
    const result = await publish(await failing(), runner);
    expect(writes()).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(runner.summary()).toContain("## ❌ SLO gate: fail");
    expect(runner.outputs().result).toBe("fail");
    expect(logs.join("\n")).toMatch(/fork.*read-only token.*two-workflow setup.*workflow_run/s);
    expect(exitCodeAfterPublishing(EXIT.fail, result, true)).toBe(EXIT.fail);
  });

  it("a 403 names the permission to add, and does not change the exit code unless asked", async () => {
    gh.deny.add("pull-requests");
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { gatePasses: true });
    expect(gh.checkRuns).toHaveLength(1);
    expect(result.failures).toEqual([
      "Commenting on PR #7 failed: GitHub answered 403: Resource not accessible by integration. The token lacks `pull-requests: write`: add `permissions: { pull-requests: write }` to the job, or use a token that has it.",
    ]);
    expect(exitCodeAfterPublishing(EXIT.ok, result, false)).toBe(EXIT.ok);
    expect(exitCodeAfterPublishing(EXIT.ok, result, true)).toBe(EXIT.source);
    expect(exitCodeAfterPublishing(EXIT.fail, result, true)).toBe(EXIT.fail);
  });

  it("without checks: write, falls back to a status; without both, names both permissions", async () => {
    gh.deny.add("checks");
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    let result = await publish(await passing(), runner, { gatePasses: true, comment: false });
    expect(result.failures).toEqual([]);
    expect(gh.statuses.map((s) => s.state)).toEqual(["success"]);
    expect(logs).toContain("info: Commit status slo: success (the token has no `checks: write`)");
    gh.deny.add("statuses");
    result = await publish(await passing(), runner, { gatePasses: true, comment: false });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toContain("`checks: write`");
    expect(result.failures[0]).toContain("`statuses: write`");
  });

  it("a rate-limited 403 on the check run is a rate limit: no commit status, no blame on checks: write", async () => {
    for (const [body, headers] of [
      [
        { message: "API rate limit exceeded for installation ID 1." },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000)) },
      ],
      [
        {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        },
        {},
      ],
      // The header alone says it, whatever the message.
      [{ message: "Forbidden" }, { "x-ratelimit-remaining": "0" }],
    ] as const) {
      gh.failNext("POST", /check-runs$/, 403, { body, headers });
      const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
      const result = await publish(await passing(), runner, { gatePasses: true, comment: false });
      expect(gh.statuses).toEqual([]);
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0]).toMatch(/^Creating the check run failed: GitHub answered 403: /);
      expect(result.failures[0]).toContain("rate limit");
      expect(result.failures[0]).not.toContain("checks: write");
    }
  });

  it("another 403 than a missing permission (SAML, say) is said as it is, without a status fallback", async () => {
    gh.failNext("POST", /check-runs$/, 403, {
      body: { message: "Resource protected by organization SAML enforcement." },
    });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { gatePasses: true, comment: false });
    expect(gh.statuses).toEqual([]);
    expect(result.failures).toEqual([
      "Creating the check run failed: GitHub answered 403: Resource protected by organization SAML enforcement.",
    ]);
  });

  it("a bad token: 401, worded, no retry storm", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { token: "ghs_wrong", gatePasses: true });
    expect(result.failures.join("\n")).toContain(
      "GitHub answered 401: Bad credentials. The token is invalid or expired",
    );
    expect(gh.requests.length).toBeLessThanOrEqual(4);
  });

  it("no token: the summary and outputs still come, and it says why nothing else did", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { token: undefined, gatePasses: true });
    expect(gh.requests).toEqual([]);
    expect(runner.outputs().result).toBe("pass");
    expect(runner.summary()).toContain("## ✅ SLO gate: pass");
    expect(result.failures).toEqual([]);
    expect(logs.join("\n")).toContain("info: No GitHub token: no check run and no PR comment");
  });
});

describe("a failing GitHub", () => {
  it("retries a 502 and succeeds", async () => {
    gh.failNext("POST", /check-runs$/, 502, { body: { message: "Bad Gateway" } });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { gatePasses: true });
    expect(result.failures).toEqual([]);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.requests.filter((r) => r.path.endsWith("check-runs")).map((r) => r.status)).toEqual([
      502, 201,
    ]);
  });

  it("gives up on a GitHub that keeps failing, with a bounded number of tries", async () => {
    gh.failNext("POST", /check-runs$/, 502, { body: { message: "Bad Gateway" }, times: 100 });
    gh.failNext("POST", /statuses/, 502, { body: { message: "Bad Gateway" }, times: 100 });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await failing(), runner);
    expect(result.failures).toEqual([
      "Creating the check run failed: GitHub answered 502: Bad Gateway.",
    ]);
    expect(gh.requests.filter((r) => r.path.endsWith("check-runs"))).toHaveLength(4);
    expect(gh.comments).toHaveLength(1);
    expect(exitCodeAfterPublishing(EXIT.fail, result, false)).toBe(EXIT.fail);
  });

  it("a 502 with GitHub's HTML error page: summarised, never pasted, one warning per failed operation", async () => {
    const page = `<!DOCTYPE html>\n<html>\n<head><title>Unicorn! · GitHub</title><style>body{}</style></head>\n<body><h1>We had issues producing the response to your request.</h1>\n<p>Sorry about that.</p></body>\n</html>\n`;
    const raw = { contentType: "text/html; charset=utf-8", text: page };
    for (const method of ["GET", "POST", "PATCH"]) {
      gh.failNext(method, /^\/repos\//, 502, { raw, times: 100 });
    }
    const runner = runnerFiles(gh.url, "push", { after: HEAD });
    const result = await publish(await failing(), runner);
    const warnings = logs.filter((l) => l.startsWith("warning: "));
    expect(warnings.join("\n")).not.toMatch(/<|html|Unicorn|DOCTYPE/i);
    expect(warnings).toEqual([
      "warning: Finding the pull request failed: GitHub answered 502 Bad Gateway.",
      "warning: Creating the check run failed: GitHub answered 502 Bad Gateway.",
    ]);
    expect(result.failures).toEqual([
      "Creating the check run failed: GitHub answered 502 Bad Gateway.",
    ]);

    // On a PR the comment fails too: still one line each.
    logs = [];
    const pr = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    await publish(await failing(), pr);
    expect(logs.filter((l) => l.startsWith("warning: "))).toEqual([
      "warning: Finding the pull request failed: GitHub answered 502 Bad Gateway.",
      "warning: Creating the check run failed: GitHub answered 502 Bad Gateway.",
      "warning: Commenting on PR #7 failed: GitHub answered 502 Bad Gateway.",
    ]);
  });

  it("waits out a rate limit", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    gh.failNext("POST", /check-runs$/, 403, {
      body: { message: "API rate limit exceeded for installation ID 1." },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, {
      gatePasses: true,
      comment: false,
      client: { retryBaseMs: 5 },
    });
    expect(result.failures).toEqual([]);
    expect(gh.checkRuns).toHaveLength(1);
    expect(logs.join("\n")).toMatch(/rate limit hit on POST/);
  });
});

describe("a GitHub that never answers", () => {
  it("one deadline for all the reporting: the operations left are skipped, said in one warning", async () => {
    const silent = await startTestServer(() => ({ hang: true }));
    try {
      const runner = runnerFiles(silent.url, "pull_request", pullRequestEvent(7));
      const result = await publish(await failing(), runner, { deadlineMs: 300 });
      // The first request waits out the deadline; it is not retried and nothing follows it.
      // Recorded once its body is in: under load the deadline may stop it first.
      expect(silent.requests.length).toBeLessThanOrEqual(1);
      expect(silent.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
        ["GET /repos/acme/shop/pulls/7"].slice(0, silent.requests.length),
      );
      const warning =
        "GitHub did not answer within the 300ms reporting deadline: skipped finding the pull request, the check run and the PR comment. Give it longer with the Action's github-deadline input (or --github-deadline), e.g. 2m.";
      expect(logs.filter((l) => l.startsWith("warning: "))).toEqual([`warning: ${warning}`]);
      expect(result.failures).toEqual([warning]);
      // What needs no API call is there all the same.
      expect(runner.outputs().result).toBe("fail");
      expect(runner.summary()).toContain("SLO gate: fail");
      expect(exitCodeAfterPublishing(EXIT.fail, result, true)).toBe(EXIT.fail);
    } finally {
      await silent.close();
    }
  });
});

describe("rate limits and the deadline", () => {
  it("a rate limit that resets after the deadline is not waited out: the check run fails as rate-limited, at once", async () => {
    gh.failNext("POST", /check-runs$/, 403, {
      body: { message: "API rate limit exceeded for installation ID 1." },
      headers: {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 100),
      },
    });
    const runner = runnerFiles(gh.url, "push", { after: HEAD });
    // The wait would be about 100 units of 100 ms: past a 3 s deadline (the
    // throttle's spacing of writes may take a second of it first).
    const result = await publish(await passing(), runner, {
      gatePasses: true,
      comment: false,
      deadlineMs: 3000,
      client: { retryBaseMs: 100 },
    });
    expect(gh.requests.filter((r) => r.path.endsWith("check-runs"))).toHaveLength(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(
      /^Creating the check run failed: GitHub answered 403: API rate limit exceeded.*rate limit is spent/,
    );
    expect(logs.join("\n")).not.toContain("retrying in");
  });
});

describe("the override label", () => {
  it("turns a failing gate into a neutral check, records who added it, and lets the step pass", async () => {
    gh.pulls[0]!.labels = ["slo-override"];
    // The event predates the label (a re-run): the live labels count.
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7, []));
    const result = await publish(await failing(), runner);
    expect(result.overridden).toBe(true);
    expect(gh.checkRuns[0]!.conclusion).toBe("neutral");
    expect(gh.checkRuns[0]!.output.title).toBe("Overridden by slo-override: 1 of 2 SLOs breaching");
    expect(gh.comments[0]!.body).toContain("## 🟡 SLO gate: fail, overridden");
    expect(gh.comments[0]!.body).toContain("(label added by alice)");
    expect(exitCodeAfterPublishing(EXIT.fail, result, false)).toBe(EXIT.ok);
    // A later job sees both: the SLOs' verdict, and that the gate was let through.
    expect(runner.outputs().result).toBe("fail");
    expect(runner.outputs().overridden).toBe("true");
  });

  it("says overridden false when the gate fails without the label, and when it passes", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    await publish(await failing(), runner);
    expect(runner.outputs()).toMatchObject({ result: "fail", overridden: "false" });
    const passed = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    await publish(await passing(), passed, { gatePasses: true });
    expect(passed.outputs()).toMatchObject({ result: "pass", overridden: "false" });
  });

  it("does nothing on a passing gate", async () => {
    gh.pulls[0]!.labels = ["slo-override"];
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const result = await publish(await passing(), runner, { gatePasses: true });
    expect(result.overridden).toBe(false);
    expect(gh.checkRuns[0]!.conclusion).toBe("success");
  });
});

describe("the sticky comment is found only among slo's own comments", () => {
  /** A fake GitHub whose token is `login`, of the kind given. */
  async function githubAs(kind: "app" | "pat", login?: string) {
    await gh.close();
    gh = await startFakeGitHub({
      token: TOKEN,
      kind,
      ...(login ? { login } : {}),
      pulls: [{ number: 7, state: "open", headSha: HEAD, labels: [] }],
    });
  }
  const forged = () => gh.addComment(7, `${MARKER}\nforged: all SLOs pass, merge away`, "mallory");

  it("another user's comment starting with the marker is not edited nor deleted: slo posts its own", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    const mallory = forged();
    await publish(await failing(), runner);
    expect(gh.comments.find((c) => c.id === mallory.id)?.body).toBe(
      `${MARKER}\nforged: all SLOs pass, merge away`,
    );
    const own = gh.comments.filter((c) => c.user.login === "github-actions[bot]");
    expect(own).toHaveLength(1);
    expect(own[0]!.body).toContain("SLO gate: fail");
    // The next run edits its own, still not mallory's.
    await publish(await passing(), runner, { gatePasses: true });
    expect(gh.comments.map((c) => [c.user.login, c.body.split("\n")[1]])).toEqual([
      ["mallory", "forged: all SLOs pass, merge away"],
      ["github-actions[bot]", "## ✅ SLO gate: pass"],
    ]);
  });

  it("with GITHUB_TOKEN (GET /user refused), slo is github-actions[bot], as GraphQL's viewer says", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, `${MARKER}\nan earlier run's`);
    await publish(await failing(), runner);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain("SLO gate: fail");
    expect(gh.requests.filter((r) => r.path === "/user").map((r) => r.status)).toEqual([403]);
    expect(gh.requests.filter((r) => r.path === "/graphql")).toHaveLength(1);
  });

  it("with GITHUB_TOKEN and no GraphQL, slo still knows itself as github-actions[bot]", async () => {
    gh.failNext("POST", /^\/graphql$/, 404, { body: { message: "Not Found" } });
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    forged();
    gh.addComment(7, `${MARKER}\nan earlier run's`);
    await publish(await failing(), runner);
    expect(gh.comments.map((c) => [c.user.login, c.body.split("\n")[1]])).toEqual([
      ["mallory", "forged: all SLOs pass, merge away"],
      ["github-actions[bot]", "## ❌ SLO gate: fail"],
    ]);
  });

  it("with a personal token, slo is the token's user (GET /user); a bot's marker is not slo's", async () => {
    await githubAs("pat", "release-robot");
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, `${MARKER}\nby another workflow's bot`, "github-actions[bot]");
    const mine = gh.addComment(7, `${MARKER}\nan earlier run's`, "Release-Robot");
    await publish(await failing(), runner, { comment: true });
    expect(gh.comments.map((c) => [c.user.login, c.body.split("\n")[1]])).toEqual([
      ["github-actions[bot]", "by another workflow's bot"],
      ["Release-Robot", "## ❌ SLO gate: fail"],
    ]);
    expect(gh.comments[1]!.id).toBe(mine.id);
  });

  it("with a GitHub App's token, slo is the app's bot, as GraphQL's viewer says", async () => {
    await githubAs("app", "slo-reporter[bot]");
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, `${MARKER}\nby github-actions`, "github-actions[bot]");
    gh.addComment(7, `${MARKER}\nan earlier run's`);
    await publish(await failing(), runner);
    expect(gh.comments.map((c) => [c.user.login, c.body.split("\n")[1]])).toEqual([
      ["github-actions[bot]", "by github-actions"],
      ["slo-reporter[bot]", "## ❌ SLO gate: fail"],
    ]);
  });

  it("no marked comment: who slo is is not even asked", async () => {
    const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
    gh.addComment(7, "LGTM", "bob");
    await publish(await failing(), runner);
    expect(gh.requests.some((r) => r.path === "/user" || r.path === "/graphql")).toBe(false);
  });
});

describe("finding the commit and the PR for other events", () => {
  it("push: the open PR of the pushed commit", async () => {
    const runner = runnerFiles(gh.url, "push", { after: HEAD });
    await publish(await passing(), runner, { gatePasses: true });
    expect(gh.checkRuns[0]!.head_sha).toBe(HEAD);
    expect(gh.comments.map((c) => c.issue)).toEqual([7]);
  });

  it("push without a comment: no PR lookup, so the job needs no pull-requests permission", async () => {
    const runner = runnerFiles(gh.url, "push", { after: HEAD });
    await publish(await passing(), runner, { gatePasses: true, comment: false });
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/acme/shop/check-runs",
    ]);
  });

  it("a push that deletes a branch: nothing reported on the 000…0 commit nor the default branch's, and it says why", async () => {
    const runner = runnerFiles(
      gh.url,
      "push",
      { ref: "refs/heads/feature", after: "0".repeat(40), before: HEAD, deleted: true },
      // GitHub sets GITHUB_SHA to the default branch's tip on such a push: not this run's commit either.
      { GITHUB_SHA: "1".repeat(40) },
    );
    const result = await publish(await failing(), runner);
    expect(gh.requests).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(logs).toContain(
      "info: This push deleted refs/heads/feature: there is no commit to report on, so no check run and no PR comment. The verdict is in the job summary and in this step's exit status.",
    );
    expect(runner.outputs().result).toBe("fail");
    expect(exitCodeAfterPublishing(EXIT.fail, result, true)).toBe(EXIT.fail);
  });

  it("workflow_run from a fork: the open PR whose head is the run's commit", async () => {
    const runner = runnerFiles(gh.url, "workflow_run", {
      workflow_run: {
        head_sha: HEAD,
        pull_requests: [],
        head_repository: { full_name: "mallory/shop" },
      },
    });
    await publish(await failing(), runner);
    expect(gh.checkRuns[0]!.head_sha).toBe(HEAD);
    expect(gh.comments.map((c) => c.issue)).toEqual([7]);
  });

  it("schedule: the branch tip, a check run and no comment", async () => {
    const runner = runnerFiles(gh.url, "schedule", { schedule: "0 * * * *" });
    await publish(await passing(), runner, { gatePasses: true });
    expect(gh.checkRuns[0]!.head_sha).toBe(runner.env.GITHUB_SHA);
    expect(gh.comments).toEqual([]);
    expect(logs).toContain("info: No pull request for this run: no PR comment.");
  });

  it("deployment_status: the deployed commit, and the merged PR that shipped it", async () => {
    gh.pulls.push({
      number: 3,
      state: "closed",
      headSha: "abc",
      labels: [],
      commits: ["3333333333333333333333333333333333333333"],
    });
    const runner = runnerFiles(gh.url, "deployment_status", {
      deployment: { sha: "3333333333333333333333333333333333333333", environment: "production" },
    });
    await publish(await passing(), runner, { gatePasses: true });
    expect(gh.checkRuns[0]!.head_sha).toBe("3333333333333333333333333333333333333333");
    expect(gh.comments.map((c) => c.issue)).toEqual([3]);
  });
});
