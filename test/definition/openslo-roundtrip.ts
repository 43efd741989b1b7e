/** Helpers of the round-trip tests: convert into a folder, evaluate on the same data, compare. */

import { mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { type ConvertTarget, convertPaths } from "../../src/definition/write/convert.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReport } from "../../src/report/schema.js";
import { hashedSource } from "../rules/synthetic-source.js";
import { ROOT } from "../support/cli.js";

const AT = Date.parse("2026-11-24T12:00:00Z");

export async function evaluate(
  paths: string[],
  options: { real?: boolean; env?: Record<string, string> } = {},
): Promise<SloReport> {
  const { set, errors } = await loadSpec(paths, { env: options.env ?? {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return evaluateSet(set, {
    atMs: AT,
    ...(options.real ? { sourceOptions: { workers: 0 } } : { sourceFactory: hashedSource }),
  });
}

/** Where an SLO is written differs between formats; what it means must not. */
export function meaning(report: SloReport): unknown {
  // One file per service: the order of the files, and so of the SLOs, may change.
  const key = (s: { service: string; name: string }) => `${s.service}\u0000${s.name}`;
  return [...report.slos]
    .sort((a, b) => key(a).localeCompare(key(b)))
    .map(({ definedAt: _, ...rest }) => rest);
}

/** Convert into a fresh folder, the way `slo convert --out` writes it. */
export async function convertInto(paths: string[], to: ConvertTarget): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `slo-convert-${to}-`));
  const { files } = await convertPaths(paths, to, { outDir: dir, cwd: ROOT });
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeFile(join(dir, f.name), f.text);
  return dir;
}
