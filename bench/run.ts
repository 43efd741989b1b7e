/**
 * `npm run bench`: how fast `slo check` reads logs, next to DuckDB, jq, a
 * plain Node loop (readline + JSON.parse) and the floor (cat / zcat), on the
 * same generated data, checking that all of them count the same events.
 *
 *   npm run bench                 1 GB, 1 GB as 8 .gz files, 4 GB; then regex line
 *                                 filters over 1 GB on re2js and on JavaScript's RegExp
 *                                 (bench/regex-filters.ts); then 400 SLOs over 100 MB
 *                                 in 200 files with a source each, next to one file
 *   npm run bench -- --quick      1 GB only
 *   npm run bench -- --duckdb-only slo and DuckDB only (no jq, Node loop or floor, nothing
 *                                 after the three tables; with --quick, 1 GB only)
 *   npm run bench -- --runs 5     slo, DuckDB and the floor 5 times each (median; default 3)
 *   npm run bench -- --no-jq      skip jq (it takes about 30 s a GB)
 *   npm run bench -- --regex-only the regex line filters only
 *   npm run bench -- --group-only the two SLOs over 1 GB whose HTTP lines carry a shard
 *                                 field of 50 values, as they are and with groupBy: shard
 *                                 (the full run ends with it too)
 *   npm run bench -- --cache-only the tally cache: slo check and slo alerts --dry-run on a
 *                                 copy of the 1 GB file, cold with and without --cache,
 *                                 rerun unchanged and after lines are appended
 *                                 (bench/cache-rerun.ts; the full and --quick runs include it)
 *   npm run bench -- --verify-only slo verify's simulated false positives and detection
 *                                 only (bench/verify-simulation.ts; the full and --quick
 *                                 runs end with it)
 *   npm run bench -- --help       this list
 *
 * The data is generated once into .bench-cache/ (about 20 s a GB; the 4 GB
 * file only when it is asked for) and reused. Timings are with the files in
 * the page cache (each is read once before it is timed).
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { timeCacheRerun } from "./cache-rerun.js";
import {
  benchWindows,
  DUCKDB_THREADS,
  differencesFromSlo,
  duckdbMissing,
  duckdbOutputOf,
  measureDuckdb,
} from "./duckdb.js";
import { END, FORMAT_VERSION, generateLogs, SPAN_MS, splitToGzip } from "./generate.js";
import { type Measured, measure, median } from "./measure.js";
import { timeRegexFilters } from "./regex-filters.js";
import { AVAILABILITY_SLO, LATENCY_SLO, SLO_WINDOW, sloText } from "./slo-file.js";
import { printVerifySimulation } from "./verify-simulation.js";

const ROOT = resolve(import.meta.dirname, "..");
const CACHE = join(ROOT, ".bench-cache", `v${FORMAT_VERSION}`);
const GZ_PARTS = 8;
/** The bench's own bundle of the CLI (as scripts/build-cli.mjs makes it), so nobody's rebuild of dist/ changes what is timed mid-run. */
const BUNDLE = join(ROOT, ".bench-cache", "cli", "slo.mjs");

function buildBundle(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, "scripts", "build-cli.mjs"), "--outdir", dirname(BUNDLE)],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, SLO_QUIET_BUILD: "1" },
    },
  );
}

const USAGE =
  "usage: npm run bench -- [--quick] [--duckdb-only] [--no-jq] [--runs N] [--regex-only] [--group-only] [--cache-only] [--verify-only]";

function parseFlags(): {
  quick: boolean;
  noJq: boolean;
  runs: number;
  regexOnly: boolean;
  groupOnly: boolean;
  cacheOnly: boolean;
  verifyOnly: boolean;
  duckdbOnly: boolean;
} {
  let values: {
    quick?: boolean;
    "no-jq"?: boolean;
    runs?: string;
    help?: boolean;
    "regex-only"?: boolean;
    "group-only"?: boolean;
    "cache-only"?: boolean;
    "verify-only"?: boolean;
    "duckdb-only"?: boolean;
  };
  try {
    values = parseArgs({
      options: {
        quick: { type: "boolean" },
        "no-jq": { type: "boolean" },
        runs: { type: "string" },
        "regex-only": { type: "boolean" },
        "group-only": { type: "boolean" },
        "cache-only": { type: "boolean" },
        "verify-only": { type: "boolean" },
        "duckdb-only": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = values.runs === undefined ? 3 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs ${values.runs}: expected a whole number, 1 or more\n${USAGE}`);
    process.exit(2);
  }
  return {
    quick: values.quick === true,
    noJq: values["no-jq"] === true,
    runs,
    regexOnly: values["regex-only"] === true,
    groupOnly: values["group-only"] === true,
    cacheOnly: values["cache-only"] === true,
    verifyOnly: values["verify-only"] === true,
    duckdbOnly: values["duckdb-only"] === true,
  };
}

const { quick, noJq, runs, regexOnly, groupOnly, cacheOnly, verifyOnly, duckdbOnly } = parseFlags();

interface Counts {
  availabilityTotal: number;
  availabilityBad: number;
  latencyTotal: number;
  latencyGood: number;
}

interface Row {
  tool: string;
  m: Measured;
  counts: Counts | null;
  /** where the tool's other counts differ from slo's (DuckDB's shorter windows) */
  differences?: string[];
  /** DuckDB: its query's own seconds, without the process's start */
  queryS?: number;
}

interface Dataset {
  name: string;
  files: string[];
  /** plain bytes (what every tool reads, decompressed) and lines */
  bytes: number;
  lines: number;
  /** the slo file's `paths` */
  glob: string;
  gzip: boolean;
}

const START_TEXT = `${new Date(Date.parse(END) - SPAN_MS).toISOString().slice(0, 19)}.000000000Z`;
const END_TEXT = `${END.slice(0, 19)}.000000000Z`;

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function plainDataset(label: string, gb: number, shards = 0): Dataset {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `logs-${label}.ndjson`);
  if (!existsSync(file)) {
    log(`generating ${label} of logs into ${file} (once; about ${Math.round(gb * 15)} s)...`);
    const t0 = performance.now();
    generateLogs(file, gb * 1e9, undefined, shards);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return {
    name: label,
    files: [file],
    bytes: statSync(file).size,
    lines: lineCount(file),
    glob: `logs-${label}.ndjson`,
    gzip: false,
  };
}

async function gzipDataset(plain: Dataset): Promise<Dataset> {
  const dir = join(CACHE, "gz");
  mkdirSync(dir, { recursive: true });
  const parts = Array.from({ length: GZ_PARTS }, (_, k) =>
    join(dir, `logs-${plain.name}-${String(k + 1).padStart(2, "0")}.ndjson.gz`),
  );
  if (!parts.every((p) => existsSync(p))) {
    log(`compressing ${plain.name} into ${GZ_PARTS} .gz files (once; about a minute)...`);
    await splitToGzip(plain.files[0]!, parts, plain.bytes, availableParallelism());
  }
  return {
    name: `${plain.name} as ${GZ_PARTS} .gz`,
    files: parts,
    bytes: plain.bytes,
    lines: plain.lines,
    glob: `gz/logs-${plain.name}-*.ndjson.gz`,
    gzip: true,
  };
}

/** Lines of a file, remembered beside it (wc -l is as fast as it gets). */
function lineCount(file: string): number {
  const memo = `${file}.lines`;
  if (existsSync(memo) && statSync(memo).mtimeMs >= statSync(file).mtimeMs) {
    return Number(readFileSync(memo, "utf8"));
  }
  const n = Number(execFileSync("wc", ["-l", file], { encoding: "utf8" }).trim().split(/\s+/)[0]);
  writeFileSync(memo, String(n));
  return n;
}

function sloFile(dataset: Dataset): string {
  const path = join(
    CACHE,
    `slo-${dataset.gzip ? "gz-" : ""}${dataset.files.length}-${dataset.name.split(" ")[0]}.yaml`,
  );
  writeFileSync(path, sloText("ctrl", "logs", JSON.stringify(dataset.glob)));
  return path;
}

interface ReportSlo {
  name: string;
  events: { good: number; bad: number; total: number } | null;
  error: unknown;
}

function sloCounts(stdout: string): Counts {
  const report = JSON.parse(stdout) as { slos: ReportSlo[] };
  const byName = new Map(report.slos.map((s) => [s.name, s]));
  const availability = byName.get(AVAILABILITY_SLO);
  const latency = byName.get(LATENCY_SLO);
  if (!availability?.events || !latency?.events) {
    throw new Error(`slo did not count: ${JSON.stringify(report.slos.map((s) => s.error))}`);
  }
  return {
    availabilityTotal: availability.events.total,
    availabilityBad: availability.events.bad,
    latencyTotal: latency.events.total,
    latencyGood: latency.events.good,
  };
}

const JQ_PROGRAM = `reduce inputs as $r ({availabilityTotal:0,availabilityBad:0,latencyTotal:0,latencyGood:0};
  if $r.t > $s and $r.t <= $e and $r.msg == "brkr-somesystem-http-response" then
    .latencyTotal += 1
    | (if $r.duration <= 300 then .latencyGood += 1 else . end)
    | (if $r.action == "CheckBalance" then
        .availabilityTotal += 1 | (if $r.status >= 500 then .availabilityBad += 1 else . end)
      else . end)
  else . end)`;

/** The windows slo counts for the bench's SLOs, which DuckDB counts too. */
const WINDOWS = benchWindows(SLO_WINDOW);
const DUCKDB_TOOL = `DuckDB read_json (${DUCKDB_THREADS} threads)`;

/**
 * slo, and DuckDB unless it is missing, in turn, `runs` times each, so a
 * change in the machine's load falls on both alike: each one's median run.
 */
async function timeSloAndDuckdb(dataset: Dataset, duckdb: boolean): Promise<Row[]> {
  const slo = sloFile(dataset);
  // cold: every run reads the logs whole (the cache has its own section, bench/cache-rerun.ts)
  const args = [BUNDLE, "check", slo, "--at", END, "--format", "json", "--no-cache"];
  const sloRuns: Measured[] = [];
  const duckdbRuns: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(process.execPath, args, "capture");
    if (m.code !== 0 && m.code !== 1) throw new Error(`slo check exited with ${m.code}`);
    sloRuns.push(m);
    if (duckdb) duckdbRuns.push(await measureDuckdb(dataset.files, Date.parse(END), WINDOWS));
  }
  const m = median(sloRuns);
  const rows: Row[] = [{ tool: "slo check", m, counts: sloCounts(m.stdout) }];
  if (duckdb) {
    const d = median(duckdbRuns);
    const { counts, queryS } = duckdbOutputOf(d.stdout, WINDOWS);
    rows.push({
      tool: DUCKDB_TOOL,
      m: d,
      counts: counts.get(SLO_WINDOW.name)!,
      differences: differencesFromSlo(counts, SLO_WINDOW.name, m.stdout),
      queryS,
    });
  }
  return rows;
}

/** How many SLO files the many-sources case writes, each declaring its own source over the same log. */
const MANY_SOURCES = 200;
/** The many-sources case reads this much of the 1 GB file: 400 SLOs cost about 200 times 2 SLOs' CPU a line. */
const MANY_SOURCES_BYTES = 100e6;

/**
 * The same 400 SLOs over the same log, in one file with one source and in
 * MANY_SOURCES files that each declare a source of their own: the sources
 * share one read and one pool of workers, so the two should take about the
 * same time and memory.
 */
async function timeManySources(dataset: Dataset): Promise<boolean> {
  const log = join(CACHE, `logs-${dataset.name}-first-${MANY_SOURCES_BYTES / 1e6}mb.ndjson`);
  if (!existsSync(log)) {
    const head = readFileSync(dataset.files[0]!).subarray(0, MANY_SOURCES_BYTES);
    writeFileSync(log, head.subarray(0, head.lastIndexOf(10) + 1));
  }
  const folder = join(CACHE, `many-sources-${dataset.name}`);
  const pairs: string[] = [];
  for (let i = 0; i < MANY_SOURCES; i++) {
    const dir = join(folder, `team-${String(i).padStart(3, "0")}`);
    mkdirSync(dir, { recursive: true });
    const paths = JSON.stringify(relative(dir, log));
    writeFileSync(join(dir, "slo.yaml"), sloText(`team-${i}`, `logs-${i}`, paths));
    pairs.push(
      sloText("", "logs", "")
        .split("slos:\n")[1]!
        .replaceAll(/name: (\S+)/g, `name: $1-${i}`),
    );
  }
  const oneFile = join(CACHE, `many-sources-${dataset.name}-one-file.yaml`);
  writeFileSync(
    oneFile,
    `${sloText("ctrl", "logs", JSON.stringify(relative(CACHE, log))).split("slos:\n")[0]}slos:\n${pairs.join("")}`,
  );
  const one = await timeCheck(oneFile);
  const many = await timeCheck(folder);
  const expected = pairCounts(one.stdout, 0);
  const same = Array.from({ length: MANY_SOURCES }, (_, i) => i).every(
    (i) =>
      sameCounts(pairCounts(one.stdout, i), expected) &&
      sameCounts(pairCounts(many.stdout, i), expected),
  );
  console.log(
    `\n**${2 * MANY_SOURCES} SLOs over the first ${MANY_SOURCES_BYTES / 1e6} MB of ${dataset.name}** (median of ${runs} runs)\n`,
  );
  console.log("| SLO files | sources | wall s | CPU s | peak RSS | counts |");
  console.log("|---:|---:|---:|---:|---:|---|");
  const row = (files: number, m: Measured, counts: string) =>
    `| ${files} | ${files} | ${m.wallS.toFixed(2)} | ${m.cpuS.toFixed(2)} | ${Math.round(m.peakRssMb)} MB | ${counts} |`;
  console.log(row(1, one, "-"));
  console.log(row(MANY_SOURCES, many, same ? "same" : "DIFFERENT"));
  return same;
}

/** Values of the shard field of the groupBy case. */
const GROUP_VALUES = 50;

/**
 * The cost of `groupBy`: the bench's two SLOs over 1 GB whose HTTP lines
 * carry a shard of GROUP_VALUES values, as they are and grouped by it (one
 * SLO per shard, in the same single read). The groups' events must add up
 * to the ungrouped SLOs'.
 */
async function timeGroupBy(): Promise<boolean> {
  const dataset = plainDataset(`1gb-${GROUP_VALUES}-shards`, 1, GROUP_VALUES);
  await measure("cat", dataset.files, "discard");
  const write = (name: string, groupBy?: string) => {
    const path = join(CACHE, name);
    writeFileSync(path, sloText("ctrl", "logs", JSON.stringify(dataset.glob), groupBy));
    return path;
  };
  const plain = await timeCheck(write("slo-group-none.yaml"));
  const grouped = await timeCheck(write("slo-group-shard.yaml", "shard"));
  const expected = sloCounts(plain.stdout);
  const report = JSON.parse(grouped.stdout) as {
    slos: (ReportSlo & { group?: { definition: string } })[];
  };
  const sum = (definition: string, pick: (e: NonNullable<ReportSlo["events"]>) => number) =>
    report.slos
      .filter((s) => s.group?.definition === definition)
      .reduce((total, s) => total + (s.events ? pick(s.events) : 0), 0);
  const groups = report.slos.filter((s) => s.group?.definition === LATENCY_SLO).length;
  const same =
    groups === GROUP_VALUES &&
    sameCounts(
      {
        availabilityTotal: sum(AVAILABILITY_SLO, (e) => e.total),
        availabilityBad: sum(AVAILABILITY_SLO, (e) => e.bad),
        latencyTotal: sum(LATENCY_SLO, (e) => e.total),
        latencyGood: sum(LATENCY_SLO, (e) => e.good),
      },
      expected,
    );
  console.log(
    `\n**groupBy over ${dataset.name}** (${(dataset.bytes / 1e9).toFixed(2)} GB, ${(dataset.lines / 1e6).toFixed(2)} M lines; median of ${runs} runs)\n`,
  );
  console.log("| SLOs | entries | wall s | CPU s | peak RSS | wall vs ungrouped | counts |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  console.log(
    `| 2, ungrouped | 2 | ${plain.wallS.toFixed(2)} | ${plain.cpuS.toFixed(2)} | ${Math.round(plain.peakRssMb)} MB | 1.00x | - |`,
  );
  console.log(
    `| 2, groupBy: shard (${GROUP_VALUES} values) | ${report.slos.length} | ${grouped.wallS.toFixed(2)} | ${grouped.cpuS.toFixed(2)} | ${Math.round(grouped.peakRssMb)} MB | ${(grouped.wallS / plain.wallS).toFixed(2)}x | ${same ? "same" : "DIFFERENT"} |`,
  );
  return same;
}

/** `slo check` on a file or folder, median of the runs. */
async function timeCheck(path: string): Promise<Measured> {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(
      process.execPath,
      [BUNDLE, "check", path, "--at", END, "--format", "json", "--no-cache"],
      "capture",
    );
    if (m.code !== 0 && m.code !== 1) throw new Error(`slo check exited with ${m.code}`);
    all.push(m);
  }
  return median(all);
}

/** The counts of the i-th pair of SLOs (availability, latency) of a report. */
function pairCounts(stdout: string, i: number): Counts {
  const report = JSON.parse(stdout) as { slos: ReportSlo[] };
  const [availability, latency] = report.slos.slice(2 * i, 2 * i + 2);
  if (!availability?.events || !latency?.events) throw new Error(`pair ${i} did not count`);
  return {
    availabilityTotal: availability.events.total,
    availabilityBad: availability.events.bad,
    latencyTotal: latency.events.total,
    latencyGood: latency.events.good,
  };
}

async function timeFloor(dataset: Dataset): Promise<Row[]> {
  const rows: Row[] = [];
  if (!dataset.gzip) {
    const all: Measured[] = [];
    for (let i = 0; i < runs; i++) all.push(await measure("cat", dataset.files, "discard"));
    rows.push({ tool: "cat > /dev/null", m: median(all), counts: null });
    return rows;
  }
  rows.push({
    tool: "zcat > /dev/null",
    m: await measure("zcat", dataset.files, "discard"),
    counts: null,
  });
  const cores = String(availableParallelism());
  const parallel = await measure(
    "sh",
    ["-c", `printf '%s\\n' "$@" | xargs -P ${cores} -n 1 zcat > /dev/null`, "sh", ...dataset.files],
    "discard",
  );
  rows.push({ tool: `zcat x${cores} in parallel`, m: parallel, counts: null });
  return rows;
}

async function timeBaselines(dataset: Dataset): Promise<Row[]> {
  const rows: Row[] = [];
  const node = await measure(
    process.execPath,
    [join(ROOT, "bench", "node-loop.mjs"), START_TEXT, END_TEXT, ...dataset.files],
    "capture",
  );
  rows.push({ tool: "node readline + JSON.parse", m: node, counts: JSON.parse(node.stdout) });
  if (!noJq) {
    const jq = await measure(
      "jq",
      ["-nc", "--arg", "s", START_TEXT, "--arg", "e", END_TEXT, JQ_PROGRAM, ...dataset.files],
      "capture",
    );
    rows.push({ tool: "jq -n 'reduce inputs ...'", m: jq, counts: JSON.parse(jq.stdout) });
  }
  return rows;
}

function printTable(dataset: Dataset, rows: Row[]): boolean {
  const slo = rows[0]!;
  const mb = dataset.bytes / 1e6;
  log("");
  log(
    `${dataset.name}: ${(dataset.bytes / 1e9).toFixed(2)} GB, ${(dataset.lines / 1e6).toFixed(2)} M lines (${Math.round(dataset.bytes / dataset.lines)} bytes a line)`,
  );
  const header = [
    "tool",
    "wall s",
    "CPU s",
    "MB/s",
    "lines/s",
    "peak RSS",
    "wall vs slo",
    "counts",
  ];
  const table = rows.map((r) => [
    r.tool,
    r.m.wallS.toFixed(2),
    r.m.cpuS.toFixed(2),
    String(Math.round(mb / r.m.wallS)),
    `${(dataset.lines / r.m.wallS / 1e6).toFixed(2)} M`,
    `${Math.round(r.m.peakRssMb)} MB`,
    `${(r.m.wallS / slo.m.wallS).toFixed(2)}x`,
    r.counts === null ? "-" : sameAsSlo(r, slo) ? "same" : "DIFFERENT",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  console.log(
    `\n**${dataset.name}** (${(dataset.bytes / 1e9).toFixed(2)} GB, ${(dataset.lines / 1e6).toFixed(2)} M lines)\n`,
  );
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`,
  );
  for (const row of table) console.log(line(row));
  console.log(`\ncounts: ${JSON.stringify(slo.counts)}`);
  for (const r of rows) {
    for (const difference of r.differences ?? []) console.log(`${r.tool} DIFFERENT: ${difference}`);
  }
  printTargets(rows);
  return rows.every((r) => r.counts === null || sameAsSlo(r, slo));
}

/** The counts of a row are slo's: the SLO window's, and (DuckDB) every other window's. */
function sameAsSlo(row: Row, slo: Row): boolean {
  return sameCounts(row.counts!, slo.counts!) && (row.differences ?? []).length === 0;
}

/** slo's peak RSS target (issue 18), in MB. */
const RSS_TARGET_MB = 200;
/** slo's wall time target, as a share of DuckDB's (issue 18). */
const WALL_TARGET_VS_DUCKDB = 0.8;

/** Issue 18's targets for one dataset: slo's wall against DuckDB's, and slo's peak RSS. */
function printTargets(rows: Row[]): void {
  const slo = rows[0]!;
  const duckdb = rows.find((r) => r.tool === DUCKDB_TOOL);
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  if (duckdb) {
    const ratio = slo.m.wallS / duckdb.m.wallS;
    console.log(
      `slo wall / DuckDB wall = ${ratio.toFixed(2)} (target <= ${WALL_TARGET_VS_DUCKDB.toFixed(2)}: ${met(ratio <= WALL_TARGET_VS_DUCKDB)}); CPU s slo ${slo.m.cpuS.toFixed(2)}, DuckDB ${duckdb.m.cpuS.toFixed(2)}`,
    );
    // what DuckDB would take started from a process that has it loaded already
    console.log(
      `DuckDB's query alone (no process start): ${duckdb.queryS!.toFixed(2)} s; slo wall / that = ${(slo.m.wallS / duckdb.queryS!).toFixed(2)}`,
    );
  }
  const rss = Math.round(slo.m.peakRssMb);
  console.log(
    `slo peak RSS ${rss} MB (target < ${RSS_TARGET_MB} MB: ${met(slo.m.peakRssMb < RSS_TARGET_MB)})${duckdb ? `; DuckDB ${Math.round(duckdb.m.peakRssMb)} MB` : ""}`,
  );
}

function sameCounts(a: Counts, b: Counts): boolean {
  return (
    a.availabilityTotal === b.availabilityTotal &&
    a.availabilityBad === b.availabilityBad &&
    a.latencyTotal === b.latencyTotal &&
    a.latencyGood === b.latencyGood
  );
}

function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; load average at start ${loadavg()[0]!.toFixed(2)}`;
}

/** slo verify's simulation; false when a false-positive share is over its bound. */
function verifySimulation(): boolean {
  log("\nsimulating slo verify's verdicts...");
  const within = printVerifySimulation();
  if (!within) log("bench: slo verify judged `regressed` more often than 1 - confidence");
  return within;
}

async function main(): Promise<number> {
  if (verifyOnly) {
    console.log(machineLine());
    return verifySimulation() ? 0 : 1;
  }
  if (!existsSync("/usr/bin/time")) {
    log("bench: needs /usr/bin/time (apt-get install time)");
    return 2;
  }
  log(`building ${relative(ROOT, BUNDLE)}...`);
  buildBundle();
  if (groupOnly) {
    console.log(machineLine());
    return (await timeGroupBy()) ? 0 : 1;
  }
  if (cacheOnly) {
    console.log(machineLine());
    const same = await timeCache(plainDataset("1gb", 1));
    console.log(`\nload average at end ${loadavg()[0]!.toFixed(2)}`);
    return same ? 0 : 1;
  }
  const duckdbAbsent = duckdbMissing();
  if (duckdbOnly && duckdbAbsent) {
    log(`bench: ${duckdbAbsent}`);
    return 2;
  }
  const one = plainDataset("1gb", 1);
  const datasets: Dataset[] = [one];
  if (!quick && !regexOnly) {
    datasets.push(await gzipDataset(one));
    log("the full bench also times 4 GB (generated once, about a minute; --quick skips it)");
    datasets.push(plainDataset("4gb", 4));
  }
  console.log(machineLine());
  console.log(
    `command: slo check <file> --at ${END} --format json (median of ${runs} runs, each followed by a run of DuckDB's; others once)`,
  );
  if (duckdbAbsent && !regexOnly) console.log(`DuckDB left out: ${duckdbAbsent}`);
  let allSame = regexOnly || (await timeDatasets(datasets, duckdbAbsent === null));
  if (duckdbOnly) {
    console.log(`\nload average at end ${loadavg()[0]!.toFixed(2)}`);
    if (!allSame) log("bench: slo and DuckDB did not find the same counts");
    return allSame ? 0 : 1;
  }
  allSame = (await timeRegex(one)) && allSame;
  if (!regexOnly) {
    log(`\ntiming ${MANY_SOURCES} sources over ${one.name}...`);
    allSame = (await timeManySources(one)) && allSame;
    log("\ntiming groupBy...");
    allSame = (await timeGroupBy()) && allSame;
    allSame = (await timeCache(one)) && allSame;
  }
  const verifyWithin = regexOnly || verifySimulation();
  console.log(`\nload average at end ${loadavg()[0]!.toFixed(2)}`);
  if (!allSame) {
    log("bench: the tools did not find the same counts");
    return 1;
  }
  return verifyWithin ? 0 : 1;
}

/** Each dataset's table; false if some tool counted differently. */
async function timeDatasets(datasets: Dataset[], duckdb: boolean): Promise<boolean> {
  let allSame = true;
  const countsByName = new Map<string, Counts>();
  for (const dataset of datasets) {
    log(`\ntiming ${dataset.name}...`);
    // read once untimed, so every tool finds it in the page cache
    await measure("cat", dataset.files, "discard");
    // jq and the Node loop read plain NDJSON; for .gz the comparison is with zcat
    const rows = [
      ...(await timeSloAndDuckdb(dataset, duckdb)),
      ...(dataset.gzip || duckdbOnly ? [] : await timeBaselines(dataset)),
      ...(duckdbOnly ? [] : await timeFloor(dataset)),
    ];
    allSame = printTable(dataset, rows) && allSame;
    if (dataset.gzip) {
      // the .gz files hold the 1 GB file's lines: slo must count them alike
      const plain = countsByName.get(dataset.name.split(" ")[0]!);
      const same = plain !== undefined && sameCounts(plain, rows[0]!.counts!);
      console.log(`counts the same as from the plain file: ${same ? "yes" : "NO"}`);
      allSame = same && allSame;
    } else {
      countsByName.set(dataset.name, rows[0]!.counts!);
    }
  }
  return allSame;
}

function timeCache(one: Dataset): Promise<boolean> {
  log(`\ntiming the tally cache on a copy of ${one.name}...`);
  return timeCacheRerun({
    benchCache: dirname(CACHE),
    log: one.files[0]!,
    bundle: BUNDLE,
    end: END,
    runs,
  });
}

function timeRegex(one: Dataset): Promise<boolean> {
  log(`\ntiming regex line filters over ${one.name}, now and with JavaScript's RegExp...`);
  return timeRegexFilters({
    root: ROOT,
    cache: CACHE,
    log: one.glob,
    bundle: BUNDLE,
    lines: one.lines,
    end: END,
    runs,
  });
}

process.exitCode = await main();
