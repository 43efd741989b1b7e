/**
 * The error-budget burn-down as an inline SVG: remaining budget over the
 * window, the zero line, the warning threshold, and shaded bands where
 * burn-rate alerts fired. Plain SVG, no script, no external font or style:
 * it renders the same in a browser, a mail client or a file viewer.
 */

import { escapeHtml } from "./escape.js";

export interface ChartBand {
  startMs: number;
  /** null: still firing at the end of the chart */
  endMs: number | null;
  severity: "page" | "ticket";
}

/** A vertical line at an instant (a deploy), with a short label and a tooltip. */
export interface ChartMarker {
  atMs: number;
  /** shown beside the line: cut to MARKER_LABEL_CHARS */
  label: string;
  /** the <title>: what hovering the marker shows */
  tooltip: string;
}

/** A correction's period: its events do not count. */
export interface ChartPeriod {
  startMs: number;
  endMs: number;
  /** what the period is, for its <title>: the reason and category */
  label: string;
}

export interface BurnDownChartInput {
  /** budget remaining after each bucket (1 = untouched, negative = overspent) */
  points: readonly { t: string; remaining: number }[];
  startMs: number;
  endMs: number;
  bands?: readonly ChartBand[];
  /** a dashed line where the gate warns */
  warnRemaining?: number | undefined;
  /** the chart's accessible name */
  title: string;
  /** deploys: vertical lines with their version */
  markers?: readonly ChartMarker[];
  /** corrections: shaded, under everything else */
  corrections?: readonly ChartPeriod[];
  variant?: ChartVariant;
}

/**
 * Each chart is drawn twice: wide for screens, narrow for phones (the page
 * shows one by a media query), so that a phone does not shrink a 720-wide
 * drawing to half and its labels to 5 px. The narrow one is drawn at about
 * a phone's content width, with larger text and fewer time ticks.
 */
export type ChartVariant = "wide" | "narrow";
export const CHART_SIZE = {
  wide: { width: 720, height: 240, fontSize: 11, maxTimeTicks: 6 },
  narrow: { width: 320, height: 220, fontSize: 12, maxTimeTicks: 3 },
} as const;

export const CHART_COLORS = {
  plot: "#ffffff",
  line: "#1d4ed8",
  area: "#dbeafe",
  page: "#fca5a5",
  ticket: "#fcd34d",
  zero: "#b91c1c",
  warn: "#d97706",
  grid: "#e5e7eb",
  text: "#374151",
  deploy: "#7c3aed",
  correction: "#9ca3af",
  "correction-edge": "#6b7280",
} as const;

/** The same roles on a dark page (the HTML report's stylesheet swaps them in). */
export const CHART_COLORS_DARK: Record<keyof typeof CHART_COLORS, string> = {
  plot: "#0d1117",
  line: "#58a6ff",
  area: "#1f3b63",
  page: "#da3633",
  ticket: "#bb8009",
  zero: "#f85149",
  warn: "#e3b341",
  grid: "#30363d",
  text: "#c9d1d9",
  deploy: "#bc8cff",
  correction: "#8b949e",
  "correction-edge": "#8b949e",
};

/** A one-hour page on a 30-day chart is under a pixel: draw it wide enough to see. */
const MIN_BAND_PX = 3;
/** A marker's label runs down beside its line: this many characters fit well inside the plot. */
export const MARKER_LABEL_CHARS = 14;
/**
 * A label turned a quarter clockwise: its letters stand right of the
 * baseline (ascent) and its descenders reach left of it, in px at font size
 * 10 with the 1.5 px halo (as Chromium measures the text's box).
 */
const LABEL_GLYPHS = { descent: 5, ascent: 11 } as const;
/** Clear space between a marker's line and its label, and between two labels (px). */
const LABEL_CLEARANCE_PX = 2;
const MARGIN = {
  wide: { left: 52, right: 16, top: 14, bottom: 30 },
  narrow: { left: 46, right: 10, top: 14, bottom: 30 },
} as const;

export interface Margin {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A chart's drawing: its size for the variant, its margins and the plot between them. */
export interface PlotArea {
  size: (typeof CHART_SIZE)[ChartVariant];
  m: Margin;
  plotW: number;
  plotH: number;
}

export function plotArea(variant: ChartVariant, margins: Record<ChartVariant, Margin>): PlotArea {
  const size = CHART_SIZE[variant];
  const m = margins[variant];
  return { size, m, plotW: size.width - m.left - m.right, plotH: size.height - m.top - m.bottom };
}

const f1 = (n: number) => n.toFixed(1);

/** The plot's background and border. */
export function plotFrame(a: PlotArea): string {
  return `<rect class="plot" x="${a.m.left}" y="${a.m.top}" width="${a.plotW}" height="${a.plotH}" fill="${CHART_COLORS.plot}" stroke="${CHART_COLORS.grid}"/>`;
}

/** A horizontal grid line at y and its label left of the plot. */
export function gridLine(a: PlotArea, y: number, label: string): string[] {
  const yy = f1(y);
  return [
    `<line class="grid" x1="${a.m.left}" x2="${a.m.left + a.plotW}" y1="${yy}" y2="${yy}" stroke="${CHART_COLORS.grid}"/>`,
    `<text x="${a.m.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${label}</text>`,
  ];
}

/** A period in plot pixels and the labels of the periods it stands for. */
interface PeriodShape {
  x0: number;
  x1: number;
  startMs: number;
  endMs: number;
  labels: string[];
}

/**
 * A shaded shape per correction period inside the plot, each with a <title>.
 * Periods closer than a pixel are one shape (an hourly rule over 30 days is
 * a few hundred shapes at most, never thousands); a shape is at least
 * MIN_BAND_PX wide, widened about its centre so it stays where its time is.
 */
export function correctionParts(
  a: PlotArea,
  periods: readonly ChartPeriod[],
  x: (ms: number) => number,
): string[] {
  const right = a.m.left + a.plotW;
  const shapes: PeriodShape[] = [];
  const sorted = [...periods].sort((p, q) => p.startMs - q.startMs);
  for (const p of sorted) {
    const x0 = Math.max(a.m.left, x(p.startMs));
    const x1 = Math.min(right, x(p.endMs));
    if (x1 < x0) continue;
    const last = shapes.at(-1);
    if (last && x0 - last.x1 < 1) {
      last.x1 = Math.max(last.x1, x1);
      last.endMs = Math.max(last.endMs, p.endMs);
      if (!last.labels.includes(p.label)) last.labels.push(p.label);
      continue;
    }
    shapes.push({ x0, x1, startMs: p.startMs, endMs: p.endMs, labels: [p.label] });
  }
  return shapes.map((s) => {
    const width = Math.max(MIN_BAND_PX, s.x1 - s.x0);
    const left = Math.min(right - width, Math.max(a.m.left, (s.x0 + s.x1) / 2 - width / 2));
    const title = `Correction, events not counted: ${minute(s.startMs)} → ${minute(s.endMs)} UTC: ${s.labels.join("; ")}`;
    return `<rect class="correction" x="${f1(left)}" y="${a.m.top}" width="${f1(width)}" height="${a.plotH}" fill="${CHART_COLORS.correction}" fill-opacity="0.35" stroke="${CHART_COLORS["correction-edge"]}" stroke-dasharray="3 2" shape-rendering="crispEdges"><title>${escapeHtml(title)}</title></rect>`;
  });
}

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The time axis under the plot: a tick and a label per time, labels kept inside the chart. */
export function timeAxis(
  a: PlotArea,
  range: { startMs: number; endMs: number },
  x: (ms: number) => number,
): string[] {
  const parts: string[] = [];
  for (const t of timeTicks(range.startMs, range.endMs, a.size.maxTimeTicks)) {
    const xx = f1(x(t.ms));
    parts.push(
      `<line class="tick" x1="${xx}" x2="${xx}" y1="${a.m.top + a.plotH}" y2="${a.m.top + a.plotH + 4}" stroke="${CHART_COLORS.text}"/>`,
      `<text x="${xx}" y="${a.m.top + a.plotH + 18}" text-anchor="${tickAnchor(x(t.ms), t.label, a.size)}">${t.label}</text>`,
    );
  }
  return parts;
}

export function burnDownSvg(input: BurnDownChartInput): string {
  const variant = input.variant ?? "wide";
  const area = plotArea(variant, MARGIN);
  const { size, m: M, plotW, plotH } = area;
  const span = Math.max(1, input.endMs - input.startMs);
  const values = input.points.map((p) => p.remaining);
  const low = Math.min(0, ...values);
  const high = Math.max(1, ...values);
  const step = tickStep(high - low);
  const yMin = Math.floor(low / step) * step;
  const yMax = Math.ceil(high / step) * step;
  const x = (ms: number) => M.left + ((ms - input.startMs) / span) * plotW;
  const y = (v: number) => M.top + ((yMax - v) / (yMax - yMin)) * plotH;
  const f = (n: number) => n.toFixed(1);

  const parts: string[] = [plotFrame(area), ...correctionParts(area, input.corrections ?? [], x)];
  for (const band of input.bands ?? []) {
    const x0 = Math.max(M.left, x(band.startMs));
    const x1 = Math.min(M.left + plotW, x(band.endMs ?? input.endMs));
    if (x1 <= x0 - 0.01) continue;
    parts.push(
      `<rect class="band band-${band.severity}" x="${f(x0)}" y="${M.top}" width="${f(Math.max(MIN_BAND_PX, x1 - x0))}" height="${plotH}" fill="${CHART_COLORS[band.severity]}" fill-opacity="0.55" shape-rendering="crispEdges"><title>${band.severity} alert firing</title></rect>`,
    );
  }
  for (let v = yMin; v <= yMax + step / 2; v += step) {
    parts.push(...gridLine(area, y(v), `${Math.round(v * 100)}%`));
  }
  parts.push(...timeAxis(area, input, x));
  // Whole pixels, so the reference lines are crisp rather than smeared over two rows.
  const zero = String(Math.round(y(0)));
  // The reference lines go over the area and under the line.
  const references: string[] = [];
  if (input.warnRemaining !== undefined && input.warnRemaining > yMin) {
    const yy = Math.round(y(input.warnRemaining)) + 0.5;
    references.push(
      `<line class="warn" x1="${M.left}" x2="${M.left + plotW}" y1="${yy}" y2="${yy}" stroke="${CHART_COLORS.warn}" stroke-dasharray="4 4" shape-rendering="crispEdges"/>`,
    );
  }
  references.push(
    `<line class="zero" x1="${M.left}" x2="${M.left + plotW}" y1="${zero}" y2="${zero}" stroke="${CHART_COLORS.zero}" stroke-width="2" shape-rendering="crispEdges"/>`,
  );

  const markers = markerParts(input.markers ?? [], input, x, {
    top: M.top,
    height: plotH,
    right: size.width - 1,
  });
  const markerLines = markers.lines;
  if (input.points.length === 0) {
    parts.push(
      ...references,
      ...markerLines,
      `<text x="${M.left + plotW / 2}" y="${M.top + plotH / 2}" text-anchor="middle" font-size="14">no data in this window</text>`,
    );
  } else {
    // The window starts with its whole budget.
    const coords = [
      [x(input.startMs), y(1)],
      ...input.points.map((p) => [x(Date.parse(p.t)), y(p.remaining)]),
    ];
    const line = coords.map(([a, b]) => `${f(a!)},${f(b!)}`).join(" ");
    const last = coords[coords.length - 1]!;
    parts.push(
      `<polygon class="area" points="${f(coords[0]![0]!)},${zero} ${line} ${f(last[0]!)},${zero}" fill="${CHART_COLORS.area}" fill-opacity="0.7"/>`,
      ...references,
      ...markerLines,
      `<polyline class="burn-down" points="${line}" fill="none" stroke="${CHART_COLORS.line}" stroke-width="2.5" stroke-linejoin="round"/>`,
      `<circle class="now" cx="${f(last[0]!)}" cy="${f(last[1]!)}" r="4" fill="${CHART_COLORS.line}"/>`,
    );
  }
  // Labels last, over the line, each with a white halo so it reads on any background.
  parts.push(...markers.labels);
  const title = escapeHtml(input.title);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart burn-down chart-${variant}" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" role="img" font-family="system-ui, sans-serif" font-size="${size.fontSize}" fill="${CHART_COLORS.text}">`,
    `<title>${title}</title>`,
    ...parts,
    "</svg>",
  ].join("\n");
}

/**
 * A line per marker inside the window, each with its tooltip, and a label
 * beside it where there is room: right of the line, or left of it at the
 * chart's right edge; a label that would overlap the previous one is left
 * out (the line and its tooltip stay).
 */
function markerParts(
  markers: readonly ChartMarker[],
  input: BurnDownChartInput,
  x: (ms: number) => number,
  plot: { top: number; height: number; right: number },
): { lines: string[]; labels: string[] } {
  const lines: string[] = [];
  const labels: string[] = [];
  // A label may use the right margin: the last day's deploy still has room on its right.
  const labelRight = plot.right;
  let lastLabelRight = Number.NEGATIVE_INFINITY;
  const sorted = [...markers].sort((a, b) => a.atMs - b.atMs);
  for (const m of sorted) {
    if (m.atMs < input.startMs || m.atMs > input.endMs) continue;
    const xx = Number(x(m.atMs).toFixed(1));
    const tooltip = `<title>${escapeHtml(m.tooltip)}</title>`;
    lines.push(
      `<line class="deploy" x1="${xx}" x2="${xx}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="${CHART_COLORS.deploy}" stroke-width="2">${tooltip}</line>`,
    );
    const box = labelBox(xx, labelRight);
    if (box.left < lastLabelRight + LABEL_CLEARANCE_PX) continue;
    lastLabelRight = box.right;
    const ly = plot.top + 4;
    labels.push(
      `<text class="deploy-label" x="${box.baseline}" y="${ly}" transform="rotate(90 ${box.baseline} ${ly})" fill="${CHART_COLORS.deploy}" stroke="${CHART_COLORS.plot}" stroke-width="3" paint-order="stroke" font-size="10">${escapeHtml(markerLabel(m.label))}${tooltip}</text>`,
    );
  }
  return { lines, labels };
}

/** Where a label at a marker's line goes: its baseline's x and the span its letters cover. */
function labelBox(lineX: number, rightEdge: number) {
  // The line is 2 px wide: 1 px each side of lineX.
  const rightBaseline = lineX + 1 + LABEL_CLEARANCE_PX + LABEL_GLYPHS.descent;
  const onRight = rightBaseline + LABEL_GLYPHS.ascent <= rightEdge;
  const baseline = onRight ? rightBaseline : lineX - 1 - LABEL_CLEARANCE_PX - LABEL_GLYPHS.ascent;
  return {
    baseline: baseline.toFixed(1),
    left: baseline - LABEL_GLYPHS.descent,
    right: baseline + LABEL_GLYPHS.ascent,
  };
}

/** One line, at most MARKER_LABEL_CHARS characters, the last one … when cut. */
function markerLabel(label: string): string {
  const flat = label.replace(/\s+/g, " ").trim();
  const chars = [...flat];
  return chars.length <= MARKER_LABEL_CHARS
    ? flat
    : `${chars.slice(0, MARKER_LABEL_CHARS - 1).join("")}…`;
}

/** 25% steps for an ordinary chart; wider steps when the budget is far overspent. */
function tickStep(range: number): number {
  for (const step of [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100]) if (range / step <= 8) return step;
  return 10 ** Math.ceil(Math.log10(range / 8));
}

/**
 * A time label centred on its tick, unless half of it would pass the
 * chart's edge: then it ends at the tick (the last) or starts there (the first).
 */
export function tickAnchor(
  x: number,
  label: string,
  size: { width: number; fontSize: number },
): "start" | "middle" | "end" {
  // Wider than the digits of system-ui are: a label is never cut for an estimate short.
  const half = (label.length * size.fontSize * 0.62) / 2;
  if (x + half > size.width) return "end";
  if (x - half < 0) return "start";
  return "middle";
}

/** At most `maxTicks` ticks on round instants: hours for short windows, days otherwise. */
export function timeTicks(
  startMs: number,
  endMs: number,
  maxTicks: number,
): { ms: number; label: string }[] {
  const span = endMs - startMs;
  const hour = 3_600_000;
  const day = 24 * hour;
  const steps = [
    hour,
    2 * hour,
    3 * hour,
    6 * hour,
    12 * hour,
    day,
    2 * day,
    7 * day,
    14 * day,
    30 * day,
  ];
  const step = steps.find((s) => span / s <= maxTicks) ?? 90 * day;
  const ticks: { ms: number; label: string }[] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) {
    const iso = new Date(t).toISOString();
    ticks.push({
      ms: t,
      label: step < day ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(5, 10),
    });
  }
  return ticks;
}
