/**
 * `slo check ... | head`: the reader closes the pipe before slo has
 * written all. The process (the real binary) drops the rest quietly: no
 * stack trace, and the exit code is still the gate's.
 */

import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

describe("a closed stdout", () => {
  it("is no stack trace: the rest is dropped and the exit code stays the gate's", async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "bin/slo.js"),
        "check",
        "slos/",
        "--at",
        "2026-11-24T12:00:00Z",
        "--format",
        "json",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    // Like `| true`: nobody reads stdout.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).not.toMatch(/EPIPE|at .*\(.*:\d+:\d+\)/);
    expect(code).toBe(1);
  }, 60_000);
});
