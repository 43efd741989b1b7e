/**
 * `slo verify` as a user runs it, on logs written for it: the deploy of v2
 * at 10:00, two hours of baseline before it and half an hour after.
 *
 *   checkout  50 events a minute; 6 of the 6,000 before are bad (0.1%),
 *             75 of the 1,500 after (5%): regressed
 *   search    the same before; 2 of the 1,500 after (0.13%): pass against a
 *             99% objective (at 99.9%, 1,500 events could not show a 2x
 *             burn, and that would be inconclusive)
 *   admin     one event every 10 minutes: 3 after the deploy, inconclusive
 */

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const DEPLOY_MS = Date.parse("2026-11-24T10:00:00Z");
const AT = "2026-11-24T10:30:00Z";
const MINUTE = 60_000;

let dir: string;

/** Events of one SLO, each minute from `from` to `to` minutes around the deploy; `bad(i)` picks the bad ones. */
function events(
  msg: string,
  from: number,
  to: number,
  perMinute: number,
  bad: (i: number) => boolean,
) {
  const lines: string[] = [];
  let i = 0;
  for (let m = from; m < to; m++) {
    for (let k = 0; k < perMinute; k++, i++) {
      const t = DEPLOY_MS + m * MINUTE + Math.floor(((k + 0.5) * MINUTE) / perMinute);
      lines.push(JSON.stringify({ t: new Date(t).toISOString(), msg, status: bad(i) ? 500 : 200 }));
    }
  }
  return lines;
}

function sloFile(service: string, msg: string, objective = "99.9%"): string {
  return [
    `service: ${service}`,
    "sources:",
    "  logs: { type: logs, paths: [app.ndjson], timestamp: t }",
    "slos:",
    "  - name: availability",
    `    objective: ${objective}`,
    "    window: 7d",
    "    indicator:",
    "      ratio:",
    "        source: logs",
    `        total: '| json | msg = "${msg}"'`,
    `        bad: '| json | msg = "${msg}" | status >= 500'`,
    "",
  ].join("\n");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-verify-"));
  await mkdir(join(dir, "found"));
  const lines = [
    // 6 bad of 6,000 before; 75 of 1,500 after (every 20th)
    ...events("checkout", -120, 0, 50, (i) => i % 1000 === 500),
    ...events("checkout", 0, 30, 50, (i) => i % 20 === 7),
    ...events("search", -120, 0, 50, (i) => i % 1000 === 500),
    ...events("search", 0, 30, 50, (i) => i === 100 || i === 900),
    // one every 10 minutes: 12 before, 3 after, one of them bad
    ...events("admin", -120, 0, 1, () => false).filter((_, i) => i % 10 === 0),
    ...events("admin", 0, 30, 1, (i) => i === 10).filter((_, i) => i % 10 === 0),
    JSON.stringify({ t: new Date(DEPLOY_MS).toISOString(), msg: "deploy-finished", version: "v2" }),
    JSON.stringify({
      t: new Date(DEPLOY_MS - 10 * MINUTE).toISOString(),
      msg: "admin-deployed",
      version: "a7",
    }),
  ].sort((a, b) => (JSON.parse(a).t < JSON.parse(b).t ? -1 : 1));
  await writeFile(join(dir, "app.ndjson"), `${lines.join("\n")}\n`);
  await writeFile(join(dir, "checkout.yaml"), sloFile("checkout", "checkout"));
  await writeFile(join(dir, "search.yaml"), sloFile("search", "search", "99%"));
  await writeFile(join(dir, "admin.yaml"), sloFile("admin", "admin"));
  // each service finds its own deploys in the log
  const withDeploys = (text: string, msg: string) =>
    text
      .replace("[app.ndjson]", "[../app.ndjson]")
      .replace(
        "slos:\n",
        `deploys: { source: logs, query: '| json | msg = "${msg}"', version: version }\nslos:\n`,
      );
  await writeFile(
    join(dir, "found", "checkout.yaml"),
    withDeploys(sloFile("checkout", "checkout"), "deploy-finished"),
  );
  await writeFile(
    join(dir, "found", "admin.yaml"),
    withDeploys(sloFile("admin", "admin"), "admin-deployed"),
  );
  await writeFile(
    join(dir, "ungated.yaml"),
    sloFile("checkout", "checkout").replace(
      "    window: 7d\n",
      "    window: 7d\n    gate: false\n",
    ),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function verify(file: string, args: string[] = []) {
  return runCli([
    "verify",
    join(dir, file),
    "--deploy",
    "v2@2026-11-24T10:00:00Z",
    "--at",
    AT,
    ...args,
  ]);
}

async function verifyJson(file: string, args: string[] = []) {
  const r = await verify(file, ["--format", "json", ...args]);
  const report = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  return { code: r.code, report, stderr: r.stderr };
}

describe("slo verify on logs", () => {
  it("says regressed when errors rose beyond chance and by enough to matter (exit 1)", async () => {
    const { code, report } = await verifyJson("checkout.yaml");
    expect(code).toBe(1);
    expect(report.verification).toMatchObject({
      deploy: { version: "v2", at: "2026-11-24T10:00:00.000Z", origin: "command-line" },
      result: "regressed",
      baseline: "before",
      confidence: 0.99,
      minBurn: 2,
      minIncrease: 1.5,
    });
    const [comparison] = report.slos[0]!.verification!.comparisons;
    expect(comparison).toMatchObject({
      baseline: "before",
      verdict: "regressed",
      afterWindow: {
        start: "2026-11-24T10:00:00.000Z",
        end: "2026-11-24T10:30:00.000Z",
        events: { good: 1425, bad: 75, total: 1500 },
      },
      // the baseline is as long as the after window: the half hour before the deploy
      baselineWindow: {
        start: "2026-11-24T09:30:00.000Z",
        end: "2026-11-24T10:00:00.000Z",
        events: { total: 1500 },
      },
    });
    expect(comparison!.pValue).toBeLessThan(0.01);
  });

  it("says pass when the after window is no worse than chance allows (exit 0)", async () => {
    const { code, report } = await verifyJson("search.yaml");
    expect(code).toBe(0);
    expect(report.verification!.result).toBe("pass");
    expect(report.slos[0]!.verification!.comparisons[0]!.afterWindow.events).toEqual({
      good: 1498,
      bad: 2,
      total: 1500,
    });
  });

  it("says inconclusive with the events still needed when traffic is low, never pass", async () => {
    const { code, report } = await verifyJson("admin.yaml");
    expect(code).toBe(0);
    const v = report.slos[0]!.verification!;
    expect(v.verdict).toBe("inconclusive");
    expect(v.comparisons[0]!.afterWindow.events.total).toBe(3);
    expect(v.comparisons[0]!.eventsNeeded).toBeGreaterThan(0);
    const failing = await verify("admin.yaml", ["--fail-on", "inconclusive"]);
    expect(failing.code).toBe(1);
  });

  it("compares with the same hours a week earlier, or with both baselines", async () => {
    // no events a week earlier: the week baseline cannot tell, and both takes the worse
    const week = await verifyJson("checkout.yaml", ["--baseline", "week"]);
    expect(week.report.slos[0]!.verification!.comparisons[0]!.baselineWindow).toMatchObject({
      start: "2026-11-17T10:00:00.000Z",
      end: "2026-11-17T10:30:00.000Z",
    });
    const both = await verifyJson("checkout.yaml", ["--baseline", "both"]);
    expect(both.report.slos[0]!.verification!.comparisons.map((c) => c.baseline)).toEqual([
      "before",
      "week",
    ]);
    expect(both.code).toBe(1);
  });

  it("cuts the after window at --for", async () => {
    const { report } = await verifyJson("checkout.yaml", ["--for", "10m"]);
    const c = report.slos[0]!.verification!.comparisons[0]!;
    expect(c.afterWindow.end).toBe("2026-11-24T10:10:00.000Z");
    expect(c.afterWindow.events.total).toBe(500);
    expect(c.baselineWindow.start).toBe("2026-11-24T09:50:00.000Z");
  });

  it("refuses bad options with exit 2 and says what was expected", async () => {
    for (const [args, message] of [
      [["--baseline", "yesterday"], "--baseline yesterday: expected one of before, week, both"],
      [["--confidence", "2"], "--confidence 2: expected a number from"],
      [["--for", "soon"], "--for soon: expected a duration"],
      [["--wait"], "--wait needs --for"],
      [["--fail-on", "pass"], "--fail-on pass: expected one of regressed, inconclusive"],
      [["--min-increase", "1"], "--min-increase 1: expected a number above 1"],
      [["--for", "0s"], "--for 0s: expected a duration above zero"],
      [["--interval", "5m"], "--interval only applies with --wait"],
      [["--wait", "--for", "1h", "--interval", "10ms"], "--interval 10ms: expected at least 1s"],
      [["--deploy", "v3@2026-11-24T10:05:00Z"], "--deploy is given twice"],
    ] as const) {
      const r = await verify("checkout.yaml", [...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const future = await runCli([
      "verify",
      join(dir, "checkout.yaml"),
      "--deploy",
      "v3@2026-11-24T11:00:00Z",
      "--at",
      AT,
    ]);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("is not before");
    const empty = await runCli(["verify", join(dir, "checkout.yaml"), "--deploy", "", "--at", AT]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--deploy : expected VERSION@TIME");
    const badTime = await runCli([
      "verify",
      join(dir, "checkout.yaml"),
      "--deploy",
      "v1@2026-13-45",
      "--at",
      AT,
    ]);
    expect(badTime.stderr).toContain("--deploy v1@…: 2026-13-45: expected an RFC 3339 time");
  });

  it("judges each service on its own newest deploy, and says which when it is not the run's", async () => {
    const paths = [join(dir, "found", "checkout.yaml"), join(dir, "found", "admin.yaml")];
    const r = await runCli(["verify", ...paths, "--at", AT]);
    expect(r.stdout).toContain("deploy v2 (from the SLO file's deploys) at 2026-11-24 10:00 UTC");
    expect(r.stdout).toContain("judged on its own newest deploy, a7 at 2026-11-24 09:50 UTC");
    const json = await runCli(["verify", ...paths, "--at", AT, "--format", "json"]);
    const report = JSON.parse(json.stdout) as SloReport;
    expect(report.slos.map((s) => s.verification!.deploy.version)).toEqual(["v2", "a7"]);
    expect(report.slos[1]!.verification!.comparisons[0]!.afterWindow.start).toBe(
      "2026-11-24T09:50:00.000Z",
    );
  });

  it("reports an SLO that is not gated, and never fails the run on it", async () => {
    const r = await verify("ungated.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/availability \(not gated\)\s.*regressed/);
    expect(r.stdout).toContain("REGRESSED");
  });

  it("prints a table a person can read", async () => {
    const r = await verify("checkout.yaml");
    expect(r.stdout).toContain("regressed");
    expect(r.stdout).toContain("v2");
  });
});
