/** The progress line: on stderr only, only when asked for or on a terminal, never in a report. */

import { describe, expect, it } from "vitest";
import { describeProgress, progressLine } from "../../src/cli/progress.js";
import type { SloReport } from "../../src/report/schema.js";
import { hasStackTrace, runCli } from "../support/cli.js";

const AT = "2026-11-24T12:00:00Z";

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
}

describe("progressLine", () => {
  it("is off when stderr is not a terminal and nobody asked", () => {
    const { written, stream } = fakeStream(false);
    const line = progressLine(stream);
    expect(line.onProgress).toBeUndefined();
    line.finish();
    expect(written).toEqual([]);
  });

  it("stays silent for the first second on a terminal, then redraws at most every 200 ms and clears", () => {
    let clock = 0;
    const { written, stream } = fakeStream(true);
    const line = progressLine(stream, { now: () => clock });
    clock = 500;
    line.onProgress!(100e6, 1000e6);
    expect(written).toEqual([]);
    clock = 1000;
    line.onProgress!(200e6, 1000e6);
    clock = 1100;
    line.onProgress!(220e6, 1000e6); // throttled
    clock = 1250;
    line.onProgress!(250e6, 1000e6);
    expect(written).toEqual([
      "\r\x1b[2Kreading 200 MB of 1.0 GB (20%), 200 MB/s, 4s left",
      "\r\x1b[2Kreading 250 MB of 1.0 GB (25%), 200 MB/s, 4s left",
    ]);
    line.finish();
    expect(written.at(-1)).toBe("\r\x1b[2K");
  });

  it("never starts on a terminal when the work ends within a second", () => {
    let clock = 0;
    const { written, stream } = fakeStream(true);
    const line = progressLine(stream, { now: () => clock });
    clock = 900;
    line.onProgress!(1e6, 1e6);
    line.finish();
    expect(written).toEqual([]);
  });

  it("with --progress elsewhere writes whole lines, and the final figures at the end", () => {
    let clock = 0;
    const { written, stream } = fakeStream(false);
    const line = progressLine(stream, { enabled: true, now: () => clock });
    clock = 10;
    line.onProgress!(1e6, 4e6);
    clock = 20;
    line.onProgress!(4e6, 4e6); // throttled (1 s between lines off a terminal)
    line.finish();
    expect(written).toEqual([
      "reading 1 MB of 4 MB (25%), 100 MB/s, 1s left\n",
      "reading 4 MB of 4 MB (100%), 200 MB/s, 0s left\n",
    ]);
  });

  it("describes input without a known total (stdin) without a time left", () => {
    expect(describeProgress(5e6, 0, 2000)).toBe("reading 5 MB, 3 MB/s");
    expect(describeProgress(0, 10e9, 0)).toBe("reading 0 B of 10.0 GB (0%), 0 B/s");
    expect(describeProgress(1e9, 10e9, 1000)).toBe(
      "reading 1.0 GB of 10.0 GB (10%), 1.0 GB/s, 9s left",
    );
    expect(describeProgress(1e6, 200e6, 1000)).toBe(
      "reading 1 MB of 200 MB (0%), 1 MB/s, 3m19s left",
    );
  });
});

describe("slo check --progress", () => {
  it("writes progress to stderr and keeps the JSON report on stdout clean", async () => {
    // --no-cache: another test's run may have counted these logs into the tests' cache,
    // and a rerun that reads nothing has no progress to show
    const r = await runCli([
      "check",
      "slos/",
      "--at",
      AT,
      "--format",
      "json",
      "--progress",
      "--no-cache",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^reading [\d.]+ [kMG]?B of [\d.]+ [kMG]?B \(\d+%\), .*\/s/m);
    expect(r.stderr).toContain("(100%)");
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).not.toContain("reading");
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos.length).toBeGreaterThan(0);
  });

  it("writes nothing to stderr by default when stderr is not a terminal, or with --no-progress", async () => {
    const plain = await runCli(["check", "slos/", "--at", AT, "--format", "json"]);
    expect(plain.stderr).toBe("");
    const off = await runCli(["check", "slos/", "--at", AT, "--format", "json", "--no-progress"]);
    expect(off.stderr).toBe("");
    expect(off.stdout).toBe(plain.stdout);
  });
});
