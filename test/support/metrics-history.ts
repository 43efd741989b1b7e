/**
 * 31 days of 1-minute metrics for a service "ctrl" with known incidents,
 * written for both real servers: OpenMetrics for promtool's backfill and
 * Prometheus text (millisecond timestamps) for VictoriaMetrics' import.
 *
 * - http_requests_total{job="ctrl",code="200"}: 1000 a minute; the process
 *   restarts 5 days before AT (a counter reset).
 * - code="500": 1 a minute; incident A, 10 days before AT, 2 hours of 200 a
 *   minute; incident B, the last 40 minutes before AT, 50 a minute.
 * - code="503": 1 every 7 minutes.
 * - http_requests_total{job="other",code="500"}: 100 a minute, another job
 *   whose errors must not count.
 * - http_request_duration_seconds{job="ctrl"}: a classic histogram, 1000
 *   observations a minute, slower during incident B.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The instant every assertion is made at; samples are aligned to it. */
export const AT = Date.parse("2025-03-01T00:00:00Z");
export const HISTORY_START = AT - 31 * DAY_MS;

export const LE_BOUNDS = ["0.1", "0.25", "0.3", "0.5", "1", "+Inf"] as const;

export interface HistorySeries {
  /** the sample name, e.g. http_requests_total */
  name: string;
  /** the metric family and its type, for OpenMetrics */
  family: string;
  type: "counter" | "histogram";
  labels: Record<string, string>;
  /** the value at each minute from HISTORY_START to AT, inclusive */
  values: Float64Array;
}

export interface History {
  timesMs: number[];
  series: HistorySeries[];
}

const INCIDENT_A = { from: AT - 10 * DAY_MS, to: AT - 10 * DAY_MS + 2 * HOUR_MS };
const INCIDENT_B = { from: AT - 40 * MINUTE_MS, to: AT };
const RESTART = AT - 5 * DAY_MS;

const inside = (t: number, r: { from: number; to: number }) => t > r.from && t <= r.to;

/** Per-minute increments of each counter, as functions of the minute's end. */
const COUNTERS: { labels: Record<string, string>; per: (t: number) => number }[] = [
  { labels: { job: "ctrl", code: "200" }, per: () => 1000 },
  {
    labels: { job: "ctrl", code: "500" },
    per: (t) => (inside(t, INCIDENT_A) ? 200 : inside(t, INCIDENT_B) ? 50 : 1),
  },
  { labels: { job: "ctrl", code: "503" }, per: (t) => ((t / MINUTE_MS) % 7 === 0 ? 1 : 0) },
  { labels: { job: "other", code: "500" }, per: () => 100 },
];

/** Cumulative observations per bucket in one minute: normal, and during incident B. */
const NORMAL = [700, 900, 950, 990, 998, 1000];
const SLOW = [300, 500, 600, 800, 950, 1000];

export function generateHistory(): History {
  const timesMs: number[] = [];
  for (let t = HISTORY_START; t <= AT; t += MINUTE_MS) timesMs.push(t);
  const n = timesMs.length;
  const series: HistorySeries[] = [];

  for (const counter of COUNTERS) {
    const values = new Float64Array(n);
    let value = 0;
    timesMs.forEach((t, i) => {
      if (i > 0) {
        // A restart starts the counter again from zero, then it counts the minute.
        if (counter.labels.code === "200" && t === RESTART) value = 0;
        value += counter.per(t);
      }
      values[i] = value;
    });
    series.push({
      name: "http_requests_total",
      family: "http_requests",
      type: "counter",
      labels: counter.labels,
      values,
    });
  }

  const buckets = LE_BOUNDS.map(() => new Float64Array(n));
  const count = new Float64Array(n);
  const sum = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const shape = inside(timesMs[i]!, INCIDENT_B) ? SLOW : NORMAL;
    LE_BOUNDS.forEach((_, b) => {
      buckets[b]![i] = buckets[b]![i - 1]! + shape[b]!;
    });
    count[i] = count[i - 1]! + 1000;
    sum[i] = sum[i - 1]! + 150;
  }
  const family = "http_request_duration_seconds";
  LE_BOUNDS.forEach((le, b) => {
    series.push({
      name: `${family}_bucket`,
      family,
      type: "histogram",
      labels: { job: "ctrl", le },
      values: buckets[b]!,
    });
  });
  series.push({
    name: `${family}_count`,
    family,
    type: "histogram",
    labels: { job: "ctrl" },
    values: count,
  });
  series.push({
    name: `${family}_sum`,
    family,
    type: "histogram",
    labels: { job: "ctrl" },
    values: sum,
  });
  return { timesMs, series };
}

function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}

/** OpenMetrics for promtool: a family at a time, each series in time order, seconds, `# EOF`. */
export function toOpenMetrics(history: History): string {
  const lines: string[] = [];
  let family = "";
  for (const s of history.series) {
    if (s.family !== family) {
      family = s.family;
      lines.push(`# TYPE ${family} ${s.type}`);
    }
    const head = `${s.name}${labelText(s.labels)} `;
    s.values.forEach((v, i) => {
      lines.push(`${head}${v} ${history.timesMs[i]! / 1000}`);
    });
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

/** Prometheus text with millisecond timestamps, one body per series (VictoriaMetrics caps a request's size). */
export function toPrometheusTextBodies(history: History): string[] {
  return history.series.map((s) => {
    const head = `${s.name}${labelText(s.labels)} `;
    let body = "";
    s.values.forEach((v, i) => {
      body += `${head}${v} ${history.timesMs[i]!}\n`;
    });
    return body;
  });
}

/** The true number of events of the counters matching `labels` in (start, end]. */
export function trueIncrease(
  history: History,
  name: string,
  match: (labels: Record<string, string>) => boolean,
  startMs: number,
  endMs: number,
): number {
  let total = 0;
  for (const s of history.series) {
    if (s.name !== name || !match(s.labels)) continue;
    history.timesMs.forEach((t, i) => {
      if (i === 0 || t <= startMs || t > endMs) return;
      const previous = s.values[i - 1]!;
      const current = s.values[i]!;
      total += current >= previous ? current - previous : current;
    });
  }
  return total;
}
