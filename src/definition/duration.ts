/** Durations as written in SLO files: Prometheus style, `30d`, `4w`, `1h30m`, `250ms`. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === "") return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== start) return null;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return total > 0 ? total : null;
}

/** Prometheus-style text for a duration: 86400000 -> "1d", 5400000 -> "1h30m", 28 days -> "28d". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const order: [string, number][] = [
    ["d", UNIT_MS.d!],
    ["h", UNIT_MS.h!],
    ["m", UNIT_MS.m!],
    ["s", UNIT_MS.s!],
    ["ms", 1],
  ];
  let rest = ms;
  let out = "";
  for (const [unit, size] of order) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export const HOUR_MS = UNIT_MS.h!;
export const MINUTE_MS = UNIT_MS.m!;
export const DAY_MS = UNIT_MS.d!;
