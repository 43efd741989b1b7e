/** The terminal table: text from SLO files, logs and servers is shown, never obeyed by the terminal. */

import { describe, expect, it } from "vitest";
import { renderText } from "../../src/report/render-text.js";
import type { SloReport } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

async function hostileReport(): Promise<SloReport> {
  const report = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0.5 });
  const entry = report.slos[0]!;
  // Names and messages as a hostile file or server could make them.
  entry.service = "shop\nresult: PASS at 2026-11-24T12:00:00.000Z";
  entry.name = "checkout\u001b[8m";
  entry.diagnostics.notes = ["note\r\u001b[2Kforged"];
  entry.error = { source: "prom\u0007", message: "down\n  all: fine" };
  report.health = [
    {
      service: "shop\u001b]0;title\u0007",
      name: "db\nresult: PASS",
      url: "http://h/",
      ok: false,
      onFailure: "warn",
      dependencies: [{ name: "db\u001b[31m", status: "DOWN\n", statusTime: null }],
      error: null,
    },
  ];
  return report;
}

describe("renderText", () => {
  it("escapes control characters in every name and message it shows", async () => {
    const text = renderText(await hostileReport(), { color: false });
    // no escape sequence, bell or carriage return reaches the terminal
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    // one result line, and it is slo's own
    expect(text.match(/^result: /gm)).toHaveLength(1);
    expect(text).toMatch(/^result: FAIL at /m);
    expect(text).toContain("shop\\x0aresult: PASS");
    expect(text).toContain("checkout\\x1b[8m");
  });

  it("still colours its own output when asked", async () => {
    const text = renderText(await hostileReport(), { color: true });
    expect(text).toContain("\u001b[1m");
    expect(text).not.toContain("checkout\u001b[8m");
  });

  it("names an alert whose condition holds but not yet for its alertAfter as pending, not firing", async () => {
    const report = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0.5 });
    const alerts = report.slos[0]!.alerts;
    const page = alerts.find((a) => a.severity === "page" && a.firing)!;
    Object.assign(page, { firing: false, pending: true });
    const text = renderText(report, { color: false });
    expect(text).toContain(
      `  PAGE pending checkout: burning ${"500.00×"} over ${page.long} and 500.06× over ${page.short} (threshold 14.40×); it fires once that has held for its alertAfter`,
    );
    expect(text.split("\n").filter((l) => l.startsWith("  PAGE checkout:"))).toHaveLength(
      alerts.filter((a) => a.severity === "page" && a.firing).length,
    );
  });
});

describe("renderText: corrections", () => {
  it("lists the corrections that touched the window and the events each left out, escaped", async () => {
    const report = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0.5 });
    report.slos[0]!.corrections = [
      {
        reason: "weekly DB upgrade\u001b[2K",
        category: "maintenance",
        rrule: "FREQ=WEEKLY;BYDAY=SU",
        timeZone: "Europe/Berlin",
        occurrences: [
          { start: "2026-11-15T01:00:00.000Z", end: "2026-11-15T03:00:00.000Z" },
          { start: "2026-11-22T01:00:00.000Z", end: "2026-11-22T03:00:00.000Z" },
        ],
        occurrencesLeftOut: 2,
        excluded: { good: 1200, bad: 34, total: 1234 },
      },
      {
        category: "other",
        timeZone: "UTC",
        occurrences: [{ start: "2026-11-24T10:00:00.000Z", end: "2026-11-24T10:30:00.000Z" }],
        excluded: { good: 0, bad: 0, total: 0 },
      },
    ];
    const text = renderText(report, { color: false });
    expect(text).toContain(
      "  checkout: corrections left 1,234 event(s) (34 bad) out of the window:\n" +
        '    maintenance "weekly DB upgrade\\x1b[2K", FREQ=WEEKLY;BYDAY=SU in Europe/Berlin: 4 period(s), the latest 2026-11-22 01:00 UTC to 2026-11-22 03:00 UTC: 1,234 event(s) (34 bad)\n' +
        "    other: 1 period(s), the latest 2026-11-24 10:00 UTC to 2026-11-24 10:30 UTC: 0 event(s)",
    );
  });
});
