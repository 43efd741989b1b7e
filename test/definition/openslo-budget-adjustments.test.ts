/**
 * Corrections to and from OpenSLO: the proposal's BudgetAdjustment
 * (OpenSLO/OpenSLO#301, Nobl9's shape: firstEventStart, duration, rrule,
 * filters.slos), read into each SLO's corrections, written by `slo convert
 * --to openslo` (one adjustment per correction, naming every SLO it applies
 * to), and back to a native file with the same meaning.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { CorrectionSpec, SloSet } from "../../src/definition/model.js";
import { convertPaths } from "../../src/definition/write/convert.js";
import { ROOT } from "../support/cli.js";

const FIXTURE = join(ROOT, "test/fixtures/openslo/budget-adjustments/checkout.yaml");
const NATIVE = join(ROOT, "test/fixtures/rules/corrections.yaml");
const HOUR = 3_600_000;

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

/** What a correction means, without where it was written or how. */
function meaningOf(c: CorrectionSpec) {
  return {
    startMs: c.startMs,
    durationMs: c.durationMs,
    rrule: c.rrule,
    timeZone: c.timeZone,
    reason: c.reason,
    category: c.category,
  };
}

function correctionsBySlo(set: SloSet) {
  return Object.fromEntries(
    set.services.flatMap((s) =>
      s.slos.map((slo) => [`${slo.service}/${slo.name}`, (slo.corrections ?? []).map(meaningOf)]),
    ),
  );
}

const WEEKLY = {
  startMs: Date.parse("2026-05-03T00:00:00Z"),
  durationMs: 2 * HOUR,
  rrule: "FREQ=WEEKLY;BYDAY=SU",
  timeZone: "Europe/Berlin",
  reason: "Weekly database maintenance",
  category: "maintenance",
};

describe("reading OpenSLO budget adjustments", () => {
  it("gives each SLO its filters' adjustments, the zone and category from slo/ annotations", async () => {
    const set = await load([FIXTURE]);
    expect(correctionsBySlo(set)).toEqual({
      "checkout/checkout-availability": [
        WEEKLY,
        {
          startMs: Date.parse("2026-05-20T06:00:00Z"),
          durationMs: 3 * HOUR,
          rrule: undefined,
          timeZone: "UTC",
          reason: "Payment provider migration",
          category: "other",
        },
      ],
      "checkout/checkout-search": [WEEKLY],
    });
  });

  it("refuses an adjustment that names no SLO loaded, or has a broken rule, at its line", async () => {
    const text = await readFile(FIXTURE, "utf8");
    const broken = text
      .replace("      - name: checkout-search\n", "      - name: checkout-serch\n")
      .replace("rrule: FREQ=WEEKLY;BYDAY=SU", "rrule: FREQ=WEEKLY;BYDAY=XX");
    const { errors } = loadText("checkout.yaml", broken, {});
    const messages = errors.map((e) => e.format());
    expect(messages.some((m) => /no SLO named 'checkout-serch'/.test(m))).toBe(true);
    expect(messages.some((m) => /BYDAY=XX/.test(m))).toBe(true);
    expect(messages.every((m) => /^checkout\.yaml:\d+:\d+/.test(m))).toBe(true);
  });
});

describe("writing them: native -> OpenSLO -> native", () => {
  it("writes one BudgetAdjustment per correction in the proposal's shape, naming every SLO it applies to", async () => {
    const out = mkdtempSync(join(tmpdir(), "slo-adjust-"));
    const { files } = await convertPaths([NATIVE], "openslo", { outDir: out, cwd: ROOT });
    const docs = files.flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS()));
    const adjustments = docs.filter((d) => d.kind === "BudgetAdjustment");
    expect(adjustments).toHaveLength(2);
    const weekly = adjustments.find((a) => a.spec.rrule)!;
    expect(weekly.apiVersion).toBe("openslo.com/v2alpha");
    expect(weekly.spec).toEqual({
      description: "weekly database maintenance",
      firstEventStart: "2026-05-03T02:00:00+02:00",
      duration: "2h",
      rrule: "FREQ=WEEKLY;BYDAY=SU",
      filters: { slos: [{ name: "availability" }, { name: "checkout" }, { name: "worker" }] },
    });
    expect(weekly.metadata.annotations).toEqual({
      "slo/category": "maintenance",
      "slo/time-zone": "Europe/Berlin",
    });
    const oneOff = adjustments.find((a) => !a.spec.rrule)!;
    expect(oneOff.spec).toMatchObject({
      firstEventStart: "2026-05-20T06:00:00Z",
      duration: "3h",
      filters: { slos: [{ name: "checkout" }] },
    });
  });

  it("keeps every SLO's corrections through OpenSLO and back", async () => {
    const original = correctionsBySlo(await load([NATIVE]));
    const osDir = mkdtempSync(join(tmpdir(), "slo-adjust-os-"));
    const os = await convertPaths([NATIVE], "openslo", { outDir: osDir, cwd: ROOT });
    for (const f of os.files) writeFileSync(join(osDir, f.name), f.text);
    const viaOpenSlo = correctionsBySlo(await load([osDir]));
    expect(viaOpenSlo).toEqual(original);
    expect(original["billing/checkout"]).toHaveLength(2);

    const nativeDir = mkdtempSync(join(tmpdir(), "slo-adjust-native-"));
    const back = await convertPaths([osDir], "native", { outDir: nativeDir, cwd: ROOT });
    for (const f of back.files) writeFileSync(join(nativeDir, f.name), f.text);
    expect(correctionsBySlo(await load([nativeDir]))).toEqual(original);
  });

  it("the proposal's documents convert to a native file with the same corrections", async () => {
    const nativeDir = mkdtempSync(join(tmpdir(), "slo-adjust-in-"));
    const { files } = await convertPaths([FIXTURE], "native", { outDir: nativeDir, cwd: ROOT });
    for (const f of files) writeFileSync(join(nativeDir, f.name), f.text);
    expect(correctionsBySlo(await load([nativeDir]))).toEqual(
      correctionsBySlo(await load([FIXTURE])),
    );
  });
});
