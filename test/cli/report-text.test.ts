/**
 * `slo report --format text`: the terminal report with what only `slo report`
 * works out, the alerts that fired over the window, a line per episode.
 */

import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("slo report --format text", () => {
  it("prints the table per service and the alerts that fired, without colour when not a TTY", async () => {
    const result = await runCli([
      "report",
      "slos/",
      "--at",
      "2026-11-24T12:00:00Z",
      "--format",
      "text",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}SLO +objective +SLI +budget left/m);
    expect(result.stdout).toMatch(
      /^ {2}somesystem-latency: alerts that fired: \d+ episodes since .* \(5m resolution\):$/m,
    );
    expect(result.stdout).toMatch(/^ {4}page {4}\d{4}-\d\d-\d\d \d\d:\d\d UTC → /m);
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stdout).toMatch(/^result: \w+ at 2026-11-24T12:00:00/m);
  });
});
