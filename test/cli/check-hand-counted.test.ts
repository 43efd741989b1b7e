/**
 * `slo check --format json` on a log counted by hand (see
 * scripts/make-hand-counted-fixture.ts): one event a minute for three days,
 * at :30 past each minute; the last 30 minutes have a bad event every other
 * minute (15 bad, 3 of them in the last 5 minutes); 100 events with 5 bad
 * ten days earlier.
 */

import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const SLO = "test/fixtures/hand-counted/slo.yaml";
const budget = 1 - 0.99;
const burn = (bad: number, total: number) => bad / total / budget;

async function check(at: string): Promise<{ code: number; report: SloReport }> {
  const r = await runCli(["check", SLO, "--at", at, "--format", "json"]);
  const report = JSON.parse(r.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  return { code: r.code, report };
}

describe("hand-counted logs", () => {
  it("events, SLI, budget and every burn rate equal the hand counts", async () => {
    const { code, report } = await check("2026-11-24T12:00:00Z");
    const slo = report.slos[0]!;
    expect(slo.events).toEqual({ good: 4400, bad: 20, total: 4420 });
    expect(slo.sli).toBe(4400 / 4420);
    expect(slo.errorBudget.consumed).toBe((1 - 4400 / 4420) / budget);
    expect(slo.errorBudget.remaining).toBe(1 - (1 - 4400 / 4420) / budget);
    expect(slo.burnRates).toEqual({
      "5m": burn(3, 5),
      "30m": burn(15, 30),
      "1h": burn(15, 60),
      "2h": burn(15, 120),
      "6h": burn(15, 360),
      "1d": burn(15, 1440),
      "3d": burn(15, 4320),
      "30d": (1 - 4400 / 4420) / budget,
    });
    expect(slo.alerts.map((a) => [a.long, a.firing])).toEqual([
      ["1h", true],
      ["6h", false],
      ["1d", false],
      ["3d", false],
    ]);
    expect(slo.status).toBe("breaching");
    expect(report.result).toBe("fail");
    expect(code).toBe(1);
  });

  it("the page alert does not fire three hours earlier", async () => {
    const { code, report } = await check("2026-11-24T09:00:00Z");
    const slo = report.slos[0]!;
    expect(slo.alerts.every((a) => !a.firing)).toBe(true);
    expect(slo.burnRates["1h"]).toBe(0);
    // at 09:00 the window holds 3 days less 3 hours of minutes, plus the old 100
    expect(slo.events).toEqual({ good: 4320 - 180 + 95, bad: 5, total: 4320 - 180 + 100 });
    expect(slo.status).toBe("ok");
    expect(code).toBe(0);
  });

  it("the page alert starts firing at the minute both windows burn past 14.4", async () => {
    // Bad events come at 11:31:30, 11:33:30, ... The 1h window needs 9 bad of its
    // 60 events (burn 15 > 14.4): the 9th lands at 11:47:30, and windows are right-closed.
    const before = (await check("2026-11-24T11:47:29Z")).report.slos[0]!;
    expect(before.burnRates["1h"]).toBe(burn(8, 60));
    expect(before.alerts[0]!.firing).toBe(false);
    const at = (await check("2026-11-24T11:47:30Z")).report.slos[0]!;
    expect(at.burnRates["1h"]).toBe(burn(9, 60));
    expect(at.burnRates["5m"]).toBe(burn(3, 5));
    expect(at.alerts[0]!.firing).toBe(true);
  });

  it("the breakdown names what spent the budget", async () => {
    const slo = (await check("2026-11-24T12:00:00Z")).report.slos[0]!;
    expect(slo.breakdown).toEqual([
      { value: "upstream-refused", count: 15 },
      { value: "db-timeout", count: 5 },
    ]);
  });
});
