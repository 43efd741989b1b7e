/**
 * groupBy on the real Loki (test/support/loki.ts) against the same lines in
 * a file on the logs source: grouped by a field `| json` extracts and by a
 * stream label, every group's numbers identical on both, and the queries
 * Loki was sent sum by the labels.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { lokiTime } from "../../src/sources/loki.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type RunningLoki, requireLoki, startLoki } from "../support/loki.js";
import { type RecordingProxy, startRecordingProxy } from "../support/recording-proxy.js";

const AT = "2026-05-10T12:00:00Z";
const AT_MS = Date.parse(AT);
const MINUTE = 60_000;
const ACTIONS = ["CheckBalance", "Transfer", "Pay", "Refund"];

interface Line {
  t: number;
  region: "eu" | "us";
  text: string;
}

/** A day of lines two minutes apart: actions in turn, some without one; bad ones in the last hours. */
function makeLines(): Line[] {
  const lines: Line[] = [];
  for (let k = 0; k < 720; k++) {
    const t = AT_MS - k * 2 * MINUTE;
    const action = k % 9 === 0 ? undefined : ACTIONS[k % ACTIONS.length];
    const bad = (action === "Pay" && k < 90) || k % 31 === 0;
    lines.push({
      t,
      region: k % 5 === 0 ? "us" : "eu",
      text: JSON.stringify({
        ...(action ? { action } : {}),
        status: bad ? 500 : 200,
        duration: (k * 37) % 500,
      }),
    });
  }
  return lines.sort((a, b) => a.t - b.t);
}

const LINES = makeLines();

function slos(source: string): string {
  const total = source === "logs" ? "| json" : '{app="bank"} | json';
  return `
  - name: by-action-${source}
    objective: 95%
    window: 1d
    groupBy: action
    indicator: { ratio: { source: ${source}, total: '${total}', bad: '${total} | status >= 500' } }
  - name: by-region-action-${source}
    objective: 95%
    window: 1d
    groupBy: [region, action]
    groupLimit: 5
    indicator: { ratio: { source: ${source}, total: '${total}', bad: '${total} | status >= 500' } }
  - name: latency-${source}
    objective: 90%
    window: 1d
    groupBy: action
    indicator: { latency: { source: ${source}, events: '${total}', field: duration, unit: ms, threshold: 300ms } }`;
}

const binary = await requireLoki("groupBy on Loki");

let server: RunningLoki | undefined;
let loki: RecordingProxy | undefined;
let dir = "";
let report: SloReport;
let stderr = "";

beforeAll(async () => {
  if (!binary) return;
  server = await startLoki(binary);
  loki = await startRecordingProxy(server.url);
  await server.push(
    (["eu", "us"] as const).map((region) => ({
      stream: { app: "bank", region },
      values: LINES.filter((l) => l.region === region).map((l): [string, string] => [
        lokiTime(l.t),
        l.text,
      ]),
    })),
  );
  dir = await mkdtemp(join(tmpdir(), "slo-group-loki-"));
  // the file source gives each line its region as the stream label would
  await writeFile(
    join(dir, "lines.ndjson"),
    `${LINES.map((l) => JSON.stringify({ t: new Date(l.t).toISOString(), region: l.region, ...JSON.parse(l.text) })).join("\n")}\n`,
  );
  await writeFile(
    join(dir, "slo.yaml"),
    `service: bank
sources:
  logs: { type: logs, paths: [lines.ndjson] }
  loki: { type: loki, url: "\${LOKI_URL}" }
slos:${slos("logs")}${slos("loki")}
`,
  );
  const r = await runCli(["check", join(dir, "slo.yaml"), "--at", AT, "--format", "json"], {
    env: { LOKI_URL: loki.url },
  });
  stderr = r.stderr;
  expect(hasStackTrace(r.stdout + r.stderr), r.stderr).toBe(false);
  if (r.stdout === "") throw new Error(`exit ${r.code}: ${r.stderr}`);
  report = JSON.parse(r.stdout) as SloReport;
}, 180_000);

afterAll(async () => {
  await loki?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A definition's entries, by their group's name without the definition's. */
function groupsOf(definition: string): Map<string, SloReportEntry> {
  return new Map(
    report.slos
      .filter((s) => s.group?.definition === definition)
      .map((s) => [s.name.slice(definition.length), s]),
  );
}

function numbers(e: SloReportEntry) {
  const { name: _n, definedAt: _d, group, diagnostics, ...rest } = e;
  return { ...rest, group: { ...group, definition: "" }, missingField: diagnostics.missingField };
}

describe.skipIf(!binary)("groupBy on Loki and on the same lines in a file", () => {
  it.each(["by-action", "by-region-action", "latency"])(
    "%s: the same groups with the same numbers, in the same order",
    (definition) => {
      const fromLogs = groupsOf(`${definition}-logs`);
      const fromLoki = groupsOf(`${definition}-loki`);
      expect([...fromLoki.keys()]).toEqual([...fromLogs.keys()]);
      expect(fromLogs.size).toBeGreaterThan(2);
      for (const [name, e] of fromLogs) {
        expect(e.error, stderr).toBeNull();
        expect(numbers(fromLoki.get(name)!), name).toEqual(numbers(e));
      }
    },
  );

  it('names the groups, the lines without the field in the group of ""', () => {
    expect([...groupsOf("by-action-loki").keys()].sort()).toEqual([
      '{action=""}',
      '{action="CheckBalance"}',
      '{action="Pay"}',
      '{action="Refund"}',
      '{action="Transfer"}',
    ]);
    const limited = [...groupsOf("by-region-action-loki").keys()];
    expect(limited).toHaveLength(6);
    expect(limited).toContain("{(other)}");
  });

  it("sends count queries summed by the labels", () => {
    const queries = loki!.requests.map((r) => r.params.query ?? "");
    expect(queries).toContainEqual(
      expect.stringMatching(/^sum by \(action\) ?\(count_over_time\(/),
    );
    expect(queries).toContainEqual(
      expect.stringMatching(/^sum by \(region, action\) ?\(count_over_time\(/),
    );
  });
});
