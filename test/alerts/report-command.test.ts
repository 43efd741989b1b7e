/**
 * `slo report` for a scheduled workflow: the JSON report carries the trend
 * and the alerts that fired (and matches the committed schema), the Markdown
 * shows them, and --issue keeps exactly one "SLO report" issue current on
 * the fake GitHub.
 */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processIo } from "../../src/cli/io.js";
import { runReport } from "../../src/cli/report.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { reportSchemaErrors } from "../support/report-schema.js";
import { HOUR, writeIncident } from "./incident.js";

const S = Date.parse("2026-11-20T00:00:00Z");
const AT = new Date(S + 80 * HOUR).toISOString();
const TOKEN = "ghs_reportToken789";

let dir: string;
let sloPath: string;
let github: FakeGitHub;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-report-"));
  ({ sloPath } = await writeIncident(dir, S));
  github = await startFakeGitHub({ token: TOKEN });
});
afterAll(async () => {
  expect(github.invalid).toEqual([]);
  await github.close();
});

const env = () => ({
  GITHUB_TOKEN: TOKEN,
  GITHUB_REPOSITORY: "acme/shop",
  GITHUB_API_URL: github.url,
});

describe("slo report", () => {
  it("JSON: the alerts that fired, the previous window and what spent the budget", async () => {
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(reportSchemaErrors(report)).toEqual([]);
    const [slo] = report.slos;
    expect(slo.alertHistory).toEqual({
      since: "2026-10-24T08:00:00.000Z",
      step: "5m",
      episodes: [
        {
          severity: "page",
          start: "2026-11-20T00:20:00.000Z",
          end: "2026-11-20T01:30:00.000Z",
          windows: ["1h/5m", "6h/30m"],
          peakBurnRate: expect.closeTo(50.83, 2),
        },
        {
          severity: "ticket",
          start: "2026-11-20T07:30:00.000Z",
          end: "2026-11-23T04:00:00.000Z",
          windows: ["1d/2h", "3d/6h"],
          peakBurnRate: expect.closeTo(5.31, 2),
        },
      ],
    });
    expect(slo.previous).toMatchObject({
      start: "2026-09-24T08:00:00.000Z",
      end: "2026-10-24T08:00:00.000Z",
      sli: null,
      coverage: 0,
    });
    // The talk's daily summary: bad events by msg, largest first.
    expect(slo.breakdown.map((b: { value: string }) => b.value)).toEqual([
      "upstream-timeout",
      "db-connection-refused",
    ]);
    expect(slo.breakdown[0].count + slo.breakdown[1].count).toBe(slo.events.bad);
  });

  it("--issue keeps one 'SLO report' issue, replaced by each run's report", async () => {
    const md = join(dir, "report.md");
    const first = await runCli(["report", sloPath, "--at", AT, "--out", md, "--issue"], {
      env: env(),
    });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      /^created issue #1 in acme\/shop: https:\/\/github.test\/acme\/shop\/issues\/1\n$/,
    );
    // The Markdown report: the trend and the alerts that fired, per SLO.
    const text = await readFile(md, "utf8");
    expect(text).toContain("## ❌ SLO report: fail");
    expect(text).toContain(
      [
        "- Alerts that fired: 2 episodes since 2026-10-24 08:00 UTC (5m resolution)",
        "",
        "| alert | from (UTC) | to (for) | windows | peak burn |",
        "|:--|:--|:--|:--|--:|",
        "| ticket | 2026-11-20 07:30 | 2026-11-23 04:00 (2d 20h 30m) | 1d/2h, 3d/6h | 5.31× |",
        "| page | 2026-11-20 00:20 | 01:30 (1h 10m) | 1h/5m, 6h/30m | 50.83× |",
      ].join("\n"),
    );
    // The logs start three days before the incident: the previous 30 days have no data.
    expect(text).toContain("- Trend: not enough history (no data in the previous window)");
    expect(text).toContain("| upstream&#45;timeout |");
    expect(github.issues[0]!.body).toBe(`<!-- slo-report-issue -->\n${text}`);

    const later = new Date(S + 81 * HOUR).toISOString();
    const html = join(dir, "report.html");
    const second = await runCli(
      ["report", sloPath, "--at", later, "--issue", "--format", "html", "--out", html],
      { env: env() },
    );
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("updated issue #1");
    expect(github.issues).toHaveLength(1);
    const [issue] = github.issues;
    expect(issue!.title).toBe("SLO report");
    expect(issue!.labels).toEqual(["slo-report"]);
    expect(issue!.body).toMatch(/^<!-- slo-report-issue -->\n## ❌ SLO report: fail/);
    expect(issue!.body).toContain("Evaluated at 2026-11-23 09:00 UTC");
    // The file got HTML, the issue Markdown.
    expect(await readFile(html, "utf8")).toMatch(/^<!doctype html>/);
  });

  it("--issue without a token is a usage error before any source is read", async () => {
    const result = await runCli(["report", sloPath, "--issue"], {
      env: { GITHUB_TOKEN: undefined, GH_TOKEN: undefined },
    });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--issue needs a GitHub token in GITHUB_TOKEN");
  });

  it("a failing source: the report is still written, and the exit code is 3", async () => {
    const broken = join(dir, "broken.yaml");
    const text = await readFile(sloPath, "utf8");
    await writeFile(
      broken,
      text.replace(/paths: \[.*\]/, `paths: [${JSON.stringify(join(dir, "gone.ndjson"))}]`),
    );
    const out = join(dir, "broken.html");
    const result = await runCli(["report", broken, "--at", AT, "--format", "html", "--out", out]);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(3);
    expect(await readFile(out, "utf8")).toContain("Source logs failed:");
  });

  it("--format pdf is a usage error", async () => {
    await expect(runReport([sloPath], { format: "pdf" }, processIo())).rejects.toMatchObject({
      code: "usage",
      message: "--format pdf: expected one of markdown, html, json, text",
    });
  });
});
