/**
 * DuckDB beside slo: the counts the bench's two SLOs need, for every window
 * slo reads (the SLO's 30 days and each burn-rate window), in one SQL query
 * over `read_json`, run in a process of its own (bench/duckdb-counts.mjs) so
 * /usr/bin/time measures DuckDB alone. The counts are checked against slo's
 * JSON report.
 */

import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DEFAULT_BURN_RATE_WINDOWS } from "../src/defaults.js";
import { type Measured, measure } from "./measure.js";
import {
  AVAILABILITY_ACTION,
  AVAILABILITY_SLO,
  BAD_STATUS,
  EVENT_MSG,
  LATENCY_SLO,
  LATENCY_THRESHOLD_MS,
} from "./slo-file.js";

const SCRIPT = join(import.meta.dirname, "duckdb-counts.mjs");

/** One thread per core, as slo runs one worker per core. */
export const DUCKDB_THREADS = availableParallelism();

export interface BenchWindow {
  /** as slo's report names it: "5m", "30d" */
  name: string;
  ms: number;
}

/** The windows slo counts for the bench's SLOs: every burn-rate window and the SLO's own, shortest first. */
export function benchWindows(sloWindow: BenchWindow): BenchWindow[] {
  const byName = new Map<string, number>([[sloWindow.name, sloWindow.ms]]);
  for (const w of DEFAULT_BURN_RATE_WINDOWS) {
    byName.set(w.short, w.shortMs);
    byName.set(w.long, w.longMs);
  }
  return [...byName].map(([name, ms]) => ({ name, ms })).sort((a, b) => a.ms - b.ms);
}

/** The four counts of one window. */
export interface WindowCounts {
  availabilityTotal: number;
  availabilityBad: number;
  latencyTotal: number;
  latencyGood: number;
}

const COUNT_NAMES = [
  "availabilityTotal",
  "availabilityBad",
  "latencyTotal",
  "latencyGood",
] as const satisfies readonly (keyof WindowCounts)[];

/** A SQL string literal. */
function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A TIMESTAMP_NS literal of an instant in whole milliseconds. */
function sqlInstant(ms: number): string {
  return `TIMESTAMP_NS ${sqlText(new Date(ms).toISOString().slice(0, 23).replace("T", " "))}`;
}

/**
 * The query: one pass over the files, each window's counts as a filtered
 * count. t is read as TIMESTAMP_NS, so the nanoseconds in the data decide
 * the edges as they do for slo: a window is (end - w, end], and a line 1 ns
 * after a window's start is in it (TIMESTAMP would cut it to microseconds
 * and leave it out). Only the five fields the SLOs read are declared.
 */
export function duckdbSql(files: string[], endMs: number, windows: BenchWindow[]): string {
  const columns = `{t: 'TIMESTAMP_NS', msg: 'VARCHAR', action: 'VARCHAR', status: 'DOUBLE', duration: 'DOUBLE'}`;
  const counts = windows.flatMap((w) => {
    const inside = `t > ${sqlInstant(endMs - w.ms)} AND t <= ${sqlInstant(endMs)}`;
    const availability = `${inside} AND action = ${sqlText(AVAILABILITY_ACTION)}`;
    const filters: Record<keyof WindowCounts, string> = {
      availabilityTotal: availability,
      availabilityBad: `${availability} AND status >= ${BAD_STATUS}`,
      latencyTotal: inside,
      latencyGood: `${inside} AND duration <= ${LATENCY_THRESHOLD_MS}`,
    };
    return COUNT_NAMES.map((c) => `count(*) FILTER (WHERE ${filters[c]}) AS "${c} ${w.name}"`);
  });
  return [
    `SELECT ${counts.join(",\n  ")}`,
    `FROM read_json([${files.map(sqlText).join(", ")}], format = 'newline_delimited', columns = ${columns})`,
    `WHERE msg = ${sqlText(EVENT_MSG)}`,
  ].join("\n");
}

/** The query's one row, as counts per window name. */
export function windowCountsOf(
  row: Record<string, number>,
  windows: BenchWindow[],
): Map<string, WindowCounts> {
  const counts = new Map<string, WindowCounts>();
  for (const w of windows) {
    const pick = (c: keyof WindowCounts) => {
      const n = row[`${c} ${w.name}`];
      if (typeof n !== "number") throw new Error(`DuckDB's row has no "${c} ${w.name}"`);
      return n;
    };
    counts.set(w.name, {
      availabilityTotal: pick("availabilityTotal"),
      availabilityBad: pick("availabilityBad"),
      latencyTotal: pick("latencyTotal"),
      latencyGood: pick("latencyGood"),
    });
  }
  return counts;
}

/** What bench/duckdb-counts.mjs prints: each window's counts, and the query's own time. */
export function duckdbOutputOf(
  stdout: string,
  windows: BenchWindow[],
): { counts: Map<string, WindowCounts>; queryS: number } {
  const { row, queryS } = JSON.parse(stdout) as { row: Record<string, number>; queryS: number };
  return { counts: windowCountsOf(row, windows), queryS };
}

/** Null, or why the bench cannot run DuckDB here. */
export function duckdbMissing(): string | null {
  try {
    createRequire(import.meta.url).resolve("@duckdb/node-bindings");
    return null;
  } catch {
    return "@duckdb/node-bindings is not installed (a dev dependency: npm ci)";
  }
}

/** One run of DuckDB's query over files, under /usr/bin/time; duckdbOutputOf reads its stdout. */
export async function measureDuckdb(
  files: string[],
  endMs: number,
  windows: BenchWindow[],
): Promise<Measured> {
  const m = await measure(
    process.execPath,
    [SCRIPT, String(DUCKDB_THREADS), duckdbSql(files, endMs, windows)],
    "capture",
  );
  if (m.code !== 0) throw new Error(`DuckDB exited with ${m.code}: ${m.stderr.trim()}`);
  return m;
}

/** DuckDB's counts over files, untimed (for tests). */
export function duckdbCounts(
  files: string[],
  endMs: number,
  windows: BenchWindow[],
): Map<string, WindowCounts> {
  const stdout = execFileSync(
    process.execPath,
    [SCRIPT, String(DUCKDB_THREADS), duckdbSql(files, endMs, windows)],
    { encoding: "utf8" },
  );
  return duckdbOutputOf(stdout, windows).counts;
}

interface ReportEntry {
  name: string;
  objective: number;
  events: { good: number; bad: number; total: number } | null;
  burnRates: Record<string, number | null>;
}

/** Burn rates agree to this relative difference (slo and the bench divide in different orders). */
export const BURN_RATE_TOLERANCE = 1e-12;

/**
 * Where DuckDB's counts and slo's JSON report disagree (empty: nowhere).
 * The report holds the SLO window's events, compared exactly, and a burn
 * rate per window, (bad / total) / (1 - objective), compared with the one
 * DuckDB's counts give to BURN_RATE_TOLERANCE (null for no events).
 */
export function differencesFromSlo(
  counts: Map<string, WindowCounts>,
  sloWindow: string,
  reportJson: string,
): string[] {
  const report = JSON.parse(reportJson) as { slos: ReportEntry[] };
  const entry = (name: string) => {
    const found = report.slos.find((s) => s.name === name);
    if (!found) throw new Error(`slo's report has no SLO ${name}`);
    return found;
  };
  const sides = [
    {
      slo: entry(AVAILABILITY_SLO),
      total: (c: WindowCounts) => c.availabilityTotal,
      bad: (c: WindowCounts) => c.availabilityBad,
    },
    {
      slo: entry(LATENCY_SLO),
      total: (c: WindowCounts) => c.latencyTotal,
      bad: (c: WindowCounts) => c.latencyTotal - c.latencyGood,
    },
  ];
  const problems: string[] = [];
  for (const { slo, total, bad } of sides) {
    const whole = counts.get(sloWindow);
    const events = slo.events;
    if (!whole || !events || events.total !== total(whole) || events.bad !== bad(whole)) {
      problems.push(
        `${slo.name} ${sloWindow}: slo ${JSON.stringify(events)}, DuckDB total ${whole && total(whole)} bad ${whole && bad(whole)}`,
      );
    }
    for (const [window, c] of counts) {
      const ours = total(c) > 0 ? bad(c) / total(c) / (1 - slo.objective) : null;
      const theirs = slo.burnRates[window];
      if (theirs === undefined || !closeEnough(ours, theirs)) {
        problems.push(`${slo.name} ${window}: burn rate slo ${theirs}, DuckDB ${ours}`);
      }
    }
  }
  return problems;
}

function closeEnough(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= BURN_RATE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}
