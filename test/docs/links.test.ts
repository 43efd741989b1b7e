/** README, CONTRIBUTING and docs/: every relative link and anchor resolves; the README stays a front page. */

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

describe("the documentation", () => {
  it("has no broken relative link or anchor", async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [join(ROOT, "scripts/check-docs-links.mjs")], {
      cwd: ROOT,
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout + e.stderr,
      }),
    );
    expect(result.out).not.toContain("broken link");
    expect(result.code).toBe(0);
  });

  it("keeps the README a front page, under 300 lines, the reference in docs/", () => {
    const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length;
    expect(lines).toBeLessThan(300);
  });
});
