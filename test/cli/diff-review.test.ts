/**
 * What a reviewer found in `slo diff`, each in a real git repository:
 * paths given any way from anywhere, a side whose source fails, changes
 * that must show, the Markdown, revisions, renames and moves, a broken file
 * at the base.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloDiff } from "../../src/report/diff-model.js";
import { runCli } from "../support/cli.js";
import { BROKEN, git, makeRepo, makeSloHistory } from "../support/slo-git-repo.js";

const AT = "2026-11-24T12:00:00Z";
const COUNTS = "1 changed, 1 added, 1 removed, 1 unchanged";
let dir: string;
let history: string;
let review: string;

const ratio = (source: string) =>
  `indicator: { ratio: { source: ${source}, total: "| json", bad: "| json | status >= 500" } }`;
const slo = (name: string, extra: string, source = "ok") =>
  `  - name: ${name}\n    objective: 99%\n    window: 30d\n    ${ratio(source)}\n${extra}`;
const page = (after = "") =>
  `    alerting: { windows: [{ severity: page, long: 1h, short: 5m, burnRate: 14.4${after} }] }\n`;
const svc = (logs: string, slos: string) =>
  `service: svc\nsources:\n  logs: { type: logs, paths: [${logs}] }\n  ok: { type: logs, paths: [events.ndjson] }\nslos:\n${slos}`;
const moved = (objective: string, logs: string) =>
  `service: mv\nsources:\n  logs: { type: logs, paths: [${logs}] }\nslos:\n  - name: mv\n    objective: ${objective}\n    window: 7d\n    ${ratio("logs")}\n`;

const BASE_SVC = svc(
  "gone.ndjson",
  [
    slo("failing", page(), "logs"),
    slo("slow", page()),
    slo("cal", "").replace("window: 30d", "window: { calendar: month, timezone: UTC }"),
    slo("gated", "    gate: { minRemaining: 10% }\n"),
    slo("doc", "    description: before\n    runbook: https://example.com/before\n"),
    slo("old-name", "").replace("99%", "97%"),
  ].join(""),
);
const HEAD_SVC = BASE_SVC.replace("[gone.ndjson]", "[events.ndjson]")
  .replace(/(name: slow[\s\S]*?burnRate: 14\.4)/, "$1, alertAfter: 30m")
  .replace("timezone: UTC", "timezone: Europe/Berlin")
  .replace("minRemaining: 10%", "minRemaining: 20%")
  .replace("description: before", "description: after")
  .replace("example.com/before", "example.com/after")
  .replace("name: old-name", "name: new-name");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-diff-review-"));
  history = join(dir, "history");
  await makeSloHistory(history);
  review = join(dir, "review");
  await makeRepo(review, [
    {
      message: "base",
      files: { "slos/svc.yaml": BASE_SVC, "slos/moved.yaml": moved("95%", "events.ndjson") },
    },
    {
      message: "head",
      files: {
        "slos/svc.yaml": HEAD_SVC,
        "slos/moved.yaml": null,
        "slos/team/moved.yaml": moved("96%", "../events.ndjson"),
      },
    },
  ]);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const diff = (cwd: string, ...args: string[]) => runCli(["diff", "--at", AT, ...args], { cwd });

describe("slo diff: paths", () => {
  it("reads an absolute path in the repository as the same path relative to it", async () => {
    const relative = await diff(history, "--base", "HEAD~1", "slos");
    expect(relative.stdout).toContain(COUNTS);
    const inside = await diff(history, "--base", "HEAD~1", join(history, "slos"));
    expect(inside.stdout).toContain(COUNTS);
    const outside = await diff(dir, "--base", "HEAD~1", join(history, "slos"));
    expect(outside.stderr).toBe("");
    expect(outside.stdout).toContain(COUNTS);
    const below = await diff(join(history, "slos"), "--base", "HEAD~1", ".");
    expect(below.stdout).toContain(COUNTS);
  }, 120_000);
});

describe("slo diff: revisions", () => {
  it("accepts what git rev-parse accepts; a tree is not a commit", async () => {
    const message = await diff(history, "--base", ":/^base");
    expect(message.stderr).toBe("");
    expect(message.stdout).toContain(COUNTS);
    const tree = await diff(history, "--base", "HEAD:slos");
    expect(tree.code).toBe(2);
    expect(tree.stderr).toContain("HEAD:slos is not a commit");
  }, 60_000);

  it("reviews the rest when a file at the base does not load, naming it REF:path:line:col (exit 0)", async () => {
    const r = await diff(history, "--base", "HEAD~2", "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as SloDiff;
    expect(json.unreadable).toEqual([
      {
        file: "HEAD~2:slos/hand.yaml",
        error: expect.stringMatching(/^HEAD~2:slos\/hand\.yaml:\d+:\d+: /),
      },
    ]);
    expect(json.changes.map((c) => [c.kind, c.name])).toEqual([
      ["unreadable-at-base", "availability"],
      ["unreadable-at-base", "steady"],
      ["unreadable-at-base", "fresh"],
    ]);
    const text = await diff(history, "--base", "HEAD~2");
    expect(text.stdout).toMatch(/unreadable at the base \(HEAD~2:slos\/hand\.yaml:\d+:\d+\)/);
    expect(text.stdout.match(/HEAD~2:slos\/hand\.yaml:\d+:\d+: /g)).toHaveLength(1);
  }, 60_000);

  it("still refuses a broken file now (exit 2)", async () => {
    const broken = join(dir, "broken-now");
    await makeRepo(broken, [
      { message: "base", files: { "slos/hand.yaml": moved("95%", "events.ndjson") } },
    ]);
    await writeFile(join(broken, "slos/hand.yaml"), BROKEN);
    const r = await diff(broken, "--base", "HEAD");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: slos\/hand\.yaml:\d+:\d+: /m);
  }, 60_000);
});

describe("slo diff: what changed shows", () => {
  let json: SloDiff;
  let text: string;
  let md: string;
  beforeAll(async () => {
    const j = await diff(review, "--base", "HEAD~1", "--format", "json");
    expect(j.code).toBe(3);
    json = JSON.parse(j.stdout) as SloDiff;
    text = (await diff(review, "--base", "HEAD~1")).stdout;
    md = (await diff(review, "--base", "HEAD~1", "--format", "markdown")).stdout;
  }, 120_000);
  const change = (name: string) => json.changes.find((c) => c.name === name)!;
  const block = (out: string, name: string) =>
    out
      .split(out.startsWith("## ") ? "\n### " : /\n(?=\S)/)
      .find((b) => new RegExp(`/ ${name}\\b`).test(b.split("\n")[0]!)) ?? "";

  it("a side whose source failed is not evaluated: no invented numbers, its alerting shown, the error once", () => {
    const failing = change("failing");
    expect(failing.before).toMatchObject({
      status: "error",
      sli: null,
      budgetRemaining: null,
      pages: null,
      tickets: null,
    });
    expect(failing.before!.alerting).toEqual([
      { severity: "page", long: "1h", short: "5m", factor: 14.4, alertAfter: null },
    ]);
    expect(failing.after!.budgetRemaining).not.toBeNull();
    for (const out of [block(text, "failing"), block(md, "failing")]) {
      expect(out).toContain("not evaluated (source failed:");
      expect(out.match(/gone\.ndjson/g)).toHaveLength(1);
      expect(out).not.toContain("100%");
      expect(out).not.toContain("alerting none");
      expect(out).not.toMatch(/paged 0 times/);
    }
  });

  it("names what changed: alertAfter, a calendar's time zone, the gate, the other keys", () => {
    expect(block(text, "slow")).toContain("page 1h/5m > 14.40× → page 1h/5m > 14.40× for 30m");
    expect(block(text, "cal")).toContain("calendar month (UTC) → calendar month (Europe/Berlin)");
    expect(block(text, "gated")).toMatch(
      / {2}gate +fails below 10%, warns below 25% → fails below 20%, warns below 25%/,
    );
    expect(change("doc").otherKeys).toEqual(["description", "runbook"]);
    expect(block(text, "doc")).toContain("changed      other (description, runbook)");
  });

  it("says renamed and moved instead of added and removed", () => {
    expect(change("new-name")).toMatchObject({
      kind: "renamed",
      from: { service: "svc", name: "old-name" },
    });
    expect(json.changes.some((c) => c.name === "old-name")).toBe(false);
    expect(text).toContain("renamed svc / old-name → svc / new-name");
    expect(change("mv")).toMatchObject({ kind: "changed", movedFrom: "HEAD~1:slos/moved.yaml" });
    expect(block(text, "mv")).toContain("moved from HEAD~1:slos/moved.yaml");
  });

  it("names a moved file by the revision as written, even one holding a colon", async () => {
    const r = await diff(review, "--base", ":/^base", "--format", "json");
    const moved = (JSON.parse(r.stdout) as SloDiff).changes.find((c) => c.name === "mv");
    expect(moved).toMatchObject({ kind: "changed", movedFrom: ":/^base:slos/moved.yaml" });
  }, 60_000);

  it("Markdown: changed values in bold, REF and sha in code spans", () => {
    expect(md).toMatch(/SLO changes since `HEAD~1` \(`[0-9a-f]{7}`\)/);
    expect(md).not.toContain("\\~");
    expect(block(md, "mv")).toContain("| objective | 95% | **96%** |");
    expect(block(md, "mv")).toContain("| window | 7d | 7d |");
  });

  it("a ref outside the safe alphabet is shown by its sha alone", async () => {
    await git(review, "branch", "we`ird", "HEAD~1");
    const r = await diff(review, "--base", "we`ird", "--format", "markdown");
    const headline = r.stdout.split("\n")[2]!;
    expect(headline).toMatch(/^SLO changes since `[0-9a-f]{7}`,/);
    expect(headline).not.toContain("ird");
  }, 60_000);
});
