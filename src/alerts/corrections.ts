/**
 * The correction an alert is about: one active at the evaluation instant, or
 * one that ended within the severity's longest long window (that window then
 * counts only the events outside it, so its burn rate reads fewer events
 * than it spans). The alerts say so: Alertmanager's annotations carry its
 * state, reason, category and period; chat messages a sentence.
 */

import { correctionPeriods } from "../definition/correction-periods.js";
import type { CorrectionCategory, SloSpec } from "../definition/model.js";
import { oneLine } from "../report/escape.js";
import type { AlertSubject, Severity } from "./subjects.js";

export interface AlertCorrection {
  state: "active" | "ended";
  reason?: string | undefined;
  category: CorrectionCategory;
  startMs: number;
  endMs: number;
}

/**
 * An active correction first (the one that ends last), else the one that
 * ended last within the severity's longest long window; null when none.
 * A period is (start, end], as the sources count it.
 */
export function alertCorrection(
  subject: Pick<AlertSubject, "slo">,
  severity: Severity,
  atMs: number,
): AlertCorrection | null {
  const lookbackMs = longestLongWindow(subject.slo, severity);
  let active: AlertCorrection | null = null;
  let ended: AlertCorrection | null = null;
  for (const spec of subject.slo.corrections ?? []) {
    for (const p of periodsAround(spec, atMs - lookbackMs, atMs)) {
      const found = {
        reason: spec.reason,
        category: spec.category,
        startMs: p.startMs,
        endMs: p.endMs,
      };
      if (p.startMs < atMs && p.endMs >= atMs) {
        if (!active || p.endMs > active.endMs) active = { state: "active", ...found };
      } else if (p.endMs < atMs && (!ended || p.endMs > ended.endMs)) {
        ended = { state: "ended", ...found };
      }
    }
  }
  return active ?? ended;
}

/** The periods touching (from, at]; none when the rule has more than the loader allowed. */
function periodsAround(
  spec: NonNullable<SloSpec["corrections"]>[number],
  fromMs: number,
  atMs: number,
) {
  try {
    return correctionPeriods(spec, fromMs, atMs);
  } catch {
    return [];
  }
}

function longestLongWindow(slo: SloSpec, severity: Severity): number {
  const windows = slo.alerting.windows.filter((w) => w.severity === severity);
  return Math.max(0, ...windows.map((w) => w.longMs));
}

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** "2026-11-22 01:00 → 03:00 UTC", both dates when it spans midnight. */
function periodText(c: AlertCorrection): string {
  const [from, to] = [minute(c.startMs), minute(c.endMs)];
  return `${from} → ${from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to} UTC`;
}

/**
 * The sentence for a message or a description; `text` escapes the reason
 * for where it goes (a line break can never forge a line: it is a space).
 */
export function correctionSentence(
  c: AlertCorrection,
  longWindow: string,
  text: (s: string) => string = (s) => s,
): string {
  const what = [c.category, ...(c.reason ? [text(oneLine(c.reason))] : [])].join(", ");
  return c.state === "active"
    ? `A correction is active: ${what}, ${periodText(c)}: its events are not counted.`
    : `A correction ended at ${minute(c.endMs)} UTC (${what}): the ${longWindow} window counts only the events outside it.`;
}

/** Alertmanager's annotations: what the correction is, for templates and routes to read. */
export function correctionAnnotations(c: AlertCorrection): Record<string, string> {
  return {
    correction: c.state,
    ...(c.reason ? { correction_reason: oneLine(c.reason) } : {}),
    correction_category: c.category,
    correction_start: new Date(c.startMs).toISOString(),
    correction_end: new Date(c.endMs).toISOString(),
  };
}

/** The severity's longest long window as the file writes it: "6h". */
export function longWindowLabel(slo: SloSpec, severity: Severity): string {
  const windows = slo.alerting.windows.filter((w) => w.severity === severity);
  const longest = windows.reduce<(typeof windows)[number] | null>(
    (a, w) => (a && a.longMs >= w.longMs ? a : w),
    null,
  );
  return longest?.long ?? "long";
}

/** The evaluation instant of a subject: the end of its window. */
export function evaluatedAt(subject: Pick<AlertSubject, "entry">): number {
  return Date.parse(subject.entry.window.end);
}
