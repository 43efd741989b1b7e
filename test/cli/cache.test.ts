/**
 * The log tally cache from the command line: `slo check` and `slo alerts`
 * run again read only the lines added since (shown by a byte changed in the
 * part already counted, the size and time put back, which only a read of
 * that part would see), --no-cache keeps nothing, an unwritable or damaged
 * cache is a note and never a failure.
 */

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { appendFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultCacheDir } from "../../src/defaults.js";
import { parseAt } from "../../src/parse-option.js";
import { runCli } from "../support/cli.js";

const root = mkdtempSync(join(tmpdir(), "slo-cli-cache-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const AT = Date.parse("2026-11-24T12:00:00Z");
const MINUTE = 60_000;

const SLO = sloFile(["30d"]);

/** One SLO per window, each counting the same events. */
function sloFile(windows: string[]): string {
  const slo = (window: string) => `  - name: avail-${window}
    objective: 90%
    window: ${window}
    indicator:
      ratio:
        source: logs
        total: '{app="ctrl"} | json | msg = "resp"'
        bad: '{app="ctrl"} | json | msg = "resp" | status >= 500'
`;
  return `service: ctrl
sources:
  logs:
    type: logs
    paths: ["app.ndjson"]
    timestamp: t
    labels: { app: ctrl }
slos:
${windows.map(slo).join("")}`;
}

/** A line of one event, `minutesBefore` the evaluation instant; padded so the file is well past the hashed 8 KiB. */
function event(minutesBefore: number, status = 200): string {
  const t = new Date(AT - minutesBefore * MINUTE).toISOString();
  return `${JSON.stringify({ msg: "resp", t, status, pad: "x".repeat(200) })}\n`;
}

let n = 0;
function workspace(slo = SLO): { dir: string; log: string; cache: string } {
  const dir = join(root, `w${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "slo.yaml"), slo);
  const log = join(dir, "app.ndjson");
  // 200 events, 1 bad, over the last 200 minutes
  writeFileSync(
    log,
    Array.from({ length: 200 }, (_, i) => event(200 - i, i === 10 ? 503 : 200)).join(""),
  );
  return { dir, log, cache: join(dir, "cache") };
}

/** Make the 100th line's event bad where only a read of it would see: size and time put back. */
function changeUnseen(log: string): void {
  const info = statSync(log);
  const text = readFileSync(log, "utf8");
  const lines = text.split("\n");
  lines[100] = lines[100]!.replace('"status":200', '"status":500');
  writeFileSync(log, lines.join("\n"));
  utimesSync(log, info.atime, info.mtime);
}

async function totals(
  args: string[],
  cwd: string,
): Promise<{ total: number; bad: number; stderr: string }> {
  const run = await runCli([...args, "--format", "json"], { cwd });
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as {
    slos: { events: { total: number; bad: number } }[];
  };
  // every window covers every event: the SLOs count alike, from the cache or not
  for (const slo of report.slos) expect(slo.events).toEqual(report.slos[0]!.events);
  return { ...report.slos[0]!.events, stderr: run.stderr };
}

// each test runs the CLI three to six times: room for a busy machine
describe("slo check with the log tally cache", { timeout: 120_000 }, () => {
  // 1d, 7d and 28d measure the previous window's coverage in 96 buckets:
  // every edge on a whole minute, so these read from the cache too
  it("reads only the lines appended since the last run", async () => {
    const { dir, log, cache } = workspace(sloFile(["30d", "28d", "7d", "1d"]));
    const at = (m: number) => new Date(AT + m * MINUTE).toISOString();
    const first = await totals(["check", "slo.yaml", "--at", at(0), "--cache", cache], dir);
    expect(first).toMatchObject({ total: 200, bad: 1 });
    changeUnseen(log);
    await appendFile(log, event(-1, 503) + event(-2));
    const second = await totals(["check", "slo.yaml", "--at", at(3), "--cache", cache], dir);
    // the appended lines counted; the changed line not read again
    expect(second).toMatchObject({ total: 202, bad: 2, stderr: "" });
    // a cold read sees the change too
    const cold = await totals(["check", "slo.yaml", "--at", at(3), "--no-cache"], dir);
    expect(cold).toMatchObject({ total: 202, bad: 3 });
  });

  it("counts a last line without its newline once, in every run, until it is finished", async () => {
    // one SLO of a 1d window: its current and previous windows share one set of buckets
    const { dir, log, cache } = workspace(sloFile(["1d"]));
    await appendFile(log, event(-0.5, 503).trimEnd());
    const at = (m: number) => new Date(AT + m * MINUTE).toISOString();
    for (const m of [1, 1, 2]) {
      const cached = await totals(["check", "slo.yaml", "--at", at(m), "--cache", cache], dir);
      expect(cached).toMatchObject({ total: 201, bad: 2 });
    }
    await appendFile(log, "\n");
    const finished = await totals(["check", "slo.yaml", "--at", at(3), "--cache", cache], dir);
    expect(finished).toMatchObject({ total: 201, bad: 2 });
  });

  it("reads again the events past what the last run kept (a later --at on the same file)", async () => {
    const { dir, log, cache } = workspace();
    // events up to three days after the first run's instant, one bad a day after it
    writeFileSync(
      log,
      Array.from({ length: 500 }, (_, i) => event(200 - i * 10, i === 170 ? 503 : 200)).join(""),
    );
    const at = (m: number) => new Date(AT + m * MINUTE).toISOString();
    await totals(["check", "slo.yaml", "--at", at(0), "--cache", cache], dir);
    for (const later of [2 * 1440, 3 * 1440]) {
      const cached = await totals(["check", "slo.yaml", "--at", at(later), "--cache", cache], dir);
      const cold = await totals(["check", "slo.yaml", "--at", at(later), "--no-cache"], dir);
      expect(cached).toEqual(cold);
      expect(cold.bad).toBe(1);
    }
  });

  it("--no-cache writes nothing; the default folder is used without --cache", async () => {
    const { dir } = workspace();
    const home = join(dir, "xdg");
    const run = await runCli(["check", "slo.yaml", "--at", "2026-11-24T12:00:00Z", "--no-cache"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: home },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(() => readdirSync(home)).toThrow();
    const again = await runCli(["check", "slo.yaml", "--at", "2026-11-24T12:00:00Z"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: home },
    });
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(home, "slo"))).toHaveLength(1);
  });

  it("an unwritable cache folder is a note; the run counts without it", async () => {
    const { dir } = workspace();
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file where the folder would be");
    const run = await totals(
      ["check", "slo.yaml", "--at", "2026-11-24T12:00:00Z", "--cache", join(blocked, "c")],
      dir,
    );
    expect(run).toMatchObject({ total: 200, bad: 1 });
    expect(run.stderr).toMatch(
      /^note: cannot write the log cache in .*blocked\/c: .*; counted without it\n$/,
    );
  });

  it("a damaged, cut or foreign cache file is a note, counted again and rewritten", async () => {
    const { dir, cache } = workspace();
    const args = ["check", "slo.yaml", "--at", "2026-11-24T12:00:00Z", "--cache", cache];
    await totals(args, dir);
    const [name] = readdirSync(cache);
    const file = join(cache, name!);
    const whole = readFileSync(file);
    for (const damaged of [
      Buffer.from("random bytes \x00\x01\x02"),
      whole.subarray(0, whole.length - 10),
      Buffer.concat([Buffer.from("slo-tally-cache 999\n"), whole.subarray(whole.indexOf(10) + 1)]),
    ]) {
      writeFileSync(file, damaged);
      const run = await totals(args, dir);
      expect(run).toMatchObject({ total: 200, bad: 1 });
      expect(run.stderr).toBe(
        `note: the log cache file ${file} is damaged or of another version: ignored, counted again\n`,
      );
      expect(readFileSync(file).equals(whole)).toBe(true);
    }
  });
});

describe("slo alerts every five minutes", { timeout: 120_000 }, () => {
  it("reads only the lines added since the last run", async () => {
    const { dir, log, cache } = workspace();
    const alerts = (m: number) =>
      runCli(
        [
          "alerts",
          "slo.yaml",
          "--dry-run",
          "--at",
          new Date(AT + m * MINUTE).toISOString(),
          "--cache",
          cache,
          "--format",
          "json",
        ],
        { cwd: dir },
      );
    const first = await alerts(0);
    expect(first.code, first.stderr).toBe(0);
    changeUnseen(log);
    await appendFile(log, event(-3) + event(-4));
    const second = await alerts(5);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe("");
    expect(readdirSync(cache)).toHaveLength(1);
    // the cache holds this run's read end: the whole file, the changed line not read again
    const check = await totals(
      ["check", "slo.yaml", "--at", new Date(AT + 5 * MINUTE).toISOString(), "--cache", cache],
      dir,
    );
    expect(check).toMatchObject({ total: 202, bad: 1 });
  });
});

describe("the defaults", () => {
  it("at is now floored to the whole minute", () => {
    expect(parseAt(undefined, "--at", AT + 59_999)).toBe(AT);
    expect(parseAt(undefined, "--at", AT)).toBe(AT);
    expect(parseAt("2026-11-24T12:00:30Z", "--at")).toBe(AT + 30_000);
  });

  it("the cache folder is slo under the user's cache folder", () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x/cache" }, "linux", "/home/u")).toBe(
      "/x/cache/slo",
    );
    expect(defaultCacheDir({}, "linux", "/home/u")).toBe("/home/u/.cache/slo");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "relative" }, "linux", "/home/u")).toBe(
      "/home/u/.cache/slo",
    );
    expect(defaultCacheDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/slo");
    expect(
      defaultCacheDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u"),
    ).toBe("C:\\Users\\u\\AppData\\Local\\slo");
  });
});
