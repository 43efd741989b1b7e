/**
 * Broken SLO files that say what they expect on their first line:
 * `# expect: LINE:COL text | other text`. Shared by the native, OpenSLO and
 * Sloth suites.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT } from "./cli.js";

export interface BrokenFixture {
  name: string;
  line: number;
  col: number;
  texts: string[];
}

export function readBrokenFixtures(dir: string): BrokenFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((name) => {
      const first = readFileSync(join(dir, name), "utf8").split("\n")[0]!;
      const m = /^# expect: (\d+):(\d+) (.+)$/.exec(first);
      if (!m) throw new Error(`${name}: first line must be '# expect: LINE:COL text'`);
      return { name, line: Number(m[1]), col: Number(m[2]), texts: m[3]!.split(" | ") };
    });
}

/** Loading the fixture fails, and its first error is at the expected place, saying the expected things. */
export async function expectNamedAtPosition(dir: string, fixture: BrokenFixture): Promise<void> {
  const { errors } = await loadSpec([join(dir, fixture.name)], { env: {}, cwd: ROOT });
  const formatted = errors.map((e) => e.format()).join("\n");
  expect(errors.length, formatted).toBeGreaterThan(0);
  expect(`${errors[0]!.line}:${errors[0]!.col}`, formatted).toBe(`${fixture.line}:${fixture.col}`);
  expect(errors[0]!.file).toBe(relative(ROOT, join(dir, fixture.name)));
  for (const text of fixture.texts) expect(formatted).toContain(text);
}
