/**
 * An OpenSLO SLO -> slo's SLOs: one per objective (an SLO with several
 * objectives becomes several SLOs, named after each objective).
 */

import { DEFAULT_GATE, DEFAULT_MIN_EVENTS } from "../../defaults.js";
import { type DocReader, parseFraction, roundNumber } from "../doc-reader.js";
import type {
  BudgetingMethod,
  GatePolicy,
  Indicator,
  SloSpec,
  SourceSpec,
  WindowSpec,
} from "../model.js";
import { isTimeZone } from "../normalize.js";
import type { YamlPath } from "../yaml-source.js";
import { positionOf } from "../yaml-source.js";
import { shorthandMessage, sloAlerting } from "./alerting.js";
import { CALENDAR_OF, NOMINAL_CALENDAR_MS, parseShorthand } from "./durations.js";
import { EXTENSION_PREFIX, SLO_ANNOTATION } from "./extensions.js";
import { readSli, type SliDef } from "./indicators.js";
import {
  annotationsOf,
  at,
  lookup,
  type OpenSloContext,
  type OsObject,
  objectAt,
  once,
} from "./objects.js";

const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface MappedSlo {
  slo: SloSpec;
  source: SourceSpec;
}

const METHODS: Record<string, BudgetingMethod> = {
  occurrences: "occurrences",
  timeslices: "timeslices",
  ratiotimeslices: "ratioTimeslices",
};

export function mapSlo(
  ctx: OpenSloContext,
  o: OsObject,
  serviceLabels: Record<string, string>,
): { service: string; mapped: MappedSlo[] } | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const before = r.errors.length;
  r.keys(spec, [
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "timeWindow",
    "budgetingMethod",
    "objectives",
    "alertPolicies",
  ]);
  const service = r.string([...spec, "service"], true);
  const description = r.string([...spec, "description"]);
  const sli = indicatorOf(ctx, o);
  const window = timeWindow(r, [...spec, "timeWindow"]);
  const methodText = r.string([...spec, "budgetingMethod"]) ?? "Occurrences";
  const method = METHODS[methodText.toLowerCase()];
  if (!method) {
    r.fail(
      [...spec, "budgetingMethod"],
      `unknown budgetingMethod '${methodText}'`,
      "expected Occurrences, Timeslices or RatioTimeslices",
    );
  }
  const extensions = sloExtensions(o);
  const periodMs = window
    ? window.kind === "rolling"
      ? window.durationMs
      : NOMINAL_CALENDAR_MS[window.unit]
    : undefined;
  const alerting = periodMs !== undefined ? sloAlerting(ctx, o, periodMs) : undefined;
  const objectives = r.list([...spec, "objectives"], true);
  if (objectives && objectives.length === 0)
    r.fail([...spec, "objectives"], "an SLO needs an objective");
  const labels = { ...serviceLabels, ...r.labels(at(o, "metadata", "labels")) };
  if (
    r.errors.length > before ||
    !service ||
    !sli ||
    !window ||
    !method ||
    !extensions ||
    !alerting ||
    !objectives
  ) {
    return undefined;
  }
  const mapped: MappedSlo[] = [];
  const names = new Set<string>();
  objectives.forEach((_, i) => {
    const path = [...spec, "objectives", i];
    const objective = readObjective(r, path, sli, method, window);
    if (!objective) return;
    let name = o.name;
    if (objectives.length > 1) {
      const suffix = slug(r.string([...path, "displayName"]) ?? "") || String(i + 1);
      name = `${o.name}-${suffix}`;
      if (names.has(name)) name = `${name}-${i + 1}`;
    }
    names.add(name);
    mapped.push({
      source: sli.source,
      slo: {
        service,
        name,
        description,
        labels,
        objective: objective.target,
        window,
        budgetingMethod: method,
        timeslice: objective.timeslice,
        indicator: objective.indicator,
        alerting: { minEvents: extensions.minEvents, ...alerting.alerting },
        gate: extensions.gate,
        notify: alerting.notify,
        breakdownBy: extensions.breakdownBy,
        runbook: extensions.runbook,
        at: positionOf(r.ydoc, objectives.length > 1 ? path : at(o, "metadata", "name")),
      },
    });
  });
  return { service, mapped };
}

function indicatorOf(ctx: OpenSloContext, o: OsObject): SliDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const inline = r.has([...spec, "indicator"]);
  const ref = r.string([...spec, "indicatorRef"]);
  if (inline === (ref !== undefined)) {
    r.fail(spec, "an SLO needs exactly one of indicator (inline) or indicatorRef");
    return undefined;
  }
  if (ref !== undefined) {
    const sli = lookup(ctx, "SLI", r, [...spec, "indicatorRef"], ref);
    return sli && once(ctx, sli, () => readSli(ctx, sli));
  }
  const sli = objectAt(r, [...spec, "indicator"], "SLI");
  return sli && readSli(ctx, sli);
}

function timeWindow(r: DocReader, path: YamlPath): WindowSpec | undefined {
  const list = r.list(path, true);
  if (!list) return undefined;
  if (list.length !== 1) {
    r.fail(path, `timeWindow holds exactly one window, got ${list.length}`);
    return undefined;
  }
  const p = [...path, 0];
  if (!r.record(p, true)) return undefined;
  r.keys(p, ["duration", "isRolling", "calendar"]);
  const durationText = r.string([...p, "duration"], true);
  const calendar = r.record([...p, "calendar"]);
  const isRolling = r.boolean([...p, "isRolling"]) ?? calendar === undefined;
  if (durationText === undefined) return undefined;
  const duration = parseShorthand(durationText);
  if (!duration) {
    r.fail([...p, "duration"], shorthandMessage(durationText));
    return undefined;
  }
  if (isRolling) {
    if (calendar) {
      r.fail([...p, "calendar"], "a rolling window (isRolling: true) has no calendar");
      return undefined;
    }
    if (duration.ms < HOUR) {
      r.fail(
        [...p, "duration"],
        `window ${durationText} is too short for an SLO; expected at least 1h (typically 28d or 30d)`,
      );
      return undefined;
    }
    return { kind: "rolling", durationMs: duration.ms, label: duration.label };
  }
  const unit = CALENDAR_OF[durationText.trim()];
  if (!unit) {
    r.fail(
      [...p, "duration"],
      `a calendar window of ${durationText} cannot be evaluated; slo's calendar windows are 1w, 1M, 1Q and 1Y`,
      "or make it rolling with isRolling: true",
    );
    return undefined;
  }
  const c = [...p, "calendar"];
  r.keys(c, ["startTime", "timeZone"]);
  const timeZone = r.string([...c, "timeZone"]) ?? "UTC";
  if (!isTimeZone(timeZone)) {
    r.fail(
      [...c, "timeZone"],
      `unknown time zone '${timeZone}'; expected an IANA name like Europe/Berlin`,
    );
    return undefined;
  }
  const startTime = r.string([...c, "startTime"]);
  if (startTime !== undefined) {
    const problem = misalignment(startTime, unit);
    if (problem) {
      r.fail([...c, "startTime"], problem.message, problem.hint);
      return undefined;
    }
  }
  return { kind: "calendar", unit, timeZone, label: unit };
}

/**
 * slo's calendar periods start at local midnight on a Monday, the 1st of a
 * month, of a quarter, of a year; a startTime elsewhere would be another
 * window than the one evaluated, so it is an error, not silently moved.
 */
function misalignment(
  text: string,
  unit: "week" | "month" | "quarter" | "year",
): { message: string; hint: string } | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*$/.exec(text);
  const expected: Record<typeof unit, string> = {
    week: "midnight on a Monday",
    month: "midnight on the 1st of a month",
    quarter: "midnight on the 1st of January, April, July or October",
    year: "midnight on the 1st of January",
  };
  const hint = `slo's ${unit}s start at ${expected[unit]}, in the window's time zone; e.g. startTime: 2024-01-01 00:00:00`;
  if (!m)
    return { message: `expected a date and time like 2024-01-01 00:00:00, got '${text}'`, hint };
  const [y, mo, d, hh = "00", mm = "00", ss = "00"] = m.slice(1);
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const midnight = hh === "00" && mm === "00" && ss === "00";
  const aligned =
    midnight &&
    (unit === "week"
      ? day.getUTCDay() === 1
      : unit === "month"
        ? Number(d) === 1
        : unit === "quarter"
          ? Number(d) === 1 && (Number(mo) - 1) % 3 === 0
          : Number(d) === 1 && Number(mo) === 1);
  return aligned
    ? undefined
    : { message: `a ${unit} starting at ${text.trim()} is not a calendar ${unit}`, hint };
}

interface ObjectiveDef {
  target: number;
  timeslice?: { durationMs: number; target: number } | undefined;
  indicator: Indicator;
}

const COMPOSITE_KEYS = ["indicator", "indicatorRef", "compositeWeight"];

function readObjective(
  r: DocReader,
  path: YamlPath,
  sli: SliDef,
  method: BudgetingMethod,
  window: WindowSpec,
): ObjectiveDef | undefined {
  const before = r.errors.length;
  if (!r.record(path, true)) return undefined;
  for (const key of COMPOSITE_KEYS) {
    if (r.value([...path, key]) !== undefined) {
      r.fail(
        path,
        "composite SLOs (an indicator per objective) cannot be evaluated by slo",
        "write one SLO per indicator; slo evaluates each on its own",
        key,
      );
      return undefined;
    }
  }
  r.keys(path, [
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
  ]);
  const target = objectiveTarget(r, path);
  let indicator: Indicator | undefined;
  if (sli.kind === "ratio") {
    for (const key of ["op", "value"]) {
      if (r.value([...path, key]) !== undefined) {
        r.fail(
          path,
          `${key} compares a thresholdMetric; this SLI is a ratioMetric`,
          undefined,
          key,
        );
      }
    }
    indicator = sli.indicator;
  } else {
    const op = r.string([...path, "op"], true);
    const value = r.number([...path, "value"], true);
    if (op !== undefined && op !== "lte") {
      r.fail(
        [...path, "op"],
        `op ${op} cannot be evaluated: slo counts an event good when its value is at or below the threshold`,
        "use op: lte",
      );
    }
    if (value !== undefined && value <= 0) r.fail([...path, "value"], "expected a value above 0");
    if (value !== undefined && value > 0) {
      indicator = {
        kind: "latency",
        source: sli.source.name,
        ...(sli.source.type === "prometheus"
          ? { histogram: sli.query }
          : { events: sli.query, field: sli.field }),
        unit: sli.unit,
        threshold: value,
        thresholdText: `${value}${sli.unit}`,
      };
    }
  }
  let timeslice: ObjectiveDef["timeslice"];
  const hasSliceTarget = r.value([...path, "timeSliceTarget"]) !== undefined;
  const hasSliceWindow = r.value([...path, "timeSliceWindow"]) !== undefined;
  if (method === "occurrences") {
    if (hasSliceTarget || hasSliceWindow) {
      r.fail(
        path,
        "timeSliceTarget and timeSliceWindow need budgetingMethod: Timeslices or RatioTimeslices",
        undefined,
        hasSliceTarget ? "timeSliceTarget" : "timeSliceWindow",
      );
    }
  } else {
    const durationMs = sliceWindow(r, [...path, "timeSliceWindow"], window);
    let sliceTarget = target;
    if (method === "timeslices") {
      const t = r.number([...path, "timeSliceTarget"], true);
      if (t !== undefined && (t <= 0 || t > 1)) {
        r.fail([...path, "timeSliceTarget"], "expected a ratio above 0 and at most 1, like 0.95");
      } else sliceTarget = t;
    }
    if (durationMs !== undefined && sliceTarget !== undefined) {
      timeslice = { durationMs, target: roundNumber(sliceTarget) };
    }
  }
  if (r.errors.length > before || target === undefined || !indicator) return undefined;
  return { target, timeslice, indicator };
}

function objectiveTarget(r: DocReader, path: YamlPath): number | undefined {
  const hasTarget = r.value([...path, "target"]) !== undefined;
  const hasPercent = r.value([...path, "targetPercent"]) !== undefined;
  if (hasTarget === hasPercent) {
    r.fail(path, "an objective needs exactly one of target (0.999) or targetPercent (99.9)");
    return undefined;
  }
  const key = hasTarget ? "target" : "targetPercent";
  const raw = r.number([...path, key]);
  if (raw === undefined) return undefined;
  const value = roundNumber(hasTarget ? raw : raw / 100);
  if (value >= 1) {
    r.fail(
      [...path, key],
      `${raw}${hasTarget ? "" : "%"} leaves no error budget; an objective must be below 100%`,
      "SLOs of 100% cannot be met and cannot be budgeted; try 99.99%",
    );
    return undefined;
  }
  if (value <= 0) {
    r.fail(
      [...path, key],
      hasTarget
        ? "expected a ratio between 0 and 1, like 0.999"
        : "expected a percentage between 0 and 100, like 99.9",
    );
    return undefined;
  }
  return value;
}

/** A number is minutes (the spec's default unit), a string is shorthand. */
function sliceWindow(r: DocReader, path: YamlPath, window: WindowSpec): number | undefined {
  const raw = r.value(path);
  if (raw === undefined || raw === null) {
    r.missing(path);
    return undefined;
  }
  let ms: number | undefined;
  if (typeof raw === "number" || /^\s*\d+\s*$/.test(String(raw))) {
    const n = Number(raw);
    if (Number.isInteger(n) && n > 0) ms = n * MINUTE;
  } else {
    ms = parseShorthand(String(raw))?.ms;
  }
  if (ms === undefined) {
    r.fail(path, `expected minutes (5) or a duration like 5m, got '${String(raw)}'`);
    return undefined;
  }
  const period = window.kind === "rolling" ? window.durationMs : NOMINAL_CALENDAR_MS[window.unit];
  if (ms >= period) {
    r.fail(path, "a time slice must be shorter than the SLO's time window");
    return undefined;
  }
  return ms;
}

interface Extensions {
  minEvents: number;
  gate: GatePolicy;
  breakdownBy?: string | undefined;
  runbook?: string | undefined;
}

/** slo's own settings on an SLO, from `slo/...` annotations; unknown ones are typos. */
function sloExtensions(o: OsObject): Extensions | undefined {
  const { r } = o;
  const path = at(o, "metadata", "annotations");
  const annotations = annotationsOf(o);
  const known = Object.values(SLO_ANNOTATION) as string[];
  const before = r.errors.length;
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(EXTENSION_PREFIX) && !known.includes(key)) {
      r.fail(path, `unknown slo annotation '${key}'`, `slo reads ${known.join(", ")}`, key);
    }
  }
  let minEvents = DEFAULT_MIN_EVENTS;
  const minText = annotations[SLO_ANNOTATION.minEvents];
  if (minText !== undefined) {
    const n = Number(minText);
    if (!Number.isInteger(n) || n < 0 || minText.trim() === "") {
      r.fail([...path, SLO_ANNOTATION.minEvents], "expected a whole number of events, like 10");
    } else minEvents = n;
  }
  const gateText = annotations[SLO_ANNOTATION.gate];
  if (gateText !== undefined && gateText !== "true" && gateText !== "false") {
    r.fail([...path, SLO_ANNOTATION.gate], "expected true or false");
  }
  const fraction = (key: string, fallback: number): number => {
    const text = annotations[key];
    if (text === undefined) return fallback;
    const value = parseFraction(text);
    if (value === null || value < 0 || value > 1) {
      r.fail([...path, key], "expected a percentage like 10% or a fraction like 0.1");
      return fallback;
    }
    return value;
  };
  const minRemaining = fraction(SLO_ANNOTATION.gateMinRemaining, DEFAULT_GATE.minRemaining);
  const warnRemaining = fraction(SLO_ANNOTATION.gateWarnRemaining, DEFAULT_GATE.warnRemaining);
  if (r.errors.length > before) return undefined;
  return {
    minEvents,
    gate:
      gateText === "false"
        ? { enabled: false, ...DEFAULT_GATE }
        : { enabled: true, minRemaining, warnRemaining: Math.max(warnRemaining, minRemaining) },
    breakdownBy: annotations[SLO_ANNOTATION.breakdownBy],
    runbook: annotations[SLO_ANNOTATION.runbook],
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
