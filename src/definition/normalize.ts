/**
 * Native SLO file -> the internal model, in stages: structure (zod), then
 * the fields mapped into the model, with the cross-field rules (named, in
 * rules lists) where positions are at hand. Every problem is collected;
 * nothing throws.
 */

import { dirname } from "node:path";
import type { z } from "zod";
import {
  DEFAULT_BUDGETING_METHOD,
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_GATE,
  DEFAULT_HEALTH_ON_FAILURE,
  DEFAULT_LATENCY_UNIT,
  DEFAULT_MIN_EVENTS,
  DEFAULT_NOTIFY_SEVERITIES,
  DEFAULT_SOURCE,
  DEFAULT_TIME_ZONE,
  DEFAULT_TIMESLICE_MS,
} from "../defaults.js";
import { type SloError, specError } from "../errors.js";
import {
  calendarWindowOf,
  longestPeriodMs,
  nominalPeriodMs,
  parseCalendarPeriod,
} from "./calendar.js";
import { readCorrections } from "./corrections.js";
import { readDeploys } from "./deploys.js";
import { roundNumber } from "./doc-reader.js";
import { formatDuration, parseDuration } from "./duration.js";
import { type GroupingFields, readGrouping } from "./grouping.js";
import { readLogTimestamp } from "./log-timestamp.js";
import type {
  AlertPolicy,
  BudgetingMethod,
  BurnRateWindow,
  GatePolicy,
  Indicator,
  LatencyIndicator,
  NotifyTarget,
  RatioIndicator,
  RouteTarget,
  SampledIndicator,
  SampleJudge,
  ServiceSpec,
  SeverityPolicy,
  SloSpec,
  SourceSpec,
  WindowSpec,
} from "./model.js";
import { windowPeriodMs } from "./openslo/durations.js";
import { fixedRange, hasWindowPlaceholder, isSelector } from "./promql.js";
import {
  calendarPeriodIsPositive,
  calendarStartIsDateTime,
  checkAll,
  checkInOrder,
  countedPeriodsHaveAStart,
  enabledGate,
  httpUrl,
  knownTimeZone,
  logqlParses,
  lokiFieldIsLabel,
  longEnoughForAnSlo,
  promqlParses,
  type Rule,
  slicesWithinLimit,
  windowWithinLimit,
} from "./rules.js";
import { type SloFile, sloFileSchema } from "./schema.js";
import { positionInScalar, positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";
import { describeZodIssues } from "./zod-issues.js";

type Slo = SloFile["slos"][number];
type RatioFields = NonNullable<Slo["indicator"]["ratio"]>;
type LatencyFields = NonNullable<Slo["indicator"]["latency"]>;
type SampledFields = NonNullable<Slo["indicator"]["sampled"]>;

export interface NormalizeResult {
  service?: ServiceSpec;
  errors: SloError[];
}

export function normalizeNativeFile(ydoc: YamlDocument, value: unknown): NormalizeResult {
  const parsed = sloFileSchema.safeParse(value);
  if (!parsed.success) {
    return {
      errors: describeZodIssues(ydoc, value, parsed.error.issues as z.core.$ZodIssue[]),
    };
  }
  return new NativeFileNormalizer(ydoc).run(parsed.data);
}

class NativeFileNormalizer {
  private readonly errors: SloError[] = [];
  constructor(private readonly ydoc: YamlDocument) {}

  fail(path: YamlPath, message: string, hint?: string, key?: string): void {
    this.errors.push(specError(message, positionOf(this.ydoc, path, key), hint));
  }

  failInScalar(path: YamlPath, offset: number, message: string, hint?: string): void {
    this.errors.push(specError(message, positionInScalar(this.ydoc, path, offset), hint));
  }

  run(file: SloFile): NormalizeResult {
    const sources: Record<string, SourceSpec> = {};
    for (const [name, raw] of Object.entries(file.sources ?? {})) {
      const source = this.source(name, raw);
      if (source) sources[name] = source;
    }
    const fileNotify = this.notify(["notify"], file.notify ?? []);
    const fileRoutes = this.routes(["notify"], file.notify ?? []);
    const serviceLabels = file.labels ?? {};
    const slos: SloSpec[] = [];
    const seen = new Map<string, number>();
    file.slos.forEach((raw, i) => {
      const path = ["slos", i];
      const first = seen.get(raw.name);
      if (first !== undefined) {
        this.fail(
          [...path, "name"],
          `duplicate SLO name '${raw.name}' (first defined at slos[${first}])`,
        );
        return;
      }
      seen.set(raw.name, i);
      const slo = this.slo(file.service, serviceLabels, raw, path, sources, {
        notify: fileNotify,
        routes: fileRoutes,
      });
      if (slo) slos.push(slo);
    });
    const health = (file.health ?? []).map((h, i) => {
      this.checkUrl(["health", i, "url"], h.url);
      return { name: h.name, url: h.url, onFailure: h.onFailure ?? DEFAULT_HEALTH_ON_FAILURE };
    });
    const deploys = file.deploys ? this.deploys(file.deploys, sources) : undefined;
    this.fileCorrections(file, slos);
    if (this.errors.length > 0) return { errors: this.errors };
    return {
      errors: [],
      service: {
        service: file.service,
        ...(file.displayName !== undefined ? { displayName: file.displayName } : {}),
        ...(file.description !== undefined ? { description: file.description } : {}),
        file: this.ydoc.file,
        labels: serviceLabels,
        sources,
        slos,
        notify: fileNotify,
        health,
        ...(deploys ? { deploys } : {}),
      },
    };
  }

  /** The file's corrections come first in each SLO's, checked against the file's longest window. */
  private fileCorrections(file: SloFile, slos: SloSpec[]): void {
    if (!file.corrections || slos.length === 0) return;
    const windowMs = Math.max(...slos.map((slo) => longestWindowMs(slo.window)));
    const corrections = readCorrections(
      this,
      ["corrections"],
      file.corrections,
      (p) => positionOf(this.ydoc, p),
      windowMs,
    );
    if (corrections.length === 0) return;
    for (const slo of slos) slo.corrections = [...corrections, ...(slo.corrections ?? [])];
  }

  private deploys(
    raw: NonNullable<SloFile["deploys"]>,
    sources: Record<string, SourceSpec>,
  ): ServiceSpec["deploys"] {
    const path = ["deploys"];
    const source = this.sourceRef([...path, "source"], raw.source, sources);
    return readDeploys(this, path, raw, source, positionOf(this.ydoc, path));
  }

  private source(
    name: string,
    raw: NonNullable<SloFile["sources"]>[string],
  ): SourceSpec | undefined {
    const path = ["sources", name];
    if (raw.type === "logs") {
      const time = readLogTimestamp(raw.timestamp);
      checkAll(this, [...path, "timestamp"], time.problems, (problems) => problems);
      return {
        type: "logs",
        name,
        paths: typeof raw.paths === "string" ? [raw.paths] : raw.paths,
        ...time.value,
        labels: raw.labels ?? {},
        baseDir: dirname(this.ydoc.file),
      };
    }
    this.checkUrl([...path, "url"], raw.url);
    const common = {
      name,
      url: raw.url.replace(/\/+$/, ""),
      headers: raw.headers ?? {},
      bearerToken: raw.bearerToken,
      basicAuth: raw.basicAuth,
      timeoutMs: raw.timeout ? parseDuration(raw.timeout)! : DEFAULT_SOURCE.timeoutMs,
      retries: raw.retries ?? DEFAULT_SOURCE.retries,
    };
    if (raw.type === "prometheus") return { type: "prometheus", ...common };
    return { type: "loki", ...common, tenant: raw.tenant };
  }

  private checkUrl(path: YamlPath, url: string): void {
    checkAll(this, path, url, httpUrl);
  }

  private slo(
    service: string,
    serviceLabels: Record<string, string>,
    raw: Slo,
    path: YamlPath,
    sources: Record<string, SourceSpec>,
    fromFile: { notify: NotifyTarget[]; routes: RouteTarget[] },
  ): SloSpec | undefined {
    const before = this.errors.length;
    const objective = this.fraction([...path, "objective"], raw.objective, "objective", true);
    const window = this.window([...path, "window"], raw.window);
    const indicator = this.indicator([...path, "indicator"], raw.indicator, sources);
    const budgetingMethod = raw.budgetingMethod ?? DEFAULT_BUDGETING_METHOD;
    const timeslice = this.timeslice(
      path,
      { slo: raw, method: budgetingMethod },
      objective,
      window,
    );
    const alerting = this.alerting([...path, "alerting"], raw.alerting, window);
    const gate = this.gate([...path, "gate"], raw.gate);
    const grouping = readGrouping(this, path, {
      groupBy: raw.groupBy,
      groupLimit: raw.groupLimit,
      per: raw.gate === false ? undefined : (raw.gate?.per as GroupingFields["per"]),
      budgetingMethod,
      indicator,
      source: indicator ? sources[indicator.source] : undefined,
    });
    const notify = raw.notify ? this.notify([...path, "notify"], raw.notify) : fromFile.notify;
    const routes = raw.notify ? this.routes([...path, "notify"], raw.notify) : fromFile.routes;
    const corrections =
      raw.corrections && window
        ? readCorrections(
            this,
            [...path, "corrections"],
            raw.corrections,
            (p) => positionOf(this.ydoc, p),
            longestWindowMs(window),
          )
        : [];
    if (this.errors.length > before || !objective || !window || !indicator || !alerting || !gate) {
      return undefined;
    }
    return {
      service,
      name: raw.name,
      displayName: raw.displayName,
      description: raw.description,
      labels: { ...serviceLabels, ...(raw.labels ?? {}) },
      objective,
      ...(raw.annotations !== undefined ? { annotations: raw.annotations } : {}),
      ...(raw.objectiveDisplayName !== undefined
        ? { objectiveDisplayName: raw.objectiveDisplayName }
        : {}),
      window,
      budgetingMethod,
      timeslice,
      indicator,
      alerting,
      gate,
      notify,
      ...(routes.length > 0 ? { routes } : {}),
      breakdownBy: raw.breakdownBy,
      ...(grouping ? { grouping } : {}),
      ...(corrections.length > 0 ? { corrections } : {}),
      runbook: raw.runbook,
      at: positionOf(this.ydoc, path),
    };
  }

  /** Timeslice budgeting: the slice length, and the ratio a slice must meet. */
  private timeslice(
    path: YamlPath,
    fields: SliceFields,
    objective: number | undefined,
    window: WindowSpec | undefined,
  ): SloSpec["timeslice"] {
    const { slo, method } = fields;
    checkAll(this, path, fields, sliceFieldsNeedTimeslices, timeslicesNeedTarget);
    if (method === "occurrences") return undefined;
    const durationMs = slo.timesliceWindow
      ? parseDuration(slo.timesliceWindow)!
      : DEFAULT_TIMESLICE_MS;
    const sliceText = slo.timesliceWindow?.trim() ?? formatDuration(DEFAULT_TIMESLICE_MS);
    const sliceAt = slo.timesliceWindow !== undefined ? ["timesliceWindow"] : ["window"];
    if (window) {
      const slices = { window, sliceMs: durationMs, sliceText };
      checkAll(this, path, slices, slicesWithinLimit(sliceAt));
    }
    const sliceTarget =
      method === "timeslices" && slo.timesliceTarget !== undefined
        ? this.fraction([...path, "timesliceTarget"], slo.timesliceTarget, "timesliceTarget", false)
        : undefined;
    // Without an objective the SLO is an error already: there is no slice to speak of.
    const target = sliceTarget ?? objective;
    return target === undefined ? undefined : { durationMs, target };
  }

  /** A percentage or fraction in (0, 1); `objective` rejects 100%, which leaves no budget. */
  private fraction(
    path: YamlPath,
    raw: number | string,
    what: string,
    strictlyBelowOne: boolean,
  ): number | undefined {
    const text = String(raw).trim();
    const value = text.endsWith("%") ? Number(text.slice(0, -1)) / 100 : Number(text);
    if (!Number.isFinite(value)) {
      this.fail(path, `${what}: expected a percentage like 99.9% or a fraction like 0.999`);
      return undefined;
    }
    if (typeof raw === "number" && raw > 1 && raw <= 100) {
      this.fail(
        path,
        `${what}: ${raw} is above 1`,
        `write ${raw}% for a percentage, or ${Number((raw / 100).toPrecision(12))} as a fraction`,
      );
      return undefined;
    }
    if (strictlyBelowOne && value >= 1) {
      this.fail(
        path,
        `${what}: ${text} leaves no error budget; an objective must be below 100%`,
        "SLOs of 100% cannot be met and cannot be budgeted; try 99.99%",
      );
      return undefined;
    }
    if (value < 0 || value > 1 || (strictlyBelowOne && value <= 0)) {
      this.fail(path, `${what}: ${text} is out of range; expected between 0% and 100%`);
      return undefined;
    }
    // 99.9% must be 0.999 exactly as a double, not 0.9990000000000001.
    return Number(value.toPrecision(12));
  }

  private window(path: YamlPath, raw: Slo["window"]): WindowSpec | undefined {
    if (typeof raw === "string") {
      const durationMs = parseDuration(raw)!;
      const length = { text: raw, ms: durationMs };
      if (!checkAll(this, path, length, longEnoughForAnSlo, windowWithinLimit)) return undefined;
      return { kind: "rolling", durationMs, label: raw.trim() };
    }
    return this.calendarWindow(path, raw);
  }

  /** Periods of `calendar` counted from `start` in `timezone`, or the unit's own periods. */
  private calendarWindow(
    path: YamlPath,
    raw: Exclude<Slo["window"], string>,
  ): WindowSpec | undefined {
    const text = raw.calendar;
    const period = parseCalendarPeriod(text)!;
    const timeZone = raw.timezone ?? DEFAULT_TIME_ZONE;
    const zoneOk = checkAll(this, [...path, "timezone"], timeZone, knownTimeZone);
    const startOk =
      raw.start === undefined ||
      checkAll(this, [...path, "start"], raw.start, calendarStartIsDateTime("timezone"));
    const length = { text, period, start: raw.start, ms: nominalPeriodMs(period) };
    const periodOk = checkInOrder(
      this,
      [...path, "calendar"],
      length,
      calendarPeriodIsPositive,
      countedPeriodsHaveAStart("start"),
      longEnoughForAnSlo,
      windowWithinLimit,
    );
    if (!zoneOk || !startOk || !periodOk) return undefined;
    return calendarWindowOf(period, timeZone, raw.start);
  }

  private indicator(
    path: YamlPath,
    raw: Slo["indicator"],
    sources: Record<string, SourceSpec>,
  ): Indicator | undefined {
    if (!checkAll(this, path, raw, oneIndicator)) return undefined;
    if (raw.sampled) return this.sampled([...path, "sampled"], raw.sampled, sources);
    return raw.ratio
      ? this.ratio([...path, "ratio"], raw.ratio, sources)
      : this.latency([...path, "latency"], raw.latency!, sources);
  }

  private sampled(
    path: YamlPath,
    sampled: SampledFields,
    sources: Record<string, SourceSpec>,
  ): SampledIndicator | undefined {
    const source = this.sourceRef([...path, "source"], sampled.source, sources);
    if (!source || !checkInOrder(this, path, { sampled, source }, sampledOnPrometheus, judgedOnce))
      return undefined;
    if (!checkAll(this, [...path, "query"], sampled.query, promqlParses)) return undefined;
    const judge: SampleJudge =
      sampled.ratio !== undefined
        ? { kind: "ratio", of: sampled.ratio }
        : {
            kind: "threshold",
            op: sampled.op!,
            threshold: sampled.threshold!,
            thresholdText: String(sampled.threshold),
          };
    return { kind: "sampled", source: sampled.source, query: sampled.query.trim(), judge };
  }

  private ratio(
    path: YamlPath,
    ratio: RatioFields,
    sources: Record<string, SourceSpec>,
  ): RatioIndicator | undefined {
    const source = this.sourceRef([...path, "source"], ratio.source, sources);
    if (!checkAll(this, path, ratio, goodOrBad) || !source) return undefined;
    for (const key of ["good", "bad", "total"] as const) {
      const q = ratio[key];
      if (q !== undefined) this.query([...path, key], q, source);
    }
    return {
      kind: "ratio",
      source: ratio.source,
      good: ratio.good,
      bad: ratio.bad,
      total: ratio.total,
    };
  }

  private latency(
    path: YamlPath,
    latency: LatencyFields,
    sources: Record<string, SourceSpec>,
  ): LatencyIndicator | undefined {
    const source = this.sourceRef([...path, "source"], latency.source, sources);
    if (!source) return undefined;
    const unit =
      latency.unit ??
      (source.type === "prometheus" ? DEFAULT_LATENCY_UNIT.histogram : DEFAULT_LATENCY_UNIT.logs);
    const threshold = this.threshold([...path, "threshold"], latency.threshold, unit);
    if (threshold === undefined) return undefined;
    const fields: LatencyOn = { latency, type: source.type };
    if (
      !checkAll(
        this,
        path,
        fields,
        histogramOnPrometheus,
        eventsOnLogs,
        fieldOnLogs,
        histogramAtOrBelow,
        histogramTypeOnPrometheus,
        nativeNotBucket,
      )
    )
      return undefined;
    if (source.type === "prometheus") {
      this.query([...path, "histogram"], latency.histogram!, source);
    } else {
      this.query([...path, "events"], latency.events!, source);
      if (!checkAll(this, [...path, "field"], latency.field!, lokiFieldIsLabel(source.type)))
        return undefined;
    }
    return {
      kind: "latency",
      source: latency.source,
      events: latency.events,
      field: latency.field,
      unit,
      histogram: latency.histogram,
      ...(latency.histogramType !== undefined ? { histogramType: latency.histogramType } : {}),
      ...(latency.op !== undefined && latency.op !== "lte" ? { op: latency.op } : {}),
      threshold,
      thresholdText: String(latency.threshold),
    };
  }

  private sourceRef(
    path: YamlPath,
    name: string,
    sources: Record<string, SourceSpec>,
  ): SourceSpec | undefined {
    if (name === "__proto__") {
      // YAML hands `__proto__:` over as the object's prototype, never as a key
      this.fail(path, "'__proto__' cannot name a source", "choose another name for the source");
      return undefined;
    }
    const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
    if (!source) {
      const known = Object.keys(sources);
      this.fail(
        path,
        `source '${name}' is not defined in this file`,
        known.length > 0 ? `defined sources: ${known.join(", ")}` : "add it under sources:",
      );
    }
    return source;
  }

  /** A query checked with its grammar, and for what slo does with it. */
  private query(path: YamlPath, text: string, source: SourceSpec): void {
    // A native file has no source slo cannot query: only OpenSLO's DataSources make them.
    if (source.type === "unsupported") return;
    if (source.type !== "prometheus") {
      checkAll(this, path, text, logqlParses(source.type));
      return;
    }
    const isHistogram = path[path.length - 1] === "histogram";
    checkInOrder(this, path, text, promqlParses, isHistogram ? histogramIsSelector : takesWindow);
  }

  private threshold(
    path: YamlPath,
    raw: string | number,
    unit: "ns" | "us" | "ms" | "s",
  ): number | undefined {
    if (typeof raw === "number" || /^\s*\d+(\.\d+)?\s*$/.test(raw)) {
      const n = Number(raw);
      if (n > 0 && Number.isFinite(n)) return n;
    } else {
      const ms = parseMicros(raw) ?? parseDuration(raw);
      if (ms !== null && ms > 0 && Number.isFinite(ms)) return ms / UNIT_IN_MS[unit];
    }
    this.fail(path, `threshold: expected a positive duration like 300ms or a number in ${unit}`);
    return undefined;
  }

  private alerting(
    path: YamlPath,
    raw: Slo["alerting"],
    window: WindowSpec | undefined,
  ): AlertPolicy | undefined {
    const windows = raw?.windows
      ? this.windows([...path, "windows"], raw.windows, window)
      : DEFAULT_BURN_RATE_WINDOWS;
    return {
      minEvents: raw?.minEvents ?? DEFAULT_MIN_EVENTS,
      windows,
      page: severityPolicy(raw?.page),
      ticket: severityPolicy(raw?.ticket),
    };
  }

  /** The SLO's own burn-rate table. */
  private windows(
    path: YamlPath,
    raw: NonNullable<NonNullable<Slo["alerting"]>["windows"]>,
    window: WindowSpec | undefined,
  ): BurnRateWindow[] {
    const windows: BurnRateWindow[] = [];
    raw.forEach((w, i) => {
      const longMs = parseDuration(w.long)!;
      const shortMs = parseDuration(w.short)!;
      checkAll(this, [...path, i], { ...w, longMs, shortMs }, shortBelowLong, shareOrBurnRate);
      const share =
        w.share !== undefined
          ? this.fraction([...path, i, "share"], w.share, "share", false)
          : shareOfBurnRate(w.burnRate, longMs, window);
      if (share === undefined) return;
      const alertAfterMs = w.alertAfter !== undefined ? parseDuration(w.alertAfter)! : 0;
      windows.push({
        severity: w.severity,
        longMs,
        shortMs,
        share,
        long: w.long.trim(),
        short: w.short.trim(),
        ...(w.burnRate !== undefined ? { factor: w.burnRate } : {}),
        ...(w.op !== undefined && w.op !== "gt" ? { op: w.op } : {}),
        ...(alertAfterMs > 0 ? { alertAfterMs, alertAfter: w.alertAfter!.trim() } : {}),
        ...(w.severityLabel !== undefined ? { severityText: w.severityLabel } : {}),
        ...(w.alertWhenResolved === false ? { alertWhenResolved: false as const } : {}),
      });
    });
    return windows;
  }

  private gate(path: YamlPath, raw: Slo["gate"]): GatePolicy | undefined {
    if (raw === false) return { enabled: false, ...DEFAULT_GATE };
    const min =
      raw?.minRemaining !== undefined
        ? this.fraction([...path, "minRemaining"], raw.minRemaining, "minRemaining", false)
        : DEFAULT_GATE.minRemaining;
    const warn =
      raw?.warnRemaining !== undefined
        ? this.fraction([...path, "warnRemaining"], raw.warnRemaining, "warnRemaining", false)
        : DEFAULT_GATE.warnRemaining;
    if (min === undefined || warn === undefined) return undefined;
    const per = raw?.per;
    if (per !== undefined && per !== "group" && per !== "whole") {
      this.fail(
        [...path, "per"],
        `gate.per: expected group or whole, got '${per}'`,
        "per: group gates each group (the default); per: whole the definition as a whole",
      );
      return undefined;
    }
    return { ...enabledGate(min, warn), ...(per !== undefined ? { per } : {}) };
  }

  /** The targets slo delivers to; routes are read by routes(). */
  private notify(path: YamlPath, raw: NonNullable<Slo["notify"]>): NotifyTarget[] {
    const delivered: NotifyTarget[] = [];
    raw.forEach((t, i) => {
      if (t.type === "route") return;
      checkAll(this, [...path, i], t, deliveredToAUrl, routeFieldsOnRoutes);
      if (t.type !== "github-issue" && t.url) this.checkUrl([...path, i, "url"], t.url);
      delivered.push({
        type: t.type,
        name: t.name,
        url: t.url,
        severities: t.severities ?? [...DEFAULT_NOTIFY_SEVERITIES],
      });
    });
    return delivered;
  }

  /** `type: route` targets: named in the alerts' labels, never delivered by slo; kept for convert. */
  private routes(path: YamlPath, raw: NonNullable<Slo["notify"]>): RouteTarget[] {
    const routes: RouteTarget[] = [];
    raw.forEach((t, i) => {
      if (t.type !== "route") return;
      if (!checkAll(this, [...path, i], t, routeNamedAndTyped) || !t.name || !t.target) return;
      routes.push({
        name: t.name,
        target: t.target,
        displayName: t.displayName,
        description: t.description,
        severities: t.severities ?? [...DEFAULT_NOTIFY_SEVERITIES],
      });
    });
    return routes;
  }
}

/** A window at its longest: a calendar month is 31 days. */
function longestWindowMs(window: WindowSpec): number {
  return window.kind === "rolling" ? window.durationMs : longestPeriodMs(window);
}

function severityPolicy(s: NonNullable<Slo["alerting"]>["page"]): SeverityPolicy {
  return {
    disable: s?.disable ?? false,
    labels: s?.labels ?? {},
    annotations: s?.annotations ?? {},
  };
}

// The native format's cross-field rules (the schema checked each field's shape).

interface SliceFields {
  slo: Slo;
  method: BudgetingMethod;
}

const sliceFieldsNeedTimeslices: Rule<SliceFields> = ({ slo, method }) =>
  method === "occurrences" &&
  (slo.timesliceTarget !== undefined || slo.timesliceWindow !== undefined)
    ? {
        key: slo.timesliceTarget !== undefined ? "timesliceTarget" : "timesliceWindow",
        message:
          "timesliceTarget and timesliceWindow need budgetingMethod: timeslices or ratioTimeslices",
      }
    : undefined;

const timeslicesNeedTarget: Rule<SliceFields> = ({ slo, method }) =>
  method === "timeslices" && slo.timesliceTarget === undefined
    ? {
        key: "budgetingMethod",
        message: "timeslices budgeting needs timesliceTarget (the ratio a slice must meet)",
      }
    : undefined;

const oneIndicator: Rule<Slo["indicator"]> = (indicator) =>
  [indicator.ratio, indicator.latency, indicator.sampled].filter((i) => i !== undefined).length !==
  1
    ? { message: "an indicator needs exactly one of ratio, latency or sampled" }
    : undefined;

interface SampledOn {
  sampled: SampledFields;
  source: SourceSpec;
}

const sampledOnPrometheus: Rule<SampledOn> = ({ source }) =>
  source.type !== "prometheus"
    ? {
        at: ["source"],
        message: `a sampled value needs a prometheus source; '${source.name}' is ${source.type}`,
        hint: "on logs or loki, a latency indicator compares a field of each event: latency: { events, field, op, threshold }",
      }
    : undefined;

const judgedOnce: Rule<SampledOn> = ({ sampled }) => {
  const compared = sampled.op !== undefined || sampled.threshold !== undefined;
  if (sampled.ratio !== undefined && compared)
    return { message: "give op and threshold, or ratio, not both" };
  if (sampled.ratio !== undefined) return undefined;
  if (sampled.op === undefined)
    return { message: "a sampled value needs op (lt, lte, gt, gte) and threshold, or ratio" };
  if (sampled.threshold === undefined)
    return {
      message: `missing required key 'threshold' (the number each sample is compared with)`,
    };
  return undefined;
};

const histogramAtOrBelow: Rule<LatencyOn> = ({ latency, type }) =>
  type === "prometheus" && latency.op !== undefined && latency.op !== "lte"
    ? {
        at: ["op"],
        message: `op ${latency.op} cannot count a histogram: its buckets count the events at or below a bound`,
        hint: "use op: lte, or sampled: { query, op, threshold } to compare a query's value over time",
      }
    : undefined;

const goodOrBad: Rule<RatioFields> = (ratio) =>
  (ratio.good === undefined) === (ratio.bad === undefined)
    ? { message: "a ratio indicator needs exactly one of good or bad, and total" }
    : undefined;

interface LatencyOn {
  latency: LatencyFields;
  type: SourceSpec["type"];
}

const histogramOnPrometheus: Rule<LatencyOn> = ({ latency, type }) =>
  type === "prometheus" && !latency.histogram
    ? { message: "a latency indicator on a prometheus source needs histogram: metric{labels}" }
    : undefined;

const histogramTypeOnPrometheus: Rule<LatencyOn> = ({ latency, type }) =>
  type !== "prometheus" && latency.histogramType !== undefined
    ? {
        at: ["histogramType"],
        message: `histogramType is for a histogram on a prometheus source; '${latency.source}' is ${type}`,
        hint: "on logs or loki, the latency is a field of each event: drop histogramType",
      }
    : undefined;

/** A native histogram is one series of its own name: a `_bucket` name is a classic histogram's part. */
const nativeNotBucket: Rule<LatencyOn> = ({ latency }) =>
  latency.histogramType === "native" &&
  /^\s*[a-zA-Z_:][a-zA-Z0-9_:]*_bucket\b/.test(latency.histogram ?? "")
    ? {
        at: ["histogram"],
        message: `histogram '${latency.histogram}' names a _bucket series, a classic histogram's: a native histogram is the series of its own name`,
        hint: "drop _bucket from the name for a native histogram, or write histogramType: classic",
      }
    : undefined;

const eventsOnLogs: Rule<LatencyOn> = ({ latency, type }) =>
  type !== "prometheus" && !latency.events
    ? { message: `a latency indicator on a ${type} source needs events: <LogQL query>` }
    : undefined;

const fieldOnLogs: Rule<LatencyOn> = ({ latency, type }) =>
  type !== "prometheus" && !latency.field
    ? { message: `a latency indicator on a ${type} source needs field: <the latency field>` }
    : undefined;

const histogramIsSelector: Rule<string> = (text) =>
  isSelector(text)
    ? undefined
    : {
        message:
          "PromQL: histogram takes a classic histogram's selector, name{labels}, not a query",
        hint: 'e.g. http_request_duration_seconds{job="api"}: slo adds _bucket, _count and le itself',
      };

/** A full query must follow each window (5m ... 30d); only a selector is wrapped by slo. */
const takesWindow: Rule<string> = (text) => {
  if (isSelector(text) || hasWindowPlaceholder(text)) return undefined;
  const range = fixedRange(text);
  return {
    message: range
      ? `PromQL: the range [${range.text}] is fixed; a full query needs a {{window}} placeholder in its place, or use a plain counter selector`
      : "PromQL: a full query needs a {{window}} placeholder where its range goes, or use a plain counter selector",
    offset: range?.offset ?? 0,
    hint: 'slo evaluates every window (5m to 30d) with the same query: sum(increase(http_requests_total{code=~"5.."}[{{window}}])), or just http_requests_total{code=~"5.."}',
  };
};

const shortBelowLong: Rule<{ long: string; short: string; longMs: number; shortMs: number }> = (
  w,
) =>
  w.shortMs >= w.longMs
    ? {
        at: ["short"],
        message: `the short window (${w.short}) must be shorter than the long window (${w.long})`,
      }
    : undefined;

type RawWindow = NonNullable<NonNullable<Slo["alerting"]>["windows"]>[number];

const shareOrBurnRate: Rule<RawWindow> = (w) =>
  (w.share === undefined) === (w.burnRate === undefined)
    ? {
        message:
          w.share === undefined
            ? "a burn-rate window needs share (the budget share, 2%) or burnRate (the factor, 14.4)"
            : "give share or burnRate, not both: each says the other",
      }
    : undefined;

/** The share a factor spends in the long window: what reads shares (the report, Sloth) reads this. */
function shareOfBurnRate(
  burnRate: number | undefined,
  longMs: number,
  window: WindowSpec | undefined,
): number | undefined {
  if (burnRate === undefined || !window) return undefined;
  return roundNumber((burnRate * longMs) / windowPeriodMs(window));
}

const deliveredToAUrl: Rule<NonNullable<Slo["notify"]>[number]> = (t) =>
  t.type !== "github-issue" && !t.url ? { message: `a ${t.type} target needs url` } : undefined;

const routeNamedAndTyped: Rule<NonNullable<Slo["notify"]>[number]> = (t) =>
  !t.name || !t.target
    ? {
        key: !t.name ? "name" : "target",
        message:
          "a route target needs name (the notification_target label's value) and target (what it is: pagerduty, email)",
      }
    : t.url !== undefined
      ? {
          key: "url",
          message:
            "a route target has no url: slo does not deliver to it, Alertmanager routes by its label",
        }
      : undefined;

const routeFieldsOnRoutes: Rule<NonNullable<Slo["notify"]>[number]> = (t) => {
  const key = (["target", "displayName", "description"] as const).find((k) => t[k] !== undefined);
  return key ? { key, message: `${key} is for a target of type route` } : undefined;
};

const UNIT_IN_MS = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 } as const;

function parseMicros(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * (m[2] === "ns" ? 1e-6 : 1e-3);
}
