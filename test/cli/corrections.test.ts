/**
 * Corrections end to end through the CLI: `slo check` on a log with a
 * weekly maintenance window counts only the events outside it (counted by
 * hand here), lists the correction in the JSON report (valid against the
 * schema) and in the text; a broken correction is exit 2 at its line.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-05-20T12:00:00Z";
const AT_MS = Date.parse(AT);
const MIN = 60_000;
let dir: string;

// Sundays 02:00-04:00 Berlin (00:00-02:00 UTC in May) over the last 30 days: 10, 17 May (and 3 May, 26 April).
function correctionYaml(extra = ""): string {
  return `service: shop
sources:
  app: { type: logs, paths: app.log, labels: { app: shop } }
corrections:
  - start: "2026-04-05 02:00"
    duration: 2h
    rrule: RRULE:FREQ=WEEKLY;BYDAY=SU
    timezone: Europe/Berlin
    reason: weekly database maintenance
    category: maintenance${extra}
slos:
  - name: checkout
    objective: 99%
    window: 30d
    indicator:
      ratio: { source: app, bad: '{app="shop"} | json | code >= 500', total: '{app="shop"}' }
`;
}

/** Every 10 minutes over 30 days: all bad on Sundays 00:00-02:00 UTC, else one bad in 200. */
function events(): { t: number; bad: boolean }[] {
  const out: { t: number; bad: boolean }[] = [];
  for (let t = AT_MS - 30 * 24 * 60 * MIN + 10 * MIN; t <= AT_MS; t += 10 * MIN) {
    out.push({ t, bad: inMaintenance(t) || out.length % 200 === 0 });
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "slo-cli-corrections-"));
  const lines = events().map((e) =>
    JSON.stringify({ t: new Date(e.t).toISOString(), code: e.bad ? 500 : 200 }),
  );
  writeFileSync(join(dir, "app.log"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "slo.yaml"), correctionYaml());
  writeFileSync(join(dir, "broken.yaml"), correctionYaml("\n    end: 2026-04-05 01:00"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** (start, end] of each Sunday 00:00-02:00 UTC: inside when start < t <= end. */
function inMaintenance(t: number): boolean {
  const d = new Date(t);
  const sunday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const start = d.getUTCDay() === 0 ? sunday : Number.NaN;
  return t > start && t <= start + 2 * 60 * MIN;
}

describe("slo check with corrections", () => {
  it("counts only the events outside the maintenance windows, and lists them", async () => {
    const r = await runCli(["check", join(dir, "slo.yaml"), "--at", AT, "--format", "json"], {
      cwd: dir,
    });
    const report = JSON.parse(r.stdout) as SloReport;
    expect(reportSchemaErrors(report)).toEqual([]);
    const entry = report.slos[0]!;
    const all = events().filter((e) => e.t > AT_MS - 30 * 24 * 60 * MIN);
    const kept = all.filter((e) => !inMaintenance(e.t));
    const left = all.filter((e) => inMaintenance(e.t));
    expect(entry.events).toEqual({
      total: kept.length,
      bad: kept.filter((e) => e.bad).length,
      good: kept.filter((e) => !e.bad).length,
    });
    expect(left.length).toBeGreaterThan(40);
    expect(entry.corrections).toEqual([
      {
        reason: "weekly database maintenance",
        category: "maintenance",
        rrule: "FREQ=WEEKLY;BYDAY=SU",
        timeZone: "Europe/Berlin",
        occurrences: ["04-26", "05-03", "05-10", "05-17"].map((day) => ({
          start: `2026-${day}T00:00:00.000Z`,
          end: `2026-${day}T02:00:00.000Z`,
        })),
        excluded: {
          total: left.length,
          bad: left.filter((e) => e.bad).length,
          good: left.filter((e) => !e.bad).length,
        },
      },
    ]);
    // Without the maintenance windows' bad events the budget is not spent.
    expect(entry.status).toBe("ok");
    expect(r.code).toBe(0);
  });

  it("lists them in the text report", async () => {
    const r = await runCli(["check", join(dir, "slo.yaml"), "--at", AT], { cwd: dir });
    expect(r.stdout).toMatch(
      /checkout: corrections left \d+ event\(s\) \(\d+ bad\) out of the window:\n {4}maintenance "weekly database maintenance", FREQ=WEEKLY;BYDAY=SU in Europe\/Berlin: 4 period\(s\), the latest 2026-05-17 00:00 UTC to 2026-05-17 02:00 UTC/,
    );
  });

  it("counts an event two overlapping corrections leave out once in their total", async () => {
    // A one-off over 17 May 00:00-03:00 UTC overlaps the weekly 00:00-02:00.
    const overlapping = correctionYaml(
      '\n  - { start: "2026-05-17T00:00:00Z", duration: 3h, reason: overlapping upgrade }',
    );
    writeFileSync(join(dir, "overlap.yaml"), overlapping);
    const r = await runCli(["check", join(dir, "overlap.yaml"), "--at", AT, "--format", "json"]);
    const slo = (JSON.parse(r.stdout) as SloReport).slos[0]!;
    const inOneOff = (t: number) =>
      t > Date.parse("2026-05-17T00:00:00Z") && t <= Date.parse("2026-05-17T03:00:00Z");
    const union = events().filter((e) => inMaintenance(e.t) || inOneOff(e.t));
    expect(slo.correctionsExcluded).toEqual({
      good: union.filter((e) => !e.bad).length,
      bad: union.filter((e) => e.bad).length,
      total: union.length,
    });
    const summed = slo.corrections!.reduce((n, c) => n + c.excluded.total, 0);
    expect(summed).toBeGreaterThan(union.length);
    expect(slo.events.total).toBe(events().length - union.length);
    const text = await runCli(["check", join(dir, "overlap.yaml"), "--at", AT]);
    expect(text.stdout).toContain(`corrections left ${union.length} event(s)`);
  });

  it("a correction over the whole window is no data, and the text says the corrections left every event out", async () => {
    writeFileSync(
      join(dir, "all.yaml"),
      correctionYaml('\n  - { start: "2026-04-01T00:00:00Z", duration: 60d, reason: migration }'),
    );
    const r = await runCli(["check", join(dir, "all.yaml"), "--at", AT]);
    expect(r.stdout).toContain("○ no data");
    expect(r.stdout).toContain("outside its corrections: they left out every event there was");
    expect(r.stdout).not.toContain("for logs recorded earlier");
  });

  it("refuses a broken correction with exit 2, at its line", async () => {
    const r = await runCli(["validate", join(dir, "broken.yaml")], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/broken\.yaml:6:5: give end or duration, not both/);
  });
});
