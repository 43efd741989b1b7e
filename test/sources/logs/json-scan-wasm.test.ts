import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { jsonTokenizer } from "../../../src/sources/logs/fast-path/json-tokenizer.js";
import { runCli } from "../../support/cli.js";

describe("the committed WebAssembly tokenizer", () => {
  it("is what scripts/build-wasm.mjs compiles from json-scan.as.ts now", () => {
    // throws (exit 1) when src/sources/logs/fast-path/json-scan-wasm.ts is stale
    const out = execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], {
      encoding: "utf8",
    });
    expect(out).toContain("is current");
  }, 60_000);

  it("runs here (WebAssembly with SIMD), so the fast path is on and not silently JSON.parse", () => {
    expect(jsonTokenizer()).not.toBeNull();
  });
});

describe("without WebAssembly", () => {
  it("reads every line with JSON.parse and reports exactly what the fast path reports", async () => {
    // --jitless takes WebAssembly away: the tokenizer cannot be made, the logs source falls back
    const args = ["check", "slos/", "--at", "2026-11-24T12:00:00Z", "--format", "json"];
    const fast = await runCli(args);
    const slow = await runCli(args, { env: { NODE_OPTIONS: "--jitless" } });
    expect(slow.stderr).not.toMatch(/error|internal/i);
    expect({ code: slow.code, report: slow.stdout }).toEqual({
      code: fast.code,
      report: fast.stdout,
    });
    expect(fast.code).toBe(1);
  }, 60_000);
});
