/**
 * The README's first command prints what the README shows: the bundled
 * example's table, byte for byte.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";

describe("the README", () => {
  it("shows what slo check slos/ --at 2026-11-24T12:00:00Z prints, and its exit code", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const shown = /```\n(ctrl\n[\s\S]*?result: FAIL at 2026-11-24T12:00:00\.000Z\n)```/.exec(
      readme,
    );
    expect(shown, "the example's output block").not.toBeNull();
    const r = await runCli(["check", "slos/", "--at", "2026-11-24T12:00:00Z"]);
    expect(r.stdout).toBe(shown![1]);
    expect(r.code).toBe(1);
  });
});
