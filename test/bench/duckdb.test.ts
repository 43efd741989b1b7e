/**
 * issue 18 §1: DuckDB in the bench counts what slo counts, window by
 * window, including lines on a window's edges to the nanosecond, and the
 * bench's check says DIFFERENT when the counts are not the same.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  benchWindows,
  differencesFromSlo,
  duckdbCounts,
  duckdbSql,
  type WindowCounts,
} from "../../bench/duckdb.js";
import { SLO_WINDOW, sloText } from "../../bench/slo-file.js";
import { runCli } from "../support/cli.js";

const END = "2026-11-24T12:00:00Z";
const END_NS = BigInt(Date.parse(END)) * 1_000_000n;
const WINDOWS = benchWindows(SLO_WINDOW);

/** RFC 3339 with nanoseconds, as the bench's data writes it. */
function rfc3339(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const subMs = String(ns % 1_000_000n).padStart(6, "0");
  return `${new Date(Number(ms)).toISOString().slice(0, 23)}${subMs}Z`;
}

interface Line {
  ns: bigint;
  msg: string;
  action: string;
  status: number;
  duration: number;
}

/**
 * Lines on and beside every window's start and the end (0, 1 ns, 1 µs
 * after, 1 ns before), each of them an availability event that is bad or
 * not and a latency event at or just over the threshold, and other lines
 * that neither SLO counts.
 */
function edgeLines(): Line[] {
  const lines: Line[] = [];
  const offsets = [-1n, 0n, 1n, 999n, 1_000n];
  let k = 0;
  for (const edge of [END_NS, ...WINDOWS.map((w) => END_NS - BigInt(w.ms) * 1_000_000n)]) {
    for (const offset of offsets) {
      k++;
      lines.push({
        ns: edge + offset,
        msg: "brkr-somesystem-http-response",
        action: k % 3 === 0 ? "Transfer" : "CheckBalance",
        status: k % 2 === 0 ? 500 : 499,
        duration: k % 4 < 2 ? 300 : 300.000001,
      });
    }
    lines.push({
      ns: edge,
      msg: "api-sync-customer-info-ok",
      action: "",
      status: 500,
      duration: 1,
    });
  }
  return lines;
}

/** The counts by the definition: (end - w, end] on exact nanoseconds. */
function expectedCounts(lines: Line[]): Map<string, WindowCounts> {
  const counts = new Map<string, WindowCounts>();
  for (const w of WINDOWS) {
    const inside = lines.filter(
      (l) =>
        l.msg === "brkr-somesystem-http-response" &&
        l.ns > END_NS - BigInt(w.ms) * 1_000_000n &&
        l.ns <= END_NS,
    );
    const availability = inside.filter((l) => l.action === "CheckBalance");
    counts.set(w.name, {
      availabilityTotal: availability.length,
      availabilityBad: availability.filter((l) => l.status >= 500).length,
      latencyTotal: inside.length,
      latencyGood: inside.filter((l) => l.duration <= 300).length,
    });
  }
  return counts;
}

function writeLog(dir: string, lines: Line[]): string {
  const file = join(dir, "edges.ndjson");
  const text = lines.map((l) =>
    JSON.stringify({
      lvl: "debug",
      msg: l.msg,
      t: rfc3339(l.ns),
      status: l.status,
      duration: l.duration,
      action: l.action,
    }),
  );
  writeFileSync(file, `${text.join("\n")}\n`);
  return file;
}

async function sloReport(dir: string, file: string): Promise<string> {
  const slo = join(dir, "slo.yaml");
  writeFileSync(slo, sloText("ctrl", "logs", JSON.stringify(file)));
  const result = await runCli(["check", slo, "--at", END, "--format", "json"]);
  expect(result.stderr).toBe("");
  return result.stdout;
}

describe("DuckDB's counts in the bench", () => {
  const dir = mkdtempSync(join(tmpdir(), "slo-bench-duckdb-"));
  const lines = edgeLines();
  const file = writeLog(dir, lines);

  it("reads the SLO window and every burn-rate window, shortest first", () => {
    expect(WINDOWS.map((w) => w.name)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]);
  });

  it("counts each window (end - w, end] to the nanosecond, and slo's report agrees", async () => {
    const counts = duckdbCounts([file], Date.parse(END), WINDOWS);
    expect(counts).toEqual(expectedCounts(lines));
    expect(differencesFromSlo(counts, SLO_WINDOW.name, await sloReport(dir, file))).toEqual([]);
  });

  it("reads .gz files as their lines", async () => {
    const { gzipSync } = await import("node:zlib");
    const { readFileSync } = await import("node:fs");
    const gz = join(dir, "edges.ndjson.gz");
    writeFileSync(gz, gzipSync(readFileSync(file)));
    expect(duckdbCounts([gz], Date.parse(END), WINDOWS)).toEqual(expectedCounts(lines));
  });

  it("says where a count differs from slo's: the SLO window's events, or a window's burn rate", async () => {
    const report = await sloReport(dir, file);
    const counts = duckdbCounts([file], Date.parse(END), WINDOWS);
    const whole = {
      ...counts.get("30d")!,
      availabilityTotal: counts.get("30d")!.availabilityTotal + 1,
    };
    expect(differencesFromSlo(new Map([...counts, ["30d", whole]]), "30d", report)).toEqual([
      expect.stringMatching(/^check-balance-availability 30d: slo/),
      expect.stringMatching(/^check-balance-availability 30d: burn rate/),
    ]);
    const hour = { ...counts.get("1h")!, latencyGood: counts.get("1h")!.latencyGood - 1 };
    expect(differencesFromSlo(new Map([...counts, ["1h", hour]]), "30d", report)).toEqual([
      expect.stringMatching(/^somesystem-latency 1h: burn rate/),
    ]);
  });

  it("quotes the file names it reads", () => {
    expect(duckdbSql(["/tmp/it's.ndjson"], Date.parse(END), WINDOWS)).toContain(
      "read_json(['/tmp/it''s.ndjson']",
    );
  });
});
