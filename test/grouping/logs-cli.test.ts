/** groupBy on a logs source, end to end: the real CLI, real files, the JSON report and the gate. */

import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import {
  actionLinesBefore,
  RATIO_INDICATOR,
  writeGroupedLogsWorkspace,
} from "../support/grouped-logs.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-05-10T12:00:00Z";

/** `count` lines of `action` an hour before AT, the first `bad` of them 500s. */
const lines = actionLinesBefore(AT);

function workspace(slo: string, log: string[]): string {
  return writeGroupedLogsWorkspace(
    "slo-group-",
    log,
    `    ${RATIO_INDICATOR}
    alerting: { page: { disable: true }, ticket: { disable: true } }
${slo}`,
  );
}

async function check(file: string, ...args: string[]) {
  const result = await runCli(["check", file, "--at", AT, "--format", "json", ...args]);
  return { ...result, report: JSON.parse(result.stdout) as SloReport };
}

const LOG = [
  ...lines("CheckBalance", 100, 50),
  ...lines("Transfer", 200, 2),
  ...lines(undefined, 10, 0),
];

describe("groupBy on a logs source", () => {
  it("evaluates one SLO per value, worst first, each gated: a breaching group fails the gate", async () => {
    const { code, report } = await check(workspace("    groupBy: action", LOG));
    expect(report.slos.map((s) => [s.name, s.status, s.events, s.gated])).toEqual([
      ['availability{action="CheckBalance"}', "breaching", { good: 50, bad: 50, total: 100 }, true],
      ['availability{action="Transfer"}', "ok", { good: 198, bad: 2, total: 200 }, true],
      ['availability{action=""}', "ok", { good: 10, bad: 0, total: 10 }, true],
    ]);
    expect(report.slos[0]!.group).toEqual({
      definition: "availability",
      by: ["action"],
      kind: "value",
      labels: { action: "CheckBalance" },
    });
    expect(report.result).toBe("fail");
    expect(code).toBe(1);
    expect(reportSchemaErrors(report)).toEqual([]);
  });

  it("with gate per whole, gates the definition as a whole and reports the groups ungated", async () => {
    const log = [...lines("CheckBalance", 100, 20), ...lines("Transfer", 200, 2)];
    const { code, report } = await check(
      workspace("    groupBy: action\n    gate: { per: whole }", log),
    );
    expect(report.slos.map((s) => [s.name, s.status, s.events.bad, s.gated])).toEqual([
      ["availability", "ok", 22, true],
      ['availability{action="CheckBalance"}', "breaching", 20, false],
      ['availability{action="Transfer"}', "ok", 2, false],
    ]);
    expect(report.slos[0]!.group).toMatchObject({ kind: "whole", labels: {} });
    expect(report.result).toBe("pass");
    expect(code).toBe(0);
  });

  it("past groupLimit keeps the largest groups and merges the rest into (other), with a warning", async () => {
    const log = [
      ...lines("a", 30, 0),
      ...lines("b", 20, 0),
      ...lines("c", 10, 10),
      ...lines("d", 5, 0),
    ];
    const { report, stderr } = await check(
      workspace("    groupBy: action\n    groupLimit: 2", log),
    );
    expect(report.slos.map((s) => [s.name, s.events.total, s.status])).toEqual([
      ["availability{(other)}", 15, "breaching"],
      ['availability{action="a"}', 30, "ok"],
      ['availability{action="b"}', 20, "ok"],
    ]);
    const other = report.slos[0]!;
    expect(other.group).toEqual({
      definition: "availability",
      by: ["action"],
      kind: "other",
      labels: {},
      mergedValues: 2,
    });
    const warning = "2 value(s) past groupLimit 2 merged into availability{(other)}";
    expect(other.diagnostics.notes.join("\n")).toContain(warning);
    expect(stderr).toContain(`warning: groupBy action: ${warning}`);
  });

  it("a busy value first seen after the tally is full is in (other), and the warning says the groups were ranked among the first values only", async () => {
    const { MAX_GROUP_VALUES_TALLIED } = await import("../../src/limits.js");
    const log = [
      ...Array.from({ length: MAX_GROUP_VALUES_TALLIED }, (_, i) => lines(`v${i}`, 1, 0)).flat(),
      ...lines("busy", 50, 50),
    ];
    const { report, stderr } = await check(
      workspace("    groupBy: action\n    groupLimit: 3", log),
    );
    const other = report.slos.find((s) => s.group?.kind === "other")!;
    expect(other.events).toEqual({
      good: MAX_GROUP_VALUES_TALLIED - 3,
      bad: 50,
      total: MAX_GROUP_VALUES_TALLIED + 47,
    });
    expect(stderr).toContain(
      `every value first seen after the first ${MAX_GROUP_VALUES_TALLIED} the logs held apart (counted together as they were read, however many events each had)`,
    );
    expect(stderr).toContain(`of those first ${MAX_GROUP_VALUES_TALLIED} values`);
  });

  it("a groupBy label no event has (misspelt) is said once on stderr and in the notes", async () => {
    const { report, stderr } = await check(
      workspace("    groupBy: acton", [...lines("a", 3, 0), ...lines("b", 2, 0)]),
    );
    expect(report.slos.map((s) => s.name)).toEqual(['availability{acton=""}']);
    const warning = `no event has 'acton', so every event is in the group 'acton' = ""`;
    expect(report.slos[0]!.diagnostics.notes.join("\n")).toContain(warning);
    expect(stderr.split(warning)).toHaveLength(2);
  });

  it("groups by several fields, named in groupBy order", async () => {
    const log = [...lines("a", 3, 0)].map((l, i) =>
      JSON.stringify({ ...JSON.parse(l), region: i === 0 ? "eu" : "us" }),
    );
    const { report } = await check(workspace("    groupBy: [region, action]", log));
    expect(report.slos.map((s) => [s.name, s.events.total])).toEqual([
      ['availability{region="eu", action="a"}', 1],
      ['availability{region="us", action="a"}', 2],
    ]);
  });

  it("reports a grouped SLO without any event as one no-data entry, named plainly", async () => {
    const { report } = await check(workspace("    groupBy: action", ["{}"]));
    expect(report.slos.map((s) => [s.name, s.status, s.group?.kind])).toEqual([
      ["availability", "no-data", "whole"],
    ]);
  });

  it("shows the groups under their definition in the text report", async () => {
    const { stdout } = await runCli(["check", workspace("    groupBy: action", LOG), "--at", AT]);
    const rows = stdout.split("\n").filter((l) => l.startsWith("  availability"));
    expect(rows.slice(0, 3).map((r) => r.split(/\s{2,}/)[1])).toEqual([
      'availability{action="CheckBalance"}',
      'availability{action="Transfer"}',
      'availability{action=""}',
    ]);
  });
});
