/**
 * An OpenSLO SLO -> slo's SLOs: one per objective (an SLO with several
 * objectives becomes several SLOs, named after each objective). Each field
 * is read by its own reader; what does not fit together (a time slice
 * without timeslice budgeting, a threshold on a ratio) is a named rule.
 */

import {
  DEFAULT_BUDGETING_METHOD,
  DEFAULT_GATE,
  DEFAULT_MIN_EVENTS,
  DEFAULT_TIME_ZONE,
} from "../../defaults.js";
import { calendarWindowOf, nominalPeriodMs, parseCalendarPeriod } from "../calendar.js";
import { type DocReader, type Json, parseFraction, roundNumber } from "../doc-reader.js";
import { formatDuration, MINUTE_MS } from "../duration.js";
import { readGrouping } from "../grouping.js";
import type {
  BudgetingMethod,
  GatePolicy,
  GroupingSpec,
  Indicator,
  SampledIndicator,
  SloSpec,
  SourceSpec,
  ThresholdOp,
  WindowSpec,
} from "../model.js";
import { isSelector } from "../promql.js";
import {
  calendarStartIsDateTime,
  checkAll,
  checkInOrder,
  countedPeriodsHaveAStart,
  enabledGate,
  knownTimeZone,
  longEnoughForAnSlo,
  type Problem,
  type Reporter,
  type Rule,
  slicesWithinLimit,
  windowWithinLimit,
} from "../rules.js";
import type { YamlPath } from "../yaml-source.js";
import { positionOf } from "../yaml-source.js";
import { sloAlerting } from "./alerting.js";
import { parseShorthand, type Shorthand, shorthandMessage, windowPeriodMs } from "./durations.js";
import { EXTENSION_PREFIX, SLO_ANNOTATION } from "./extensions.js";
import { readSli, type SliDef } from "./indicators.js";
import {
  annotationsOf,
  at,
  labelsOf,
  lookup,
  type OpenSloContext,
  type OsObject,
  objectAt,
  once,
} from "./objects.js";

export interface MappedSlo {
  slo: SloSpec;
  source: SourceSpec;
}

const SPEC_KEYS = [
  "description",
  "service",
  "indicator",
  "indicatorRef",
  "timeWindow",
  "budgetingMethod",
  "objectives",
  "alertPolicies",
];

const METHODS: Record<string, BudgetingMethod> = {
  occurrences: "occurrences",
  timeslices: "timeslices",
  ratiotimeslices: "ratioTimeslices",
};

/** What every SLO of one OpenSLO SLO shares; each objective adds its own. */
type SharedFields = Pick<
  SloSpec,
  | "service"
  | "displayName"
  | "description"
  | "labels"
  | "window"
  | "budgetingMethod"
  | "alerting"
  | "gate"
  | "notify"
  | "routes"
  | "breakdownBy"
  | "grouping"
  | "runbook"
  | "annotations"
  | "listLabels"
>;

export function mapSlo(
  ctx: OpenSloContext,
  o: OsObject,
  serviceLabels: Record<string, string>,
): { service: string; mapped: MappedSlo[] } | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const before = r.errors.length;
  // A composite SLO has no indicator of its own: saying so first keeps "needs an indicator" unsaid.
  if (!checkAll(r, [...spec, "objectives"], objectivesGiven(r, spec), notComposite))
    return undefined;
  r.keys(spec, SPEC_KEYS);
  const service = r.string([...spec, "service"], true);
  const description = r.string([...spec, "description"]);
  const sli = indicatorOf(ctx, o);
  const window = timeWindow(r, [...spec, "timeWindow"]);
  const method = budgetingMethod(r, [...spec, "budgetingMethod"]);
  const extensions = sloExtensions(o, method);
  const alerting = window && sloAlerting(ctx, o, windowPeriodMs(window));
  const objectives = r.list([...spec, "objectives"], true);
  if (objectives && objectives.length === 0)
    r.fail([...spec, "objectives"], "an SLO needs an objective");
  const labels = { ...serviceLabels, ...labelsOf(o) };
  const listLabels = listLabelsOf(o);
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
  const shared: SharedFields = {
    service,
    displayName: displayNameOf(o),
    description,
    labels,
    window,
    budgetingMethod: method,
    alerting: { minEvents: extensions.minEvents, ...alerting.alerting },
    gate: extensions.gate,
    notify: alerting.notify,
    routes: alerting.routes.length > 0 ? alerting.routes : undefined,
    breakdownBy: extensions.breakdownBy,
    ...(extensions.grouping ? { grouping: extensions.grouping } : {}),
    runbook: extensions.runbook,
    ...(listLabels.length > 0 ? { listLabels } : {}),
    ...(Object.keys(extensions.annotations).length > 0
      ? { annotations: extensions.annotations }
      : {}),
  };
  return { service, mapped: mapObjectives(o, objectives.length, sli, shared) };
}

function mapObjectives(o: OsObject, count: number, sli: SliDef, shared: SharedFields): MappedSlo[] {
  const { r } = o;
  const mapped: MappedSlo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const path = at(o, "spec", "objectives", i);
    const objective = readObjective(r, path, sli, shared.budgetingMethod, shared.window);
    if (!objective) continue;
    // slo convert writes slo/name when it renamed the SLO apart from another service's
    const own = annotationsOf(o)[SLO_ANNOTATION.name] ?? o.name;
    const name = count > 1 ? objectiveName(o, path, i, names) : own;
    names.add(name);
    mapped.push({
      source: sli.source,
      slo: {
        service: shared.service,
        name,
        displayName: shared.displayName,
        description: shared.description,
        labels: shared.labels,
        objective: objective.target,
        ...(objective.displayName !== undefined
          ? { objectiveDisplayName: objective.displayName }
          : {}),
        window: shared.window,
        budgetingMethod: shared.budgetingMethod,
        timeslice: objective.timeslice,
        indicator: objective.indicator,
        alerting: { ...shared.alerting },
        gate: shared.gate,
        notify: shared.notify,
        routes: shared.routes,
        breakdownBy: shared.breakdownBy,
        ...(shared.grouping ? { grouping: shared.grouping } : {}),
        runbook: shared.runbook,
        ...(shared.annotations ? { annotations: shared.annotations } : {}),
        ...(shared.listLabels ? { listLabels: shared.listLabels } : {}),
        at: positionOf(r.ydoc, count > 1 ? path : at(o, "metadata", "name")),
      },
    });
  }
  return mapped;
}

/** The labels written as lists, whose items hold no ',' (so the joined value splits back to them). */
function listLabelsOf(o: OsObject): string[] {
  const raw = o.r.value(at(o, "metadata", "labels"));
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return [];
  return Object.entries(raw)
    .filter(
      ([, v]) =>
        Array.isArray(v) &&
        v.length > 0 &&
        v.every((x) => typeof x === "string" && !x.includes(",")),
    )
    .map(([k]) => k);
}

/**
 * metadata.displayName, as written. For an SLO renamed apart from another
 * service's, slo convert writes its name (slo/name) as displayName too: that
 * is its name, not a displayName of its own.
 */
function displayNameOf(o: OsObject): string | undefined {
  const text = o.r.string(at(o, "metadata", "displayName"));
  return text !== undefined && text === annotationsOf(o)[SLO_ANNOTATION.name] ? undefined : text;
}

/** One SLO per objective: named after the objective's displayName, else its number. */
function objectiveName(o: OsObject, path: YamlPath, i: number, taken: Set<string>): string {
  const suffix = slug(o.r.string([...path, "displayName"]) ?? "") || String(i + 1);
  const name = `${o.name}-${suffix}`;
  return taken.has(name) ? `${name}-${i + 1}` : name;
}

const oneIndicator: Rule<{ inline: boolean; ref: string | undefined }> = ({ inline, ref }) =>
  inline === (ref !== undefined)
    ? { message: "an SLO needs exactly one of indicator (inline) or indicatorRef" }
    : undefined;

function indicatorOf(ctx: OpenSloContext, o: OsObject): SliDef | undefined {
  const { r } = o;
  const spec = at(o, "spec");
  const inline = r.has([...spec, "indicator"]);
  const ref = r.string([...spec, "indicatorRef"]);
  if (!checkAll(r, spec, { inline, ref }, oneIndicator)) return undefined;
  if (ref !== undefined) {
    const sli = lookup(ctx, "SLI", r, [...spec, "indicatorRef"], ref);
    return sli && once(ctx, sli, () => readSli(ctx, sli));
  }
  const sli = objectAt(r, [...spec, "indicator"], "SLI");
  return sli && readSli(ctx, sli);
}

function budgetingMethod(r: DocReader, path: YamlPath): BudgetingMethod | undefined {
  const text = r.string(path) ?? DEFAULT_BUDGETING_METHOD;
  const method = METHODS[text.toLowerCase()];
  if (!method) {
    r.fail(
      path,
      `unknown budgetingMethod '${text}'`,
      "expected Occurrences, Timeslices or RatioTimeslices",
    );
  }
  return method;
}

// The time window: one window, rolling or a calendar period slo evaluates.

interface WindowFields {
  /** the duration as written */
  text: string;
  duration: Shorthand | null;
  calendar: Json | undefined;
  isRolling: boolean;
}

const durationIsShorthand: Rule<WindowFields> = (w) =>
  w.duration ? undefined : { at: ["duration"], message: shorthandMessage(w.text) };

const rollingHasNoCalendar: Rule<WindowFields> = (w) =>
  w.isRolling && w.calendar
    ? { at: ["calendar"], message: "a rolling window (isRolling: true) has no calendar" }
    : undefined;

const WINDOW_RULES = [durationIsShorthand, rollingHasNoCalendar];

function timeWindow(r: DocReader, path: YamlPath): WindowSpec | undefined {
  const p = onlyWindow(r, path);
  if (!p) return undefined;
  r.keys(p, ["duration", "isRolling", "calendar"]);
  const text = r.string([...p, "duration"], true);
  const calendar = r.record([...p, "calendar"]);
  const isRolling = r.boolean([...p, "isRolling"]) ?? calendar === undefined;
  if (text === undefined) return undefined;
  const w: WindowFields = { text, duration: parseShorthand(text), calendar, isRolling };
  if (!checkInOrder(r, p, w, ...WINDOW_RULES)) return undefined;
  if (!w.isRolling) return calendarWindow(r, p, text);
  const { ms, label } = w.duration!;
  if (!checkAll(r, [...p, "duration"], { text, ms }, longEnoughForAnSlo, windowWithinLimit))
    return undefined;
  return { kind: "rolling", durationMs: ms, label };
}

/** The path of the one window of timeWindow (a list, as OpenSLO writes it). */
function onlyWindow(r: DocReader, path: YamlPath): YamlPath | undefined {
  const list = r.list(path, true);
  if (!list) return undefined;
  if (list.length !== 1) {
    r.fail(path, `timeWindow holds exactly one window, got ${list.length}`);
    return undefined;
  }
  const p = [...path, 0];
  return r.record(p, true) ? p : undefined;
}

/**
 * A calendar window: periods of `duration` counted from startTime in
 * timeZone (slo's own periods, weeks from Monday midnight, months from the
 * 1st, when there is no startTime and the duration is one unit).
 */
function calendarWindow(r: DocReader, p: YamlPath, text: string): WindowSpec | undefined {
  const c = [...p, "calendar"];
  r.keys(c, ["startTime", "timeZone"]);
  const period = parseCalendarPeriod(text)!;
  const timeZone = r.string([...c, "timeZone"]) ?? DEFAULT_TIME_ZONE;
  const startTime = r.string([...c, "startTime"]);
  const zoneOk = checkAll(r, [...c, "timeZone"], timeZone, knownTimeZone);
  const startOk =
    startTime === undefined ||
    checkAll(r, [...c, "startTime"], startTime, calendarStartIsDateTime("calendar.timeZone"));
  const length = { text, period, start: startTime, ms: nominalPeriodMs(period) };
  const periodOk = checkInOrder(
    r,
    [...p, "duration"],
    length,
    countedPeriodsHaveAStart("calendar.startTime"),
    longEnoughForAnSlo,
    windowWithinLimit,
  );
  if (!zoneOk || !startOk || !periodOk) return undefined;
  return calendarWindowOf(period, timeZone, startTime);
}

// An objective: its target, the threshold of a thresholdMetric, its time slices.

interface ObjectiveDef {
  target: number;
  timeslice?: { durationMs: number; target: number } | undefined;
  indicator: Indicator;
  displayName?: string | undefined;
}

const OBJECTIVE_KEYS = [
  "displayName",
  "op",
  "value",
  "target",
  "targetPercent",
  "timeSliceTarget",
  "timeSliceWindow",
];

/** An objective's own indicator: v1's spelling, and v2alpha's (kept as written, for the message). */
const OWN_INDICATOR_KEYS = ["indicator", "indicatorRef", "sli", "sliRef"];

/** The keys written in a mapping, those left empty too. */
type Given = Set<string>;

interface ObjectiveGiven {
  given: Given;
  displayName: unknown;
  weight: unknown;
}

function objectivesGiven(r: DocReader, spec: YamlPath): ObjectiveGiven[] {
  const list = r.value([...spec, "objectives"]);
  if (!Array.isArray(list)) return [];
  return list.map((o) =>
    o !== null && typeof o === "object" && !Array.isArray(o)
      ? {
          given: new Set(Object.keys(o)),
          displayName: (o as Json).displayName,
          weight: (o as Json).compositeWeight,
        }
      : { given: new Set<string>(), displayName: undefined, weight: undefined },
  );
}

/**
 * Composite SLOs (each objective its own indicator, weighed by
 * compositeWeight) are refused, one error per such objective at its
 * indicator: slo evaluates one indicator per SLO, and does not compute the
 * weighted composite.
 */
const notComposite: Rule<ObjectiveGiven[]> = (objectives) =>
  objectives.flatMap(({ given, displayName, weight }, i) => {
    const key =
      OWN_INDICATOR_KEYS.find((k) => given.has(k)) ??
      (given.has("compositeWeight") ? "compositeWeight" : undefined);
    if (key === undefined) return [];
    const named = typeof displayName === "string" ? `'${displayName}'` : `[${i}]`;
    const weighted =
      weight === undefined || key === "compositeWeight"
        ? ""
        : ` (compositeWeight ${String(weight)})`;
    const what = key === "compositeWeight" ? "a compositeWeight" : `its own ${key}${weighted}`;
    return [
      {
        at: [i],
        key,
        message: `objective ${named} has ${what}: a composite SLO (the weighted SLI of its objectives' indicators) is not supported by slo`,
        hint: "write one SLO per objective, with that objective's indicator as the SLO's indicator (or indicatorRef); slo evaluates and alerts on each on its own",
      },
    ];
  });

function readObjective(
  r: DocReader,
  path: YamlPath,
  sli: SliDef,
  method: BudgetingMethod,
  window: WindowSpec,
): ObjectiveDef | undefined {
  const before = r.errors.length;
  const fields = r.record(path, true);
  if (!fields) return undefined;
  const given: Given = new Set(Object.keys(fields));
  r.keys(path, OBJECTIVE_KEYS);
  const target = objectiveTarget(r, path, given);
  const indicator =
    sli.kind === "ratio" ? ratioObjective(r, path, sli, given) : thresholdObjective(r, path, sli);
  const timeslice = objectiveTimeslice(r, path, { given, method, window, target });
  if (r.errors.length > before || target === undefined || !indicator) return undefined;
  return { target, timeslice, indicator, displayName: r.string([...path, "displayName"]) };
}

const oneTarget: Rule<Given> = (given) =>
  given.has("target") === given.has("targetPercent")
    ? { message: "an objective needs exactly one of target (0.999) or targetPercent (99.9)" }
    : undefined;

interface Target {
  key: "target" | "targetPercent";
  /** as written: a ratio, or a percentage */
  raw: number;
  ratio: number;
}

const targetLeavesBudget: Rule<Target> = (t) =>
  t.ratio >= 1
    ? {
        at: [t.key],
        message: `${t.raw}${t.key === "target" ? "" : "%"} leaves no error budget; an objective must be below 100%`,
        hint: "SLOs of 100% cannot be met and cannot be budgeted; try 99.99%",
      }
    : undefined;

const targetAboveZero: Rule<Target> = (t) =>
  t.ratio <= 0
    ? {
        at: [t.key],
        message:
          t.key === "target"
            ? "expected a ratio between 0 and 1, like 0.999"
            : "expected a percentage between 0 and 100, like 99.9",
      }
    : undefined;

function objectiveTarget(r: DocReader, path: YamlPath, given: Given): number | undefined {
  if (!checkAll(r, path, given, oneTarget)) return undefined;
  const key = given.has("target") ? "target" : "targetPercent";
  const raw = r.number([...path, key]);
  if (raw === undefined) return undefined;
  const target: Target = { key, raw, ratio: roundNumber(key === "target" ? raw : raw / 100) };
  return checkInOrder(r, path, target, targetLeavesBudget, targetAboveZero)
    ? target.ratio
    : undefined;
}

const noComparisonOnRatio: Rule<Given> = (given) =>
  ["op", "value"]
    .filter((key) => given.has(key))
    .map((key) => ({
      key,
      message: `${key} compares a thresholdMetric; this SLI is a ratioMetric`,
    }));

function ratioObjective(
  r: DocReader,
  path: YamlPath,
  sli: Extract<SliDef, { kind: "ratio" }>,
  given: Given,
): Indicator {
  checkAll(r, path, given, noComparisonOnRatio);
  return sli.indicator;
}

interface Comparison {
  op: string | undefined;
  value: number | undefined;
}

const OPS: readonly ThresholdOp[] = ["lt", "lte", "gt", "gte"];

const knownOp: Rule<Comparison> = ({ op }) =>
  op !== undefined && !(OPS as readonly string[]).includes(op)
    ? { at: ["op"], message: `expected lt, lte, gt or gte, got '${op}'` }
    : undefined;

const histogramThresholdAboveZero: Rule<Comparison> = ({ value }) =>
  value !== undefined && value <= 0
    ? {
        at: ["value"],
        message: "expected a value above 0: a histogram counts the events at or below it",
      }
    : undefined;

/**
 * A thresholdMetric's objective gives the threshold: op and value. On
 * Prometheus, a bare selector with op lte is a histogram (its buckets are
 * counted; with no buckets but values of its own, it is sampled as a
 * gauge); any other query or op is a value sampled over time.
 */
function thresholdObjective(
  r: DocReader,
  path: YamlPath,
  sli: Extract<SliDef, { kind: "threshold" }>,
): Indicator | undefined {
  const comparison: Comparison = {
    op: r.string([...path, "op"], true),
    value: r.number([...path, "value"], true),
  };
  if (!checkAll(r, path, comparison, knownOp)) return undefined;
  const { value } = comparison;
  const op = comparison.op as ThresholdOp | undefined;
  if (value === undefined || op === undefined) return undefined;
  if (sli.source.type === "prometheus" && !(op === "lte" && isSelector(sli.query)))
    return sampledThreshold(sli, op, value);
  const histogram = sli.source.type === "prometheus";
  if (histogram && !checkAll(r, path, comparison, histogramThresholdAboveZero)) return undefined;
  return {
    kind: "latency",
    source: sli.source.name,
    ...(histogram ? { histogram: sli.query } : { events: sli.query, field: sli.field }),
    ...(sli.histogramType !== undefined ? { histogramType: sli.histogramType } : {}),
    ...(op === "lte" ? {} : { op }),
    unit: sli.unit,
    threshold: value,
    // A source slo cannot query has no unit slo knows: the value as written.
    thresholdText: sli.source.type === "unsupported" ? String(value) : `${value}${sli.unit}`,
  };
}

function sampledThreshold(
  sli: Extract<SliDef, { kind: "threshold" }>,
  op: ThresholdOp,
  value: number,
): SampledIndicator {
  return {
    kind: "sampled",
    source: sli.source.name,
    query: sli.query,
    judge: { kind: "threshold", op, threshold: value, thresholdText: String(value) },
  };
}

interface SliceFields {
  given: Given;
  method: BudgetingMethod;
  window: WindowSpec;
  /** the objective's target, which a ratioTimeslices slice must meet */
  target: number | undefined;
}

const sliceFieldsNeedTimeslices: Rule<SliceFields> = ({ given, method }) => {
  if (method !== "occurrences") return undefined;
  const key = ["timeSliceTarget", "timeSliceWindow"].find((k) => given.has(k));
  return key === undefined
    ? undefined
    : {
        key,
        message:
          "timeSliceTarget and timeSliceWindow need budgetingMethod: Timeslices or RatioTimeslices",
      };
};

function objectiveTimeslice(
  r: DocReader,
  path: YamlPath,
  fields: SliceFields,
): ObjectiveDef["timeslice"] {
  if (!checkAll(r, path, fields, sliceFieldsNeedTimeslices) || fields.method === "occurrences")
    return undefined;
  const durationMs = sliceWindow(r, [...path, "timeSliceWindow"], fields.window);
  const target =
    fields.method === "timeslices" ? sliceTarget(r, [...path, "timeSliceTarget"]) : fields.target;
  if (durationMs === undefined || target === undefined) return undefined;
  return { durationMs, target: roundNumber(target) };
}

const sliceTargetIsRatio: Rule<number> = (t) =>
  t <= 0 || t > 1 ? { message: "expected a ratio above 0 and at most 1, like 0.95" } : undefined;

/** Timeslices budgeting: the ratio each slice must meet. */
function sliceTarget(r: DocReader, path: YamlPath): number | undefined {
  const target = r.number(path, true);
  return target !== undefined && checkAll(r, path, target, sliceTargetIsRatio) ? target : undefined;
}

const sliceShorterThanWindow: Rule<{ ms: number; window: WindowSpec }> = ({ ms, window }) =>
  ms >= windowPeriodMs(window)
    ? { message: "a time slice must be shorter than the SLO's time window" }
    : undefined;

/** A number is minutes (the spec's default unit), a string is shorthand. */
function sliceWindow(r: DocReader, path: YamlPath, window: WindowSpec): number | undefined {
  const raw = r.value(path);
  if (raw === undefined || raw === null) {
    r.missing(path);
    return undefined;
  }
  const ms = sliceWindowMs(raw);
  if (ms === undefined) {
    r.fail(path, `expected minutes (5) or a duration like 5m, got '${String(raw)}'`);
    return undefined;
  }
  if (!checkAll(r, path, { ms, window }, sliceShorterThanWindow)) return undefined;
  const slices = { window, sliceMs: ms, sliceText: formatDuration(ms) };
  return checkAll(r, path, slices, slicesWithinLimit([])) ? ms : undefined;
}

function sliceWindowMs(raw: unknown): number | undefined {
  if (typeof raw === "number" || /^\s*\d+\s*$/.test(String(raw))) {
    const n = Number(raw);
    return Number.isInteger(n) && n > 0 ? n * MINUTE_MS : undefined;
  }
  return parseShorthand(String(raw))?.ms;
}

// slo's own settings on an SLO, from `slo/...` annotations.

interface Extensions {
  minEvents: number;
  gate: GatePolicy;
  breakdownBy?: string | undefined;
  grouping?: GroupingSpec | undefined;
  runbook?: string | undefined;
  /** the user's own, not `slo/...` */
  annotations: Record<string, string>;
}

const KNOWN_ANNOTATIONS = Object.values(SLO_ANNOTATION) as string[];

/** An `slo/` annotation slo does not read is a typo. */
const onlyKnownSloAnnotations: Rule<Record<string, string>> = (annotations) =>
  Object.keys(annotations)
    .filter((key) => key.startsWith(EXTENSION_PREFIX) && !KNOWN_ANNOTATIONS.includes(key))
    .map(
      (key): Problem => ({
        key,
        message: `unknown slo annotation '${key}'`,
        hint: `slo reads ${KNOWN_ANNOTATIONS.join(", ")}`,
      }),
    );

function sloExtensions(o: OsObject, method: BudgetingMethod | undefined): Extensions | undefined {
  const { r } = o;
  const path = at(o, "metadata", "annotations");
  const annotations = annotationsOf(o);
  const before = r.errors.length;
  checkAll(r, path, annotations, onlyKnownSloAnnotations);
  const minEvents = minEventsOf(r, path, annotations);
  const gate = gateOf(r, path, annotations);
  const grouping = groupingOfAnnotations(r, path, annotations, method);
  if (r.errors.length > before) return undefined;
  return {
    minEvents,
    gate: grouping?.per !== undefined && gate.enabled ? { ...gate, per: grouping.per } : gate,
    ...(grouping ? { grouping: grouping.spec } : {}),
    breakdownBy: annotations[SLO_ANNOTATION.breakdownBy],
    runbook: annotations[SLO_ANNOTATION.runbook],
    annotations: Object.fromEntries(
      Object.entries(annotations).filter(([key]) => !key.startsWith(EXTENSION_PREFIX)),
    ),
  };
}

/**
 * `slo/group-by` (comma-separated), `slo/group-limit` and `slo/gate-per`:
 * read by the native file's own rules, each problem told at its annotation.
 */
function groupingOfAnnotations(
  r: DocReader,
  path: YamlPath,
  annotations: Record<string, string>,
  method: BudgetingMethod | undefined,
): { spec: GroupingSpec; per?: "group" | "whole" | undefined } | undefined {
  const byText = annotations[SLO_ANNOTATION.groupBy];
  const limitText = annotations[SLO_ANNOTATION.groupLimit];
  const perText = annotations[SLO_ANNOTATION.gatePer];
  const annotation = (at: YamlPath): string => {
    if (at.includes("groupLimit")) return SLO_ANNOTATION.groupLimit;
    if (at.includes("per") || at.includes("gate")) return SLO_ANNOTATION.gatePer;
    return SLO_ANNOTATION.groupBy;
  };
  const reporter: Reporter = {
    fail: (at, message, hint) => r.fail([...path, annotation(at)], message, hint),
    failInScalar: (at, _offset, message, hint) => r.fail([...path, annotation(at)], message, hint),
  };
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limitText!.trim() === "")) {
    r.fail([...path, SLO_ANNOTATION.groupLimit], "expected a whole number of groups, like 100");
    return undefined;
  }
  if (perText !== undefined && perText !== "group" && perText !== "whole") {
    r.fail([...path, SLO_ANNOTATION.gatePer], "expected group or whole");
    return undefined;
  }
  const spec = readGrouping(reporter, path, {
    groupBy: byText?.split(",").map((label) => label.trim()),
    groupLimit: limit,
    per: perText,
    budgetingMethod: method ?? "occurrences",
    indicator: undefined,
    source: undefined,
  });
  return spec ? { spec, ...(perText !== undefined ? { per: perText } : {}) } : undefined;
}

function minEventsOf(r: DocReader, path: YamlPath, annotations: Record<string, string>): number {
  const text = annotations[SLO_ANNOTATION.minEvents];
  if (text === undefined) return DEFAULT_MIN_EVENTS;
  const n = Number(text);
  if (Number.isInteger(n) && n >= 0 && text.trim() !== "") return n;
  r.fail([...path, SLO_ANNOTATION.minEvents], "expected a whole number of events, like 10");
  return DEFAULT_MIN_EVENTS;
}

function gateOf(r: DocReader, path: YamlPath, annotations: Record<string, string>): GatePolicy {
  const enabled = annotations[SLO_ANNOTATION.gate];
  if (enabled !== undefined && enabled !== "true" && enabled !== "false") {
    r.fail([...path, SLO_ANNOTATION.gate], "expected true or false");
  }
  const fraction = (key: string, fallback: number): number => {
    const text = annotations[key];
    if (text === undefined) return fallback;
    const value = parseFraction(text);
    if (value !== null && value >= 0 && value <= 1) return value;
    r.fail([...path, key], "expected a percentage like 10% or a fraction like 0.1");
    return fallback;
  };
  const minRemaining = fraction(SLO_ANNOTATION.gateMinRemaining, DEFAULT_GATE.minRemaining);
  const warnRemaining = fraction(SLO_ANNOTATION.gateWarnRemaining, DEFAULT_GATE.warnRemaining);
  return enabled === "false"
    ? { enabled: false, ...DEFAULT_GATE }
    : enabledGate(minRemaining, warnRemaining);
}

/** An objective's displayName as a part of an SLO name. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
