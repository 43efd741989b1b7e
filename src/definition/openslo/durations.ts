/**
 * OpenSLO's duration shorthand: a positive integer and one case-sensitive
 * unit, m h d w M Q Y. The spec leaves M, Q and Y to the implementation;
 * slo reads a rolling month as 30 days, a quarter as 90 and a year as 365.
 * Calendar windows (isRolling: false) are real calendar periods instead,
 * counted from their startTime: see ../calendar.ts.
 */

import { DEFAULT_SHORT_WINDOW_DIVISOR } from "../../defaults.js";
import { nominalPeriodMs } from "../calendar.js";
import { MINUTE_MS } from "../duration.js";
import type { WindowSpec } from "../model.js";

const DAY = 86_400_000;

export const SHORTHAND_UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: DAY,
  w: 7 * DAY,
  M: 30 * DAY,
  Q: 90 * DAY,
  Y: 365 * DAY,
};

export interface Shorthand {
  ms: number;
  count: number;
  unit: string;
  /** as slo's own files write it: as given for m h d w, in days for M Q Y ("1M" -> "30d") */
  label: string;
}

export function parseShorthand(text: string): Shorthand | null {
  const m = /^\s*(\d+)([mhdwMQY])\s*$/.exec(text);
  if (!m) return null;
  const count = Number(m[1]);
  const unit = m[2]!;
  if (count <= 0) return null;
  const ms = count * SHORTHAND_UNIT_MS[unit]!;
  const label = "mhdw".includes(unit) ? `${count}${unit}` : `${ms / DAY}d`;
  return { ms, count, unit, label };
}

export function shorthandMessage(text: string): string {
  if (/^\s*0+[mhdwMQY]\s*$/.test(text))
    return `'${text.trim()}' is zero; an OpenSLO duration is a whole number of at least 1 and one of m h d w M Q Y, like 1w`;
  return `'${text}' is not an OpenSLO duration: a whole number and one of m h d w M Q Y, like 5m, 1h, 28d, 1M`;
}

/** A window's length as one number: a rolling window's own, a calendar period's nominal one. */
export function windowPeriodMs(window: WindowSpec): number {
  return window.kind === "rolling" ? window.durationMs : nominalPeriodMs(window);
}

/** The short window of a burn-rate condition that names none: a fraction of the lookback, in whole minutes. */
export function defaultShortMs(longMs: number): number {
  return Math.max(
    MINUTE_MS,
    Math.round(longMs / DEFAULT_SHORT_WINDOW_DIVISOR / MINUTE_MS) * MINUTE_MS,
  );
}

/**
 * A duration as shorthand for writing: the label itself when it already is
 * shorthand (so `4w` stays `4w` and `28d` stays `28d`), else whole days,
 * hours or minutes; null when it is not a whole number of minutes.
 */
export function toShorthand(ms: number, label?: string): string | null {
  if (label !== undefined && /^\d+[mhdw]$/.test(label.trim())) {
    const parsed = parseShorthand(label);
    if (parsed && parsed.ms === ms) return label.trim();
  }
  for (const unit of ["d", "h", "m"]) {
    const size = SHORTHAND_UNIT_MS[unit]!;
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return null;
}
