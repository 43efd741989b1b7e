/** What spent the budget on log files: values apart from slo's own buckets, cut long values, bounded counts. */

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MAX_BREAKDOWN_VALUES, MAX_REPORTED_VALUE_CHARS } from "../../../src/limits.js";
import type { SloReport } from "../../../src/report/schema.js";
import { ROOT } from "../../support/cli.js";
import { countOne, logsSpec, ratio, request, T } from "./helpers.js";

const BAD = ratio({ total: "| json", bad: "| json | status >= 500" });

/** A log of bad events (status 500) in the last hour, one line per msg (undefined: no msg). */
function badEvents(msgs: (string | undefined)[]): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-breakdown-"));
  const t = new Date(T - 60_000).toISOString();
  const lines = msgs.map((msg) => JSON.stringify({ t, status: 500, msg }));
  writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
  return dir;
}

describe("breakdown buckets and values", () => {
  it("keeps values written (none) or (other) apart from events without the field", async () => {
    const dir = badEvents(["(none)", undefined, undefined, "(other)", "(none)", undefined]);
    const result = await countOne(
      logsSpec(["events.ndjson"], { baseDir: dir }),
      request(BAD, { breakdown: { by: "msg", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { bucket: "none", count: 3 },
      { value: "(none)", count: 2 },
      { value: "(other)", count: 1 },
    ]);
  });
});

describe("numbers as breakdown values", () => {
  it("keep their text: distinct 20-digit ids are distinct rows, 1.0 stays 1.0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-breakdown-numbers-"));
    const t = new Date(T - 60_000).toISOString();
    const ids = [
      "12345678901234567890",
      "12345678901234567891",
      "1.0",
      "5e2",
      "12345678901234567890",
    ];
    const lines = ids.map((id) => `{"t":"${t}","status":500,"id":${id}}`);
    writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
    const result = await countOne(
      logsSpec(["events.ndjson"], { baseDir: dir }),
      request(BAD, { breakdown: { by: "id", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { value: "12345678901234567890", count: 2 },
      { value: "1.0", count: 1 },
      { value: "12345678901234567891", count: 1 },
      { value: "5e2", count: 1 },
    ]);
  });
});

describe("long breakdown values", () => {
  const N = MAX_REPORTED_VALUE_CHARS;

  it("are cut to the reported length, marked, and counted together when they agree that far", async () => {
    const prefix = "p".repeat(N - 1);
    const whole = "w".repeat(N);
    const literal = `${"q".repeat(N - 1)}…`; // as long as the limit: not cut, whatever it ends with
    const dir = badEvents([
      `${prefix}1${"x".repeat(5000)}`,
      `${prefix}2${"y".repeat(10)}`,
      whole,
      literal,
      "q".repeat(N + 1),
      `${"s".repeat(N - 2)}😀tail`, // the cut falls inside the emoji's surrogate pair
    ]);
    const result = await countOne(
      logsSpec(["events.ndjson"], { baseDir: dir }),
      request(BAD, { breakdown: { by: "msg", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { value: `${prefix}…`, truncated: true, count: 2 },
      { value: literal, count: 1 },
      { value: literal, truncated: true, count: 1 },
      { value: `${"s".repeat(N - 2)}…`, truncated: true, count: 1 },
      { value: whole, count: 1 },
    ]);
  });
});

describe("many distinct breakdown values", () => {
  it("keep a bounded number of counters; a heavy hitter is kept, its count within the stated bound", async () => {
    const distinct = 3 * MAX_BREAKDOWN_VALUES;
    const hot = 500;
    const msgs: string[] = [];
    // "hot" first comes when every counter is taken, so its count is a bound
    for (let i = 0; i < distinct; i++) {
      msgs.push(`rare ${i}`);
      if (i >= MAX_BREAKDOWN_VALUES && i % 4 === 0) msgs.push("hot");
    }
    expect(msgs.filter((m) => m === "hot")).toHaveLength(hot);
    const result = await countOne(
      logsSpec(["events.ndjson"], { baseDir: badEvents(msgs) }),
      request(BAD, { breakdown: { by: "msg", limit: 3 } }),
    );
    const top = result.breakdown[0]!;
    expect(top).toMatchObject({ value: "hot" });
    // at most n/K over, and the report says by how much it may be
    const over = "maxOvercount" in top ? (top.maxOvercount ?? 0) : 0;
    expect(over).toBeGreaterThan(0);
    expect(over).toBeLessThanOrEqual(msgs.length / MAX_BREAKDOWN_VALUES);
    expect(top.count - over).toBeLessThanOrEqual(hot);
    expect(top.count).toBeGreaterThanOrEqual(hot);
  });

  /**
   * Bad events each with its own long msg, streamed to `slo check` on stdin:
   * memory must not grow with the values. The process gets a heap far smaller
   * than the values would take if kept (or if the breakdown's counters kept
   * the whole lines their cut values came from).
   */
  it("run in a small, fixed heap however many long values the logs hold", async () => {
    const lines = 2_000;
    const valueChars = 200 * 1024;
    const heapMb = 128;
    expect((lines * valueChars) / 2 ** 20).toBeGreaterThan(3 * heapMb);
    expect((MAX_BREAKDOWN_VALUES * valueChars) / 2 ** 20).toBeGreaterThan(heapMb);
    const dir = mkdtempSync(join(tmpdir(), "slo-breakdown-memory-"));
    writeFileSync(
      join(dir, "slo.yaml"),
      `service: x
sources:
  logs: { type: logs, paths: ["-"] }
slos:
  - name: a
    objective: 99%
    window: 1d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
`,
    );
    const t = new Date(T - 60_000).toISOString();
    const filler = "x".repeat(valueChars);
    function* events() {
      for (let i = 0; i < lines; i++) {
        yield `${JSON.stringify({ t, status: 500, msg: `${i} ${filler}` })}\n`;
      }
    }
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${heapMb}`,
        join(ROOT, "bin", "slo.js"),
        "check",
        join(dir, "slo.yaml"),
        "--at",
        new Date(T).toISOString(),
        "--format",
        "json",
      ],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    Readable.from(events())
      .pipe(child.stdin)
      .on("error", () => {});
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).not.toMatch(/heap out of memory/i);
    expect(code).toBe(1); // every event bad: the SLO fails, and the run finished
    const entry = (JSON.parse(stdout) as SloReport).slos[0]!;
    expect(entry.events).toEqual({ good: 0, bad: lines, total: lines });
    expect(entry.breakdown.length).toBeGreaterThan(0);
    for (const b of entry.breakdown) {
      expect("value" in b && b.value.length).toBe(MAX_REPORTED_VALUE_CHARS);
    }
  }, 300_000);
});
