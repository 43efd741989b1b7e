/**
 * The Action's words on a grouped SLO (groupBy), from real log files through
 * the real CLI's JSON report: the step error names each group that fails
 * the gate (not the ungated groups of a `per: whole` SLO, whose whole is
 * named instead), each name one safe line; the comment's digest keys each
 * group apart, so "Since the last run" names the group that changed.
 */

import { describe, expect, it } from "vitest";
import { gateFailedMessage } from "../../src/action/step-error.js";
import { changesSince, digestOf, readDigest } from "../../src/github/comment-digest.js";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import {
  actionLinesBefore,
  RATIO_INDICATOR,
  writeGroupedLogsWorkspace,
} from "../support/grouped-logs.js";

const AT = "2026-05-10T12:00:00Z";
const gate = { failOn: "breach", onSourceError: "error" } as const;
const lines = actionLinesBefore(AT);

async function reportOf(log: string[], grouping = "    groupBy: action"): Promise<SloReport> {
  const file = writeGroupedLogsWorkspace(
    "slo-grouped-action-",
    log,
    `${grouping}
    ${RATIO_INDICATOR}
    alerting: { page: { disable: true }, ticket: { disable: true } }
`,
  );
  const r = await runCli(["check", file, "--at", AT, "--format", "json"]);
  return JSON.parse(r.stdout) as SloReport;
}

describe("a grouped SLO in the Action's step error and comment digest", () => {
  it("the step error names each group that fails, one safe line each", async () => {
    const report = await reportOf([
      ...lines("CheckBalance", 100, 50),
      ...lines("Pay::ment\nnow", 100, 40),
      ...lines("Transfer", 100, 0),
    ]);
    expect(gateFailedMessage(report, gate)).toBe(
      'The SLO gate fails: availability{action="CheckBalance"} breaching (budget left -400.0%), availability{action="Pay: :ment\\nnow"} breaching (budget left -300.0%)',
    );
  });

  it("with gate per whole, the whole is named, not its ungated groups", async () => {
    const report = await reportOf(
      [...lines("CheckBalance", 100, 50), ...lines("Transfer", 100, 0)],
      "    groupBy: action\n    gate: { per: whole }",
    );
    expect(gateFailedMessage(report, gate)).toBe(
      "The SLO gate fails: availability breaching (budget left -150.0%)",
    );
  });

  it("the digest keys each group apart: the next comment names the group that changed", async () => {
    const before = await reportOf([...lines("CheckBalance", 100, 0), ...lines("Transfer", 100, 0)]);
    const after = await reportOf([...lines("CheckBalance", 100, 0), ...lines("Transfer", 100, 50)]);
    const digest = readDigest(digestOf(before, "abc1234"))!;
    expect(digest.slos.size).toBe(0); // every group ok: the digest lists none, and is complete
    expect(changesSince(digest, after)).toBe(
      "**Since the last run** (commit abc1234): availability&#123;action&#61;&#34;Transfer&#34;&#125; now breaching.",
    );
    const worse = readDigest(digestOf(after, "def5678"))!;
    expect(worse.slos.size).toBe(1);
    expect(changesSince(worse, after)).toBe("**Since the last run** (commit def5678): no change.");
  });
});
