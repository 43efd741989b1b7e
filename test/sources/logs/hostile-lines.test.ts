/** Log lines made to break the reader: each is one bad line, counted, never the whole source's failure. */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../../../src/limits.js";
import type { SloReport } from "../../../src/report/schema.js";
import { runCli } from "../../support/cli.js";

const SLO = `service: x
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: a
    objective: 99%
    window: 1d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
`;

async function checkJson(dir: string): Promise<SloReport["slos"][number]> {
  writeFileSync(join(dir, "slo.yaml"), SLO);
  const r = await runCli([
    "check",
    join(dir, "slo.yaml"),
    "--at",
    "2026-11-24T12:00:00Z",
    "--format",
    "json",
  ]);
  return (JSON.parse(r.stdout) as SloReport).slos[0]!;
}

describe("a JSON line nested thousands of levels deep", () => {
  it("is one malformed line; the others still count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-deep-"));
    const deep = `{"t":"2026-11-24T11:10:00Z","status":500,"x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const lines = [
      JSON.stringify({ t: "2026-11-24T11:00:00Z", status: 200 }),
      deep,
      JSON.stringify({ t: "2026-11-24T11:20:00Z", status: 503 }),
    ];
    writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
    const entry = await checkJson(dir);
    expect(entry.error).toBeNull();
    expect(entry.events).toEqual({ good: 1, bad: 1, total: 2 });
    expect(entry.diagnostics.malformed).toBe(1);
    expect(entry.diagnostics.notes[0]).toMatch(/^1 malformed line\(s\) skipped, first at .*:2$/);
  });
});

describe("a valid JSON line over the line limit", () => {
  it("is counted as over the limit, not as malformed; the others still count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-long-"));
    const head = '{"t":"2026-11-24T11:10:00Z","status":500,"pad":"';
    const tail = '"}';
    const long = `${head}${"x".repeat(MAX_LINE_BYTES + 1 - head.length - tail.length)}${tail}`;
    expect(Buffer.byteLength(long)).toBe(MAX_LINE_BYTES + 1);
    JSON.parse(long); // valid: only its length is wrong
    const lines = [
      JSON.stringify({ t: "2026-11-24T11:00:00Z", status: 200 }),
      long,
      JSON.stringify({ t: "2026-11-24T11:20:00Z", status: 503 }),
    ];
    writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
    const entry = await checkJson(dir);
    expect(entry.error).toBeNull();
    expect(entry.events).toEqual({ good: 1, bad: 1, total: 2 });
    expect(entry.diagnostics.lines).toBe(3);
    expect(entry.diagnostics.malformed).toBe(0);
    expect(entry.diagnostics.tooLong).toBe(1);
    expect(entry.diagnostics.notes).toEqual([
      expect.stringMatching(/^1 line\(s\) over the 16 MiB line limit skipped, first at .*:2$/),
    ]);
  });
});
