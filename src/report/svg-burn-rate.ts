/**
 * The burn-rate chart as an inline SVG, as Pyrra and Grafana SLO draw it:
 * each long alert window's burn rate through the SLO's window, one line per
 * window, and each alert's factor as a dashed line in the same colour, so
 * where a line crosses its threshold is where that alert's long window held.
 * Like the burn-down (svg-chart.ts): plain SVG with its colours as
 * attributes, which the HTML page's stylesheet overrides for dark mode.
 */

import { escapeHtml } from "./escape.js";
import type { ReportBurnRateHistory } from "./schema.js";
import {
  CHART_COLORS,
  type ChartPeriod,
  type ChartVariant,
  correctionParts,
  gridLine,
  plotArea,
  plotFrame,
  timeAxis,
} from "./svg-chart.js";

/** A colour per long window, shortest first; more windows than colours reuse them in turn. */
export const BURN_RATE_COLORS = {
  light: ["#1d4ed8", "#b45309", "#047857", "#7e22ce", "#be123c", "#0e7490"],
  dark: ["#60a5fa", "#fbbf24", "#34d399", "#c084fc", "#fb7185", "#22d3ee"],
} as const;

export interface BurnRateChartInput {
  history: ReportBurnRateHistory;
  endMs: number;
  /** the chart's accessible name */
  title: string;
  /** corrections: shaded under the lines, with a legend entry */
  corrections?: readonly ChartPeriod[];
  variant?: ChartVariant;
}

const MARGIN = {
  wide: { left: 56, right: 44, top: 30, bottom: 30 },
  narrow: { left: 48, right: 38, top: 34, bottom: 30 },
} as const;

/** The class naming a window's colour: the page's stylesheet colours it for light and dark. */
export function burnRateColorClass(index: number): string {
  return `w${index % BURN_RATE_COLORS.light.length}`;
}

/** The burn-rate axis starts at this rate, a tenth of "exactly on budget". */
const BURN_RATE_AXIS_MIN = 0.1;

const colorOf = (index: number) => BURN_RATE_COLORS.light[index % BURN_RATE_COLORS.light.length]!;

/** A rate or factor as a short number: 14.4, 6, 0.52. */
const rateText = (n: number) => String(Number(n.toPrecision(3)));

export function burnRateSvg(input: BurnRateChartInput): string {
  const variant = input.variant ?? "wide";
  const area = plotArea(variant, MARGIN);
  const { size, m, plotW, plotH } = area;
  const startMs = Date.parse(input.history.since);
  const span = Math.max(1, input.endMs - startMs);
  const lines = input.history.windows;
  const scale = logScale(lines);
  const x = (ms: number) => m.left + ((ms - startMs) / span) * plotW;
  const y = (v: number) => {
    const at = (Math.log10(Math.max(v, scale.min)) - Math.log10(scale.min)) / scale.decades;
    return m.top + (1 - at) * plotH;
  };

  const corrections = input.corrections ?? [];
  const parts: string[] = [plotFrame(area), ...correctionParts(area, corrections, x)];
  for (const v of scale.gridlines) parts.push(...gridLine(area, y(v), rateText(v)));
  parts.push(...timeAxis(area, { startMs, endMs: input.endMs }, x));
  parts.push(
    `<text class="axis-title" x="14" y="${m.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.top + plotH / 2})">burn rate</text>`,
  );
  parts.push(
    ...thresholdParts(lines, y, {
      left: m.left,
      right: m.left + plotW,
      bottom: m.top + plotH,
      fontSize: size.fontSize,
    }),
  );
  lines.forEach((line, i) => {
    const d = pathOf(line.points, x, y);
    if (d === "") return;
    parts.push(
      `<path class="rate ${burnRateColorClass(i)}" d="${d}" fill="none" stroke="${colorOf(i)}" stroke-width="2" stroke-linejoin="round"/>`,
    );
  });
  parts.push(...legendParts(lines, m.left, size.fontSize, corrections.length > 0));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart burn-rate chart-${variant}" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" role="img" font-family="system-ui, sans-serif" font-size="${size.fontSize}" fill="${CHART_COLORS.text}">`,
    `<title>${escapeHtml(input.title)}</title>`,
    `<desc>${escapeHtml(describe(input.history, input.endMs))}</desc>`,
    ...parts,
    "</svg>",
  ].join("\n");
}

/**
 * The y axis, in decades: from BURN_RATE_AXIS_MIN (or the decade of a lower
 * factor) to the decade above the highest rate or factor. On a linear axis
 * one 700× spike lays the thresholds (14.4, 6, 3, 1) flat on the x axis;
 * on this one each stays apart and a line's crossing shows. A rate below the
 * axis (0: no bad events) is drawn on it.
 */
function logScale(lines: ReportBurnRateHistory["windows"]) {
  const factors = lines.flatMap((l) => l.thresholds.map((t) => t.factor)).filter((v) => v > 0);
  const top = Math.max(
    1,
    ...lines.flatMap((l) => l.points.map((p) => p.burnRate ?? 0)),
    ...factors,
  );
  const low = Math.min(BURN_RATE_AXIS_MIN, ...factors);
  const minExp = Math.floor(Math.log10(low));
  const maxExp = Math.max(minExp + 1, Math.ceil(Math.log10(top * 1.1)));
  const gridlines: number[] = [];
  for (let e = minExp; e <= maxExp; e++) gridlines.push(10 ** e);
  return { min: 10 ** minExp, decades: maxExp - minExp, gridlines };
}

/** A line through the points, broken where a step had no events. */
function pathOf(
  points: ReportBurnRateHistory["windows"][number]["points"],
  x: (ms: number) => number,
  y: (v: number) => number,
): string {
  const commands: string[] = [];
  let drawing = false;
  for (const p of points) {
    if (p.burnRate === null) {
      drawing = false;
      continue;
    }
    commands.push(
      `${drawing ? "L" : "M"}${x(Date.parse(p.t)).toFixed(1)},${y(p.burnRate).toFixed(1)}`,
    );
    drawing = true;
  }
  return commands.join(" ");
}

/** A dashed line per threshold, its factor at the right; labels pushed apart where factors are close. */
function thresholdParts(
  lines: ReportBurnRateHistory["windows"],
  y: (v: number) => number,
  box: { left: number; right: number; bottom: number; fontSize: number },
): string[] {
  const parts: string[] = [];
  const labels: { y: number; text: string; i: number }[] = [];
  lines.forEach((line, i) => {
    for (const t of line.thresholds) {
      const yy = Math.round(y(t.factor)) + 0.5;
      parts.push(
        `<line class="threshold ${burnRateColorClass(i)}" x1="${box.left}" x2="${box.right}" y1="${yy}" y2="${yy}" stroke="${colorOf(i)}" stroke-width="1.5" stroke-dasharray="6 4"><title>${escapeHtml(`${t.severity} when the ${line.window} window burns faster than ${rateText(t.factor)}`)}</title></line>`,
      );
      labels.push({ y: yy, text: rateText(t.factor), i });
    }
  });
  labels.sort((a, b) => a.y - b.y);
  // Top down, each label at least a line below the one above; then, if the last went past
  // the plot's foot, bottom up, each at least a line above the one below.
  const gap = box.fontSize + 1;
  const at = labels.map((l) => l.y);
  for (let i = 1; i < at.length; i++) at[i] = Math.max(at[i]!, at[i - 1]! + gap);
  if (at.length > 0) at[at.length - 1] = Math.min(at.at(-1)!, box.bottom);
  for (let i = at.length - 2; i >= 0; i--) at[i] = Math.min(at[i]!, at[i + 1]! - gap);
  for (const [i, label] of labels.entries()) {
    parts.push(
      `<text class="threshold-label ${burnRateColorClass(label.i)}" x="${box.right + 4}" y="${at[i]!.toFixed(1)}" dominant-baseline="middle" fill="${colorOf(label.i)}">${label.text}</text>`,
    );
  }
  return parts;
}

/** Above the plot: a short line in each window's colour and its name, then what the dashes mean. */
function legendParts(
  lines: ReportBurnRateHistory["windows"],
  left: number,
  fontSize: number,
  withCorrections: boolean,
): string[] {
  const parts: string[] = [];
  const yy = fontSize + 2;
  let xx = left;
  const entryWidth = (text: string) => 22 + text.length * fontSize * 0.62 + 12;
  lines.forEach((line, i) => {
    parts.push(
      `<line class="legend rate ${burnRateColorClass(i)}" x1="${xx}" x2="${xx + 16}" y1="${yy}" y2="${yy}" stroke="${colorOf(i)}" stroke-width="3"/>`,
      `<text x="${xx + 20}" y="${yy}" dominant-baseline="middle">${escapeHtml(line.window)}</text>`,
    );
    xx += entryWidth(line.window);
  });
  parts.push(
    `<line class="legend reference" x1="${xx}" x2="${xx + 16}" y1="${yy}" y2="${yy}" stroke="${CHART_COLORS.text}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${xx + 20}" y="${yy}" dominant-baseline="middle">threshold</text>`,
  );
  if (withCorrections) {
    xx += entryWidth("threshold");
    parts.push(
      `<rect class="legend correction" x="${xx}" y="${yy - 5}" width="16" height="10" fill="${CHART_COLORS.correction}" fill-opacity="0.35" stroke="${CHART_COLORS["correction-edge"]}" stroke-dasharray="3 2"/>`,
      `<text x="${xx + 20}" y="${yy}" dominant-baseline="middle">correction</text>`,
    );
  }
  return parts;
}

/** The chart in words, for screen readers: each window's alerts, its rate now and its peak. */
function describe(history: ReportBurnRateHistory, endMs: number): string {
  const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const windows = history.windows.map((line) => {
    const alerts = line.thresholds
      .map((t) => `${t.severity} above ${rateText(t.factor)}`)
      .join(", ");
    const known = line.points.filter((p) => p.burnRate !== null);
    if (known.length === 0) return `${line.window} window (${alerts}): no events`;
    const peak = known.reduce((a, b) => (b.burnRate! > a.burnRate! ? b : a));
    const last = line.points.at(-1)?.burnRate;
    const latest = last === null || last === undefined ? "no events" : rateText(last);
    return `${line.window} window (${alerts}): ${latest} in the last step, peak ${rateText(peak.burnRate!)} at ${when(peak.t)}`;
  });
  return `Burn rate of each long alert window from ${when(history.since)} to ${when(new Date(endMs).toISOString())}, each point the highest in its ${history.step} step. ${windows.join("; ")}.`;
}
