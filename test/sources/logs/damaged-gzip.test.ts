/**
 * A damaged .gz among good files: the lines before the damage and every
 * other file still count, the damaged file is reported (where it broke,
 * why, how many lines came from it) and the SLO's data is marked partial.
 * Real gzip files made with node:zlib, then damaged.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport } from "../../../src/report/schema.js";
import type { CountResult } from "../../../src/sources/types.js";
import { runCli } from "../../support/cli.js";
import { countOne, DAY, logsSpec, ratio, request, T } from "./helpers.js";

const ALL = ratio({ total: "| json", bad: "| json | status >= 500" });
const LINES = 80_000;

let dir: string;
let text: string;
let lines: string[];
let gz: Buffer;

/** Lines a day apart at most, one in 7 failed, with padding zlib cannot squeeze much (so the .gz spans several reads). */
function makeLines(n: number, seed: number): string[] {
  let x = seed;
  const random = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x.toString(36);
  };
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      t: new Date(T - ((i * 997) % DAY) - 1).toISOString(),
      status: i % 7 === 0 ? 500 : 200,
      pad: `${random()}${random()}`,
    }),
  );
}

/** [good, total] of the first n lines, as the source counts them over the day. */
function countsOfFirst(n: number): [number, number] {
  const bad = lines.slice(0, n).filter((l) => l.includes('"status":500')).length;
  return [n - bad, n];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "slo-damaged-gz-"));
  lines = makeLines(LINES, 7);
  text = `${lines.join("\n")}\n`;
  gz = gzipSync(text);
  expect(gz.length).toBeGreaterThan(4 * 256 * 1024);
  writeFileSync(join(dir, "good.ndjson"), `${makeLines(1000, 99).join("\n")}\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true });
});

function flipped(bytes: Buffer, at: number, count: number): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = at; i < at + count; i++) copy[i] = copy[i]! ^ 0xa5;
  return copy;
}

/**
 * exact: the lines before the break are the file's own. Bytes flipped inside
 * the deflate data decode as garbage (malformed lines) until the checksum
 * at the member's end finds it, so there the count is at most that.
 */
const DAMAGES: { name: string; bytes: () => Buffer; reason: RegExp; exact?: false }[] = [
  {
    name: "truncated",
    bytes: () => gz.subarray(0, Math.floor(gz.length * 0.6)),
    reason: /ends early/,
  },
  {
    name: "bytes flipped in the middle",
    bytes: () => flipped(gz, Math.floor(gz.length / 2), 64),
    reason: /corrupt/,
    exact: false,
  },
  { name: "plain text named .gz", bytes: () => Buffer.from(text), reason: /not gzip/ },
  {
    name: "valid gzip followed by junk",
    bytes: () => Buffer.concat([gz, Buffer.from("this is not gzip\n")]),
    reason: /not gzip/,
  },
];

async function countWith(file: string, bytes: Buffer, workers: number): Promise<CountResult> {
  writeFileSync(join(dir, file), bytes);
  return countOne(
    logsSpec(["good.ndjson", file], { baseDir: dir }),
    request(ALL),
    workers > 0 ? { workers, parallelMinBytes: 0 } : { workers: 0 },
  );
}

describe("a damaged .gz beside a good file", () => {
  const goodOnly = () => countOne(logsSpec(["good.ndjson"], { baseDir: dir }), request(ALL));

  for (const damage of DAMAGES) {
    for (const workers of [0, 2]) {
      it(`${damage.name} (${workers === 0 ? "on this thread" : "in workers"}): counts the good file and the lines before the damage`, async () => {
        const good = (await goodOnly()).windows["1d"]!;
        const file = `broken-${workers}.ndjson.gz`;
        const result = await countWith(file, damage.bytes(), workers);
        const damaged = result.diagnostics.damaged;
        expect(damaged?.count).toBe(1);
        const report = damaged!.files[0]!;
        expect(report.file).toBe(file);
        expect(report.reason).toMatch(damage.reason);
        expect(report.offset).toBeGreaterThanOrEqual(0);
        expect(report.offset).toBeLessThanOrEqual(damage.bytes().length);
        expect(report.lines).toBeLessThanOrEqual(LINES);
        const [before, beforeTotal] = countsOfFirst(report.lines);
        const expected = { good: good.good + before, total: good.total + beforeTotal };
        if (damage.exact === false) {
          expect(result.windows["1d"]!.total).toBeLessThanOrEqual(expected.total);
          expect(result.windows["1d"]!.total).toBeGreaterThan(good.total);
        } else {
          expect(result.windows["1d"]).toEqual(expected);
        }
        expect(result.diagnostics.lines).toBe(1000 + report.lines);
      });
    }
  }

  it("a truncated file gives every whole line before the cut, and the byte where it ends", async () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const result = await countWith("cut.ndjson.gz", cut, 0);
    const report = result.diagnostics.damaged!.files[0]!;
    expect(report.offset).toBe(cut.length);
    expect(report.lines).toBeGreaterThan(LINES * 0.5);
    expect(report.lines).toBeLessThan(LINES);
  });

  it("text that is not gzip at all breaks at byte 0 with no lines from it", async () => {
    const result = await countWith("plain.ndjson.gz", Buffer.from(text), 0);
    expect(result.diagnostics.damaged!.files[0]).toMatchObject({ offset: 0, lines: 0 });
  });

  it("junk after whole gzip members: every line of the members counts, and it breaks where the junk starts", async () => {
    const half = LINES / 2;
    const small = gzipSync(`${lines.slice(0, 100).join("\n")}\n`);
    const two = Buffer.concat([
      gzipSync(`${lines.slice(0, half).join("\n")}\n`),
      gzipSync(`${lines.slice(half).join("\n")}\n`),
    ]);
    const junk = Buffer.from("this is not gzip\n");
    for (const [members, count] of [
      [small, 100],
      [gz, LINES],
      [two, LINES],
    ] as const) {
      for (const workers of [0, 2]) {
        const result = await countWith("junk.ndjson.gz", Buffer.concat([members, junk]), workers);
        expect(result.diagnostics.damaged!.files[0]).toMatchObject({
          offset: members.length,
          lines: count,
        });
        expect(result.diagnostics.lines).toBe(1000 + count);
      }
    }
  });

  it("concatenated gzip members and trailing zero padding are not damage", async () => {
    const half = LINES / 2;
    const members = Buffer.concat([
      gzipSync(`${lines.slice(0, half).join("\n")}\n`),
      gzipSync(`${lines.slice(half).join("\n")}\n`),
      Buffer.alloc(512),
    ]);
    const result = await countWith("members.ndjson.gz", members, 0);
    expect(result.diagnostics.damaged).toBeUndefined();
    expect(result.diagnostics.lines).toBe(1000 + LINES);
  });
});

describe("slo check with a damaged .gz", () => {
  it("reports the SLO's data as partial, naming the file, and still evaluates it", async () => {
    writeFileSync(join(dir, "cut.ndjson.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
    writeFileSync(
      join(dir, "slo.yaml"),
      `service: svc
sources:
  logs: { type: logs, paths: [good.ndjson, cut.ndjson.gz] }
slos:
  - name: availability
    objective: 80%
    window: 1d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
`,
    );
    const at = new Date(T).toISOString();
    const json = await runCli(["check", join(dir, "slo.yaml"), "--at", at, "--format", "json"]);
    expect(json.stderr).toBe("");
    // evaluated (1 in 7 failed burns this 1-day budget fast enough to fail), not a source error (3)
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as SloReport;
    const entry = report.slos[0]!;
    expect(entry.status).toBe("breaching");
    expect(entry.error).toBeNull();
    expect(entry.diagnostics.damaged).toBe(1);
    expect(entry.diagnostics.notes.join("\n")).toMatch(
      /partial data: cut\.ndjson\.gz is damaged at byte \d+ \(the gzip data ends early.*\); the \d+ line\(s\) before it are counted/,
    );
    const table = await runCli(["check", join(dir, "slo.yaml"), "--at", at]);
    expect(table.stdout).toContain("partial data: cut.ndjson.gz is damaged");
  });
});
