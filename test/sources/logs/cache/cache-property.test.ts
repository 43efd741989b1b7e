/**
 * The tally cache never changes a result: random logs (a plain file and a
 * .gz), random mutations between runs (append, a partial last line
 * completed later, truncate, rotate, rewrite with the same size and time,
 * a byte changed in the middle, touch) and `at` moving on by whole minutes
 * (or off them): after each, the whole JSON report with the cache equals a
 * cold run's on the same files at the same instant.
 */

import {
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { appendFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateSet } from "../../../../src/pipeline/evaluate-set.js";
import { loadSetOrThrow } from "../../../../src/pipeline/load-set.js";
import { renderJson } from "../../../../src/report/render-json.js";
import type { FileRead } from "../../../../src/sources/logs/cache/cached-read.js";

const MINUTE = 60_000;
const AT = Date.parse("2026-11-24T12:00:00Z");
const root = mkdtempSync(join(tmpdir(), "slo-cache-prop-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const SLO_FILE = `service: ctrl
sources:
  logs:
    type: logs
    paths: ["logs/*.ndjson*"]
    timestamp: t
    labels: { app: ctrl }
corrections:
  - start: 2026-11-24T09:00:00Z
    duration: 37m
    reason: maintenance
slos:
  # first, so it owns the buckets it shares with avail: which must still hold avail's 30d
  - name: avail-1h
    objective: 99%
    window: 1h
    indicator:
      ratio:
        source: logs
        total: '{app="ctrl"} | json | msg =~ "resp.*"'
        bad: '{app="ctrl"} | json | msg =~ "resp.*" | status >= 500'
  - name: avail
    objective: 99%
    window: 30d
    indicator:
      ratio:
        source: logs
        total: '{app="ctrl"} | json | msg =~ "resp.*"'
        bad: '{app="ctrl"} | json | msg =~ "resp.*" | status >= 500'
  - name: lat
    objective: 95%
    window: 5d
    groupBy: action
    indicator:
      latency:
        source: logs
        events: '{app="ctrl"} | json | msg =~ "resp.*"'
        field: duration
        unit: ms
        threshold: 300ms
`;

/** One log line: mostly events around `at`, some bad, some malformed, some without a time, some after `at`. */
const line = fc
  .record({
    // some days after `at`, for the runs that jump a day or more on
    offsetS: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -30 * 3600, max: 3 * 3600 }) },
      { weight: 1, arbitrary: fc.integer({ min: 3 * 3600, max: 3 * 86400 }) },
    ),
    kind: fc.constantFrom("resp", "resp", "resp", "respx", "other", "bad-json", "no-time"),
    status: fc.constantFrom(200, 200, 200, 503),
    duration: fc.constantFrom(10, 120, 290, 301, 900, "x"),
    action: fc.constantFrom("A", "B", "C"),
    ms: fc.integer({ min: 0, max: 999 }),
  })
  .map((l) => {
    if (l.kind === "bad-json") return "{not json";
    const t = new Date(AT + l.offsetS * 1000 + l.ms).toISOString();
    const body: Record<string, unknown> = { msg: l.kind, status: l.status, action: l.action };
    if (l.duration !== "x") body.duration = l.duration;
    if (l.kind !== "no-time") body.t = t;
    return JSON.stringify(body);
  });

const lines = fc.array(line, { minLength: 0, maxLength: 40 });

type Mutation =
  | { kind: "append"; lines: string[]; partial: boolean; wholeLine: boolean }
  | { kind: "complete" }
  | { kind: "truncate"; fraction: number }
  | { kind: "rotate"; lines: string[] }
  | { kind: "rewrite-same-size-and-time"; fraction: number }
  | { kind: "change-middle-byte"; fraction: number }
  | { kind: "touch" }
  | { kind: "gzip-append"; lines: string[] }
  | { kind: "gzip-touch" };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // partial: the last line is written in part, cut in two or whole but for its newline;
  // appends are what logs mostly do, so they come three times as often
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      lines,
      partial: fc.boolean(),
      wholeLine: fc.boolean(),
    }),
  },
  fc.constant({ kind: "complete" as const }),
  fc.record({
    kind: fc.constant("truncate" as const),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant("rotate" as const), lines }),
  fc.record({
    kind: fc.constant("rewrite-same-size-and-time" as const),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant("change-middle-byte" as const),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.constant({ kind: "touch" as const }),
  fc.record({ kind: fc.constant("gzip-append" as const), lines }),
  fc.constant({ kind: "gzip-touch" as const }),
);

/** How `at` moves before a run: on by whole minutes, or to an instant off the minute (read cold). */
const atStep = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: 0, max: 20 }).map((m) => ({ minutes: m, offMinute: false })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 5 }).map((m) => ({ minutes: m, offMinute: true })),
  },
  // a day or more on: past the events after `at` that the last run kept
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1440, max: 3 * 1440 })
      .map((m) => ({ minutes: m, offMinute: false })),
  },
);

let runNo = 0;
/** runs that went through the cache: the property is not to pass by reading everything cold */
let cachedRuns = 0;

describe("the log tally cache", () => {
  it("gives the cold run's report after any mutation of the logs", async () => {
    await fc.assert(
      fc.asyncProperty(
        lines,
        lines,
        fc.array(fc.tuple(mutation, atStep), { minLength: 1, maxLength: 6 }),
        async (plain, gz, steps) => {
          const dir = join(root, `run-${runNo++}`);
          const logs = join(dir, "logs");
          const cacheDir = join(dir, "cache");
          const plainPath = join(logs, "app.ndjson");
          const gzPath = join(logs, "old.ndjson.gz");
          const { mkdirSync } = await import("node:fs");
          mkdirSync(logs, { recursive: true });
          writeFileSync(join(dir, "slo.yaml"), SLO_FILE);
          writeFileSync(plainPath, text(plain));
          let gzLines = gz;
          writeFileSync(gzPath, gzipSync(text(gzLines)));
          let partial: string | null = null;
          let at = AT;
          const set = await loadSetOrThrow([join(dir, "slo.yaml")], { cwd: dir, env: {} });
          const compare = async () => {
            const reads: FileRead[] = [];
            const notes: string[] = [];
            const cache = {
              dir: cacheDir,
              sloVersion: "test",
              note: (t: string) => notes.push(t),
              onFile: (r: FileRead) => reads.push(r),
            };
            const cached = renderJson(
              await evaluateSet(set, { atMs: at, sourceOptions: { cache } }),
            );
            const cold = renderJson(await evaluateSet(set, { atMs: at }));
            expect(cached).toBe(cold);
            expect(notes).toEqual([]);
            if (reads.length > 0) cachedRuns++;
            return reads;
          };
          await compare();
          for (const [m, step] of steps) {
            at = step.offMinute
              ? at + step.minutes * MINUTE + 1234
              : Math.ceil(at / MINUTE) * MINUTE + step.minutes * MINUTE;
            switch (m.kind) {
              case "append": {
                const body = (partial ?? "") + text(m.lines);
                partial = null;
                let appended = body;
                if (m.partial && m.lines.length > 0) {
                  const last = `${m.lines[m.lines.length - 1]!}`;
                  partial = m.wholeLine ? "" : last.slice(Math.floor(last.length / 2));
                  const unended = body.endsWith("\n") ? body.slice(0, -1) : body;
                  appended = unended.slice(0, unended.length - partial.length);
                }
                await appendFile(plainPath, appended);
                break;
              }
              case "complete":
                if (partial !== null) await appendFile(plainPath, `${partial}\n`);
                partial = null;
                break;
              case "truncate": {
                const bytes = readFileSync(plainPath);
                writeFileSync(plainPath, bytes.subarray(0, Math.floor(bytes.length * m.fraction)));
                partial = null;
                break;
              }
              case "rotate":
                renameSync(plainPath, join(dir, `rotated-${Date.now()}`));
                writeFileSync(plainPath, text(m.lines));
                partial = null;
                break;
              case "rewrite-same-size-and-time": {
                // within the hashed first 4 KiB: a change there is seen whatever the size and time say
                const info = statSync(plainPath);
                const bytes = readFileSync(plainPath);
                if (bytes.length === 0) break;
                const i = Math.min(Math.floor(bytes.length * m.fraction), 4095, bytes.length - 1);
                bytes[i] = bytes[i] === 0x35 ? 0x36 : 0x35;
                writeFileSync(plainPath, bytes);
                utimesSync(plainPath, info.atime, info.mtime);
                break;
              }
              case "change-middle-byte": {
                const info = statSync(plainPath);
                const bytes = readFileSync(plainPath);
                if (bytes.length === 0) break;
                const i = Math.floor((bytes.length - 1) * m.fraction);
                bytes[i] = bytes[i] === 0x35 ? 0x36 : 0x35;
                writeFileSync(plainPath, bytes);
                // the time changes, as an editor's write changes it (a distinct second, whatever the clock's grain)
                utimesSync(plainPath, info.atime, new Date(info.mtimeMs + 1000));
                break;
              }
              case "touch": {
                const info = statSync(plainPath);
                utimesSync(plainPath, info.atime, new Date(info.mtimeMs + 2000));
                break;
              }
              case "gzip-append":
                gzLines = [...gzLines, ...m.lines];
                writeFileSync(gzPath, gzipSync(text(gzLines)));
                break;
              case "gzip-touch": {
                const info = statSync(gzPath);
                utimesSync(gzPath, info.atime, new Date(info.mtimeMs + 3000));
                break;
              }
            }
            await compare();
          }
        },
      ),
      { numRuns: 30 },
    );
    expect(cachedRuns).toBeGreaterThan(30);
  }, 180_000);

  it("two runs at once leave one run's whole cache file, never a mix", async () => {
    const dir = join(root, "concurrent");
    const { mkdirSync, readdirSync } = await import("node:fs");
    mkdirSync(join(dir, "logs"), { recursive: true });
    writeFileSync(join(dir, "slo.yaml"), SLO_FILE);
    const plainPath = join(dir, "logs", "app.ndjson");
    const many = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({
        msg: "resp",
        t: new Date(AT - i * 7000).toISOString(),
        status: i % 50 ? 200 : 503,
        duration: i % 300,
        action: "ABC"[i % 3],
      }),
    );
    writeFileSync(plainPath, text(many));
    writeFileSync(join(dir, "logs", "old.ndjson.gz"), gzipSync(""));
    const set = await loadSetOrThrow([join(dir, "slo.yaml")], { cwd: dir, env: {} });
    const cacheDir = join(dir, "cache");
    const notes: string[] = [];
    const cache = { dir: cacheDir, sloVersion: "test", note: (t: string) => notes.push(t) };
    for (let round = 0; round < 5; round++) {
      // different instants: the two runs keep different buckets
      await Promise.all([
        evaluateSet(set, { atMs: AT + round * MINUTE, sourceOptions: { cache } }),
        evaluateSet(set, { atMs: AT + (round + 7) * MINUTE, sourceOptions: { cache } }),
        appendFile(plainPath, text(many.slice(round * 10, round * 10 + 10))),
      ]);
      expect(readdirSync(cacheDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const { decode } = await import("../../../../src/sources/logs/cache/cache-file.js");
      for (const f of readdirSync(cacheDir))
        expect(decode(readFileSync(join(cacheDir, f)))).not.toBeNull();
      const at = AT + (round + 3) * MINUTE;
      const cached = renderJson(await evaluateSet(set, { atMs: at, sourceOptions: { cache } }));
      expect(cached).toBe(renderJson(await evaluateSet(set, { atMs: at })));
    }
    expect(notes).toEqual([]);
  });

  it("reads only the new lines of a file that grew, and nothing of one unchanged", async () => {
    const dir = join(root, "grew");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "logs"), { recursive: true });
    writeFileSync(join(dir, "slo.yaml"), SLO_FILE);
    const event = (minute: number) =>
      `${JSON.stringify({ msg: "resp", t: new Date(AT - minute * MINUTE).toISOString(), status: 200, duration: 5, action: "A" })}\n`;
    const plainPath = join(dir, "logs", "app.ndjson");
    writeFileSync(plainPath, Array.from({ length: 100 }, (_, i) => event(100 - i)).join(""));
    writeFileSync(join(dir, "logs", "old.ndjson.gz"), gzipSync(event(200)));
    const set = await loadSetOrThrow([join(dir, "slo.yaml")], { cwd: dir, env: {} });
    const reads: FileRead[] = [];
    const cache = {
      dir: join(dir, "cache"),
      sloVersion: "test",
      onFile: (r: FileRead) => reads.push(r),
    };
    await evaluateSet(set, { atMs: AT, sourceOptions: { cache } });
    expect(reads.map((r) => r.change)).toEqual(["new", "new"]);
    const size = statSync(plainPath).size;
    await appendFile(plainPath, event(0));
    reads.length = 0;
    await evaluateSet(set, { atMs: AT + 5 * MINUTE, sourceOptions: { cache } });
    expect(reads).toEqual([
      { path: "logs/app.ndjson", change: "grew", from: size, refilled: 0 },
      {
        path: "logs/old.ndjson.gz",
        change: "unchanged",
        from: statSync(join(dir, "logs", "old.ndjson.gz")).size,
        refilled: 0,
      },
    ]);
  });
});

function text(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join("");
}
