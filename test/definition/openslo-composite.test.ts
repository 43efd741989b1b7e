/**
 * Composite SLOs (OpenSLO v1's objectives each with their own indicator and
 * compositeWeight; v2alpha's sli / sliRef per objective) are refused, not
 * evaluated: one error per composite objective, at its indicator, saying
 * what is not supported and what to write instead; exit 2. The SLO-level
 * "needs an indicator" error that would point elsewhere is not added.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const DIR = join(ROOT, "test", "fixtures", "openslo", "composite");

describe("composite OpenSLO SLOs", () => {
  const fixtures = readBrokenFixtures(DIR);

  it.each(fixtures.map((f) => [f.name, f] as const))(
    "%s is refused at its first composite objective",
    async (_, fixture) => {
      await expectNamedAtPosition(DIR, fixture);
      const r = await runCli(["validate", join(DIR, fixture.name)]);
      expect(r.code).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
    },
  );

  it("each composite objective is named, and nothing else is said about the SLO", async () => {
    const { errors } = await loadSpec([join(DIR, "v1-weighted.yaml")], { env: {}, cwd: ROOT });
    const messages = errors.map((e) => `${e.line}:${e.col} ${e.message}`);
    expect(messages).toEqual([
      expect.stringContaining(
        "31:7 SLO 'checkout-journey': spec.objectives[0].indicator: objective 'Fast checkouts' has its own indicator (compositeWeight 2)",
      ),
      expect.stringContaining(
        "43:7 SLO 'checkout-journey': spec.objectives[1].indicatorRef: objective 'No errors' has its own indicatorRef (compositeWeight 1)",
      ),
    ]);
    expect(errors[0]!.hint).toContain("write one SLO per objective");
  });
});
