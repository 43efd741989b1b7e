/**
 * Every broken SLO file in test/fixtures/broken names its problem at
 * file:line:col and exits 2, never with a stack trace. Each fixture's first
 * line says what it expects: `# expect: LINE:COL text | other text`.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { type CliResult, hasStackTrace, ROOT, runCli } from "../support/cli.js";

const DIR = join(ROOT, "test", "fixtures", "broken");
const fixtures = readBrokenFixtures(DIR);

describe("broken SLO files", () => {
  it("there are at least 25 of them", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
  });

  it.each(fixtures)("$name: the problem is named at its position", (fixture) =>
    expectNamedAtPosition(DIR, fixture),
  );

  it("slo validate exits 2 with file:line:col and no stack trace, for each file", async () => {
    // Four at a time: two cores, and each is a whole process.
    const results: { f: (typeof fixtures)[number]; r: CliResult }[] = [];
    for (let i = 0; i < fixtures.length; i += 4) {
      const batch = fixtures.slice(i, i + 4);
      const run = (f: (typeof fixtures)[number]) =>
        runCli(["validate", `test/fixtures/broken/${f.name}`]);
      results.push(...(await Promise.all(batch.map(async (f) => ({ f, r: await run(f) })))));
    }
    for (const { f, r } of results) {
      expect(r.code, `${f.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`test/fixtures/broken/${f.name}:${f.line}:${f.col}: `);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    }
  }, 120_000);

  it("slo validate reports every problem of every file at once", async () => {
    const r = await runCli(["validate", "test/fixtures/broken"]);
    expect(r.code).toBe(2);
    for (const f of fixtures) expect(r.stderr).toContain(f.name);
  });
});
