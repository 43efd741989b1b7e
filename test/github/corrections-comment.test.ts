/**
 * Corrections in what the Action writes: the PR comment, the check run and
 * the job summary say what corrections excluded even when the report is
 * fitted to the comment's limit (the sentence is in the overview, which is
 * never left out), and the step's error says it beside an SLO that breaches
 * after its corrections. Posted to the fake GitHub checked against GitHub's
 * OpenAPI description.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gateFailedMessage } from "../../src/action/step-error.js";
import { publishToGitHub } from "../../src/github/publish.js";
import type { SloReport } from "../../src/report/schema.js";
import { oneOff, WEEKLY, withCorrections } from "../report/corrections-fixture.js";
import { breaching, twoHundredSlos } from "../report/scale-fixture.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { reportOf, sloYaml } from "./report-fixture.js";
import { HEAD, pullRequestEvent, runnerFiles } from "./runner-files.js";

const TOKEN = "ghs_faketoken0123456789abcdefghijklmnopq";
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

async function publish(report: SloReport) {
  const runner = runnerFiles(gh.url, "pull_request", pullRequestEvent(7));
  const result = await publishToGitHub(report, {
    token: TOKEN,
    gatePasses: report.result !== "fail",
    env: runner.env,
    cwd: runner.dir,
    log: { info: () => {}, warning: () => {} },
    client: { retryBaseMs: 5, throttle: false },
  });
  expect(result.failures).toEqual([]);
  return { comment: gh.comments[0]!.body, check: gh.checkRuns[0]!.output.summary, runner };
}

describe("corrections in the Action's comment", () => {
  it("a report fitted to the comment still says what corrections excluded, in the comment, the check run and the summary", async () => {
    const big = await twoHundredSlos();
    const target = breaching(big)[0]!.name;
    const report = withCorrections(big, target, [WEEKLY, oneOff()]);
    const { comment, check, runner } = await publish(report);
    expect(comment).toContain("> To fit this comment, this leaves out");
    const sentence = "Corrections excluded 1,234 events (34 bad) from 1 SLO.";
    expect(comment).toContain(sentence);
    expect(check).toContain(sentence);
    expect(runner.summary()).toContain(sentence);
  });

  it("says nothing of corrections when there are none", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["search"]), { search: 0.005 });
    const { comment } = await publish(report);
    expect(comment).not.toMatch(/correction/i);
  });
});

describe("corrections in the step's error", () => {
  const gate = { failOn: "breach", onSourceError: "error" } as const;

  it("says beside a breaching SLO what its corrections excluded: it breaches even so", async () => {
    const base = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout", "search"]), {
      search: 0.00271,
    });
    const report = withCorrections(base, "search", [WEEKLY, oneOff()]);
    expect(gateFailedMessage(report, gate)).toBe(
      "The SLO gate fails: search breaching (budget left -171.0%; 2 corrections excluded 1,234 events (34 bad))",
    );
  });
});
