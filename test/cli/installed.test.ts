/** The CLI as an installed package runs it: no src/, no node_modules, the bundle beside bin/. */

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

describe("an installed copy of slo", () => {
  const dir = mkdtempSync(join(tmpdir(), "slo-installed-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the bundle, which carries its packages with it", () => {
    cpSync(join(ROOT, "bin"), join(dir, "bin"), { recursive: true });
    cpSync(join(ROOT, "dist", "cli"), join(dir, "dist", "cli"), { recursive: true });
    cpSync(join(ROOT, "slos"), join(dir, "slos"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "slo", type: "module" }));
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [join(dir, "bin", "slo.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    expect(run("--version").trim()).toMatch(/^\d+\.\d+\.\d+$/);
    let report = "";
    try {
      run("check", "slos/", "--at", "2026-11-24T12:00:00Z", "--format", "json");
    } catch (error) {
      // exit 1: the example breaches one SLO, which is its point
      expect((error as { status: number }).status).toBe(1);
      report = (error as { stdout: string }).stdout;
    }
    const parsed = JSON.parse(report) as { result: string; slos: unknown[] };
    expect(parsed.result).toBe("fail");
    expect(parsed.slos).toHaveLength(4);
  }, 60_000);
});
