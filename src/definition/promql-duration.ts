/** PromQL's durations as slo writes them; apart so the MetricsQL check can use them without a cycle. */

const DURATION_UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/**
 * A PromQL range for a window: one unit, the largest that keeps it whole
 * (`30d`, `1h`, `2678400s` for a calendar month with a DST hour), because
 * compound durations (`1h30m`) need Prometheus 2.26 or later.
 */
export function formatPromDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  for (const [unit, size] of DURATION_UNITS) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}ms`;
}
