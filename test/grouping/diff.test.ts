/** `slo diff --base` on an SLO that became grouped: the review still finds its evaluation. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { SloDiff } from "../../src/report/diff-model.js";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/slo-git-repo.js";

const file = (extra: string) => `service: hand
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: 99%
    window: 30d
${extra}    indicator:
      ratio: { source: logs, total: "| json", bad: "| json | status >= 500" }
`;

let dir = "";
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("reviews a grouped SLO by its worst group", async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-group-diff-"));
  const repo = join(dir, "repo");
  await makeRepo(repo, [
    { message: "one SLO", files: { "slos/hand.yaml": file("") } },
    { message: "per message", files: { "slos/hand.yaml": file("    groupBy: msg\n") } },
  ]);
  const r = await runCli(
    ["diff", "--base", "HEAD~1", "--at", "2026-11-24T12:00:00Z", "--format", "json"],
    {
      cwd: repo,
    },
  );
  const diff = JSON.parse(r.stdout) as SloDiff;
  const [change] = diff.changes;
  expect(change?.name).toBe("availability");
  expect(change?.before).not.toBeNull();
  expect(change?.after).not.toBeNull();
  expect(change?.after?.status).toBe("breaching");
});
