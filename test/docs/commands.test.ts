/**
 * docs/commands.md keeps up with the CLI: every option `slo <command>
 * --help` lists is in that command's section.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";

const DOC = readFileSync(join(ROOT, "docs", "commands.md"), "utf8");
const COMMANDS = ["check", "validate", "alerts", "report", "convert", "rules", "verify", "diff"];

/** The text from `## \`slo <command>` to the next `## `. */
function section(command: string): string {
  const start = DOC.indexOf(`## \`slo ${command}`);
  if (start < 0) return "";
  const end = DOC.indexOf("\n## ", start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

describe("docs/commands.md", () => {
  it.each(COMMANDS)("documents every option of slo %s --help", async (command) => {
    const help = await runCli([command, "--help"]);
    expect(help.code).toBe(0);
    const options = [...help.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)]
      .map((m) => m[1]!)
      .filter((o) => o !== "--help");
    // slo validate has no option of its own; every other command does
    expect(options.length > 0 || command === "validate").toBe(true);
    const documented = section(command);
    expect(documented, `a section for slo ${command}`).not.toBe("");
    const mentioned = (option: string) => new RegExp(`${option}(?![a-z-])`).test(documented);
    expect(options.filter((o) => !mentioned(o))).toEqual([]);
  });
});
