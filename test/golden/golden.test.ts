/**
 * `slo rules` and `slo convert` write, byte for byte, the expected files of
 * test/golden for the inputs listed in cases.ts; every rules file passes
 * `promtool check rules`; and the real CLI writes the same bytes as the
 * library functions the cases call.
 *
 * A missing expected file fails under CI=true; elsewhere it is written and
 * said so. UPDATE_GOLDEN=1 rewrites them all (never under CI=true).
 */

import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";
import { isCI, promtoolCheckRules, requireBinaries } from "../support/servers.js";
import {
  convertCases,
  GOLDEN_DIR,
  type GoldenCase,
  goldenCases,
  readExpected,
  rulesCases,
  writeExpected,
} from "./cases.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const TO_UPDATE = "if the change is intended, run `npm run golden:update` and review the diff";

async function expectGolden(c: GoldenCase, actual: string): Promise<void> {
  if (UPDATE) {
    if (isCI()) {
      throw new Error("UPDATE_GOLDEN=1 under CI=true: golden files are updated locally, not in CI");
    }
    if (await writeExpected(c, actual)) console.warn(`golden: updated ${c.expected}`);
    return;
  }
  const expected = await readExpected(c);
  if (expected === null) {
    if (isCI())
      throw new Error(`${c.expected} is missing; run \`npm run golden:update\`, commit it`);
    await writeExpected(c, actual);
    console.warn(`\n!! golden: ${c.expected} was missing, written from the current output\n`);
    return;
  }
  const where = `${c.expected} differs from what slo ${c.args.join(" ")} writes; ${TO_UPDATE}`;
  expect(actual, where).toBe(expected.toString("utf8"));
  // Equal text, other bytes: a byte order mark or invalid UTF-8 in the file.
  expect(Buffer.from(actual, "utf8").equals(expected), where).toBe(true);
}

async function expectedText(c: GoldenCase): Promise<string> {
  const bytes = await readExpected(c);
  if (bytes === null) throw new Error(`${c.expected} is missing; run \`npm run golden:update\``);
  return bytes.toString("utf8");
}

const named = <T extends GoldenCase>(cases: T[]) =>
  cases.map((c) => [`slo ${c.args.join(" ")} -> ${c.expected}`, c] as const);

describe("golden files", () => {
  it.each(named(goldenCases()))("%s", async (_, c) => {
    await expectGolden(c, await c.render());
  });

  it("every expected file belongs to a case (a case removed takes its file along)", async () => {
    const cases = new Set(goldenCases().map((c) => c.expected));
    const files = await Promise.all(
      ["rules", "convert"].map(async (folder) =>
        (await readdir(join(GOLDEN_DIR, folder))).map((name) =>
          relative(ROOT, join(GOLDEN_DIR, folder, name)),
        ),
      ),
    );
    expect(files.flat().filter((f) => !cases.has(f))).toEqual([]);
  });
});

// Missing promtool: skipped with a loud message here, a failure under CI=true.
const promtool = await requireBinaries(["promtool"], "promtool check rules on the golden files");

describe.skipIf(!promtool)("the golden rules files pass promtool check rules", () => {
  // Each check is a promtool process of its own: they run side by side. Loki's rules hold
  // LogQL, which promtool cannot read: loki-ruler.test.ts loads them into a real Loki.
  const prometheusCases = rulesCases().filter((c) => c.format !== "loki");
  it.concurrent.for(named(prometheusCases))(
    "%s",
    { timeout: 60_000 },
    async ([, c], { expect }) => {
      const checked = await promtoolCheckRules(await expectedText(c), c.format);
      expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
      expect(checked.code, checked.output).toBe(0);
    },
  );
});

describe("the CLI", () => {
  it("writes the golden bytes for a rules case and a convert case", {
    timeout: 120_000,
  }, async () => {
    const cases = [
      rulesCases().find((c) => c.expected.endsWith("/variety.prometheus-operator.yaml"))!,
      convertCases().find((c) => c.expected.endsWith("/native-rich.openslo.yaml"))!,
    ];
    const results = await Promise.all(cases.map((c) => runCli(c.args)));
    for (const [i, c] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, `slo ${c.args.join(" ")}`).toBe(await expectedText(c));
    }
  });
});
