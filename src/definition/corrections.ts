/**
 * A native file's `corrections:` (the file's, for every SLO, and each
 * SLO's): periods whose events do not count. Each field is read, then the
 * named rules below say what does not fit, at the field it is about: a
 * start or end that is not a time, end before start, both end and duration,
 * an RRULE part that is wrong, a rule that never occurs or occurs more often
 * than MAX_CORRECTION_PERIODS_PER_WINDOW inside the SLO's window.
 */

import { TZDate } from "@date-fns/tz";
import { DEFAULT_CORRECTION_CATEGORY, DEFAULT_TIME_ZONE } from "../defaults.js";
import type { SourcePosition } from "../errors.js";
import { MAX_CORRECTION_PERIODS_PER_WINDOW } from "../limits.js";
import { parseWallClock } from "./calendar.js";
import { correctionPeriods, firstOccurrence, TooManyPeriods } from "./correction-periods.js";
import { formatDuration, parseDuration } from "./duration.js";
import type { CorrectionSpec } from "./model.js";
import { readRruleText } from "./rrule-text.js";
import { checkAll, checkInOrder, knownTimeZone, type Reporter, type Rule } from "./rules.js";
import type { SloFile } from "./schema.js";
import type { YamlPath } from "./yaml-source.js";

export type CorrectionFields = NonNullable<SloFile["corrections"]>[number];

/** RFC 3339 with its offset: 2026-05-10T02:00:00Z, 2026-05-10T04:00:00.5+02:00. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An instant with an offset, or a local date and time read in the zone; null when neither. */
export function correctionTime(text: string, timeZone: string): number | null {
  const t = text.trim();
  if (INSTANT.test(t)) {
    const ms = Date.parse(t.replace(" ", "T"));
    return Number.isFinite(ms) ? ms : null;
  }
  const wall = parseWallClock(t);
  if (!wall) return null;
  return new TZDate(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second,
    timeZone,
  ).getTime();
}

interface ReadCorrection {
  fields: CorrectionFields;
  timeZone: string;
  startMs: number | null;
  endMs: number | null;
}

const timeOf =
  (key: "start" | "end"): Rule<ReadCorrection> =>
  (c) => {
    const text = c.fields[key];
    if (text === undefined || (key === "start" ? c.startMs : c.endMs) !== null) return undefined;
    return {
      at: [key],
      message: `${key}: expected a local date and time like 2026-05-10 02:00 (read in timezone) or an instant like 2026-05-10T02:00:00Z, got '${text}'`,
    };
  };

const endOrDuration: Rule<ReadCorrection> = ({ fields }) => {
  if (fields.end !== undefined && fields.duration !== undefined)
    return { key: "duration", message: "give end or duration, not both: each says the other" };
  if (fields.end === undefined && fields.duration === undefined)
    return { message: "a correction needs end or duration (each period's length)" };
  return undefined;
};

const endAfterStart: Rule<ReadCorrection> = ({ fields, startMs, endMs }) =>
  fields.end !== undefined && startMs !== null && endMs !== null && endMs <= startMs
    ? {
        at: ["end"],
        message: `end (${fields.end.trim()}) must be after start (${fields.start.trim()})`,
      }
    : undefined;

/**
 * The corrections of `raw`, each checked against the longest window of the
 * SLOs it applies to; undefined entries are left out (their problems reported).
 */
export function readCorrections(
  reporter: Reporter,
  path: YamlPath,
  raw: readonly CorrectionFields[],
  positionAt: (path: YamlPath) => SourcePosition,
  windowMs: number,
): CorrectionSpec[] {
  const corrections: CorrectionSpec[] = [];
  raw.forEach((fields, i) => {
    const c = readCorrection(reporter, [...path, i], fields, positionAt, windowMs);
    if (c) corrections.push(c);
  });
  return corrections;
}

function readCorrection(
  reporter: Reporter,
  path: YamlPath,
  fields: CorrectionFields,
  positionAt: (path: YamlPath) => SourcePosition,
  windowMs: number,
): CorrectionSpec | undefined {
  const timeZone = fields.timezone?.trim() ?? DEFAULT_TIME_ZONE;
  if (!checkAll(reporter, [...path, "timezone"], timeZone, knownTimeZone)) return undefined;
  const read: ReadCorrection = {
    fields,
    timeZone,
    startMs: correctionTime(fields.start, timeZone),
    endMs: fields.end === undefined ? null : correctionTime(fields.end, timeZone),
  };
  if (
    !checkInOrder(
      reporter,
      path,
      read,
      endOrDuration,
      timeOf("start"),
      timeOf("end"),
      endAfterStart,
    )
  )
    return undefined;
  const rule = fields.rrule === undefined ? undefined : readRruleText(fields.rrule);
  if (rule && "problem" in rule) {
    reporter.failInScalar(
      [...path, "rrule"],
      rule.problem.offset,
      `rrule: ${rule.problem.message}`,
      rule.problem.hint,
    );
    return undefined;
  }
  const startMs = read.startMs!;
  const durationMs =
    fields.duration !== undefined ? parseDuration(fields.duration)! : read.endMs! - startMs;
  const correction: CorrectionSpec = {
    start: fields.start.trim(),
    startMs,
    durationMs,
    ...(fields.duration !== undefined ? { duration: fields.duration.trim() } : {}),
    ...(fields.end !== undefined ? { end: fields.end.trim() } : {}),
    ...(rule ? { rrule: rule.rule } : {}),
    timeZone,
    ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
    category: fields.category ?? DEFAULT_CORRECTION_CATEGORY,
    at: positionAt(path),
  };
  const inWindow = { correction, windowMs, first: firstOccurrence(correction) };
  return checkInOrder(reporter, path, inWindow, occurs, fewEnoughPeriods) ? correction : undefined;
}

interface InWindow {
  correction: CorrectionSpec;
  windowMs: number;
  /** the first period's start; undefined when the rule never occurs */
  first: number | undefined;
}

const occurs: Rule<InWindow> = ({ correction, first }) =>
  first === undefined
    ? {
        at: ["rrule"],
        message: `rrule: ${correction.rrule} has no occurrences from ${correction.start}: no event would be excluded`,
        hint: "check UNTIL against start, and BYMONTHDAY against BYMONTH",
      }
    : undefined;

/** Counted over the first window-length from the first period: the work each evaluation may meet. */
const fewEnoughPeriods: Rule<InWindow> = ({ correction, windowMs, first }) => {
  if (correction.rrule === undefined || first === undefined) return undefined;
  try {
    correctionPeriods(correction, first, first + windowMs);
    return undefined;
  } catch (error) {
    if (!(error instanceof TooManyPeriods)) throw error;
    return {
      at: ["rrule"],
      message: `rrule: ${correction.rrule} with ${formatDuration(correction.durationMs)} periods has more than ${MAX_CORRECTION_PERIODS_PER_WINDOW.toLocaleString("en-US")} periods inside the SLO's ${formatDuration(windowMs)} window, the most one correction may have`,
      hint: "a less frequent rule (FREQ=DAILY, BYHOUR=...), or one longer period with end or duration",
    };
  }
};
