/**
 * A git repository whose SLO file changes over three commits, over the
 * hand-counted log (a burst of bad events at the end, a smaller one ten
 * days earlier): a file that does not load, the base, and the head, which
 * makes availability stricter and changes its alert windows, removes
 * legacy, keeps steady and adds fresh.
 */

import { execFile } from "node:child_process";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./cli.js";

const run = promisify(execFile);

export const git = (cwd: string, ...args: string[]) =>
  run("git", ["-c", "user.email=slo@example.com", "-c", "user.name=slo", ...args], { cwd });

const ratio = `indicator:
      ratio: { source: logs, total: "| json", bad: "| json | status >= 500" }`;

export const BROKEN = `service: hand
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: [99%
`;

export const BASE = `service: hand
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: 99%
    window: 30d
    ${ratio}
  - name: legacy
    objective: 95%
    window: 7d
    ${ratio}
  - name: steady
    objective: 90%
    window: 7d
    ${ratio}
`;

export const HEAD = `service: hand
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    ${ratio}
    alerting:
      windows:
        - { severity: page, long: 1h, short: 5m, burnRate: 14.4 }
        - { severity: page, long: 6h, short: 30m, burnRate: 6 }
        - { severity: ticket, long: 1d, short: 2h, burnRate: 3 }
  - name: steady
    objective: 90%
    window: 7d
    ${ratio}
  - name: fresh
    objective: 99.5%
    window: 7d
    ${ratio}
`;

/** The three commits in `repo` (made); returns each commit's sha, oldest first. */
export async function makeSloHistory(repo: string): Promise<string[]> {
  await mkdir(join(repo, "slos"), { recursive: true });
  await git(repo, "init", "-q");
  await copyFile(
    join(ROOT, "test/fixtures/hand-counted/events.ndjson"),
    join(repo, "slos/events.ndjson"),
  );
  const shas: string[] = [];
  for (const [text, message] of [
    [BROKEN, "broken"],
    [BASE, "base"],
    [HEAD, "head"],
  ] as const) {
    await writeFile(join(repo, "slos/hand.yaml"), text);
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", message);
    shas.push((await git(repo, "rev-parse", "HEAD")).stdout.trim());
  }
  return shas;
}

/**
 * A repository made of commits, each a map of file path to text (null:
 * removed), written over what the previous commit held; the hand-counted
 * log is slos/events.ndjson throughout. Returns each commit's sha.
 */
export async function makeRepo(
  repo: string,
  commits: { message: string; files: Record<string, string | null> }[],
): Promise<string[]> {
  await mkdir(join(repo, "slos"), { recursive: true });
  await git(repo, "init", "-q");
  await copyFile(
    join(ROOT, "test/fixtures/hand-counted/events.ndjson"),
    join(repo, "slos/events.ndjson"),
  );
  const shas: string[] = [];
  for (const { message, files } of commits) {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) await rm(join(repo, path));
      else {
        await mkdir(dirname(join(repo, path)), { recursive: true });
        await writeFile(join(repo, path), text);
      }
    }
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", message);
    shas.push((await git(repo, "rev-parse", "HEAD")).stdout.trim());
  }
  return shas;
}
