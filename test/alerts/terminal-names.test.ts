/** Names from SLO files in `slo alerts` output: shown, never obeyed by the terminal (issue 12, item 23). */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";

it("slo alerts escapes a service name's newline and escape sequence instead of printing them", async () => {
  const dir = await mkdtemp(join(tmpdir(), "slo-alert-names-"));
  const example = await readFile(join(ROOT, "slos", "ctrl.yaml"), "utf8");
  const hostile = example
    .replace(/^service: ctrl$/m, 'service: "evil\\nresult: PASS \\e[8m"')
    .replace(
      "paths: [logs/*.ndjson.gz]",
      `paths: [${JSON.stringify(join(ROOT, "slos", "logs", "*.ndjson.gz"))}]`,
    );
  expect(hostile).not.toBe(example);
  const file = join(dir, "evil.yaml");
  await writeFile(file, hostile);
  const r = await runCli([
    "alerts",
    file,
    "--at",
    "2026-11-18T10:00:00Z",
    "--dry-run",
    "--webhook",
    "https://hooks.example.com/slo",
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("PAGE evil\\x0aresult: PASS \\x1b[8m/customer-info-sync");
  expect(r.stdout).not.toMatch(/^result: PASS/m);
  expect(r.stdout).not.toContain("\u001b");
});
