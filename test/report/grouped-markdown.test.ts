/**
 * The Markdown report of a grouped SLO (groupBy), from real log files
 * through the real CLI: the groups under a row of their definition, worst
 * first, each group's value escaped (a `|`, `<`, a backtick, a newline) so
 * the table keeps its columns; fitted to a comment's size, the groups that
 * are not ok stay and the ok ones go first.
 */

import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import {
  actionLinesBefore,
  RATIO_INDICATOR,
  writeGroupedLogsWorkspace,
} from "../support/grouped-logs.js";

const AT = "2026-05-10T12:00:00Z";
const lines = actionLinesBefore(AT);

function workspace(log: string[], grouping: string): string {
  return writeGroupedLogsWorkspace(
    "slo-grouped-md-",
    log,
    `${grouping}
    ${RATIO_INDICATOR}
  - name: plain
    objective: 50%
    window: 1d
    ${RATIO_INDICATOR}
`,
  );
}

const NASTY = "Tr|ans`fer<b>\nx";

async function report(file: string): Promise<SloReport> {
  const r = await runCli(["report", file, "--at", AT, "--format", "json"]);
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  return JSON.parse(r.stdout) as SloReport;
}

/** The rows of the service table of `service`. */
function serviceTable(markdown: string, service: string): string[] {
  const start = markdown.indexOf(`### ${service}\n`);
  const rest = markdown.slice(start).split("\n").slice(2);
  return rest.slice(
    2,
    rest.findIndex((l, i) => i > 1 && !l.startsWith("|")),
  );
}

describe("a grouped SLO in the Markdown report", () => {
  it("shows the groups under their definition, worst first, each value escaped in its cell", async () => {
    const log = [
      ...lines("Browse", 300, 0),
      ...lines("CheckBalance", 100, 50),
      ...lines(NASTY, 200, 2),
    ];
    const rows = serviceTable(
      renderMarkdown(await report(workspace(log, "    groupBy: action"))),
      "bank",
    );
    expect(rows.map((r) => r.split(" | ").slice(0, 2).join(" | "))).toEqual([
      "| | availability · by action: 3 groups, 2 not ok",
      "| ❌ breaching | ↳ &#123;action&#61;&#34;CheckBalance&#34;&#125;",
      "| ⚠️ warning | ↳ &#123;action&#61;&#34;Tr&#124;ans&#96;fer&#60;b&#62;&#92;nx&#34;&#125;",
      "| ✅ ok | ↳ &#123;action&#61;&#34;Browse&#34;&#125;",
      "| ⚠️ warning | plain",
    ]);
    // Every row keeps the table's six columns: no value breaks out of its cell.
    for (const row of rows) expect(row.match(/(?<!\\)\|/g), row).toHaveLength(7);
  });

  it("with gate per whole, the whole's row is the definition's, its groups under it", async () => {
    const log = [...lines("CheckBalance", 100, 50), ...lines("Transfer", 200, 2)];
    const rows = serviceTable(
      renderMarkdown(await report(workspace(log, "    groupBy: action\n    gate: { per: whole }"))),
      "bank",
    );
    expect(rows.map((r) => r.split(" | ").slice(0, 2).join(" | "))).toEqual([
      "| ❌ breaching | availability · by action: 2 groups, 2 not ok",
      "| ❌ breaching (not gated) | ↳ &#123;action&#61;&#34;CheckBalance&#34;&#125;",
      "| ⚠️ warning (not gated) | ↳ &#123;action&#61;&#34;Transfer&#34;&#125;",
      "| ⚠️ warning | plain",
    ]);
  });

  it("fitted to a comment, the groups that are not ok are kept and the ok ones dropped", async () => {
    const log: string[] = [];
    for (let i = 0; i < 300; i++) log.push(...lines(`action-${String(i).padStart(3, "0")}`, 20, 0));
    log.push(...lines("Broken-1", 20, 10), ...lines("Broken-2", 20, 10));
    const full = await report(workspace(log, "    groupBy: action\n    groupLimit: 400"));
    expect(full.slos).toHaveLength(303);
    const fitted = renderMarkdown(full, {
      fit: { limit: 20_000, where: "this comment", fullReport: "the job summary" },
    });
    expect(fitted.length).toBeLessThanOrEqual(20_000);
    expect(fitted).toContain("Broken&#45;1");
    expect(fitted).toContain("Broken&#45;2");
    expect(fitted).not.toContain("action&#45;150");
  });
});
