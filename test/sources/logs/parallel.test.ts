/**
 * Byte ranges and worker threads must count exactly what one pass on this
 * thread counts: every line read once, samples numbered as in the file.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  planRequest,
  type RequestPlan,
} from "../../../src/sources/logs/evaluation/request-plan.js";
import { Tally } from "../../../src/sources/logs/evaluation/tally.js";
import {
  mergeResults,
  planJobs,
  rangeBounds,
  runJob,
} from "../../../src/sources/logs/parallel/jobs.js";
import { JobError, runInWorkers } from "../../../src/sources/logs/parallel/worker-pool.js";
import { resolveInputs } from "../../../src/sources/logs/reading/inputs.js";
import { readRangeLines } from "../../../src/sources/logs/reading/range-reader.js";
import { countOne, HOUR, latency, logsSpec, ratio, request, T } from "./helpers.js";

let dir: string;

/** A log of n lines around T, with malformed and timestamp-less lines sprinkled in, CRLF here and there. */
function makeLog(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(T - ((i * 7919) % (2 * 24 * HOUR))).toISOString();
    if (i % 997 === 5) lines.push(`broken line ${i}`);
    else if (i % 1009 === 7) lines.push(JSON.stringify({ msg: "no time", i }));
    else {
      const status = i % 13 === 0 ? 500 + (i % 4) : 200;
      const line = JSON.stringify({ t, msg: `m${i % 7}`, status, d: (i % 500) + 0.5, i });
      lines.push(i % 5 === 0 ? `${line}\r` : line);
    }
  }
  return `${lines.join("\n")}\n`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "slo-parallel-"));
  writeFileSync(join(dir, "a.ndjson"), makeLog(20_000));
  writeFileSync(join(dir, "b.ndjson"), makeLog(3_000).trimEnd());
});

afterAll(() => {
  rmSync(dir, { recursive: true });
});

describe("readRangeLines", () => {
  it("reads every line exactly once however the file is cut", async () => {
    const text = 'l1\n{"a":1}\r\n\nlong line here\nlast';
    const path = join(dir, "cut.txt");
    writeFileSync(path, text);
    const whole: string[] = [];
    await readRangeLines(
      path,
      { from: 0, to: Number.POSITIVE_INFINITY },
      {
        onLine: (buf, s, e) => whole.push(buf.toString("utf8", s, e)),
      },
    );
    expect(whole).toEqual(["l1", '{"a":1}', "", "long line here", "last"]);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const lines: string[] = [];
        const counts: number[] = [];
        for (const [from, to] of [
          [0, a],
          [a, b],
          [b, Number.POSITIVE_INFINITY],
        ] as [number, number][]) {
          counts.push(
            await readRangeLines(
              path,
              { from, to },
              { onLine: (buf, s, e) => lines.push(buf.toString("utf8", s, e)) },
            ),
          );
        }
        expect({ a, b, lines }).toEqual({ a, b, lines: whole });
        expect(counts.reduce((x, y) => x + y, 0)).toBe(5);
      }
    }
  });
});

describe("jobs and workers", () => {
  const TOTAL = "| json";
  const requests = [
    request(ratio({ total: TOTAL, bad: "| json | status >= 500" }), {
      breakdown: { by: "msg", limit: 3 },
      series: [{ key: "h", startMs: T - 24 * HOUR, stepMs: HOUR, count: 24 }],
    }),
    request(latency('| json | msg != "m3"', "d", 250)),
  ];

  async function inputsOf(paths: string[]) {
    const inputs = await resolveInputs("logs", paths, dir);
    if (!Array.isArray(inputs)) throw inputs;
    return inputs;
  }

  it("ranges of 64 KiB in worker threads count what one pass here counts", async () => {
    const spec = logsSpec(["a.ndjson", "b.ndjson"], { baseDir: dir });
    const inputs = await inputsOf(spec.paths);
    const plans = requests.map((r) => planRequest(r, spec) as RequestPlan);

    const wholeJobs = planJobs(inputs, Number.POSITIVE_INFINITY);
    expect(wholeJobs).toHaveLength(2);
    const wholeTallies = plans.map((p) => new Tally(p));
    const wholeResults = [];
    for (const job of wholeJobs) wholeResults.push(await runJob(job, plans, spec, {}));
    const wholeDiagnostics = mergeResults(wholeJobs, wholeResults, wholeTallies);

    const rangeJobs = planJobs(inputs, 64 * 1024, 1);
    expect(rangeJobs.length).toBeGreaterThan(10);
    const rangeResults = await runInWorkers(rangeJobs, spec, requests, 2);
    const rangeTallies = plans.map((p) => new Tally(p));
    const rangeDiagnostics = mergeResults(rangeJobs, rangeResults, rangeTallies);

    expect(rangeDiagnostics).toEqual(wholeDiagnostics);
    expect(wholeDiagnostics.lines).toBe(23_000);
    expect(wholeDiagnostics.malformed.samples.map((s) => [s.file, s.line])).toEqual([
      ["a.ndjson", 6],
      ["a.ndjson", 1003],
      ["a.ndjson", 2000],
      ["a.ndjson", 2997],
      ["a.ndjson", 3994],
    ]);
    rangeTallies.forEach((tally, p) => {
      expect(tally.windows()).toEqual(wholeTallies[p]!.windows());
      expect(tally.series()).toEqual(wholeTallies[p]!.series());
      expect(tally.breakdown()).toEqual(wholeTallies[p]!.breakdown());
      expect(tally.state.missingField).toBe(wholeTallies[p]!.state.missingField);
    });
    expect(wholeTallies[0]!.windows()["1d"]!.total).toBeGreaterThan(5000);
  });

  it("cuts a big file into ranges that end smaller, covering it once", () => {
    const mb = 1024 * 1024;
    for (const [fileSize, size] of [
      [1e9, 1e9 / 4],
      [4.27e9, 4.27e9 / 4],
      [300 * mb, 64 * mb],
      [100 * mb, 25 * mb],
    ] as const) {
      const bounds = rangeBounds(fileSize, Math.max(size, 16 * mb), 16 * mb);
      expect(bounds[0]).toBe(0);
      expect(bounds.at(-1)).toBe(fileSize);
      const sizes = bounds.slice(1).map((b, i) => b - bounds[i]!);
      // never longer than asked, never shorter than the least, never growing
      for (const [i, n] of sizes.entries()) {
        expect(n).toBeLessThanOrEqual(Math.max(size, 16 * mb) + 1);
        expect(n).toBeGreaterThanOrEqual(16 * mb - 1);
        if (i > 0) expect(n).toBeLessThanOrEqual(sizes[i - 1]! + 1);
      }
    }
    // 1 GB for two threads: three quarter ranges, then halves of what is left
    const gb = rangeBounds(1e9, 1e9 / 4, 16 * mb);
    expect(gb.length - 1).toBe(7);
    expect(rangeBounds(10 * mb, Number.POSITIVE_INFINITY, 16 * mb)).toEqual([0, 10 * mb]);
    expect(rangeBounds(90 * mb, 64 * mb, 16 * mb)).toEqual([0, 90 * mb]);
  });

  it("the source uses workers when told to, with the same answers", async () => {
    const spec = logsSpec(["*.ndjson"], { baseDir: dir });
    const here = await countOne(spec, requests[0]!, { workers: 0 });
    const threads = await countOne(spec, requests[0]!, { workers: 2, parallelMinBytes: 0 });
    expect(threads).toEqual(here);
  });

  it("a job failing in a worker rejects with the job (a file deleted after it was listed)", async () => {
    writeFileSync(join(dir, "gone.ndjson"), makeLog(10));
    const spec = logsSpec(["gone.ndjson"], { baseDir: dir });
    const jobs = planJobs(await inputsOf(spec.paths), Number.POSITIVE_INFINITY);
    rmSync(join(dir, "gone.ndjson"));
    const failure = await runInWorkers(jobs, spec, [requests[0]!], 2).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JobError);
    expect((failure as JobError).job).toEqual(jobs[0]);
    expect((failure as JobError).message).toContain("ENOENT");
  });
});

describe("long lines", () => {
  it("reads a line longer than the read buffer, and skips one over the limit as too long", async () => {
    const path = join(dir, "long.ndjson");
    const t = new Date(T - 1000).toISOString();
    const big = JSON.stringify({ t, status: 500, pad: "x".repeat(5 * 1024 * 1024) });
    const huge = "y".repeat(17 * 1024 * 1024);
    writeFileSync(path, `${big}\n${huge}\n${JSON.stringify({ t, status: 200 })}\n`);
    const spec = logsSpec(["long.ndjson"], { baseDir: dir });
    const result = await countOne(
      spec,
      request(ratio({ total: "| json", bad: "| json | status >= 500" })),
      {
        workers: 0,
      },
    );
    expect(result.windows["5m"]).toEqual({ good: 1, total: 2 });
    expect(result.diagnostics.lines).toBe(3);
    expect(result.diagnostics.malformed?.count).toBe(0);
    expect(result.diagnostics.tooLong?.count).toBe(1);
    expect(result.diagnostics.tooLong?.samples[0]?.line).toBe(2);
    expect(result.diagnostics.tooLong?.samples[0]?.text).toMatch(/^y+…$/);
  });
});

describe("stdin with files in workers", () => {
  it("reads stdin here while workers read the files, samples in input order", async () => {
    const { Readable } = await import("node:stream");
    const spec = logsSpec(["b.ndjson", "-", "a.ndjson"], { baseDir: dir });
    const req = request(ratio({ total: "| json", bad: "| json | status >= 500" }));
    const stdinText = `not json\n${JSON.stringify({ t: new Date(T).toISOString(), status: 200 })}\n`;
    const here = await countOne(spec, req, { workers: 0, stdin: Readable.from([stdinText]) });
    const threads = await countOne(spec, req, {
      workers: 2,
      parallelMinBytes: 0,
      stdin: Readable.from([stdinText]),
    });
    expect(threads).toEqual(here);
    // b has 3,000 lines, 4 of them malformed; a's come after stdin's
    expect(here.diagnostics.malformed?.samples.map((s) => [s.file, s.line])).toEqual([
      ["b.ndjson", 6],
      ["b.ndjson", 1003],
      ["b.ndjson", 2000],
      ["b.ndjson", 2997],
      ["<stdin>", 1],
    ]);
    expect(here.diagnostics.malformed?.count).toBe(4 + 1 + 21);
  });
});

describe("a last line without its newline", () => {
  it("is judged on its own bytes, not on what a reused read buffer held after it", async () => {
    // 100-byte lines fill the 4 MiB read buffer up to 4 bytes short, so the
    // truncated last line (no "}", no "\n") is read again at the buffer's
    // start, where the byte after it is the "}" of the first line.
    const t = new Date(T - 1000).toISOString();
    const head = JSON.stringify({ t, status: 200, pad: "" });
    const line = JSON.stringify({ t, status: 200, pad: "p".repeat(99 - head.length) });
    expect(line.length).toBe(99);
    const count = Math.floor((4 * 1024 * 1024) / 100);
    const last = line.slice(0, -1).replace('"status":200', '"status":500');
    const path = join(dir, "truncated.ndjson");
    writeFileSync(path, `${`${line}\n`.repeat(count)}${last}`);
    const spec = logsSpec(["truncated.ndjson"], { baseDir: dir });
    const result = await countOne(
      spec,
      request(ratio({ total: "| json", bad: "| json | status >= 500" })),
      {
        workers: 0,
      },
    );
    expect(result.windows["5m"]).toEqual({ good: count, total: count });
    expect(result.diagnostics.malformed?.count).toBe(1);
    expect(result.diagnostics.malformed?.samples[0]?.line).toBe(count + 1);
  });
});

describe("progress", () => {
  it("adds up to the files' sizes over ranges in workers", async () => {
    const { statSync } = await import("node:fs");
    const spec = logsSpec(["a.ndjson", "b.ndjson"], { baseDir: dir });
    const total = statSync(join(dir, "a.ndjson")).size + statSync(join(dir, "b.ndjson")).size;
    const seen: [number, number][] = [];
    await countOne(spec, request(ratio({ total: "| json", bad: "| json | status >= 500" })), {
      workers: 2,
      parallelMinBytes: 0,
      onProgress: (done, all) => seen.push([done, all]),
    });
    expect(seen.at(-1)).toEqual([total, total]);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });
});
