/**
 * Review of the log tally cache (Issue 18): a run with the cache must report
 * what a cold run (--no-cache) reports on the same files at the same --at.
 * These fail today: plans that share one set of minute buckets (an SLO's
 * current and previous window; two SLOs with the same queries and other
 * windows) get buckets sized for the shared plan alone, so the plan that
 * reaches further back loses the events before it. And a last line without
 * its newline is added into the shared buckets once per plan that shares
 * them (addMinuteStates adds into its first argument): counted more than
 * once in the run, and written to the cache, so counted again once complete.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { appendFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const root = mkdtempSync(join(tmpdir(), "slo-cli-cache-review-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const AT = "2026-11-24T12:00:00Z";
const MINUTE = 60_000;

const QUERIES = `      ratio:
        source: logs
        total: '{app="ctrl"} | json | msg = "resp"'
        bad: '{app="ctrl"} | json | msg = "resp" | status >= 500'
`;

function sloFile(windows: string[]): string {
  return `service: ctrl
sources:
  logs:
    type: logs
    paths: ["app.ndjson"]
    timestamp: t
    labels: { app: ctrl }
slos:
${windows
  .map(
    (w) => `  - name: avail-${w}
    objective: 90%
    window: ${w}
    indicator:
${QUERIES}`,
  )
  .join("")}`;
}

let n = 0;
/** One event every 30 minutes over the 16 days before AT, every 50th bad. */
function workspace(slo: string): { dir: string; cache: string } {
  const dir = join(root, `w${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "slo.yaml"), slo);
  const end = Date.parse(AT);
  const lines = Array.from({ length: 16 * 48 }, (_, i) => {
    const t = new Date(end - (16 * 48 - i) * 30 * MINUTE + 7_000).toISOString();
    return `${JSON.stringify({ msg: "resp", t, status: i % 50 === 0 ? 503 : 200 })}\n`;
  });
  writeFileSync(join(dir, "app.ndjson"), lines.join(""));
  return { dir, cache: join(dir, "cache") };
}

interface Slo {
  name: string;
  events: unknown;
  previous: unknown;
  burnDown: unknown;
}

async function slos(args: string[], cwd: string): Promise<Slo[]> {
  const run = await runCli([...args, "--format", "json"], { cwd });
  expect(run.code, run.stderr).toBeLessThan(2);
  return (JSON.parse(run.stdout) as { slos: Slo[] }).slos;
}

describe("the tally cache reports what a cold run reports", { timeout: 120_000 }, () => {
  it("an SLO's previous window, on the first run with an empty cache", async () => {
    const { dir, cache } = workspace(sloFile(["7d"]));
    const cold = await slos(["check", "slo.yaml", "--at", AT, "--no-cache"], dir);
    expect(cold[0]!.previous).toMatchObject({ coverage: 1 });
    const cached = await slos(["check", "slo.yaml", "--at", AT, "--cache", cache], dir);
    // got: previous.events all 0, coverage 0
    expect(cached[0]!.previous).toEqual(cold[0]!.previous);
  });

  it("two SLOs with the same queries and different windows", async () => {
    const { dir, cache } = workspace(sloFile(["1h", "7d"]));
    const cold = await slos(["check", "slo.yaml", "--at", AT, "--no-cache"], dir);
    const cached = await slos(["check", "slo.yaml", "--at", AT, "--cache", cache], dir);
    // got: the 7d SLO's burn-down (and previous window) counted from the 1h SLO's buckets only
    expect(cached[1]!.burnDown).toEqual(cold[1]!.burnDown);
    expect(cached[1]!.previous).toEqual(cold[1]!.previous);
    expect(cached[1]!.events).toEqual(cold[1]!.events);
  });

  it("a last line without its newline, in buckets two SLOs share", async () => {
    const { dir, cache } = workspace(sloFile(["1h", "1h"]).replace("avail-1h", "first-1h"));
    const t = new Date(Date.parse(AT) - 20_000).toISOString();
    await appendFile(join(dir, "app.ndjson"), JSON.stringify({ msg: "resp", t, status: 503 }));
    const cold = await slos(["check", "slo.yaml", "--at", AT, "--no-cache"], dir);
    const cached = await slos(["check", "slo.yaml", "--at", AT, "--cache", cache], dir);
    // got: the second SLO counts the partial bad line twice (burn rates, burn-down)
    expect(cached).toEqual(cold);
  });

  it("a last line without its newline, completed and grown past: counted once", async () => {
    const { dir, cache } = workspace(sloFile(["1d"]));
    const log = join(dir, "app.ndjson");
    const at = (m: number) => new Date(Date.parse(AT) + m * MINUTE).toISOString();
    const line = (m: number) =>
      JSON.stringify({
        msg: "resp",
        t: new Date(Date.parse(AT) + m * MINUTE - 20_000).toISOString(),
        status: 503,
      });
    await appendFile(log, line(1));
    await slos(["check", "slo.yaml", "--at", at(1), "--cache", cache], dir);
    await appendFile(log, `\n${line(2)}\n`);
    const cached = await slos(["check", "slo.yaml", "--at", at(2), "--cache", cache], dir);
    const cold = await slos(["check", "slo.yaml", "--at", at(2), "--no-cache"], dir);
    // got: the once-partial bad line counted again from the cache
    expect(cached[0]!.events).toEqual(cold[0]!.events);
  });
});
