/**
 * Golden files, the Sloth way: SLO files in, the exact text `slo rules` or
 * `slo convert` writes for them out. Each case is the command line a user
 * would type (run from the repository root) and the file holding what it
 * writes to stdout. The text is made in-process by the library functions
 * those commands call, so checking every case takes milliseconds;
 * golden.test.ts proves with one real CLI run of each command that the CLI
 * writes the same bytes.
 *
 * `npm run golden:update` (or `UPDATE_GOLDEN=1 npx vitest run test/golden`)
 * rewrites the expected files; review the diff before committing it.
 */

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { rulesFor } from "../../src/cli/rules.js";
import { loadSpec } from "../../src/definition/load.js";
import { type ConvertTarget, convertPaths } from "../../src/definition/write/convert.js";
import { SloErrors } from "../../src/errors.js";
import { correctedSlos } from "../../src/rules/corrections.js";
import { type RuleFormat, renderRules, rulesHeader } from "../../src/rules/render.js";
import { ROOT } from "../support/cli.js";

export const GOLDEN_DIR = import.meta.dirname;

export interface GoldenCase {
  /** the expected file, relative to the repository root */
  expected: string;
  /** the `slo` arguments that write it, paths relative to the repository root */
  args: string[];
  /** the text, made by the functions the command calls */
  render(): Promise<string>;
}

/** Inputs for `slo rules`, by case name: every indicator and alerting shape that has rules. */
const RULES_INPUTS: Record<string, string[]> = {
  // ratio with bad/total, the default windows, page labels and annotations, a runbook, and
  // `{{` in a description that Prometheus must not read as a template
  api: ["test/fixtures/rules/api.yaml"],
  // good/total, a histogram, {{window}} queries, a calendar window, custom windows, a
  // disabled severity, service labels, and a logs SLO that gets no rules
  variety: ["test/fixtures/rules/variety.yaml"],
  // latency on a native histogram: histogram_fraction and histogram_count, no _bucket
  "native-histogram": ["test/fixtures/rules/native-histogram.yaml"],
  // groupBy: one label, two labels on a histogram, a full query summed by its group label
  grouped: ["test/fixtures/rules/grouped.yaml"],
  // timeslices, gate: false, alert labels and annotations, ${VAR} with defaults in the sources
  "native-rich": ["test/fixtures/openslo/roundtrip/native-rich.yaml"],
  "example-checkout": ["examples/prometheus/checkout.yaml"],
  // Sloth events and raw error ratios, page/ticket labels, disabled alerts, its Kubernetes
  // resource; two files in one folder
  sloth: ["test/fixtures/sloth/valid"],
  // OpenSLO ratio, threshold and raw metrics, budgeting methods, calendar windows
  "openslo-all-kinds": ["test/fixtures/openslo/valid/all-kinds.yaml"],
  "openslo-methods-and-windows": ["test/fixtures/openslo/valid/methods-and-windows.yaml"],
  // corrections (the file's and an SLO's): counted by the rules, said in the header and on
  // each alert; a logs SLO with corrections gets no rules and is not named
  corrections: ["test/fixtures/rules/corrections.yaml"],
};

/** Inputs for `slo rules --format loki`: the Loki SLOs' indicator and alerting shapes. */
const LOKI_RULES_INPUTS: Record<string, string[]> = {
  // bad/total, good/total with a # comment, a latency field, a disabled severity, custom
  // windows, minEvents 0, and a Prometheus SLO that gets no Loki rules
  loki: ["test/fixtures/rules/loki.yaml"],
  // groupBy on a ratio and on a latency field
  "loki-grouped": ["test/fixtures/rules/loki-grouped.yaml"],
  // a tenant, a calendar week, custom windows
  "native-rich": ["test/fixtures/openslo/roundtrip/native-rich.yaml"],
};

/** Inputs for `slo convert`, by case name, with the targets each is converted to. */
const CONVERT_INPUTS: Record<string, { paths: string[]; to: ConvertTarget[] }> = {
  // native: every feature OpenSLO has to carry in annotations
  "native-rich": { paths: ["test/fixtures/openslo/roundtrip/native-rich.yaml"], to: ["openslo"] },
  "example-checkout": { paths: ["examples/prometheus/checkout.yaml"], to: ["openslo"] },
  // ${VAR} references with and without defaults, written back as references
  "env-refs": { paths: ["test/golden/inputs/env-refs.yaml"], to: ["native", "openslo"] },
  // OpenSLO
  "openslo-all-kinds": { paths: ["test/fixtures/openslo/valid/all-kinds.yaml"], to: ["native"] },
  "openslo-methods-and-windows": {
    paths: ["test/fixtures/openslo/valid/methods-and-windows.yaml"],
    to: ["native"],
  },
  "openslo-cross-files": { paths: ["test/fixtures/openslo/valid/cross-files"], to: ["native"] },
  // a metricSource with only a type: PROMETHEUS_URL, written as a reference with slo's default
  "openslo-implicit-source": {
    paths: ["test/fixtures/openslo/valid/implicit-source.yaml"],
    to: ["native"],
  },
  "example-openslo-api": { paths: ["examples/openslo/api.yaml"], to: ["native"] },
  // a native histogram: Pyrra's latencyNative, OpenSLO's histogramType in the metric's spec
  "pyrra-native-latency": {
    paths: ["test/fixtures/pyrra/valid/native-latency.yaml"],
    to: ["native", "openslo"],
  },
  // Pyrra written back as Pyrra: ratio, latency, latencyNative and grouping
  "pyrra-roundtrip": { paths: ["test/fixtures/pyrra/roundtrip"], to: ["pyrra"] },
  // native groupBy, a native and a classic histogram, as Pyrra's grouping, latencyNative and latency
  "pyrra-from-native": { paths: ["test/fixtures/pyrra/to-pyrra/api.yaml"], to: ["pyrra"] },
  "openslo-native-histogram": {
    paths: ["test/fixtures/openslo/native-histogram/rpc.yaml"],
    to: ["native"],
  },
  // Sloth
  "sloth-payments": {
    paths: ["test/fixtures/sloth/valid/payments.yaml"],
    to: ["native", "openslo"],
  },
  "sloth-kubernetes": {
    paths: ["test/fixtures/sloth/valid/kubernetes.yaml"],
    to: ["native", "openslo"],
  },
};

/**
 * What `slo rules` writes to stdout, from the functions the command calls;
 * the CLI run in golden.test.ts checks the command writes the same bytes.
 */
async function renderRulesOf(paths: string[], format: RuleFormat): Promise<string> {
  // No environment: a golden file must not depend on who runs the test.
  const { set, errors } = await loadSpec(paths, { cwd: ROOT, env: {} });
  if (errors.length > 0) throw new SloErrors(errors);
  const result = rulesFor(set, format);
  if (result.errors.length > 0) throw new SloErrors(result.errors);
  return renderRules(result.services, format, rulesHeader(set.files, correctedSlos(set, result)));
}

/** What `slo convert --to <to>` writes to stdout: one document stream per service. */
async function renderConvertOf(paths: string[], to: ConvertTarget): Promise<string> {
  const { files } = await convertPaths(paths, to, { outDir: ROOT, cwd: ROOT });
  return files.map((f) => f.text).join("---\n");
}

function expectedPath(...parts: string[]): string {
  return relative(ROOT, join(GOLDEN_DIR, ...parts));
}

export interface RulesCase extends GoldenCase {
  format: RuleFormat;
}

export function rulesCases(): RulesCase[] {
  const cases = (inputs: Record<string, string[]>, formats: readonly RuleFormat[]) =>
    Object.entries(inputs).flatMap(([name, paths]) =>
      formats.map((format) => ({
        format,
        expected: expectedPath("rules", `${name}.${format}.yaml`),
        args: ["rules", ...paths, "--format", format],
        render: () => renderRulesOf(paths, format),
      })),
    );
  return [
    ...cases(RULES_INPUTS, ["prometheus", "prometheus-operator"]),
    ...cases(LOKI_RULES_INPUTS, ["loki"]),
  ];
}

export function convertCases(): GoldenCase[] {
  return Object.entries(CONVERT_INPUTS).flatMap(([name, { paths, to }]) =>
    to.map((target) => ({
      expected: expectedPath("convert", `${name}.${target}.yaml`),
      args: ["convert", "--to", target, ...paths],
      render: () => renderConvertOf(paths, target),
    })),
  );
}

export function goldenCases(): GoldenCase[] {
  return [...rulesCases(), ...convertCases()];
}

/** The expected file's bytes, or null when there is none yet. */
export async function readExpected(c: GoldenCase): Promise<Buffer | null> {
  return readFile(join(ROOT, c.expected)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
}

/** Writes the expected file; true when its bytes changed (or it was new). */
export async function writeExpected(c: GoldenCase, text: string): Promise<boolean> {
  const before = await readExpected(c);
  if (before?.equals(Buffer.from(text, "utf8"))) return false;
  const path = join(ROOT, c.expected);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return true;
}
