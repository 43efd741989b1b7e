/**
 * Sloth's AlertWindows (`apiVersion: sloth.slok.dev/v1`, `kind: AlertWindows`):
 * its custom multi-window burn-rate table for one SLO period, which Sloth
 * loads into a catalog with `--slo-period-windows-path` and picks by the
 * SLO's period. slo reads one as `alerting.windows` (page and ticket, quick
 * and slow: the budget share spent in the long window, confirmed by the
 * short one) and applies it the way Sloth's catalog does: to every Sloth SLO
 * loaded with it whose period is its `sloPeriod`. Sloth's SLOs are 30-day
 * ones, so a file for another period applies to none, which a warning says.
 */

import type { SloError, SourcePosition } from "../errors.js";
import { DocReader, type Json, roundNumber } from "./doc-reader.js";
import { DAY_MS, formatDuration, parseDuration } from "./duration.js";
import type { BurnRateWindow, ServiceSpec, Severity } from "./model.js";
import { checkAll, checkInOrder, type Rule } from "./rules.js";
import type { PluginKeyCheck as KeyCheck } from "./sloth-sli-plugin.js";
import { positionOf, type YamlDocument, type YamlPath } from "./yaml-source.js";

export const ALERT_WINDOWS_KIND = "AlertWindows";

/** One AlertWindows document: the windows of one SLO period. */
export interface SlothAlertWindows {
  periodMs: number;
  windows: BurnRateWindow[];
  /** reports at the document's sloPeriod, for warnings and duplicates */
  at: SourcePosition;
  warnAtPeriod(message: string, hint?: string): void;
  failAtPeriod(message: string, hint?: string): void;
}

export function isAlertWindows(doc: Json): boolean {
  return doc.kind === ALERT_WINDOWS_KIND;
}

const SPEC = ["spec"] as const;
const SEVERITIES: readonly Severity[] = ["page", "ticket"];
const SPEEDS = ["quick", "slow"] as const;

export function loadAlertWindows(
  ydoc: YamlDocument,
  value: unknown,
  { errors, warnings }: { errors: SloError[]; warnings: SloError[] },
  { keys, apiVersion }: { keys: KeyCheck; apiVersion: Rule<Json> },
): SlothAlertWindows | undefined {
  const r = new DocReader(ydoc, ALERT_WINDOWS_KIND, value, errors);
  const before = errors.length;
  if (!checkInOrder(r, [], value as Json, apiVersion)) return undefined;
  keys(r, [], ["apiVersion", "kind", "metadata", "spec"], { required: ["spec"] });
  if (!r.record([...SPEC], true)) return undefined;
  keys(r, SPEC, ["sloPeriod", "page", "ticket"], { required: ["sloPeriod", "page", "ticket"] });
  const period = duration(r, [...SPEC, "sloPeriod"]);
  const windows: BurnRateWindow[] = [];
  for (const severity of SEVERITIES) {
    const p = [...SPEC, severity];
    if (!r.record(p, true)) continue;
    keys(r, p, SPEEDS, { required: SPEEDS });
    for (const speed of SPEEDS) {
      const w = readWindow(r, [...p, speed], severity, keys, period);
      if (w) windows.push(w);
    }
  }
  if (errors.length > before || !period) return undefined;
  const periodPath = [...SPEC, "sloPeriod"];
  return {
    periodMs: period.ms,
    windows,
    at: positionOf(ydoc, periodPath),
    warnAtPeriod: (message, hint) =>
      new DocReader(ydoc, ALERT_WINDOWS_KIND, value, warnings).fail(periodPath, message, hint),
    failAtPeriod: (message, hint) => r.fail(periodPath, message, hint),
  };
}

interface Duration {
  text: string;
  ms: number;
}

function duration(r: DocReader, path: YamlPath): Duration | undefined {
  const text = r.string(path, true);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null) {
    r.fail(path, `expected a duration like 5m, 1h or 30d, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return { text: text.trim(), ms };
}

const aPercentOfTheBudget: Rule<number> = (percent) => {
  if (percent <= 0)
    return { message: `${percent}: a window must spend some of the budget (above 0)` };
  if (percent > 100)
    return {
      message: `${percent} is over 100: a window cannot spend more than the whole error budget`,
      hint: "errorBudgetPercent is a percentage of the period's budget, e.g. 2 for 2%",
    };
  return undefined;
};

const shortBelowLong: Rule<{ short: Duration; long: Duration }> = ({ short, long }) =>
  short.ms < long.ms
    ? undefined
    : {
        at: ["shortWindow"],
        message: `the short window (${short.text}) must be shorter than the long window (${long.text})`,
        hint: "the short window confirms the burn is still going on: Sloth's are a twelfth of the long one",
      };

function longWithinPeriod(period: Duration | undefined): Rule<{ long: Duration }> {
  return ({ long }) =>
    period && long.ms > period.ms
      ? {
          at: ["longWindow"],
          message: `the long window (${long.text}) is longer than the SLO period (${period.text})`,
        }
      : undefined;
}

function readWindow(
  r: DocReader,
  path: YamlPath,
  severity: Severity,
  keys: KeyCheck,
  period: Duration | undefined,
): BurnRateWindow | undefined {
  if (!r.record(path, true)) return undefined;
  const fields = ["errorBudgetPercent", "shortWindow", "longWindow"];
  keys(r, path, fields, { required: fields });
  const percent = r.number([...path, "errorBudgetPercent"], true);
  const percentOk =
    percent !== undefined &&
    checkInOrder(r, [...path, "errorBudgetPercent"], percent, aPercentOfTheBudget);
  const short = duration(r, [...path, "shortWindow"]);
  const long = duration(r, [...path, "longWindow"]);
  if (!percentOk || !short || !long) return undefined;
  if (!checkAll(r, path, { short, long }, shortBelowLong, longWithinPeriod(period)))
    return undefined;
  return {
    severity,
    long: long.text,
    short: short.text,
    longMs: long.ms,
    shortMs: short.ms,
    share: roundNumber(percent / 100),
  };
}

/**
 * Sloth's catalog: one set of windows per period, applied to the Sloth SLOs
 * of that period. A second set for a period is an error; a set no SLO takes
 * is a warning (slo never ignores what a file says in silence).
 */
export function applyAlertWindows(
  catalog: SlothAlertWindows[],
  services: ServiceSpec[],
  slothPeriodMs: number,
): void {
  const byPeriod = new Map<number, SlothAlertWindows>();
  for (const entry of catalog) {
    const first = byPeriod.get(entry.periodMs);
    if (first) {
      entry.failAtPeriod(
        `a second AlertWindows for the ${formatDuration(entry.periodMs)} period`,
        `the first is at ${first.at.file}:${first.at.line}; Sloth keeps one set of windows per period: remove one`,
      );
      continue;
    }
    byPeriod.set(entry.periodMs, entry);
  }
  const used = new Set<number>();
  for (const slo of services.flatMap((s) => s.slos)) {
    if (slo.window.kind !== "rolling") continue;
    const entry = byPeriod.get(slo.window.durationMs);
    if (!entry) continue;
    slo.alerting.windows = entry.windows.map((w) => ({ ...w }));
    used.add(entry.periodMs);
  }
  for (const [periodMs, entry] of byPeriod) {
    if (used.has(periodMs)) continue;
    const period = formatDuration(periodMs);
    if (periodMs === slothPeriodMs) {
      entry.warnAtPeriod(
        "no Sloth SLO is loaded with these windows, so they apply to none",
        "load the AlertWindows file together with the Sloth specs it is for",
      );
    } else {
      entry.warnAtPeriod(
        `no Sloth SLO loaded has a ${period} period, so these windows apply to none: slo reads Sloth SLOs as ${slothPeriodMs / DAY_MS}-day ones, Sloth's default period`,
        `Sloth uses them only with --default-slo-period=${period}; to keep that period, convert the specs (slo convert --to native) and set their window: ${period} and these alerting.windows`,
      );
    }
  }
}
