/**
 * Every SLO file of the repository that loads (slos/, examples/, the valid
 * fixtures; found by loading each file, and each folder whose files only load
 * together) converts to OpenSLO and back without a change of meaning: the
 * same report on the same data, the same `slo rules` for Prometheus and Loki.
 * Sloth and OpenSLO inputs go input -> native -> OpenSLO -> native. Every
 * OpenSLO output passes the spec's and the Go SDK's rules (openslo-validation.ts).
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { ROOT } from "../support/cli.js";
import {
  convertInto,
  evaluate,
  meaning,
  openSloDocuments,
  rulesText,
  slosOf,
} from "./openslo-roundtrip.js";
import { openSloViolations } from "./openslo-validation.js";

const ROOTS = ["slos", "examples", "test/fixtures"];
const SLO_FILE = /\.(ya?ml|json)$/;

function walk(dir: string, out: { files: string[]; dirs: string[] }) {
  out.dirs.push(dir);
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SLO_FILE.test(entry)) out.files.push(path);
  }
  return out;
}

async function loadsCleanly(path: string): Promise<SloSet | undefined> {
  const { set, errors } = await loadSpec([path], { env: {}, cwd: ROOT });
  if (errors.length > 0 || set.services.every((s) => s.slos.length === 0)) return undefined;
  return set;
}

/** Files that load alone, and folders whose files load only together (references across files). */
async function inputs(): Promise<string[]> {
  const found: string[] = [];
  for (const root of ROOTS) {
    const { files, dirs } = walk(join(ROOT, root), { files: [], dirs: [] });
    const alone = new Set<string>();
    for (const file of files) if (await loadsCleanly(file)) alone.add(file);
    found.push(...alone);
    for (const dir of dirs) {
      const own = files.filter((f) => dirname(f) === dir);
      if (own.length > 1 && own.some((f) => !alone.has(f)) && (await loadsCleanly(dir)))
        found.push(dir);
    }
  }
  return found;
}

const INPUTS = await inputs();

async function loaded(path: string): Promise<SloSet> {
  const { set, errors } = await loadSpec([path], { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

function hasUnsupportedSource(set: SloSet): boolean {
  return set.services.some((s) => Object.values(s.sources).some((x) => x.type === "unsupported"));
}

/** slo's own format: no apiVersion (OpenSLO, also as a list's first key) or version (Sloth) at the top. */
async function isNative(path: string): Promise<boolean> {
  const set = await loaded(path);
  return set.files.every(
    (f) => !/^(- )?(apiVersion|version):/m.test(readFileSync(join(ROOT, f), "utf8")),
  );
}

describe("round trip on every fixture", () => {
  it("finds the fixtures: native, OpenSLO and Sloth files", () => {
    const names = INPUTS.map((p) => relative(ROOT, p));
    expect(names).toContain("slos/ctrl.yaml");
    expect(names).toContain("examples/openslo/api.yaml");
    expect(names).toContain("examples/sloth/payments.yaml");
    expect(names).toContain("test/fixtures/openslo/valid/cross-files");
    expect(names.length).toBeGreaterThan(20);
  });

  it.each(INPUTS.map((p) => [relative(ROOT, p), p]))(
    "%s: native -> OpenSLO -> native keeps the report and the rules; the OpenSLO passes the SDK's rules",
    { timeout: 60_000 },
    async (_name, input) => {
      // Sloth and OpenSLO inputs start from their native form; converted straight to OpenSLO, they pass too.
      const nativeInput = await isNative(input);
      if (!nativeInput) {
        const direct = await convertInto([input], "openslo");
        expect(openSloViolations(openSloDocuments(direct))).toEqual([]);
        expect(meaning(await evaluate([direct]))).toEqual(meaning(await evaluate([input])));
      }
      // An SLO on a source slo cannot query (Datadog) has no native form: refused, named.
      if (hasUnsupportedSource(await loaded(input))) {
        await expect(convertInto([input], "native")).rejects.toThrow(/which slo cannot query/);
        return;
      }
      const native = nativeInput ? input : await convertInto([input], "native");
      const original = await loaded(native);
      const before = meaning(await evaluate([native]));
      const openslo = await convertInto([native], "openslo");
      expect(openSloViolations(openSloDocuments(openslo))).toEqual([]);
      const back = await convertInto([openslo], "native");
      for (const step of [openslo, back]) {
        expect(meaning(await evaluate([step]))).toEqual(before);
        const set = await loaded(step);
        for (const format of ["prometheus", "loki"] as const)
          expect(rulesText(set, format), format).toEqual(rulesText(original, format));
      }
      // What the native form says, it says again after the trip (names, displayName, descriptions, labels, targets...).
      expect(slosOf(await loaded(back))).toEqual(slosOf(original));
    },
  );
});

describe("the OpenSLO checker (a control for the tests above)", () => {
  const valid = () => ({
    apiVersion: "openslo/v1",
    kind: "SLO",
    metadata: { name: "api-availability", displayName: "API", labels: { team: "api" } },
    spec: {
      service: "api",
      budgetingMethod: "Timeslices",
      timeWindow: [{ duration: "28d", isRolling: true }],
      indicator: {
        metadata: { name: "api-availability-sli" },
        spec: {
          ratioMetric: {
            counter: true,
            bad: { metricSource: { type: "Prometheus", spec: { query: "errors" } } },
            total: { metricSource: { type: "Prometheus", spec: { query: "requests" } } },
          },
        },
      },
      objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: "5m" }],
      alertPolicies: [
        {
          kind: "AlertPolicy",
          metadata: { name: "api-page" },
          spec: {
            conditions: [
              {
                kind: "AlertCondition",
                metadata: { name: "api-page-burn" },
                spec: {
                  severity: "page",
                  condition: { kind: "burnrate", op: "gt", threshold: 14.4, lookbackWindow: "1h" },
                },
              },
            ],
            notificationTargets: [{ targetRef: "oncall" }],
          },
        },
      ],
    },
  });
  const target = {
    apiVersion: "openslo/v1",
    kind: "AlertNotificationTarget",
    metadata: { name: "oncall" },
    spec: { target: "slack" },
  };
  const check = (slo: unknown) => openSloViolations([{ file: "f.yaml", docs: [slo, target] }]);

  it("passes a valid SLO, and names each rule broken", () => {
    expect(check(valid())).toEqual([]);
    const broken: [string, (s: any) => void, RegExp][] = [
      [
        "name",
        (s) => (s.metadata.name = "API_availability"),
        /metadata\.name: .*not an RFC 1123 label/,
      ],
      [
        "long name",
        (s) => (s.metadata.name = "a".repeat(64)),
        /metadata\.name: expected an RFC 1123 label of 1 to 63/,
      ],
      [
        "displayName",
        (s) => (s.metadata.displayName = "x".repeat(64)),
        /displayName: 64 characters/,
      ],
      [
        "label key",
        (s) => (s.metadata.labels = { "a/b": "c" }),
        /labels\.a\/b: not a valid label key/,
      ],
      [
        "targets",
        (s) => (s.spec.alertPolicies[0].spec.notificationTargets = []),
        /notificationTargets: at least one/,
      ],
      [
        "no targets key",
        (s) => delete s.spec.alertPolicies[0].spec.notificationTargets,
        /notificationTargets: at least one/,
      ],
      [
        "slice target",
        (s) => delete s.spec.objectives[0].timeSliceTarget,
        /timeSliceTarget: a number in \(0, 1\]/,
      ],
      [
        "window",
        (s) => (s.spec.timeWindow[0].duration = "90s"),
        /duration: expected a duration shorthand/,
      ],
      [
        "calendar",
        (s) => (s.spec.timeWindow[0].isRolling = false),
        /calendar: required with isRolling: false/,
      ],
      [
        "target",
        (s) => (s.spec.objectives[0].targetPercent = 99),
        /exactly one of target, targetPercent/,
      ],
      [
        "op",
        (s) => (s.spec.alertPolicies[0].spec.conditions[0].spec.condition.op = "above"),
        /condition\.op: one of/,
      ],
      [
        "severity",
        (s) => delete s.spec.alertPolicies[0].spec.conditions[0].spec.severity,
        /severity: required/,
      ],
      [
        "ref",
        (s) => (s.spec.alertPolicies[0].spec.notificationTargets[0].targetRef = "pager"),
        /no AlertNotificationTarget named 'pager'/,
      ],
      ["method", (s) => (s.spec.budgetingMethod = "occurrences"), /budgetingMethod: one of/],
      [
        "description",
        (s) => (s.spec.description = "d".repeat(1051)),
        /description: 1051 characters/,
      ],
      [
        "good and bad",
        (s) => (s.spec.indicator.spec.ratioMetric.good = s.spec.indicator.spec.ratioMetric.bad),
        /exactly one of good, bad/,
      ],
      [
        "threshold op",
        (s) =>
          (s.spec.indicator.spec = { thresholdMetric: s.spec.indicator.spec.ratioMetric.total }),
        /op: required with a thresholdMetric/,
      ],
    ];
    for (const [what, breakIt, message] of broken) {
      const slo = valid();
      breakIt(slo);
      expect(check(slo).join("\n"), what).toMatch(message);
    }
  });
});
