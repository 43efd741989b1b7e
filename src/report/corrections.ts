/**
 * Corrections (budget adjustments) in words, for every renderer: when each
 * one was (a recurring one summarised: "weekly, Sun 02:00–04:00
 * Europe/Berlin, 4 times in the window"), what it excluded, and the sum.
 * Plain text: each renderer escapes it for where it goes.
 */

import { MAX_CORRECTION_PERIODS_REPORTED } from "../limits.js";
import type { ReportCorrection, SloReportEntry } from "./schema.js";

export type Events = ReportCorrection["excluded"];

const FREQ_WORD: Record<string, [once: string, unit: string]> = {
  YEARLY: ["yearly", "years"],
  MONTHLY: ["monthly", "months"],
  WEEKLY: ["weekly", "weeks"],
  DAILY: ["daily", "days"],
  HOURLY: ["hourly", "hours"],
  MINUTELY: ["every minute", "minutes"],
  SECONDLY: ["every second", "seconds"],
};

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The local date, weekday and time of an instant in a zone. */
function local(ms: number, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
      hourCycle: "h23",
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day: Number(parts.day),
    weekday: String(parts.weekday),
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** The rule's parts: FREQ=WEEKLY;INTERVAL=2 → { FREQ: "WEEKLY", INTERVAL: "2" }. */
function ruleParts(rrule: string): Record<string, string> {
  const text = rrule.replace(/^RRULE:/i, "");
  return Object.fromEntries(
    text
      .split(";")
      .map((p) => p.split("="))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k!.trim().toUpperCase(), v!.trim()]),
  );
}

/** "weekly", "every 2 weeks"; null when the rule names no frequency slo knows. */
function frequencyText(rrule: string): string | null {
  const parts = ruleParts(rrule);
  const words = FREQ_WORD[parts.FREQ?.toUpperCase() ?? ""];
  if (!words) return null;
  const interval = Number(parts.INTERVAL ?? "1");
  return interval > 1 ? `every ${interval} ${words[1]}` : words[0];
}

/** One period in its zone: "2026-05-10 02:00–04:00 Europe/Berlin", or across days with both dates. */
function periodText(o: { start: string; end: string }, timeZone: string, zone: string): string {
  const a = local(Date.parse(o.start), timeZone);
  const b = local(Date.parse(o.end), timeZone);
  const to = a.date === b.date ? b.time : `${b.date} ${b.time}`;
  const dash = a.date === b.date ? "–" : " – ";
  return `${a.date} ${a.time}${dash}${to} ${zone}`;
}

/** "Sun", "Sat, Sun", "day 1": the days the periods start on, where the frequency has them. */
function daysText(freq: string, starts: ReturnType<typeof local>[]): string {
  if (freq === "WEEKLY") {
    const days = new Set(starts.map((s) => s.weekday));
    return WEEKDAYS.filter((d) => days.has(d)).join(", ");
  }
  if (freq === "MONTHLY") {
    const days = [...new Set(starts.map((s) => s.day))].sort((x, y) => x - y);
    return `day ${days.join(", ")}`;
  }
  return "";
}

/**
 * When a correction was, as its periods in the window show it: a one-off
 * period with its dates, a recurring one by its frequency, its days and its
 * local times (when every period has the same), and how many times it
 * touched the window. Everything but the zone's name is slo's own words and
 * digits: `escapeZone` escapes the name for the format.
 */
export function correctionWhen(
  c: ReportCorrection,
  escapeZone: (zone: string) => string = (z) => z,
): string {
  const first = c.occurrences[0];
  const zone = escapeZone(c.timeZone);
  if (!first) return "no period in the window";
  if (!c.rrule) return periodText(first, c.timeZone, zone);
  const freq = ruleParts(c.rrule).FREQ?.toUpperCase() ?? "";
  const starts = c.occurrences.map((o) => local(Date.parse(o.start), c.timeZone));
  const ends = c.occurrences.map((o) => local(Date.parse(o.end), c.timeZone));
  const sameTimes =
    new Set(starts.map((s) => s.time)).size === 1 && new Set(ends.map((e) => e.time)).size === 1;
  const n = c.occurrences.length + (c.occurrencesLeftOut ?? 0);
  const pieces = [
    frequencyText(c.rrule) ?? "recurring",
    [daysText(freq, starts), sameTimes ? `${starts[0]!.time}–${ends[0]!.time}` : "", zone]
      .filter(Boolean)
      .join(" "),
    n === 1 ? "once in the window" : `${n.toLocaleString("en-US")} times in the window`,
  ];
  return pieces.join(", ");
}

/**
 * "The 96 oldest periods of corrections with more than 100 in the window are
 * not drawn."; null when the report lists every period.
 */
export function periodsLeftOutText(corrections: readonly ReportCorrection[]): string | null {
  const left = corrections.reduce((n, c) => n + (c.occurrencesLeftOut ?? 0), 0);
  if (left === 0) return null;
  return `The ${left.toLocaleString("en-US")} oldest periods of corrections with more than ${MAX_CORRECTION_PERIODS_REPORTED.toLocaleString("en-US")} in the window are not drawn.`;
}

/** "1,234 events (12 bad)", "no events". */
export function excludedText(e: Events): string {
  if (e.total === 0) return "no events";
  const events = `${e.total.toLocaleString("en-US")} event${e.total === 1 ? "" : "s"}`;
  return `${events} (${e.bad.toLocaleString("en-US")} bad)`;
}

/** The events the entry's corrections excluded, all together: each once where the report says so. */
export function excludedTotal(
  entry: Pick<SloReportEntry, "corrections" | "correctionsExcluded">,
): Events {
  if (entry.correctionsExcluded) return entry.correctionsExcluded;
  return (entry.corrections ?? []).reduce(
    (sum, c) => ({
      good: sum.good + c.excluded.good,
      bad: sum.bad + c.excluded.bad,
      total: sum.total + c.excluded.total,
    }),
    { good: 0, bad: 0, total: 0 },
  );
}

/** "2 corrections excluded 1,234 events (12 bad)"; null without corrections. */
export function correctionsSummary(
  entry: Pick<SloReportEntry, "corrections" | "correctionsExcluded">,
): string | null {
  const corrections = entry.corrections ?? [];
  if (corrections.length === 0) return null;
  const n = corrections.length;
  return `${n} correction${n === 1 ? "" : "s"} excluded ${excludedText(excludedTotal(entry))}`;
}

/** The report's corrections as a whole: "Corrections excluded 1,234 events from 2 SLOs"; null without any. */
export function reportCorrectionsSummary(
  entries: readonly Pick<SloReportEntry, "corrections" | "correctionsExcluded">[],
): string | null {
  const touched = entries.filter((e) => (e.corrections ?? []).length > 0);
  if (touched.length === 0) return null;
  const total = touched
    .map(excludedTotal)
    .reduce(
      (sum, e) => ({ good: sum.good + e.good, bad: sum.bad + e.bad, total: sum.total + e.total }),
      { good: 0, bad: 0, total: 0 },
    );
  const slos = `${touched.length} SLO${touched.length === 1 ? "" : "s"}`;
  return `Corrections excluded ${excludedText(total)} from ${slos}`;
}
