/**
 * Many SLO files that each declare their own source over the same log: one
 * read of the log for them all, and worker threads from one pool for the
 * whole run. Opens are counted on the real node:fs/promises and threads on
 * the real node:worker_threads, each wrapped to count.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { evaluateSet } from "../../../src/pipeline/evaluate-set.js";
import { loadSetOrThrow } from "../../../src/pipeline/load-set.js";
import type { SloReport } from "../../../src/report/schema.js";
import type { SourceOptions } from "../../../src/sources/index.js";
import { HOUR, T } from "./helpers.js";

const seen = vi.hoisted(() => ({ opened: [] as string[], alive: 0, peak: 0, started: 0 }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof actual.open = (path, ...rest) => {
    seen.opened.push(String(path));
    return actual.open(path, ...rest);
  };
  return { ...actual, open, default: { ...actual, open } };
});

vi.mock("node:worker_threads", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:worker_threads")>();
  class CountedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      seen.started++;
      seen.alive++;
      seen.peak = Math.max(seen.peak, seen.alive);
      this.once("exit", () => {
        seen.alive--;
      });
    }
  }
  return { ...actual, Worker: CountedWorker, default: { ...actual, Worker: CountedWorker } };
});

const FILES = 20;
let dir: string;
let logPath: string;

function logLines(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(T - ((i * 7919) % (26 * HOUR))).toISOString();
    if (i % 499 === 3) lines.push(`broken line ${i}`);
    else {
      const status = i % 11 === 0 ? 503 : 200;
      lines.push(JSON.stringify({ t, msg: `m${i % 5}`, status, ms: (i * 37) % 900 }));
    }
  }
  return `${lines.join("\n")}\n`;
}

const SLOS = (source: string) => `  - name: availability
    objective: 95%
    window: 1d
    indicator: { ratio: { source: ${source}, total: "| json", bad: "| json | status >= 500" } }
    breakdownBy: msg
  - name: latency
    objective: 90%
    window: 1d
    indicator:
      latency: { source: ${source}, events: "| json", field: ms, unit: ms, threshold: 500ms }
`;

/** n SLO files in folders of their own, each with its own source over the one log (written relative to it). */
function writeSloFiles(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const folder = join(dir, "slos", `team-${i}`);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "slo.yaml");
    // the same log, named three ways: relative, absolute, and through a glob
    const path = [`../../logs/app.ndjson`, logPath, `../../logs/app.*`][i % 3];
    writeFileSync(
      file,
      `service: team-${i}\nsources:\n  app-logs-${i}: { type: logs, paths: ["${path}"] }\nslos:\n${SLOS(`app-logs-${i}`)}`,
    );
    return file;
  });
}

/** Entries without what names the file or service they came from, the log's name in notes as LOG. */
function answers(report: SloReport) {
  return report.slos.map(({ service: _s, definedAt: _d, ...rest }) => ({
    ...rest,
    diagnostics: {
      ...rest.diagnostics,
      notes: rest.diagnostics.notes.map((n) => n.replaceAll(/\S*logs\/app\.ndjson/g, "LOG")),
    },
  }));
}

async function run(files: string[], sourceOptions: SourceOptions): Promise<SloReport> {
  const set = await loadSetOrThrow(files);
  return evaluateSet(set, { atMs: T, sourceOptions });
}

let manyFiles: string[];
let oneFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "slo-shared-"));
  mkdirSync(join(dir, "logs"));
  logPath = join(dir, "logs", "app.ndjson");
  writeFileSync(logPath, logLines(30_000));
  manyFiles = writeSloFiles(FILES);
  oneFile = join(dir, "one.yaml");
  writeFileSync(
    oneFile,
    `service: one\nsources:\n  logs: { type: logs, paths: ["logs/app.ndjson"] }\nslos:\n${SLOS("logs")}`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true });
});

beforeEach(() => {
  seen.opened.length = 0;
  seen.peak = seen.alive;
  seen.started = 0;
});

const opensOfLog = () => seen.opened.filter((p) => p === logPath).length;

describe("sources over the same log share one read", () => {
  it("gives each of 20 files' sources the answers one source gives, and opens the log once", async () => {
    const one = await run([oneFile], { workers: 0 });
    expect(opensOfLog()).toBe(1);
    seen.opened.length = 0;
    const many = await run(manyFiles, { workers: 0 });
    expect(opensOfLog()).toBe(1);
    expect(many.slos).toHaveLength(2 * FILES);
    const expected = answers(one);
    expect(expected[0]!.status).not.toBe("error");
    expect(expected[0]!.diagnostics.malformed).toBeGreaterThan(0);
    for (let i = 0; i < FILES; i++) {
      expect(answers({ ...many, slos: many.slos.slice(2 * i, 2 * i + 2) })).toEqual(expected);
    }
    // each source names the log as its own paths do
    expect(many.slos[0]!.diagnostics.notes[0]).toContain("first at ../../logs/app.ndjson:4");
    expect(many.slos[2]!.diagnostics.notes[0]).toContain(`first at ${logPath}:4`);
  });

  it("does not share a read between sources that read lines differently (another timestamp field)", async () => {
    const other = join(dir, "other.yaml");
    writeFileSync(
      other,
      `service: other\nsources:\n  logs: { type: logs, paths: ["logs/app.ndjson"], timestamp: time }\nslos:\n${SLOS("logs")}`,
    );
    const report = await run([oneFile, other], { workers: 0 });
    expect(opensOfLog()).toBe(2);
    // no line has a "time" field: none is counted there
    expect(report.slos[2]!.status).toBe("no-data");
    expect(report.slos[0]!.status).not.toBe("no-data");
  });

  it("names each source's own error when the shared log is missing", async () => {
    const files = writeSloFiles(2);
    rmSync(logPath);
    try {
      const report = await run(files, { workers: 0 });
      expect(report.slos.map((s) => s.error?.source)).toEqual([
        "app-logs-0",
        "app-logs-0",
        "app-logs-1",
        "app-logs-1",
      ]);
      expect(report.slos[2]!.error?.message).toContain("logs source 'app-logs-1'");
    } finally {
      writeFileSync(logPath, logLines(30_000));
    }
  });
});

describe("one pool of worker threads for the whole run", () => {
  it("never has more threads alive than the pool's size, over reads of different logs, with the same answers", async () => {
    // six sources over six logs: six reads (a pool per read would start 6 threads)
    const files = Array.from({ length: 6 }, (_, i) => {
      writeFileSync(join(dir, "logs", `copy-${i}.ndjson`), logLines(3000 * (i + 1)));
      const file = join(dir, `copy-${i}.yaml`);
      writeFileSync(
        file,
        `service: copy-${i}\nsources:\n  logs: { type: logs, paths: ["logs/copy-${i}.ndjson"] }\nslos:\n${SLOS("logs")}`,
      );
      return file;
    });
    const here = await run(files, { workers: 0 });
    expect(seen.started).toBe(0);
    const threads = await run(files, { workers: 2, parallelMinBytes: 0 });
    expect(seen.started).toBeGreaterThan(0);
    expect(seen.peak).toBeLessThanOrEqual(2);
    expect(answers(threads)).toEqual(answers(here));
    await vi.waitFor(() => expect(seen.alive).toBe(0));
  });
});
