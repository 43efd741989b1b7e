/**
 * AlertPolicy keys slo cannot honour but that change nothing measured
 * (alertWhenNoData: true, alertWhenResolved: false) load with a warning that
 * says what slo does instead; they never stop the file, nor hide its other
 * problems.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT, runCli } from "../support/cli.js";

const FIXTURES = join(ROOT, "test", "fixtures", "openslo");
const LENIENT = join(FIXTURES, "alerting", "keys-slo-cannot-honour.yaml");
const WITH_SEVERITY = join(FIXTURES, "broken", "22-unknown-severity-with-no-data.yaml");
const TWO_PROBLEMS = join(FIXTURES, "broken", "39-policy-error-and-unknown-severity.yaml");

describe("AlertPolicy keys slo cannot honour", () => {
  it("load, with a warning at each saying what slo does instead", async () => {
    const { set, errors, warnings } = await loadSpec([LENIENT], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const slo = set.services[0]!.slos[0]!;
    expect(slo.alerting?.windows.map((w) => w.factor)).toEqual([14.4]);
    const told = warnings.map((w) => `${w.line}:${w.col} ${w.message} (${w.hint})`);
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/^10:20 AlertPolicy 'page-on-fast-burn': spec\.alertWhenNoData: /);
    expect(told[0]).toContain("slo does not alert on missing data");
    expect(told[0]).toContain("slo check reports");
    expect(told[1]).toMatch(/^11:22 AlertPolicy 'page-on-fast-burn': spec\.alertWhenResolved: /);
    expect(told[1]).toContain("send_resolved: false");
  });

  it("slo validate exits 0 and prints the warnings", async () => {
    const result = await runCli(["validate", LENIENT]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("warning: ");
    expect(result.stderr).toContain("alertWhenNoData");
  });

  it("do not hide another problem of the same policy: both are told in one run", async () => {
    const { errors, warnings } = await loadSpec([WITH_SEVERITY], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining("severity 'blocker' is not in slo's severity table"),
    ]);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("alertWhenNoData: slo does not alert on missing data"),
    ]);
  });

  it("a policy that fails for another reason still has its conditions' severities checked", async () => {
    const { errors } = await loadSpec([TWO_PROBLEMS], { env: {}, cwd: ROOT });
    expect(errors.map((e) => `${e.line}:${e.col} ${e.message}`)).toEqual([
      expect.stringMatching(/^27:29 .*alertWhenBreaching: expected true or false, got "often"$/),
      expect.stringMatching(/^33:25 .*severity 'blocker' is not in slo's severity table/),
    ]);
  });
});
