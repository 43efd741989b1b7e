/**
 * The rules of every loader. A loader first maps a document's fields into
 * the model, each field read (and reported, when it cannot be read) by a
 * small reader; then it checks what does not fit together with lists of
 * small named rules, as @changesets/config does after its structural check.
 * A rule is a pure function of a mapped value: it says what is wrong and
 * where under the value's YAML path; the loader reports it with the
 * document's positions, and keeps going so every problem is shown at once.
 * The rules every format shares are at the end of this file.
 */

import {
  EARLIEST_CALENDAR_START_YEAR,
  MAX_TIMESLICES_PER_WINDOW,
  MAX_WINDOW_MS,
} from "../limits.js";
import { type CalendarPeriod, longestPeriodMs, wallClockFields } from "./calendar.js";
import { formatDuration, HOUR_MS } from "./duration.js";
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type LogQuery, someLabelTest } from "./logql/ast.js";
import { parseLogQuery } from "./logql/parse.js";
import type { WindowSpec } from "./model.js";
import { checkPromQL, PROM_LABEL_NAME } from "./promql.js";
import type { YamlPath } from "./yaml-source.js";

export interface Problem {
  message: string;
  hint?: string | undefined;
  /** the field it is about, under the checked value's path; the value itself when absent */
  at?: YamlPath;
  /** a key of the mapping at `at`: the error points at the key and names it */
  key?: string | undefined;
  /** a character of the string at `at` (where a query stops parsing) */
  offset?: number | undefined;
}

/** A rule finds nothing (undefined), one problem, or one per offending field. */
export type Rule<T> = (value: T) => Problem | Problem[] | undefined;

/** Where problems go: a DocReader (OpenSLO, Sloth) or the native normalizer. */
export interface Reporter {
  fail(path: YamlPath, message: string, hint?: string, key?: string): void;
  /** at a character of the string scalar at `path` */
  failInScalar(path: YamlPath, offset: number, message: string, hint?: string): void;
}

function report(reporter: Reporter, path: YamlPath, problem: Problem): void {
  const at = [...path, ...(problem.at ?? [])];
  if (problem.offset !== undefined) {
    reporter.failInScalar(at, problem.offset, problem.message, problem.hint);
  } else {
    reporter.fail(at, problem.message, problem.hint, problem.key);
  }
}

function problemsOf<T>(rule: Rule<T>, value: T): Problem[] {
  const found = rule(value);
  if (found === undefined) return [];
  return Array.isArray(found) ? found : [found];
}

/** Every rule runs, so every problem is shown at once; true when none found one. */
export function checkAll<T>(
  reporter: Reporter,
  path: YamlPath,
  value: T,
  ...rules: Rule<T>[]
): boolean {
  let ok = true;
  for (const rule of rules) {
    for (const problem of problemsOf(rule, value)) {
      report(reporter, path, problem);
      ok = false;
    }
  }
  return ok;
}

/** Rules in order up to the first that finds a problem: each later rule assumes the earlier hold. */
export function checkInOrder<T>(
  reporter: Reporter,
  path: YamlPath,
  value: T,
  ...rules: Rule<T>[]
): boolean {
  for (const rule of rules) {
    const problems = problemsOf(rule, value);
    for (const problem of problems) report(reporter, path, problem);
    if (problems.length > 0) return false;
  }
  return true;
}

// Rules every format shares.

/** A Prometheus query parses; the error points where it stops. */
export const promqlParses: Rule<string> = (text) => {
  const checked = checkPromQL(text);
  if (checked.ok) return undefined;
  return { message: `PromQL: ${checked.message}`, offset: checked.offset, hint: checked.hint };
};

/** A LogQL log query slo evaluates parses; Loki's needs a stream selector. */
export function logqlParses(sourceType: "logs" | "loki"): Rule<string> {
  return (text) => {
    const parsed = parseLogQuery(text, { requireSelector: sourceType === "loki" });
    if (!parsed.ok) return { message: `LogQL: ${parsed.message}`, offset: parsed.offset };
    return sourceType === "loki" ? keepsErrorLines(parsed.query, text) : undefined;
  };
}

/** Where a filter keeping errored lines is written: any __error__ test but `= ""`. */
const KEEPING_ERRORS = /__error(?:_details)?__\s*(?:!=|=~|!~|==?\s*(?:"[^"]|`[^`]))/;

/**
 * On Loki a metric query fails whole (HTTP 400, "pipeline error") on a line
 * that carries __error__, so the Loki source counts with `| __error__=""`:
 * a query that keeps such lines would silently count nothing.
 */
function keepsErrorLines(query: LogQuery, text: string): Problem | undefined {
  const keeps = someLabelTest(
    query,
    (leaf) =>
      (leaf.label === ERROR_LABEL || leaf.label === ERROR_DETAILS_LABEL) &&
      !(leaf.kind === "string" && leaf.op === "=" && leaf.value === ""),
  );
  if (!keeps) return undefined;
  return {
    message:
      'LogQL: a query on a loki source cannot count lines that carry __error__: Loki\'s metric queries fail on them (HTTP 400), so slo counts with | __error__="" and this filter would match nothing',
    offset: Math.max(0, text.search(KEEPING_ERRORS)),
    hint: "count them on a logs source (log files), or leave the filter out: slo says how many lines Loki dropped as errors",
  };
}

/** A server's URL is http or https; the URL may hold a password, so the error names the field, not the value. */
export const httpUrl: Rule<string> = (url) => {
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") return undefined;
  } catch {
    // not a URL at all: the same answer
  }
  return { message: "expected an http:// or https:// URL" };
};

/** A rolling window long enough to budget: an hour at least. */
export const longEnoughForAnSlo: Rule<{ text: string; ms: number }> = ({ text, ms }) =>
  ms < HOUR_MS
    ? {
        message: `window ${text} is too short for an SLO; expected at least 1h (typically 28d or 30d)`,
      }
    : undefined;

/** A rolling window slo can evaluate: at most MAX_WINDOW_MS (a larger number is not even exact). */
export const windowWithinLimit: Rule<{ text: string; ms: number }> = ({ text, ms }) =>
  ms > MAX_WINDOW_MS
    ? {
        message: `window ${text.trim()} is longer than ${formatDuration(MAX_WINDOW_MS)}, the longest window slo evaluates`,
        hint: "SLO windows are typically 28d or 30d; a calendar year is { calendar: year }",
      }
    : undefined;

/** Any other duration: no window is longer than MAX_WINDOW_MS, so nothing needs a longer one. */
export const durationWithinLimit: Rule<{ text: string; ms: number }> = ({ text, ms }) =>
  ms > MAX_WINDOW_MS ? { message: durationTooLong(text) } : undefined;

export function durationTooLong(text: string): string {
  return `${text.trim()} is longer than ${formatDuration(MAX_WINDOW_MS)}, the longest duration slo reads`;
}

/**
 * Timeslices are counted one by one, so a window holds at most
 * MAX_TIMESLICES_PER_WINDOW of them; the problem is at the slice length,
 * `sliceAt` (or at the window when the slice length is a default).
 */
export function slicesWithinLimit(
  sliceAt: YamlPath,
): Rule<{ window: WindowSpec; sliceMs: number; sliceText: string }> {
  return ({ window, sliceMs, sliceText }) => {
    const windowMs = window.kind === "rolling" ? window.durationMs : longestPeriodMs(window);
    const slices = Math.ceil(windowMs / sliceMs);
    if (slices <= MAX_TIMESLICES_PER_WINDOW) return undefined;
    const shortest = Math.ceil(windowMs / MAX_TIMESLICES_PER_WINDOW / 1000) * 1000;
    return {
      at: sliceAt,
      message: `a ${window.label} window of ${sliceText} timeslices holds ${slices} of them; at most ${MAX_TIMESLICES_PER_WINDOW} fit in a window`,
      hint: `use a timesliceWindow of at least ${formatDuration(shortest)}, or a shorter window`,
    };
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A calendar window's time zone is one Intl knows. */
export const knownTimeZone: Rule<string> = (timeZone) =>
  isTimeZone(timeZone)
    ? undefined
    : { message: `unknown time zone '${timeZone}'; expected an IANA name like Europe/Berlin` };

/** Loki filters on a label: json and logfmt name nested keys with `_`, never `.`. */
export function lokiFieldIsLabel(sourceType: string): Rule<string> {
  return (field) =>
    sourceType !== "loki" || PROM_LABEL_NAME.test(field)
      ? undefined
      : {
          message: `field '${field}' is not a LogQL label name (letters, digits and _, not starting with a digit)`,
          hint: `json and logfmt turn nested keys into labels joined with _: write ${field.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^(?=\d)/, "_")}`,
        };
}

/** The gate warns before it fails: a warning threshold below the failing one is raised to it. */
export function enabledGate(
  minRemaining: number,
  warnRemaining: number,
): { enabled: true; minRemaining: number; warnRemaining: number } {
  return { enabled: true, minRemaining, warnRemaining: Math.max(warnRemaining, minRemaining) };
}

/** A calendar window's periods are at least one unit long: 0w has none. */
export const calendarPeriodIsPositive: Rule<{ text: string; period: CalendarPeriod }> = ({
  text,
  period,
}) =>
  period.count < 1
    ? {
        message: `a calendar window of ${text.trim()} has no periods; expected at least 1, like 1${text.trim().slice(-1)}`,
      }
    : undefined;

/** A calendar window's start is a local date and time; its zone is written apart. */
export function calendarStartIsDateTime(zoneField: string): Rule<string> {
  return (text) => {
    const fields = wallClockFields(text);
    if (fields === null)
      return {
        message: `expected a local date and time like 2024-01-06 12:00:00, got '${text}'`,
        hint: `the time zone is written in ${zoneField}, not in the date; hours 00-23`,
      };
    return fields.year < EARLIEST_CALENDAR_START_YEAR
      ? {
          message: `a start in ${fields.year} is before ${EARLIEST_CALENDAR_START_YEAR}, the earliest year slo counts calendar periods from`,
          hint: "any start on the periods' grid will do: a later one gives the same periods",
        }
      : undefined;
  };
}

/** Periods of 2 weeks or 3 months are counted from somewhere: the file must say where. */
export function countedPeriodsHaveAStart(
  startField: string,
): Rule<{ text: string; period: CalendarPeriod; start: string | undefined }> {
  return ({ text, period, start }) =>
    period.count > 1 && start === undefined
      ? {
          message: `a calendar window of ${text.trim()} needs a ${startField}: its periods are counted from it`,
          hint: `e.g. ${startField}: "2024-01-01 00:00:00" (a Monday, and the 1st of January)`,
        }
      : undefined;
}

/**
 * A percentage objective (Sloth's 99.9, Pyrra's "99.5") leaves an error
 * budget: below 100. `noun` names it, `example` is written as the format writes it.
 */
export function percentBelow100(noun: string, example: string): Rule<number> {
  return (percent) =>
    percent >= 100
      ? {
          message: `${percent} leaves no error budget; ${noun} must be below 100`,
          hint: `SLOs of 100% cannot be met and cannot be budgeted; try ${example}`,
        }
      : undefined;
}

/** A percentage objective is above 0; `example` as the format writes one. */
export function percentAbove0(example: string): Rule<number> {
  return (percent) =>
    percent <= 0
      ? { message: `expected a percentage between 0 and 100, like ${example}` }
      : undefined;
}
