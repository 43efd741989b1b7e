/**
 * Sloth's AlertWindows files (its custom SLO period windows, loaded by
 * `sloth --slo-period-windows-path`), read as slo's alerting.windows: an
 * AlertWindows loaded with Sloth specs applies to every Sloth SLO whose
 * period is its sloPeriod (Sloth's SLOs are 30-day ones). Fixtures in
 * test/fixtures/sloth/windows; broken ones (24-27) in test/fixtures/sloth/broken.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import { loadSpec } from "../../src/definition/load.js";
import { buildRules } from "../../src/rules/build.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";

const DIR = "test/fixtures/sloth/windows";
const HOUR = 3_600_000;
const MINUTE = 60_000;

const CUSTOM = [
  {
    severity: "page",
    long: "30m",
    short: "5m",
    longMs: 30 * MINUTE,
    shortMs: 5 * MINUTE,
    share: 0.01,
  },
  {
    severity: "page",
    long: "4h",
    short: "30m",
    longMs: 4 * HOUR,
    shortMs: 30 * MINUTE,
    share: 0.04,
  },
  { severity: "ticket", long: "12h", short: "1h", longMs: 12 * HOUR, shortMs: HOUR, share: 0.08 },
  {
    severity: "ticket",
    long: "2d",
    short: "6h",
    longMs: 48 * HOUR,
    shortMs: 6 * HOUR,
    share: 0.125,
  },
];

async function load(paths: string[]) {
  const result = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(result.errors.map((e) => e.format())).toEqual([]);
  return result;
}

describe("Sloth AlertWindows", () => {
  it("a 30d AlertWindows loaded with a Sloth spec is that spec's burn-rate table", async () => {
    const { set } = await load([`${DIR}/custom-30d.yaml`, `${DIR}/checkout.yaml`]);
    const [slo] = set.services.flatMap((s) => s.slos);
    expect(slo!.alerting.windows).toEqual(CUSTOM);
    // Loaded alone, the spec keeps Sloth's default table.
    const alone = await load([`${DIR}/checkout.yaml`]);
    expect(alone.set.services[0]!.slos[0]!.alerting.windows).toEqual(DEFAULT_BURN_RATE_WINDOWS);
  });

  it("a period no Sloth SLO has is a warning that names it: its windows apply to none", async () => {
    const { set, warnings } = await load([DIR]);
    expect(set.services.flatMap((s) => s.slos)[0]!.alerting.windows).toEqual(CUSTOM);
    expect(warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`)).toEqual([
      `${DIR}/weekly.yaml:5:14: AlertWindows: spec.sloPeriod: no Sloth SLO loaded has a 7d period, so these windows apply to none: slo reads Sloth SLOs as 30-day ones, Sloth's default period`,
    ]);
  });

  it("slo rules alert on the custom windows: 1% of the budget in 30m is a burn of 14.4", async () => {
    const { set } = await load([`${DIR}/custom-30d.yaml`, `${DIR}/checkout.yaml`]);
    const text = JSON.stringify(buildRules(set).services);
    expect(text).toContain("[30m]");
    expect(text).toContain("14.4");
    expect(text).toContain("[2d]");
    expect(text).not.toContain("[3d]");
  });

  it("slo convert --to native writes them as alerting.windows; native and OpenSLO evaluate the same", async () => {
    const paths = [`${DIR}/custom-30d.yaml`, `${DIR}/checkout.yaml`];
    const dir = await convertInto(paths, "native");
    const text = readFileSync(join(dir, "checkout.yaml"), "utf8");
    expect(text).toContain("windows:");
    expect(text).toContain("share: 12.5%");
    const original = meaning(await evaluate(paths));
    expect(meaning(await evaluate([dir]))).toEqual(original);
    // and through OpenSLO, whose AlertPolicies carry each window
    expect(meaning(await evaluate([await convertInto(paths, "openslo")]))).toEqual(original);
  });

  it("a broken AlertWindows is exit 2 with file:line:col", { timeout: 60_000 }, async () => {
    const r = await runCli(["validate", "test/fixtures/sloth/broken/25-windows-percent.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "test/fixtures/sloth/broken/25-windows-percent.yaml:8:27: AlertWindows: spec.page.quick.errorBudgetPercent: 120 is over 100",
    );
  });

  it("slo validate of the folder: valid, with the warning", { timeout: 60_000 }, async () => {
    const r = await runCli(["validate", DIR]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${DIR}/weekly.yaml:5:14: AlertWindows: spec.sloPeriod:`);
  });
});
