/**
 * The bench's cache case (issue 18 §3 and §4): `slo check` and `slo alerts
 * --dry-run` on a copy of the 1 GB file, cold with the tally cache and
 * without it, rerun on the unchanged file, and rerun after lines were
 * appended, each rerun beside a cold `--no-cache` run on the same grown file,
 * whose results it must match.
 */

import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  cpSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { type Measured, measure, median } from "./measure.js";
import { retimeLines } from "./retime.js";
import { sloText } from "./slo-file.js";

export interface CacheBenchSetup {
  /** .bench-cache/: the section works in a folder of its own under it */
  benchCache: string;
  /** the shared 1 GB log, only ever copied */
  log: string;
  bundle: string;
  /** the data's end and the cold runs' --at */
  end: string;
  runs: number;
}

const MINUTE_MS = 60_000;
/** The share of the file's bytes the first append adds (issue 18: 1%). */
const APPENDED_SHARE = 0.01;
/** The appends' length in time, and how far each moves --at. */
const STEP_MS = 5 * MINUTE_MS;
/** The rerun's target, as a share of a cold run's wall time (issue 18). */
const RERUN_TARGET = 0.05;

interface Row {
  run: string;
  m: Measured;
}

interface Paths {
  dir: string;
  copy: string;
  slo: string;
  /** the --cache DIR, the folder whose size is reported */
  tallies: string;
  snapshot: string;
}

function paths(setup: CacheBenchSetup): Paths {
  const dir = join(setup.benchCache, "cache-rerun");
  return {
    dir,
    copy: join(dir, "logs.ndjson"),
    slo: join(dir, "slo.yaml"),
    tallies: join(dir, "tallies"),
    snapshot: join(dir, "tallies-snapshot"),
  };
}

/** The whole lines of the last `bytes` of a file. */
function tailLines(file: string, bytes: number): string[] {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    // the first piece may be part of a line
    return text
      .slice(text.indexOf("\n") + 1)
      .split("\n")
      .filter((l) => l.length > 0);
  } finally {
    closeSync(fd);
  }
}

/** The lines of the file's last `ms` before `endMs` (the file is in time order). */
function lastLinesOver(file: string, endMs: number, ms: number): string[] {
  const since = new Date(endMs - ms).toISOString().slice(0, 19);
  // 5 minutes of the bench's data are about 120 KB: 4 MB holds them with room
  return tailLines(file, 4 * 1024 * 1024).filter((l) => /"t":"([^"]+)"/.exec(l)![1]! > since);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

function emptied(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The cache folder put back as the snapshot has it, so each rerun finds the same cache. */
function restore(p: Paths): void {
  rmSync(p.tallies, { recursive: true, force: true });
  cpSync(p.snapshot, p.tallies, { recursive: true });
}

function snapshot(p: Paths): void {
  rmSync(p.snapshot, { recursive: true, force: true });
  cpSync(p.tallies, p.snapshot, { recursive: true });
}

function folderBytes(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

/** One slo run, under /usr/bin/time; exit 0 or 1 (an SLO breached) is a result, anything else a failure. */
async function slo(setup: CacheBenchSetup, args: string[]): Promise<Measured> {
  const m = await measure(process.execPath, [setup.bundle, ...args], "capture");
  if (m.code !== 0 && m.code !== 1) {
    throw new Error(`slo ${args.join(" ")} exited with ${m.code}: ${m.stderr.slice(0, 500)}`);
  }
  return m;
}

/** The counts and burn rates of every SLO of a `check --format json` report. */
export function reportFigures(stdout: string): string {
  const report = JSON.parse(stdout) as {
    slos: { name: string; events: unknown; burnRates: unknown }[];
  };
  return JSON.stringify(report.slos.map((s) => [s.name, s.events, s.burnRates]));
}

export async function timeCacheRerun(setup: CacheBenchSetup): Promise<boolean> {
  const p = paths(setup);
  emptied(p.dir);
  copyFileSync(setup.log, p.copy);
  writeFileSync(p.slo, sloText("ctrl", "logs", JSON.stringify("logs.ndjson")));
  const endMs = Date.parse(setup.end);
  const cached = ["--cache", p.tallies];
  const noCache = ["--no-cache"];
  const check = (at: number, cache: string[]) => [
    "check",
    p.slo,
    "--at",
    iso(at),
    "--format",
    "json",
    ...cache,
  ];
  const alerts = (at: number, cache: string[]) => [
    "alerts",
    p.slo,
    "--at",
    iso(at),
    "--dry-run",
    "--format",
    "json",
    ...cache,
  ];
  const rows: Row[] = [];
  const problems: string[] = [];
  /** Each command `runs` times, in turn, so a change of load falls on all alike: each one's median. before: ahead of each run with the cache. */
  const inTurn = async (before: () => void, commands: string[][]): Promise<Measured[]> => {
    const all = commands.map((): Measured[] => []);
    for (let i = 0; i < setup.runs; i++) {
      for (const [k, args] of commands.entries()) {
        // only a run with the cache reads the folder: one without it must not empty it after
        if (args.includes("--cache")) before();
        all[k]!.push(await slo(setup, args));
      }
    }
    return all.map(median);
  };
  const same = (what: string, a: string, b: string) => {
    if (a !== b) problems.push(`${what}: the cached run's result differs from --no-cache's`);
    return a === b;
  };

  // 1. cold: with the cache (each run from an empty folder: it writes the cache), and without
  const [coldNoCache, coldCache] = await inTurn(
    () => emptied(p.tallies),
    [check(endMs, noCache), check(endMs, cached)],
  );
  rows.push({ run: "check, cold, --no-cache", m: coldNoCache! });
  rows.push({ run: "check, cold, cache on (writes it)", m: coldCache! });
  same("cold check", reportFigures(coldCache!.stdout), reportFigures(coldNoCache!.stdout));
  snapshot(p);

  // 2. rerun, the file unchanged, the same --at; and a process that only starts
  const [rerun, startUp] = await inTurn(() => restore(p), [check(endMs, cached), ["--version"]]);
  rows.push({ run: "check, rerun, file unchanged", m: rerun! });
  same("rerun, unchanged", reportFigures(rerun!.stdout), reportFigures(coldNoCache!.stdout));

  // 3. 1% of the bytes appended: the file's last 1% re-timed into the next 5 minutes
  const grownAt = endMs + STEP_MS;
  // taken now, while the file's end is still its own last 5 minutes (step 4 appends them)
  const lastMinutes = lastLinesOver(p.copy, endMs, STEP_MS);
  const share = Math.round(APPENDED_SHARE * statSync(p.copy).size);
  appendFileSync(p.copy, retimeLines(tailLines(p.copy, share), endMs, grownAt));
  const [grownRerun, grownCold] = await inTurn(
    () => restore(p),
    [check(grownAt, cached), check(grownAt, noCache)],
  );
  rows.push({ run: "check, rerun after 1% appended (--at +5m)", m: grownRerun! });
  rows.push({ run: "check, cold, --no-cache, grown file (--at +5m)", m: grownCold! });
  same(
    "rerun after 1% appended",
    reportFigures(grownRerun!.stdout),
    reportFigures(grownCold!.stdout),
  );
  restore(p);
  await slo(setup, check(grownAt, cached));
  const checkCacheBytes = folderBytes(p.tallies);

  // 4. slo alerts --dry-run: cold, then after 5 more minutes of lines
  const [alertsCold, alertsColdNoCache] = await inTurn(
    () => emptied(p.tallies),
    [alerts(grownAt, cached), alerts(grownAt, noCache)],
  );
  rows.push({ run: "alerts --dry-run, cold, cache on (writes it)", m: alertsCold! });
  rows.push({ run: "alerts --dry-run, cold, --no-cache", m: alertsColdNoCache! });
  same("cold alerts", alertsCold!.stdout, alertsColdNoCache!.stdout);
  snapshot(p);
  const nextAt = grownAt + STEP_MS;
  appendFileSync(p.copy, retimeLines(lastMinutes, grownAt, nextAt));
  const [alertsRerun, alertsNoCache] = await inTurn(
    () => restore(p),
    [alerts(nextAt, cached), alerts(nextAt, noCache)],
  );
  rows.push({ run: "alerts --dry-run, rerun after 5 min appended (+10m)", m: alertsRerun! });
  rows.push({ run: "alerts --dry-run, --no-cache, same file (+10m)", m: alertsNoCache! });
  same("alerts after 5 minutes appended", alertsRerun!.stdout, alertsNoCache!.stdout);
  rows.push({ run: "process start-up alone (slo --version)", m: startUp! });

  printTable(rows, coldNoCache!, setup.runs);
  const ratio = grownRerun!.wallS / grownCold!.wallS;
  console.log(
    `\nrerun after 1% appended: ${(100 * ratio).toFixed(1)}% of the cold run (target < ${100 * RERUN_TARGET}%: ${ratio < RERUN_TARGET ? "met" : "NOT met"}; CPU ${((100 * grownRerun!.cpuS) / grownCold!.cpuS).toFixed(1)}%); the cold run is --no-cache on the same grown file`,
  );
  const own = (m: Measured) => `${Math.max(0, m.wallS - startUp!.wallS).toFixed(2)} s`;
  console.log(
    `of it, process start-up (slo --version) is ${startUp!.wallS.toFixed(2)} s: slo's own reading and counting ${own(grownRerun!)} (unchanged file: ${own(rerun!)})`,
  );
  console.log(
    `cache folder (du -sb --cache DIR): ${(checkCacheBytes / 1024).toFixed(0)} KiB after the check's rerun, ${(folderBytes(p.tallies) / 1024).toFixed(0)} KiB after the alerts'`,
  );
  console.log(
    `counts and burn rates of every SLO (check) and the alerts' output the same with and without the cache: ${problems.length === 0 ? "yes" : "NO"}`,
  );
  for (const problem of problems) console.log(`DIFFERENT: ${problem}`);
  rmSync(p.copy, { force: true });
  return problems.length === 0;
}

function printTable(rows: Row[], cold: Measured, runs: number): void {
  console.log(
    `\n**The tally cache on a copy of the 1 GB file** (median of ${runs} runs; share: of the cold --no-cache check's wall time)\n`,
  );
  console.log("| run | wall s | CPU s | peak RSS | share of cold |");
  console.log("|---|---:|---:|---:|---:|");
  for (const { run, m } of rows) {
    console.log(
      `| ${run} | ${m.wallS.toFixed(2)} | ${m.cpuS.toFixed(2)} | ${Math.round(m.peakRssMb)} MB | ${((100 * m.wallS) / cold.wallS).toFixed(1)}% |`,
    );
  }
}
