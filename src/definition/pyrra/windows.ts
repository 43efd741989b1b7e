/**
 * Pyrra's burn-rate alerts: four windows written for a 28-day SLO and scaled
 * to the SLO's own window, each rounded to the minute, with a fixed burn
 * factor (Pyrra's `Windows` in slo/rules.go). slo's table says how much of
 * the budget a long window may spend; that share is factor × long / window,
 * for what reads shares (the report, Sloth), while the factor itself is kept
 * so that rules and converted files say 14, not a share turned back.
 */

import { roundNumber } from "../doc-reader.js";
import { MINUTE_MS } from "../duration.js";
import type { BurnRateWindow, Severity } from "../model.js";
import { formatPromDuration } from "../promql-duration.js";

interface PyrraWindow {
  severity: Severity;
  /** the long and short windows as fractions of the SLO window: 1h and 5m of 28d */
  long: number;
  short: number;
  factor: number;
}

const HOURS_IN_28_DAYS = 28 * 24;

// Pyrra's critical alerts are slo's page, its warnings slo's ticket.
const PYRRA_WINDOWS: PyrraWindow[] = [
  { severity: "page", long: 1 / HOURS_IN_28_DAYS, short: 1 / (HOURS_IN_28_DAYS * 12), factor: 14 },
  { severity: "page", long: 1 / (28 * 4), short: 1 / (HOURS_IN_28_DAYS * 2), factor: 7 },
  { severity: "ticket", long: 1 / 28, short: 1 / (28 * 12), factor: 2 },
  { severity: "ticket", long: 1 / 7, short: 1 / (28 * 4), factor: 1 },
];

/** The labels Pyrra gives its page and ticket alerts, which Alertmanager routes may match on. */
export const PYRRA_SEVERITY: Record<Severity, string> = { page: "critical", ticket: "warning" };

/**
 * Go's Duration.Round(time.Minute): halves away from zero. A window Pyrra
 * would round to nothing (an SLO window under 2.8 days) is one minute here,
 * the shortest range worth asking Prometheus for.
 */
function roundToMinute(ms: number): number {
  return Math.max(MINUTE_MS, Math.round(ms / MINUTE_MS) * MINUTE_MS);
}

/** Pyrra's four burn-rate windows for an SLO window of `windowMs`. */
export function pyrraBurnRateWindows(windowMs: number): BurnRateWindow[] {
  return PYRRA_WINDOWS.map(({ severity, long, short, factor }) => {
    const longMs = roundToMinute(windowMs * long);
    const shortMs = roundToMinute(windowMs * short);
    return {
      severity,
      longMs,
      shortMs,
      share: roundNumber((factor * longMs) / windowMs),
      // Kept as Pyrra writes it: a share rounded to the minute's window would give back 13.9999999999776.
      factor,
      // One unit (90m, not 1h30m), as OpenSLO's lookbackWindow is written: a round trip keeps the name.
      long: formatPromDuration(longMs),
      short: formatPromDuration(shortMs),
    };
  });
}

/** Prometheus' duration (model.ParseDuration): units largest first, whole numbers. */
const PROM_DURATION =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const PROM_UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds of a Prometheus duration (Pyrra's window, latencyNative's latency), or null. */
export function promDurationMs(text: string): number | null {
  const m = text === "" ? null : PROM_DURATION.exec(text);
  if (!m) return null;
  return PROM_UNIT_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
}
