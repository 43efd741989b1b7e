/**
 * The trend against the previous window, through `slo report` on real log
 * files: shown only when the logs cover the previous window (a budget "then"
 * that rests on the window's last few hours says nothing), marked better or
 * worse in words as well as colour.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TREND_MIN_COVERAGE } from "../../src/defaults.js";
import { renderText } from "../../src/report/render-text.js";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const AT = Date.parse("2026-11-20T12:00:00Z");

/**
 * A request every minute (at :30) over the current day, 1 in 200 failing;
 * over the last `covered` of the day before, 1 in 50 failing: the current
 * window is better, as far as the previous one is known.
 */
function log(covered: number): string {
  const lines: string[] = [];
  const previousStart = AT - 2 * DAY;
  const from = AT - DAY - Math.round(covered * DAY);
  for (let t = from + 30_000; t <= AT; t += MINUTE) {
    const k = Math.floor((t - previousStart) / MINUTE);
    const bad = t > AT - DAY ? k % 200 === 0 : k % 50 === 0;
    lines.push(JSON.stringify({ t: new Date(t).toISOString(), status: bad ? 503 : 200 }));
  }
  return `${lines.join("\n")}\n`;
}

const slo = (logPath: string) => `service: shop
sources:
  logs:
    type: logs
    paths: [${JSON.stringify(logPath)}]
slos:
  - name: checkout
    objective: 99%
    window: 1d
    indicator:
      ratio:
        source: logs
        total: '| json'
        bad: '| json | status >= 500'
`;

let dir: string;

async function report(covered: number, format: string): Promise<string> {
  const logPath = join(dir, `covered-${covered}.ndjson`);
  const sloPath = join(dir, `covered-${covered}.yaml`);
  await writeFile(logPath, log(covered));
  await writeFile(sloPath, slo(logPath));
  const result = await runCli([
    "report",
    sloPath,
    "--at",
    new Date(AT).toISOString(),
    "--format",
    format,
  ]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-trend-"));
});

describe("the trend against the previous window", () => {
  it("needs 90% of the previous window covered by default", () => {
    expect(DEFAULT_TREND_MIN_COVERAGE).toBe(0.9);
  });

  it("previous window covered 10%: the JSON says so, no arrow anywhere", async () => {
    const json: SloReport = JSON.parse(await report(0.1, "json"));
    expect(reportSchemaErrors(json)).toEqual([]);
    const previous = json.slos[0]!.previous!;
    // 144 requests, 3 of them failed: enough for an SLI, not for a trend.
    expect(previous.events.total).toBe(144);
    expect(previous.sli).not.toBeNull();
    // a day's coverage is measured in 96 buckets of 15 minutes (whole minutes, for the logs' cache)
    expect(previous.coverage).toBeCloseTo(10 / 96, 9);

    const markdown = await report(0.1, "markdown");
    expect(markdown).toContain("- Trend: not enough history (10% of the previous window has data)");
    expect(markdown).not.toMatch(/[▲▼]/);

    const html = await report(0.1, "html");
    expect(html).toContain("not enough history (10% of the previous window has data)");
    expect(html).not.toMatch(/[▲▼]/);
    expect(html).not.toMatch(/class="(better|worse)"/);
  });

  it("previous window covered 95%: the trend, better in words, arrow and colour", async () => {
    const json: SloReport = JSON.parse(await report(0.95, "json"));
    expect(reportSchemaErrors(json)).toEqual([]);
    const entry = json.slos[0]!;
    expect(entry.previous!.coverage).toBeCloseTo(92 / 96, 9);
    expect(entry.sli!).toBeGreaterThan(entry.previous!.sli!);

    const markdown = await report(0.95, "markdown");
    expect(markdown).toMatch(
      /- Trend: 🟢 ▲ better: SLI up \d\.\d{3} pp from 98\.\d{3}% in the previous window \(budget left then -?\d+\.\d%\)/,
    );

    const html = await report(0.95, "html");
    // The summary's cell and the SLO's facts, both marked better.
    expect(html.match(/<span class="better">▲ /g)).toHaveLength(2);
    expect(html).not.toContain('class="worse">▼');

    const text = (color: boolean) => renderText(json, { color });
    const line = text(false)
      .split("\n")
      .find((l) => l.includes("Trend") || l.includes("better"));
    expect(line).toMatch(/^ {2}checkout: ▲ better: SLI up \d\.\d{3} pp from 98\.\d{3}%/);
    expect(text(true)).toContain(`\u001b[32m${line}\u001b[0m`);
  });

  it("worse reads worse, in red on a terminal", async () => {
    const json: SloReport = JSON.parse(await report(0.95, "json"));
    const entry = json.slos[0]!;
    // The same report, the windows' roles swapped: the current SLI now the lower.
    [entry.sli, entry.previous!.sli] = [entry.previous!.sli, entry.sli];
    const plain = renderText(json, { color: false });
    const line = plain.split("\n").find((l) => l.includes("worse"));
    expect(line).toMatch(/^ {2}checkout: ▼ worse: SLI down \d\.\d{3} pp from 99\.\d{3}%/);
    expect(renderText(json, { color: true })).toContain(`\u001b[31m${line}\u001b[0m`);
  });
});
