/**
 * Native SLO file -> the internal model, in stages: structure (zod), then the
 * cross-field rules with positions. Every problem is collected; nothing throws.
 */

import { dirname } from "node:path";
import type { z } from "zod";
import {
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_GATE,
  DEFAULT_MIN_EVENTS,
  DEFAULT_SOURCE,
  DEFAULT_TIMESLICE_MS,
} from "../defaults.js";
import { type SloError, specError } from "../errors.js";
import { parseDuration } from "./duration.js";
import { parseLogQuery } from "./logql/parse.js";
import type {
  AlertPolicy,
  BurnRateWindow,
  GatePolicy,
  Indicator,
  NotifyTarget,
  ServiceSpec,
  SeverityPolicy,
  SloSpec,
  SourceSpec,
  WindowSpec,
} from "./model.js";
import { checkPromQL, fixedRange, hasWindowPlaceholder, isSelector } from "./promql.js";
import { type SloFile, sloFileSchema } from "./schema.js";
import { positionInScalar, positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";
import { describeZodIssues } from "./zod-issues.js";

type Slo = SloFile["slos"][number];

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

  private fail(path: YamlPath, message: string, hint?: string, key?: string): void {
    this.errors.push(specError(message, positionOf(this.ydoc, path, key), hint));
  }

  run(file: SloFile): NormalizeResult {
    const sources: Record<string, SourceSpec> = {};
    for (const [name, raw] of Object.entries(file.sources ?? {})) {
      const source = this.source(name, raw);
      if (source) sources[name] = source;
    }
    const fileNotify = this.notify(["notify"], file.notify ?? []);
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
      const slo = this.slo(file.service, serviceLabels, raw, path, sources, fileNotify);
      if (slo) slos.push(slo);
    });
    const health = (file.health ?? []).map((h, i) => {
      this.checkUrl(["health", i, "url"], h.url);
      return { name: h.name, url: h.url, onFailure: h.onFailure ?? "fail" };
    });
    if (this.errors.length > 0) return { errors: this.errors };
    return {
      errors: [],
      service: {
        service: file.service,
        file: this.ydoc.file,
        labels: serviceLabels,
        sources,
        slos,
        notify: fileNotify,
        health,
      },
    };
  }

  private source(
    name: string,
    raw: NonNullable<SloFile["sources"]>[string],
  ): SourceSpec | undefined {
    const path = ["sources", name];
    if (raw.type === "logs") {
      return {
        type: "logs",
        name,
        paths: typeof raw.paths === "string" ? [raw.paths] : raw.paths,
        timestamp: raw.timestamp ?? "t",
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
    try {
      const u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      // The URL may hold a password: name the field, not the value.
      this.fail(path, "expected an http:// or https:// URL");
    }
  }

  private slo(
    service: string,
    serviceLabels: Record<string, string>,
    raw: Slo,
    path: YamlPath,
    sources: Record<string, SourceSpec>,
    fileNotify: NotifyTarget[],
  ): SloSpec | undefined {
    const before = this.errors.length;
    const objective = this.fraction([...path, "objective"], raw.objective, "objective", true);
    const window = this.window([...path, "window"], raw.window);
    const indicator = this.indicator([...path, "indicator"], raw.indicator, sources);
    const budgetingMethod = raw.budgetingMethod ?? "occurrences";
    let timeslice: SloSpec["timeslice"];
    if (budgetingMethod !== "occurrences") {
      const durationMs = raw.timesliceWindow
        ? parseDuration(raw.timesliceWindow)!
        : DEFAULT_TIMESLICE_MS;
      let target = objective ?? 0.99;
      if (budgetingMethod === "timeslices") {
        if (raw.timesliceTarget === undefined) {
          this.fail(
            path,
            "timeslices budgeting needs timesliceTarget (the ratio a slice must meet)",
            undefined,
            "budgetingMethod",
          );
        } else {
          target =
            this.fraction(
              [...path, "timesliceTarget"],
              raw.timesliceTarget,
              "timesliceTarget",
              false,
            ) ?? target;
        }
      }
      timeslice = { durationMs, target };
    } else if (raw.timesliceTarget !== undefined || raw.timesliceWindow !== undefined) {
      this.fail(
        path,
        "timesliceTarget and timesliceWindow need budgetingMethod: timeslices or ratioTimeslices",
        undefined,
        raw.timesliceTarget !== undefined ? "timesliceTarget" : "timesliceWindow",
      );
    }
    const alerting = this.alerting([...path, "alerting"], raw.alerting);
    const gate = this.gate([...path, "gate"], raw.gate);
    const notify = raw.notify ? this.notify([...path, "notify"], raw.notify) : fileNotify;
    if (this.errors.length > before || !objective || !window || !indicator || !alerting || !gate) {
      return undefined;
    }
    return {
      service,
      name: raw.name,
      description: raw.description,
      labels: { ...serviceLabels, ...(raw.labels ?? {}) },
      objective,
      window,
      budgetingMethod,
      timeslice,
      indicator,
      alerting,
      gate,
      notify,
      breakdownBy: raw.breakdownBy,
      runbook: raw.runbook,
      at: positionOf(this.ydoc, path),
    };
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
      if (durationMs < 60 * 60_000) {
        this.fail(
          path,
          `window ${raw} is too short for an SLO; expected at least 1h (typically 28d or 30d)`,
        );
        return undefined;
      }
      return { kind: "rolling", durationMs, label: raw.trim() };
    }
    const timeZone = raw.timezone ?? "UTC";
    if (!isTimeZone(timeZone)) {
      this.fail(
        [...path, "timezone"],
        `unknown time zone '${timeZone}'; expected an IANA name like Europe/Berlin`,
      );
      return undefined;
    }
    return { kind: "calendar", unit: raw.calendar, timeZone, label: raw.calendar };
  }

  private indicator(
    path: YamlPath,
    raw: Slo["indicator"],
    sources: Record<string, SourceSpec>,
  ): Indicator | undefined {
    if ((raw.ratio === undefined) === (raw.latency === undefined)) {
      this.fail(path, "an indicator needs exactly one of ratio or latency");
      return undefined;
    }
    if (raw.ratio) {
      const p = [...path, "ratio"];
      const r = raw.ratio;
      const source = this.sourceRef([...p, "source"], r.source, sources);
      if ((r.good === undefined) === (r.bad === undefined)) {
        this.fail(p, "a ratio indicator needs exactly one of good or bad, and total");
        return undefined;
      }
      if (!source) return undefined;
      for (const key of ["good", "bad", "total"] as const) {
        const q = r[key];
        if (q !== undefined) this.query([...p, key], q, source);
      }
      return { kind: "ratio", source: r.source, good: r.good, bad: r.bad, total: r.total };
    }
    const p = [...path, "latency"];
    const l = raw.latency!;
    const source = this.sourceRef([...p, "source"], l.source, sources);
    if (!source) return undefined;
    const unit = l.unit ?? (source.type === "prometheus" ? "s" : "ms");
    const threshold = this.threshold([...p, "threshold"], l.threshold, unit);
    if (threshold === undefined) return undefined;
    if (source.type === "prometheus") {
      if (!l.histogram) {
        this.fail(
          p,
          "a latency indicator on a prometheus source needs histogram: metric{labels}",
          undefined,
        );
        return undefined;
      }
      this.query([...p, "histogram"], l.histogram, source);
    } else {
      if (!l.events)
        this.fail(p, `a latency indicator on a ${source.type} source needs events: <LogQL query>`);
      if (!l.field)
        this.fail(
          p,
          `a latency indicator on a ${source.type} source needs field: <the latency field>`,
        );
      if (!l.events || !l.field) return undefined;
      this.query([...p, "events"], l.events, source);
      // Loki filters on a label: json and logfmt name nested keys with `_`, never `.`.
      if (source.type === "loki" && !LOGQL_LABEL_NAME.test(l.field)) {
        this.fail(
          [...p, "field"],
          `field '${l.field}' is not a LogQL label name (letters, digits and _, not starting with a digit)`,
          `json and logfmt turn nested keys into labels joined with _: write ${l.field.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^(?=\d)/, "_")}`,
        );
        return undefined;
      }
    }
    return {
      kind: "latency",
      source: l.source,
      events: l.events,
      field: l.field,
      unit,
      histogram: l.histogram,
      threshold,
      thresholdText: String(l.threshold),
    };
  }

  private sourceRef(
    path: YamlPath,
    name: string,
    sources: Record<string, SourceSpec>,
  ): SourceSpec | undefined {
    const source = sources[name];
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

  private query(path: YamlPath, text: string, source: SourceSpec): void {
    if (source.type === "prometheus") {
      const checked = checkPromQL(text);
      if (!checked.ok) {
        this.errors.push(
          specError(
            `PromQL: ${checked.message}`,
            positionInScalar(this.ydoc, path, checked.offset),
          ),
        );
        return;
      }
      if (path[path.length - 1] === "histogram") {
        if (!isSelector(text)) {
          this.fail(
            path,
            "PromQL: histogram takes a classic histogram's selector, name{labels}, not a query",
            'e.g. http_request_duration_seconds{job="api"}: slo adds _bucket, _count and le itself',
          );
        }
        return;
      }
      // A full query must follow each window (5m ... 30d); only a selector is wrapped by slo.
      if (!isSelector(text) && !hasWindowPlaceholder(text)) {
        const range = fixedRange(text);
        this.errors.push(
          specError(
            range
              ? `PromQL: the range [${range.text}] is fixed; a full query needs a {{window}} placeholder in its place, or use a plain counter selector`
              : "PromQL: a full query needs a {{window}} placeholder where its range goes, or use a plain counter selector",
            positionInScalar(this.ydoc, path, range?.offset ?? 0),
            'slo evaluates every window (5m to 30d) with the same query: sum(increase(http_requests_total{code=~"5.."}[{{window}}])), or just http_requests_total{code=~"5.."}',
          ),
        );
      }
      return;
    }
    const parsed = parseLogQuery(text, { requireSelector: source.type === "loki" });
    if (!parsed.ok) {
      this.errors.push(
        specError(`LogQL: ${parsed.message}`, positionInScalar(this.ydoc, path, parsed.offset)),
      );
    }
  }

  private threshold(
    path: YamlPath,
    raw: string | number,
    unit: "ns" | "us" | "ms" | "s",
  ): number | undefined {
    if (typeof raw === "number" || /^\s*\d+(\.\d+)?\s*$/.test(raw)) {
      const n = Number(raw);
      if (n > 0) return n;
    } else {
      const ms = parseMicros(raw) ?? parseDuration(raw);
      if (ms !== null && ms > 0) return ms / UNIT_IN_MS[unit];
    }
    this.fail(path, `threshold: expected a positive duration like 300ms or a number in ${unit}`);
    return undefined;
  }

  private alerting(path: YamlPath, raw: Slo["alerting"]): AlertPolicy | undefined {
    const severity = (s: NonNullable<Slo["alerting"]>["page"]): SeverityPolicy => ({
      disable: s?.disable ?? false,
      labels: s?.labels ?? {},
      annotations: s?.annotations ?? {},
    });
    let windows: BurnRateWindow[] = DEFAULT_BURN_RATE_WINDOWS;
    if (raw?.windows) {
      windows = [];
      raw.windows.forEach((w, i) => {
        const longMs = parseDuration(w.long)!;
        const shortMs = parseDuration(w.short)!;
        const share = this.fraction([...path, "windows", i, "share"], w.share, "share", false);
        if (shortMs >= longMs) {
          this.fail(
            [...path, "windows", i, "short"],
            `the short window (${w.short}) must be shorter than the long window (${w.long})`,
          );
        }
        if (share !== undefined) {
          windows.push({
            severity: w.severity,
            longMs,
            shortMs,
            share,
            long: w.long.trim(),
            short: w.short.trim(),
          });
        }
      });
    }
    return {
      minEvents: raw?.minEvents ?? DEFAULT_MIN_EVENTS,
      windows,
      page: severity(raw?.page),
      ticket: severity(raw?.ticket),
    };
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
    return { enabled: true, minRemaining: min, warnRemaining: Math.max(warn, min) };
  }

  private notify(path: YamlPath, raw: NonNullable<Slo["notify"]>): NotifyTarget[] {
    return raw.map((t, i) => {
      if (t.type !== "github-issue") {
        if (!t.url) this.fail([...path, i], `a ${t.type} target needs url`);
        else this.checkUrl([...path, i, "url"], t.url);
      }
      return { type: t.type, url: t.url, severities: t.severities ?? ["page", "ticket"] };
    });
  }
}

const UNIT_IN_MS = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 } as const;
const LOGQL_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseMicros(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * (m[2] === "ns" ? 1e-6 : 1e-3);
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
