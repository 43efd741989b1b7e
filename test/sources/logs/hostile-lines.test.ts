/** Log lines made to break the reader: each is one bad line, counted, never the whole source's failure. */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
    writeFileSync(join(dir, "slo.yaml"), SLO);
    const r = await runCli([
      "check",
      join(dir, "slo.yaml"),
      "--at",
      "2026-11-24T12:00:00Z",
      "--format",
      "json",
    ]);
    const entry = (JSON.parse(r.stdout) as SloReport).slos[0]!;
    expect(entry.error).toBeNull();
    expect(entry.events).toEqual({ good: 1, bad: 1, total: 2 });
    expect(entry.diagnostics.malformed).toBe(1);
    expect(entry.diagnostics.notes[0]).toMatch(/^1 malformed line\(s\) skipped, first at .*:2$/);
  });
});
