/**
 * The GitHub issue target against the stateful fake GitHub (every request
 * body validated against GitHub's OpenAPI description): an issue opens when
 * an alert fires, is commented when its severity changes, closes when it
 * resolves, is found again by its marker, and is never duplicated, also when
 * a run dies between two steps.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubIssueNotifier } from "../../src/alerts/github-issue.js";
import { notifyTargets } from "../../src/alerts/notify-targets.js";
import { publishReportIssue } from "../../src/alerts/report-issue.js";
import { planTargets } from "../../src/alerts/targets.js";
import { octokitIssueApi } from "../../src/cli/github-issues.js";
import { ISSUE_LABEL, MARKER } from "../../src/conventions.js";
import { createGitHubClient } from "../../src/github/client.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { evaluateCases, type Firing } from "./support.js";

const TOKEN = "ghs_issueTargetToken123";
const AT = Date.parse("2026-11-24T12:00:00Z");
const ISSUES = {
  type: "github-issue" as const,
  severities: ["page", "ticket"] as ("page" | "ticket")[],
};

let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub({
    token: TOKEN,
    pulls: [{ number: 1, state: "open", headSha: "abc", labels: ["slo-alert"] }],
  });
});
afterEach(async () => {
  expect(github.invalid).toEqual([]);
  await github.close();
});

function api() {
  const client = createGitHubClient({
    token: TOKEN,
    baseUrl: github.url,
    log: { info: () => {}, warning: () => {} },
    throttle: false,
    retries: 0,
  });
  return octokitIssueApi(client, "acme", "shop");
}

/** One scheduled run: evaluate, then drive the issue target. */
async function run(firing: Record<string, Firing>, atMs = AT) {
  const cases = Object.entries(firing).map(([name, f]) => ({
    name,
    firing: f,
    notify: [ISSUES],
    runbook: "https://runbooks.example/checkout",
    description: "Checkout | answers <b>fast</b> @payments",
  }));
  const { subjects } = await evaluateCases(cases, atMs);
  const plans = planTargets(subjects);
  const notifier = createGitHubIssueNotifier(plans[0]!, api());
  const [outcome] = await notifyTargets([notifier], { atMs, nowMs: atMs, dryRun: false });
  return outcome!;
}

const alertIssues = () => github.issues.filter((i) => i.labels.includes("slo-alert"));
const commentsOn = (n: number) => github.comments.filter((c) => c.issue === n);

describe("a GitHub issue per firing SLO alert", () => {
  it("opens one issue when an alert fires, and a rerun changes nothing", async () => {
    const first = await run({ checkout: "page", search: "none" });
    expect(first.error).toBeNull();
    expect(first.delivered.map((c) => [c.kind, c.key])).toEqual([["fired", "shop/checkout"]]);
    expect(alertIssues()).toHaveLength(1);
    const issue = alertIssues()[0]!;
    expect(issue.title).toBe("SLO alert: shop/checkout is burning its error budget");
    expect(issue.body).toContain("<!-- slo-alert:shop%2Fcheckout -->");
    expect(issue.body).toContain("## PAGE: shop&#47;checkout is burning its error budget");
    // Text from the SLO file is escaped: no HTML, no mention, no table break.
    expect(issue.body).toContain(
      "Checkout &#124; answers &#60;b&#62;fast&#60;&#47;b&#62; &#64;payments",
    );
    expect(issue.body).toContain(
      "[https&#58;&#47;&#47;runbooks&#46;example&#47;checkout](https://runbooks.example/checkout)",
    );

    // GraphQL is POSTed to, but only asks who the token is.
    const writes = () =>
      github.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql").length;
    const before = writes();
    const again = await run({ checkout: "page", search: "none" });
    expect(again.changes.map((c) => c.kind)).toEqual(["unchanged"]);
    expect(writes()).toBe(before);
    expect(alertIssues()).toHaveLength(1);
  });

  it("comments when the severity changes, and closes the issue when it resolves", async () => {
    await run({ checkout: "page" });
    const [issue] = alertIssues();
    await run({ checkout: "ticket" });
    expect(commentsOn(issue!.number)).toHaveLength(1);
    expect(commentsOn(issue!.number)[0]!.body).toContain(
      "**Severity changed** from PAGE to TICKET",
    );
    await run({ checkout: "ticket" });
    expect(commentsOn(issue!.number)).toHaveLength(1);

    const resolved = await run({ checkout: "none" });
    expect(resolved.delivered.map((c) => c.kind)).toEqual(["resolved"]);
    expect(issue!.state).toBe("closed");
    expect(issue!.state_reason).toBe("completed");
    expect(commentsOn(issue!.number).at(-1)!.body).toContain(
      "**Resolved** at 2026-11-24T12:00:00.000Z",
    );

    // Firing again later opens a new issue: the old one is history.
    await run({ checkout: "page" });
    expect(alertIssues()).toHaveLength(2);
    expect(alertIssues().filter((i) => i.state === "open")).toHaveLength(1);
  });

  it("a run that died between the resolution comment and the close only closes, next time", async () => {
    await run({ checkout: "page" });
    const [issue] = alertIssues();
    github.failNext("PATCH", /\/issues\/\d+$/, 502, { times: 1 });
    const died = await run({ checkout: "none" });
    expect(died.error?.code).toBe("delivery");
    expect(died.error?.message).toContain(`updating issue #${issue!.number}`);
    expect(issue!.state).toBe("open");
    expect(commentsOn(issue!.number)).toHaveLength(1);

    const next = await run({ checkout: "none" });
    expect(next.error).toBeNull();
    expect(issue!.state).toBe("closed");
    expect(commentsOn(issue!.number)).toHaveLength(1);
  });

  it("a run that died before commenting a change comments once, next time", async () => {
    await run({ checkout: "page" });
    const [issue] = alertIssues();
    github.failNext("POST", /\/comments$/, 500, { times: 1 });
    const died = await run({ checkout: "ticket" });
    expect(died.error).not.toBeNull();
    expect(commentsOn(issue!.number)).toHaveLength(0);
    await run({ checkout: "ticket" });
    await run({ checkout: "ticket" });
    expect(commentsOn(issue!.number)).toHaveLength(1);
  });

  it("two racing runs that both opened an issue end with one: the newer is closed as a duplicate", async () => {
    await run({ checkout: "page" });
    // The racing job's issue, as it would have written it.
    const [first] = alertIssues();
    github.issues.push({ ...first!, number: 99, labels: ["slo-alert"] });
    await run({ checkout: "page" });
    const open = alertIssues().filter((i) => i.state === "open");
    expect(open.map((i) => i.number)).toEqual([first!.number]);
    expect(commentsOn(99)[0]!.body).toBe(`Duplicate of #${first!.number}.`);
  });

  it("an SLO whose source failed keeps its issue open: unknown is not resolved", async () => {
    await run({ checkout: "page" });
    const outcome = await run({ checkout: "error" });
    expect(outcome.changes).toEqual([]);
    expect(alertIssues()[0]!.state).toBe("open");
  });

  it("a token without issues: write gets an error naming the permission", async () => {
    github.deny.add("issues");
    const outcome = await run({ checkout: "page" });
    expect(outcome.error?.message).toMatch(/issues: write/);
    expect(outcome.error?.message).not.toContain(TOKEN);
  });
});

describe("markers written by anyone but slo are ignored", () => {
  const mallory = "mallory";

  it("an outsider's 'resolved' state marker does not make the next run post 'Firing again' or reset the start", async () => {
    await run({ checkout: "page" }, AT);
    const [issue] = alertIssues();
    const since = /Firing since (\S+) /.exec(issue!.body!)![1]!;
    github.addComment(
      issue!.number,
      `${MARKER.alertState("resolved", "2026-11-24T11:00:00.000Z")}\n**Resolved**, trust me`,
      mallory,
    );
    const next = await run({ checkout: "page" }, AT + 60_000);
    expect(next.changes.map((c) => c.kind)).toEqual(["unchanged"]);
    expect(commentsOn(issue!.number).map((c) => c.user.login)).toEqual([mallory]);
    expect(issue!.state).toBe("open");
    // It resolves later, from slo's own state: the start slo announced is kept.
    const resolved = await run({ checkout: "none" }, AT + 120_000);
    expect(
      resolved.delivered.map((c) => [c.kind, "previous" in c ? c.previous.since : null]),
    ).toEqual([["resolved", since]]);
  });

  it("an outsider's 'page' state marker does not make slo announce a change", async () => {
    await run({ checkout: "ticket" });
    const [issue] = alertIssues();
    github.addComment(
      issue!.number,
      MARKER.alertState("page", "2026-11-24T11:00:00.000Z"),
      mallory,
    );
    const next = await run({ checkout: "ticket" });
    expect(next.changes.map((c) => c.kind)).toEqual(["unchanged"]);
    expect(commentsOn(issue!.number)).toHaveLength(1);
  });

  it("an outsider's issue with the alert's marker is neither resolved, closed, nor taken for the alert's issue", async () => {
    const subjectKey = "shop/checkout";
    const forged = github.addIssue(
      {
        title: "SLO alert: shop/checkout is burning its error budget",
        body: `${MARKER.alertIssue(subjectKey)}\n${MARKER.alertState("page", "2026-11-24T11:00:00.000Z")}\nforged`,
        labels: [ISSUE_LABEL.alert],
      },
      mallory,
    );
    const quiet = await run({ checkout: "none" });
    expect(quiet.changes).toEqual([]);
    expect(forged.state).toBe("open");
    expect(commentsOn(forged.number)).toEqual([]);

    const firing = await run({ checkout: "page" });
    expect(firing.delivered.map((c) => c.kind)).toEqual(["fired"]);
    const own = alertIssues().filter((i) => i.user.login !== mallory);
    expect(own).toHaveLength(1);
    expect(own[0]!.body).toContain(MARKER.alertIssue(subjectKey));
    expect(own[0]!.body).toContain("## PAGE: shop&#47;checkout is burning its error budget");
    expect(commentsOn(forged.number)).toEqual([]);
    expect(forged.state).toBe("open");
  });

  it("slo report --issue: an outsider's issue with the report marker is not overwritten; slo opens its own", async () => {
    const forged = github.addIssue(
      {
        title: "SLO report",
        body: `${MARKER.reportIssue}\nall green, trust me`,
        labels: [ISSUE_LABEL.report],
      },
      mallory,
    );
    const first = await publishReportIssue(api(), "## the real report");
    expect(first.action).toBe("created");
    expect(forged.body).toBe(`${MARKER.reportIssue}\nall green, trust me`);
    expect(forged.state).toBe("open");
    const second = await publishReportIssue(api(), "## the next report");
    expect(second.action).toBe("updated");
    expect(second.issue.number).toBe(first.issue.number);
    expect(forged.body).toBe(`${MARKER.reportIssue}\nall green, trust me`);
  });
});
