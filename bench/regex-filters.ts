/**
 * The bench's regex case: an SLO whose queries are regex line filters only,
 * timed with today's slo (regexes on re2js, linear time) and with the last
 * slo whose regexes ran on JavaScript's RegExp (backtracking), built from
 * git, side by side in one run. Both must count the same events.
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Measured, measure, median } from "./measure.js";

/** The last commit whose LogQL regexes ran on JavaScript's RegExp. */
const JS_REGEXP_COMMIT = "2dd50e08c174e44a6e5ef69d9694bb79430a3cdc";

/** A ratio SLO of regex line filters, with what its patterns exercise. */
interface RegexCase {
  name: string;
  total: string;
  bad: string;
}

const CASES: RegexCase[] = [
  {
    // plain text, and plain text with (?i): searched as text, as Loki does
    name: "plain-text",
    total: '{app="ctrl"} |~ "api-sync|sms-poke"',
    bad: '{app="ctrl"} |~ "api-sync|sms-poke" |~ "(?i)\\"lvl\\":\\"ERROR\\""',
  },
  {
    // classes, groups and alternatives with no plain-text prefix: the automaton on every line
    name: "automaton",
    total: '{app="ctrl"} |~ "(api|sms)-[a-z]+-"',
    bad: '{app="ctrl"} |~ "(api|sms)-[a-z]+-" |~ "\\"lvl\\":\\"(error|fatal)\\""',
  },
];

export interface RegexBenchSetup {
  root: string;
  cache: string;
  /** the 1 GB log file, relative to cache */
  log: string;
  /** today's CLI bundle */
  bundle: string;
  lines: number;
  end: string;
  runs: number;
}

interface Timed {
  engine: string;
  m: Measured;
  counts: { total: number; bad: number };
}

function sloText(log: string, c: RegexCase): string {
  return `# written by bench/regex-filters.ts
service: ctrl
sources:
  logs:
    type: logs
    paths: [${JSON.stringify(log)}]
    timestamp: t
    labels: { app: ctrl }
slos:
  - name: ${c.name}
    objective: 99%
    window: 30d
    indicator:
      ratio:
        source: logs
        total: '${c.total}'
        bad: '${c.bad}'
`;
}

/** The CLI as it was at JS_REGEXP_COMMIT, bundled once into the cache; null when git cannot give it. */
function baselineBundle(setup: RegexBenchSetup): string | null {
  const dir = join(setup.cache, "..", `cli-${JS_REGEXP_COMMIT.slice(0, 7)}`);
  const bundle = join(dir, "out", "slo.mjs");
  if (existsSync(bundle)) return bundle;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync("git", ["archive", JS_REGEXP_COMMIT, "src", "scripts"], {
      cwd: setup.root,
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    symlinkSync(join(setup.root, "node_modules"), join(dir, "node_modules"));
    execFileSync(
      process.execPath,
      [join(dir, "scripts", "build-cli.mjs"), "--outdir", join(dir, "out")],
      { cwd: dir, stdio: "inherit", env: { ...process.env, SLO_QUIET_BUILD: "1" } },
    );
    return bundle;
  } catch (error) {
    console.error(`regex bench: no baseline from git (${(error as Error).message.split("\n")[0]})`);
    return null;
  }
}

async function timeBundle(
  engine: string,
  bundle: string,
  slo: string,
  setup: RegexBenchSetup,
): Promise<Timed> {
  const all: Measured[] = [];
  for (let i = 0; i < setup.runs; i++) {
    const m = await measure(
      process.execPath,
      // the slo of before the cache has no --no-cache: it always read cold
      [
        bundle,
        "check",
        slo,
        "--at",
        setup.end,
        "--format",
        "json",
        ...(bundle === setup.bundle ? ["--no-cache"] : []),
      ],
      "capture",
    );
    if (m.code !== 0 && m.code !== 1)
      throw new Error(`slo check (${engine}) exited with ${m.code}`);
    all.push(m);
  }
  const m = median(all);
  const report = JSON.parse(m.stdout) as {
    slos: { events: { total: number; bad: number } | null }[];
  };
  const events = report.slos[0]?.events;
  if (!events) throw new Error(`slo check (${engine}) did not count`);
  return { engine, m, counts: { total: events.total, bad: events.bad } };
}

/** Times each regex SLO with both engines and prints them side by side; false if their counts differ. */
export async function timeRegexFilters(setup: RegexBenchSetup): Promise<boolean> {
  const baseline = baselineBundle(setup);
  console.log(`\n**Regex line filters over the 1 GB file** (median of ${setup.runs} runs)\n`);
  console.log("| SLO | regex engine | wall s | CPU s | lines/s | peak RSS | total | bad |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  let same = true;
  for (const c of CASES) {
    const slo = join(setup.cache, `slo-regex-${c.name}.yaml`);
    writeFileSync(slo, sloText(setup.log, c));
    const now = await timeBundle("re2js (now)", setup.bundle, slo, setup);
    const before = baseline ? await timeBundle("JS RegExp (before)", baseline, slo, setup) : null;
    for (const r of before ? [now, before] : [now]) printRow(c, r, setup.lines);
    same =
      same &&
      (!before ||
        (before.counts.total === now.counts.total && before.counts.bad === now.counts.bad));
  }
  console.log("");
  for (const c of CASES) console.log(`- ${c.name}: total \`${c.total}\`, bad \`${c.bad}\``);
  if (baseline) console.log(`\ncounts the same with both engines: ${same ? "yes" : "NO"}`);
  return same;
}

function printRow(c: RegexCase, r: Timed, lines: number): void {
  console.log(
    `| ${c.name} | ${r.engine} | ${r.m.wallS.toFixed(2)} | ${r.m.cpuS.toFixed(2)} | ${(lines / r.m.wallS / 1e6).toFixed(2)} M | ${Math.round(r.m.peakRssMb)} MB | ${r.counts.total} | ${r.counts.bad} |`,
  );
}
