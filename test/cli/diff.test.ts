/**
 * `slo diff --base REF` in a real git repository (test/support/slo-git-repo.ts:
 * three commits of one SLO file over the hand-counted log), so the alerts
 * replayed differ between definitions. The review's numbers are checked against `slo check` and
 * `slo report` run on a checkout of each commit.
 */

import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloDiff } from "../../src/report/diff-model.js";
import type { SloReport } from "../../src/report/schema.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { BASE, git, makeSloHistory } from "../support/slo-git-repo.js";

const AT = "2026-11-24T12:00:00Z";
let dir: string;
let repo: string;
let baseCheckout: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-diff-"));
  repo = join(dir, "repo");
  await makeSloHistory(repo);
  baseCheckout = join(dir, "base");
  await git(repo, "worktree", "add", "-q", "--detach", baseCheckout, "HEAD~1");
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function json<T>(cwd: string, args: string[]): Promise<T> {
  const r = await runCli([...args, "--at", AT, "--format", "json"], { cwd });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as T;
}

const entry = (report: SloReport, name: string) => report.slos.find((s) => s.name === name)!;
const pages = (report: SloReport, name: string, severity = "page") =>
  (entry(report, name).alertHistory?.episodes ?? []).filter((e) => e.severity === severity).length;

describe("slo diff --base", () => {
  it("evaluates each changed, added and removed SLO as slo check and slo report do on each commit", async () => {
    const [diff, checkBefore, checkAfter, reportBefore, reportAfter] = await Promise.all([
      json<SloDiff>(repo, ["diff", "--base", "HEAD~1"]),
      json<SloReport>(baseCheckout, ["check"]),
      json<SloReport>(repo, ["check"]),
      json<SloReport>(baseCheckout, ["report"]),
      json<SloReport>(repo, ["report"]),
    ]);
    expect(diff.unchanged).toBe(1);
    expect(diff.changes.map((c) => [c.kind, c.name, c.changed])).toEqual([
      ["changed", "availability", ["objective", "alerting"]],
      ["added", "fresh", []],
      ["removed", "legacy", []],
    ]);
    const side = (check: SloReport, report: SloReport, name: string) => ({
      objective: entry(check, name).objective,
      budgetRemaining: entry(check, name).errorBudget.remaining,
      status: entry(check, name).status,
      pages: pages(report, name),
      tickets: pages(report, name, "ticket"),
    });
    const pick = (s: SloDiff["changes"][number]["before"]) =>
      s && {
        objective: s.objective,
        budgetRemaining: s.budgetRemaining,
        status: s.status,
        pages: s.pages,
        tickets: s.tickets,
      };
    const [changed, added, removed] = diff.changes;
    expect(pick(changed!.before)).toEqual(side(checkBefore, reportBefore, "availability"));
    expect(pick(changed!.after)).toEqual(side(checkAfter, reportAfter, "availability"));
    expect(changed!.before!.definedAt).toBe("HEAD~1:slos/hand.yaml:5");
    expect(changed!.after!.definedAt).toBe("slos/hand.yaml:5");
    // the stricter objective pages more often over the same data
    expect(changed!.after!.pages).toBeGreaterThan(changed!.before!.pages!);
    expect(changed!.after!.alerting.map((a) => `${a.severity} ${a.long}`)).toEqual([
      "page 1h",
      "page 6h",
      "ticket 1d",
    ]);
    expect(added!.before).toBeNull();
    expect(pick(added!.after)).toEqual(side(checkAfter, reportAfter, "fresh"));
    expect(removed!.after).toBeNull();
    expect(pick(removed!.before)).toEqual(side(checkBefore, reportBefore, "legacy"));
  }, 120_000);

  it("says the change in text and in Markdown, with the alerts replayed", async () => {
    const text = await runCli(["diff", "--base", "HEAD~1", "--at", AT], { cwd: repo });
    expect(text.code).toBe(0);
    const report = await json<SloReport>(repo, ["report"]);
    const base = await json<SloReport>(baseCheckout, ["report"]);
    const replay = `Would have paged ${pages(base, "availability")} time${pages(base, "availability") === 1 ? "" : "s"} in the last 30d; now ${pages(report, "availability")}.`;
    expect(text.stdout).toContain("1 changed, 1 added, 1 removed, 1 unchanged");
    expect(text.stdout).toContain("changed hand / availability (slos/hand.yaml:5)");
    expect(text.stdout).toMatch(/ {2}objective {4}99% → 99\.9%\n/);
    expect(text.stdout).toContain(replay);
    expect(text.stdout).toContain("removed hand / legacy (HEAD~1:slos/hand.yaml:10)");
    expect(text.stdout).not.toContain("steady");

    const md = await runCli(["diff", "--base", "HEAD~1", "--at", AT, "--format", "markdown"], {
      cwd: repo,
    });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("| objective | 99% | **99.9%** |");
    expect(md.stdout).toContain(replay);
    expect(md.stdout).toContain("| | added |");
    expect(md.stdout).toContain("| | removed |");
  }, 120_000);

  it("refuses an unknown revision and one that would read as an option (exit 2)", async () => {
    const unknown = await runCli(["diff", "--base", "no-such-branch", "--at", AT], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown revision no-such-branch");
    expect(hasStackTrace(unknown.stderr)).toBe(false);
    const option = await runCli(["diff", `--base=--output=${join(dir, "written")}`], { cwd: repo });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("not a git revision");
    expect(existsSync(join(dir, "written"))).toBe(false);
  }, 60_000);

  it("in a shallow clone, says fetch-depth: 0 is needed", async () => {
    const shallow = join(dir, "shallow");
    await git(dir, "clone", "-q", "--depth", "1", `file://${repo}`, shallow);
    const r = await runCli(["diff", "--base", "HEAD~1", "--at", AT], { cwd: shallow });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a shallow clone");
    expect(r.stderr).toContain("fetch-depth: 0 is needed");
  }, 60_000);
});

describe("slo diff --base, files moved and sources failing", () => {
  it("matches an SLO whose file moved (same logs: unchanged); a source that fails exits 3", async () => {
    const moved = join(dir, "moved");
    await mkdir(join(moved, "slos/team"), { recursive: true });
    await git(moved, "init", "-q");
    await copyFile(join(repo, "slos/events.ndjson"), join(moved, "slos/events.ndjson"));
    const steady = BASE.replace(/ {2}- name: availability[\s\S]*(?= {2}- name: steady)/, "");
    await writeFile(join(moved, "slos/hand.yaml"), steady);
    await git(moved, "add", "-A");
    await git(moved, "commit", "-q", "-m", "base");
    await git(moved, "mv", "slos/hand.yaml", "slos/team/hand.yaml");
    await writeFile(
      join(moved, "slos/team/hand.yaml"),
      steady.replace("[events.ndjson]", "[../events.ndjson]"),
    );
    await writeFile(
      join(moved, "slos/gone.yaml"),
      steady.replace("service: hand", "service: gone").replace("[events.ndjson]", "[gone.ndjson]"),
    );
    const r = await runCli(["diff", "--base", "HEAD", "--at", AT, "--format", "json"], {
      cwd: moved,
    });
    expect(r.code).toBe(3);
    const diff = JSON.parse(r.stdout) as SloDiff;
    expect(diff.unchanged).toBe(1);
    expect(diff.changes.map((c) => [c.kind, c.service, c.after?.status])).toEqual([
      ["added", "gone", "error"],
    ]);
    expect(diff.changes[0]!.after!.error).toContain("gone.ndjson");
  }, 60_000);
});
