/**
 * OpenSLO's proposed BudgetAdjustment (OpenSLO/OpenSLO#301, after Nobl9's:
 * `firstEventStart`, `duration`, an optional `rrule`, the SLOs it applies to
 * in `filters.slos`) read into those SLOs' corrections. What the proposal
 * has no field for travels in `slo/` annotations: the zone the rule recurs
 * in (`slo/time-zone`, default UTC) and the category (`slo/category`,
 * default other). The fields are checked by the native file's rules
 * (corrections.ts), each error at the adjustment's own field.
 */

import { DEFAULT_CORRECTION_CATEGORY, DEFAULT_TIME_ZONE } from "../../defaults.js";
import { type CorrectionFields, readCorrections } from "../corrections.js";
import { parseDuration } from "../duration.js";
import type { CorrectionCategory, SloSpec } from "../model.js";
import type { Reporter } from "../rules.js";
import { positionOf, type YamlPath } from "../yaml-source.js";
import { windowPeriodMs } from "./durations.js";
import { CORRECTION_ANNOTATION } from "./extensions.js";
import { annotationsOf, at, type OpenSloContext, type OsObject } from "./objects.js";

export const CORRECTION_CATEGORIES: readonly CorrectionCategory[] = [
  "maintenance",
  "outside-business-hours",
  "deployment",
  "other",
];

/** A native correction's field -> where the adjustment holds it. */
function pathOf(o: OsObject, field: string | number | undefined): YamlPath {
  const annotation = (name: string) => at(o, "metadata", "annotations", name);
  switch (field) {
    case "start":
      return at(o, "spec", "firstEventStart");
    case "duration":
    case "end":
      return at(o, "spec", "duration");
    case "rrule":
      return at(o, "spec", "rrule");
    case "reason":
      return at(o, "spec", "description");
    case "timezone":
      return annotation(CORRECTION_ANNOTATION.timeZone);
    case "category":
      return annotation(CORRECTION_ANNOTATION.category);
    default:
      return at(o, "spec");
  }
}

/** The native rules' reporter, their paths ([0, field]) turned into the adjustment's. */
function reporterFor(o: OsObject): Reporter {
  const map = (path: YamlPath) => pathOf(o, path[1]);
  return {
    fail: (path, message, hint, key) => o.r.fail(map(path), message, hint, key),
    failInScalar: (path, offset, message, hint) =>
      o.r.failInScalar(map(path), offset, message, hint),
  };
}

/** Each adjustment added to the corrections of the SLOs its filters name (SLO object names). */
export function readBudgetAdjustment(
  ctx: OpenSloContext,
  o: OsObject,
  slosByObject: Map<string, SloSpec[]>,
): void {
  const r = o.r;
  r.keys(at(o, "spec"), ["description", "firstEventStart", "duration", "rrule", "filters"]);
  r.keys(at(o, "spec", "filters"), ["slos"]);
  const start = r.string(at(o, "spec", "firstEventStart"), true);
  const duration = r.string(at(o, "spec", "duration"), true);
  const rrule = r.string(at(o, "spec", "rrule"));
  const description = r.string(at(o, "spec", "description"));
  const annotations = annotationsOf(o);
  const category = annotations[CORRECTION_ANNOTATION.category] ?? DEFAULT_CORRECTION_CATEGORY;
  const targets = targetsOf(ctx, o, slosByObject);
  if (start === undefined || duration === undefined) return;
  if (!(CORRECTION_CATEGORIES as readonly string[]).includes(category)) {
    r.fail(
      pathOf(o, "category"),
      `${CORRECTION_ANNOTATION.category}: expected one of ${CORRECTION_CATEGORIES.join(", ")}, got '${category}'`,
    );
    return;
  }
  const ms = parseDuration(duration);
  if (ms === null || ms <= 0) {
    r.fail(
      pathOf(o, "duration"),
      `duration: expected a duration like 2h or 30m, got '${duration}'`,
    );
    return;
  }
  if (targets.length === 0) return;
  const fields: CorrectionFields = {
    start,
    duration,
    ...(rrule !== undefined ? { rrule } : {}),
    timezone: annotations[CORRECTION_ANNOTATION.timeZone] ?? DEFAULT_TIME_ZONE,
    ...(description !== undefined ? { reason: description } : {}),
    category: category as CorrectionCategory,
  };
  const windowMs = Math.max(...targets.map((slo) => windowPeriodMs(slo.window)));
  const [correction] = readCorrections(
    reporterFor(o),
    [],
    [fields],
    (path) => positionOf(r.ydoc, pathOf(o, path[1])),
    windowMs,
  );
  if (!correction) return;
  for (const slo of targets) slo.corrections = [...(slo.corrections ?? []), correction];
}

/** The SLOs `filters.slos` names; a name no SLO loaded has is an error at it. */
function targetsOf(
  ctx: OpenSloContext,
  o: OsObject,
  slosByObject: Map<string, SloSpec[]>,
): SloSpec[] {
  const path = at(o, "spec", "filters", "slos");
  const entries = o.r.value(path);
  if (!Array.isArray(entries) || entries.length === 0) {
    o.r.fail(path, "filters.slos: expected a list of the SLOs it applies to: - name: <SLO name>");
    return [];
  }
  const targets: SloSpec[] = [];
  entries.forEach((_, i) => {
    o.r.keys([...path, i], ["name", "project"]);
    const name = o.r.string([...path, i, "name"], true);
    if (name === undefined) return;
    const slos = slosByObject.get(name);
    if (slos) targets.push(...slos);
    else if (!ctx.failed.get("SLO")?.has(name)) {
      const known = [...slosByObject.keys()];
      o.r.fail(
        [...path, i, "name"],
        `no SLO named '${name}' in the files loaded`,
        known.length > 0 ? `defined: ${known.join(", ")}` : undefined,
      );
    }
  });
  return targets;
}
