/**
 * `--environment`: the deploys of `slo check`, `slo report` and `slo verify`
 * from GitHub's deployments of an environment (the fake GitHub, every
 * request checked against GitHub's OpenAPI description), replacing the
 * files' deploys:, on the deploys example's logs.
 */

import { afterEach, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";

const TOKEN = "ghs_environmenttoken0123456789abcdefghij";
const AT = "2026-11-24T12:00:00Z";
const SHA = "5e1a0c9d2b7f4e3a8c6d1f0e9b8a7c6d5e4f3a2b";

let gh: FakeGitHub;

afterEach(async () => {
  expect(gh.invalid).toEqual([]);
  await gh.close();
});

function env() {
  return { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: gh.url };
}

describe("--environment", () => {
  it("judges the environment's newest deployment instead of the file's deploys:", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        {
          sha: SHA,
          environment: "production",
          createdAt: "2026-11-24T11:15:00Z",
          statuses: [{ state: "success", createdAt: "2026-11-24T11:20:00Z" }],
        },
      ],
    });
    const r = await runCli(
      [
        "verify",
        "examples/deploys/",
        "--at",
        AT,
        "--environment",
        "production",
        "--format",
        "json",
      ],
      { env: env() },
    );
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.verification!.deploy).toMatchObject({
      at: "2026-11-24T11:20:00.000Z",
      version: SHA.slice(0, 7),
      sha: SHA,
      origin: "github",
    });
    expect(report.verification!.result).toBe("regressed");
    expect(r.code).toBe(1);
  });

  it("lists GitHub's deploys in slo check's report; without a token, a warning and the run goes on", async () => {
    gh = await startFakeGitHub({
      token: TOKEN,
      deployments: [
        {
          sha: SHA,
          environment: "production",
          createdAt: "2026-11-20T10:20:00Z",
          statuses: [{ state: "success", createdAt: "2026-11-20T10:25:00Z" }],
        },
      ],
    });
    const args = [
      "check",
      "examples/deploys/",
      "--at",
      AT,
      "--environment",
      "production",
      "--format",
      "json",
    ];
    const r = await runCli(args, { env: env() });
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos[1]!.deploys!.map((d) => [d.version, d.origin])).toEqual([
      [SHA.slice(0, 7), "github"],
    ]);
    const noToken = await runCli(args, { env: { ...env(), GITHUB_TOKEN: "", GH_TOKEN: "" } });
    expect(noToken.stderr).toContain("warning: No GitHub token");
    // no deploys from GitHub: the file's deploys: are used
    const fallback = JSON.parse(noToken.stdout) as SloReport;
    expect(fallback.slos[1]!.deploys!.map((d) => d.version)).toEqual([
      "v1.3.2",
      "v1.4.0",
      "v1.4.1",
      "v1.5.0",
    ]);
    expect(`${r.stdout}${r.stderr}${noToken.stderr}`).not.toContain(TOKEN);
    const none = await runCli([...args.slice(0, 5), "staging", ...args.slice(6)], { env: env() });
    expect(none.stderr).toContain(
      "warning: no successful deployment of staging from 2026-11-17T12:00:00.000Z to 2026-11-24T12:00:00.000Z: the services' own deploys: are used, if any",
    );
  });
});
