/** Helpers of the round-trip tests: convert into a folder, evaluate on the same data, compare. */

import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import { rulesFor } from "../../src/cli/rules.js";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet, SloSpec, SourceSpec, WindowSpec } from "../../src/definition/model.js";
import { windowPeriodMs } from "../../src/definition/openslo/durations.js";
import { type ConvertTarget, convertPaths } from "../../src/definition/write/convert.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { SloReport } from "../../src/report/schema.js";
import { renderRules } from "../../src/rules/render.js";
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

/** `slo rules` for the set, Prometheus or Loki, services in name order (one file per service may reorder them). */
export function rulesText(set: SloSet, format: "prometheus" | "loki"): unknown {
  const result = rulesFor(set, format);
  const byService = [...result.services].sort((a, b) => a.service.localeCompare(b.service));
  return {
    rules: byService.length > 0 ? renderRules(byService, format, []) : "",
    errors: result.errors.map((e) => e.message),
    skipped: result.skipped.map((s) => `${s.slo.service}/${s.slo.name}: ${s.reason}`).sort(),
  };
}

/** Every file of a converted folder as plain documents. */
export function openSloDocuments(dir: string) {
  return readdirSync(dir)
    .sort()
    .map((file) => ({
      file,
      docs: parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS()),
    }));
}

/** A source as it reads: what it is, not what it is called or where its file was. */
function sourceOf(source: SourceSpec | undefined): unknown {
  if (!source) return undefined;
  const { name: _, ...rest } = source;
  return rest.type === "logs"
    ? { ...rest, baseDir: undefined, paths: rest.paths.map((p) => resolve(rest.baseDir, p)) }
    : rest;
}

/** Every SLO as the model holds it, less where it was read from. */
/**
 * OpenSLO's calendar needs a startTime: a window without one is written with
 * 2024-01-01 00:00:00, the start of every unit's own periods, so a start there
 * on a one-unit window counts the same periods as no start.
 */
function windowMeaning(window: WindowSpec): unknown {
  if (window.kind !== "calendar" || !window.start) return window;
  // 12:00 may come back as 12:00:00, OpenSLO's layout: the same start
  const w = window.start.wallClock;
  const anchor = [w.year, w.month, w.day, w.hour, w.minute, w.second].join(",");
  const noStart = window.count === 1 && anchor === "2024,1,1,0,0,0";
  return { ...window, start: noStart ? undefined : w };
}

/**
 * OpenSLO says a burn-rate window by its factor (threshold), native by a
 * budget share or a factor: the factor the engine uses is what must not change.
 */
function alertingMeaning(slo: Pick<SloSpec, "window" | "alerting">): unknown {
  const period = windowPeriodMs(slo.window);
  return {
    ...slo.alerting,
    windows: slo.alerting.windows.map(({ share, factor, ...w }) => ({
      ...w,
      factor: factor ?? (share * period) / w.longMs,
    })),
  };
}

export function slosOf(set: SloSet): unknown[] {
  const key = (s: { service: string; name: string }) => `${s.service}\u0000${s.name}`;
  return set.services
    .flatMap((service) =>
      service.slos.map(({ at: _, ...slo }) => ({
        ...slo,
        // 300ms may come back as 0.3s: the same threshold, written another way; a source
        // may be renamed apart from another service's: what it reads is what matters
        indicator: { ...slo.indicator, thresholdText: undefined, source: undefined },
        window: windowMeaning(slo.window),
        alerting: alertingMeaning(slo),
        source: sourceOf(service.sources[slo.indicator.source]),
        serviceLabels: service.labels,
        health: service.health,
        deploys: service.deploys && { ...service.deploys, at: undefined },
        // a correction's start may come back as the same instant written another way
        // (2026-05-03 02:00 in its zone, 2026-05-03T02:00:00+02:00), end as duration
        corrections: slo.corrections?.map((c) => ({
          startMs: c.startMs,
          durationMs: c.durationMs,
          rrule: c.rrule,
          timeZone: c.timeZone,
          reason: c.reason,
          category: c.category,
        })),
      })),
    )
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * An input evaluates to the same report converted to native and to OpenSLO,
 * and back again from what was written; every SLO of it saw events.
 */
export async function expectSameAfterConversion(input: string): Promise<void> {
  const original = await evaluate([input]);
  expect(original.slos.length).toBeGreaterThan(0);
  for (const s of original.slos) expect(s.events.total, s.name).toBeGreaterThan(0);
  for (const to of ["native", "openslo"] as const) {
    const converted = await convertInto([input], to);
    expect(meaning(await evaluate([converted])), to).toEqual(meaning(original));
    const back = await convertInto([converted], to === "native" ? "openslo" : "native");
    expect(meaning(await evaluate([back])), `${to} and back`).toEqual(meaning(original));
  }
}
