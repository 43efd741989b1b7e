/**
 * The step's outputs, written to the file GITHUB_OUTPUT names in the
 * multi-line form (`name<<DELIMITER`), which takes any value.
 */

import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";
import type { SloReport } from "../report/schema.js";

export const OUTPUT_NAMES = [
  "result",
  "overridden",
  "report",
  "min-budget-remaining",
  "breaching",
  "markdown",
  "verdict",
  "regressed",
  "deploy-sha",
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];
export type Outputs = Record<OutputName, string>;

/** Every output defined and empty: set first, so an early failure still leaves them defined. */
export function emptyOutputs(): Outputs {
  return {
    result: "",
    overridden: "false",
    report: "",
    "min-budget-remaining": "",
    breaching: "[]",
    markdown: "",
    verdict: "",
    regressed: "[]",
    "deploy-sha": "",
  };
}

/**
 * `result` stays the SLOs' verdict under the override label; `overridden`
 * says the gate was let through anyway, for a later job that checks `result`.
 */
export function outputsOf(
  report: SloReport,
  files: { report: string; markdown: string },
  overridden = false,
): Outputs {
  const remaining = report.slos
    .filter((s) => s.gated && s.sli !== null && s.status !== "error")
    .map((s) => s.errorBudget.remaining);
  return {
    result: report.result,
    overridden: String(overridden),
    report: files.report,
    // A fraction, like every number of the report: 0.65 is 65% left.
    "min-budget-remaining": remaining.length > 0 ? String(Math.min(...remaining)) : "",
    breaching: JSON.stringify(
      report.slos.filter((s) => s.status === "breaching").map((s) => s.name),
    ),
    markdown: files.markdown,
    // slo verify's: empty (and []) for a gate's report.
    verdict: report.verification?.result ?? "",
    regressed: JSON.stringify(
      report.slos.filter((s) => s.verification?.verdict === "regressed").map((s) => s.name),
    ),
    "deploy-sha": report.verification?.deploy.sha ?? "",
  };
}

export async function writeOutputs(path: string, outputs: Partial<Outputs>): Promise<void> {
  let text = "";
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  await appendFile(path, text);
}
