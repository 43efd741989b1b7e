import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the committed WebAssembly tokenizer", () => {
  it("is what scripts/build-wasm.mjs compiles from json-scan.as.ts now", () => {
    // throws (exit 1) when src/sources/logs/json-scan-wasm.ts is stale
    const out = execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], {
      encoding: "utf8",
    });
    expect(out).toContain("is current");
  }, 60_000);
});
