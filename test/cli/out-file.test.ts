/**
 * --out never replaces what the command reads, however the path reaches it:
 * a symlink, a hard link, a symlinked folder. Each case must exit 2 and
 * leave the input byte for byte as it was.
 */

import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasStackTrace, runCli } from "../support/cli.js";

const AT = "2026-11-24T12:00:00Z";

/**
 * A folder with an SLO file over a log file (or, for slo rules, over
 * Prometheus, never asked); every path real (no link on the way).
 */
function project(command: Command = "check"): { dir: string; slo: string; log: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "slo-out-")));
  const log = join(dir, "events.ndjson");
  writeFileSync(log, `${JSON.stringify({ t: "2026-11-24T11:00:00Z", status: 200 })}\n`);
  const slo = join(dir, "slo.yaml");
  const indicator =
    command === "rules"
      ? "{ ratio: { source: prom, total: requests_total, bad: errors_total } }"
      : '{ ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }';
  writeFileSync(
    slo,
    `service: svc
sources:
  logs: { type: logs, paths: [events.ndjson] }
  prom: { type: prometheus, url: "http://127.0.0.1:1" }
slos:
  - name: availability
    objective: 90%
    window: 30d
    indicator: ${indicator}
`,
  );
  return { dir, slo, log };
}

/** Another folder, outside the project, for the links. */
function elsewhere(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "slo-out-links-")));
}

type Command = "check" | "report" | "rules";

const COMMANDS: Record<Command, (slo: string, out: string) => string[]> = {
  check: (slo: string, out: string) => ["check", slo, "--at", AT, "--out", out],
  report: (slo: string, out: string) => ["report", slo, "--at", AT, "--out", out],
  rules: (slo: string, out: string) => ["rules", slo, "--out", out],
};

/** Run the command with --out; it must refuse (exit 2) and leave `input` as it was. */
async function expectRefused(command: Command, slo: string, out: string, input: string) {
  const before = readFileSync(input);
  const r = await runCli(COMMANDS[command](slo, out));
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`--out ${out} is`);
  expect(r.stderr).toContain("refusing to overwrite it");
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(readFileSync(input).equals(before)).toBe(true);
  return r;
}

describe("--out through a symlink", () => {
  it.each(["check", "report", "rules"] as const)(
    "slo %s refuses a symlink to the SLO file",
    async (command) => {
      const { slo } = project(command);
      const link = join(elsewhere(), "report.out");
      symlinkSync(slo, link);
      const r = await expectRefused(command, slo, link, slo);
      expect(r.stderr).toContain(`is one of the SLO files being read (${slo}, through a link)`);
    },
  );

  it.each(["check", "report"] as const)(
    "slo %s refuses a symlink to a log file",
    async (command) => {
      const { slo, log } = project();
      const link = join(elsewhere(), "report.out");
      symlinkSync(log, link);
      const r = await expectRefused(command, slo, link, log);
      expect(r.stderr).toContain(`is a log file the SLOs read (${log}, through a link)`);
    },
  );
});

describe("--out through a hard link", () => {
  it.each(["check", "report", "rules"] as const)(
    "slo %s refuses a hard link to the SLO file",
    async (command) => {
      const { slo } = project(command);
      const link = join(elsewhere(), "report.out");
      linkSync(slo, link);
      await expectRefused(command, slo, link, slo);
    },
  );

  it.each(["check", "report"] as const)(
    "slo %s refuses a hard link to a log file",
    async (command) => {
      const { slo, log } = project();
      const link = join(elsewhere(), "report.out");
      linkSync(log, link);
      await expectRefused(command, slo, link, log);
    },
  );
});

describe("--out in a symlinked folder", () => {
  it.each(["check", "report"] as const)(
    "slo %s refuses the SLO file and the log file reached through a linked folder",
    async (command) => {
      const { dir, slo, log } = project();
      const linkedFolder = join(elsewhere(), "project");
      symlinkSync(dir, linkedFolder);
      await expectRefused(command, slo, join(linkedFolder, "slo.yaml"), slo);
      await expectRefused(command, slo, join(linkedFolder, "events.ndjson"), log);
    },
  );

  it("writes a new file in a linked folder (the folder's real path is not an input)", async () => {
    const { dir, slo } = project();
    const linkedFolder = join(elsewhere(), "project");
    symlinkSync(dir, linkedFolder);
    mkdirSync(join(dir, "out"));
    const r = await runCli(COMMANDS.check(slo, join(linkedFolder, "out", "report.txt")));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "out", "report.txt"), "utf8")).toContain("availability");
  });
});
