/**
 * Why `slo rules` has nothing to write, from the reasons each SLO was
 * skipped: every SLO a sampled value, on a source slo cannot query, on a
 * source of another kind, or a mix of these (each with the SLOs it holds for).
 */

import { type SloError, specError } from "../errors.js";
import { MAX_SLOS_NAMED_IN_ERRORS } from "../limits.js";
import type { SkippedSlo } from "./build.js";

/** The source kind these rules are for. */
export type RulesFor = "prometheus" | "loki";

const SAMPLED_WHAT = "(a thresholdMetric on a query, or a raw ratio without {{window}})";
const SAMPLED_WHY =
  "a sampled value's rules would be subqueries over the whole window at every evaluation; slo check, report and alerts evaluate them";

export function nothingToWrite(files: string[], wanted: RulesFor, skipped: SkippedSlo[]): SloError {
  const where = files.join(", ");
  const sampled = skipped.filter((s) => s.cause.kind === "sampled");
  const unqueryable = skipped.filter((s) => s.cause.kind === "source" && !s.cause.queryable);
  const other = skipped.filter((s) => s.cause.kind === "source" && s.cause.queryable);
  const kinds = [sampled, unqueryable, other].filter((g) => g.length > 0).length;
  if (kinds === 1 && sampled.length > 0) {
    return specError(
      `no rules to write: every SLO in ${where} is a sampled value ${SAMPLED_WHAT}, and a sampled value gets no rules`,
      undefined,
      SAMPLED_WHY,
    );
  }
  if (kinds === 1 && unqueryable.length > 0) {
    return specError(
      `no rules to write: every SLO in ${where} reads a source slo cannot query (${typesOf(unqueryable).join(", ")})`,
      undefined,
      `slo check, report and alerts report them as not evaluated; slo rules writes rules for SLOs on ${wanted} sources`,
    );
  }
  if (kinds <= 1) {
    const read = other.length > 0 ? ` (they read ${typesOf(other).join(", ")})` : "";
    return specError(
      `no rules to write: none of the SLOs in ${where} reads a ${wanted} source${read}`,
      undefined,
      otherSourceHint(wanted, other),
    );
  }
  const parts = [
    sampled.length > 0 &&
      `${names(sampled)} ${sampled.length === 1 ? "is a sampled value" : "are sampled values"} ${SAMPLED_WHAT}, which get no rules`,
    unqueryable.length > 0 &&
      `${names(unqueryable)} ${verb(unqueryable)} ${typesOf(unqueryable).join(" or ")}, which slo cannot query`,
    other.length > 0 &&
      `${names(other)} ${verb(other)} ${typesOf(other).join(" or ")}; ${wanted === "loki" ? "Loki" : "Prometheus"} rules need a ${wanted} source`,
  ].filter((p): p is string => typeof p === "string");
  return specError(
    `no rules to write: none of the SLOs in ${where} gets rules: ${parts.join("; ")}`,
    undefined,
    otherSourceHint(wanted, other),
  );
}

function otherSourceHint(wanted: RulesFor, other: SkippedSlo[]): string | undefined {
  if (wanted === "prometheus" && typesOf(other).includes("loki")) {
    return "slo rules --format loki writes Loki's ruler rules for the SLOs on loki";
  }
  return undefined;
}

function typesOf(skipped: SkippedSlo[]): string[] {
  return [...new Set(skipped.map((s) => (s.cause.kind === "source" ? s.cause.type : "")))];
}

function verb(skipped: SkippedSlo[]): string {
  return skipped.length === 1 ? "reads" : "read";
}

/** `a/x`, `a/x and b/y`, `a, b, c, d, e and 3 more`. */
function names(skipped: SkippedSlo[]): string {
  const all = skipped.map(({ slo }) => `${slo.service}/${slo.name}`);
  const shown = all.slice(0, MAX_SLOS_NAMED_IN_ERRORS);
  const rest = all.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}
