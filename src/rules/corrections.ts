/**
 * What the rules do with corrections: nothing they could do right. A
 * recording rule cannot leave a recurring schedule's events out of a range
 * (each window would need its own increase over each excluded period,
 * evaluated at that period's end, as `slo check` does), and an alert
 * silenced only during a period would still fire after it on the events it
 * held. So the rules count every event, and say so where each reader
 * looks: the file's header, an annotation on each alert of such an SLO (what
 * on-call reads), and a warning on stderr.
 */

import type { SloSet, SloSpec } from "../definition/model.js";
import type { RulesResult } from "./build.js";

/** An SLO with rules and corrections: "api/checkout", and how many corrections. */
export interface CorrectedSlo {
  name: string;
  corrections: number;
}

/** The SLOs that got rules and have corrections, in the files' order. */
export function correctedSlos(set: SloSet, result: Pick<RulesResult, "skipped">): CorrectedSlo[] {
  const skipped = new Set(result.skipped.map((s) => s.slo));
  return set.services
    .flatMap((s) => s.slos)
    .filter((slo) => !skipped.has(slo) && (slo.corrections ?? []).length > 0)
    .map((slo) => ({ name: `${slo.service}/${slo.name}`, corrections: slo.corrections!.length }));
}

const plural = (n: number) => `${n} correction${n === 1 ? "" : "s"}`;

/** The header's line, or none. */
export function correctionsHeader(slos: readonly CorrectedSlo[]): string[] {
  if (slos.length === 0) return [];
  const names = slos.map((s) => `${s.name} (${s.corrections})`);
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return [
    `Corrections are applied by slo check only: these rules count the events of the corrections of ${list}.`,
  ];
}

/** The warning on stderr, or null. */
export function correctionsWarning(slos: readonly CorrectedSlo[]): string | null {
  if (slos.length === 0) return null;
  return `warning: the rules count the events of corrections (slo check leaves them out): ${slos.map((s) => `${s.name} (${plural(s.corrections)})`).join(", ")}`;
}

/** The annotation on each alert of an SLO with corrections; none without. */
export function correctionsAnnotation(slo: SloSpec): Record<string, string> {
  const n = (slo.corrections ?? []).length;
  if (n === 0) return {};
  return {
    corrections: `not applied by these rules: they count the events of this SLO's ${plural(n)}, which slo check leaves out`,
  };
}
