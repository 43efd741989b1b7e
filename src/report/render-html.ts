/**
 * The HTML report: one self-contained file (inline CSS, an inline SVG chart
 * per SLO, no script, nothing fetched), readable in any browser with
 * JavaScript off, and safe to open: every string from SLO files or logs is
 * escaped, and a Content-Security-Policy forbids scripts and remote loads.
 */

import { REPORT_TITLE } from "../conventions.js";
import { escapeHtml, markdownUrl } from "./escape.js";
import {
  type BreakdownRow,
  BUCKET_LABEL,
  breakdownCount,
  burnRate,
  objectivePercent,
  percent,
  windowLabel,
} from "./format.js";
import {
  budgetShare,
  deployMinute,
  deploysOf,
  deploysSummary,
  ratioChange,
  versionText,
  versionWithPr,
  webUrl,
} from "./render-deploys.js";
import type { ReportDeploy, SloReport, SloReportEntry } from "./schema.js";
import { burnDownSvg, CHART_COLORS, type ChartMarker } from "./svg-chart.js";
import { episodeDuration, shortTime, TREND_ARROW, trendOf, trendText } from "./trend.js";

export interface HtmlOptions {
  /** the page's heading (default REPORT_TITLE) */
  title?: string;
  /** a link to where the report was made (the workflow run) */
  runUrl?: string | null | undefined;
  /** the gate's warning threshold, drawn on the charts, per SLO key `service/name` */
  warnRemaining?: Record<string, number>;
}

const STATUS_TEXT: Record<SloReportEntry["status"], string> = {
  ok: "ok",
  warning: "warning",
  breaching: "breaching",
  "no-data": "no data",
  error: "error",
};

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; margin: 0 auto; max-width: 980px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #374151; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.version { overflow-wrap: anywhere; max-width: 320px; }
section.slo { border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 18px; margin: 22px 0; }
.muted { color: #6b7280; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
.status-ok { background: #dcfce7; color: #166534; }
.status-warning { background: #fef3c7; color: #92400e; }
.status-breaching, .status-error { background: #fee2e2; color: #991b1b; }
.status-no-data { background: #f3f4f6; color: #374151; }
.result { font-weight: 700; }
.better { color: #166534; } .worse { color: #991b1b; } .same { color: #6b7280; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: #6b7280; } dl.facts dd { margin: 0; }
figure { margin: 12px 0; } figcaption { font-size: 13px; color: #6b7280; }
svg.chart { max-width: 100%; height: auto; }
.key { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; border-radius: 2px; }
.firing { font-weight: 600; color: #991b1b; }
footer { margin-top: 28px; font-size: 13px; color: #6b7280; }
`;

export function renderHtml(report: SloReport, options: HtmlOptions = {}): string {
  const title = options.title ?? REPORT_TITLE;
  const body = [
    header(report, title),
    summaryTable(report.slos),
    ...report.slos.map((entry) => sloSection(entry, options)),
    footer(report, options),
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}: ${escapeHtml(report.result)} at ${escapeHtml(shortTime(report.evaluatedAt))}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function header(report: SloReport, title: string): string {
  const services = new Set(report.slos.map((s) => s.service)).size;
  const firing = report.slos.filter((s) => s.alerts.some((a) => a.firing)).length;
  return `<header>
<h1>${escapeHtml(title)}: <span class="result">${escapeHtml(report.result.toUpperCase())}</span></h1>
<p class="muted">${report.slos.length} SLO${report.slos.length === 1 ? "" : "s"} in ${services} service${services === 1 ? "" : "s"} · ${firing} with a burn-rate alert firing · evaluated at ${escapeHtml(shortTime(report.evaluatedAt))}</p>
</header>`;
}

function statusBadge(status: SloReportEntry["status"]): string {
  return `<span class="status status-${status}">${STATUS_TEXT[status]}</span>`;
}

function anchor(entry: SloReportEntry): string {
  return `slo-${encodeURIComponent(`${entry.service}-${entry.name}`).replace(/%/g, "_")}`;
}

function summaryTable(entries: readonly SloReportEntry[]): string {
  const rows = entries.map((e) => {
    const trend = trendOf(e);
    const fired = e.alertHistory?.episodes.length ?? 0;
    return `<tr>
<td>${statusBadge(e.status)}</td>
<td>${escapeHtml(e.service)}</td>
<td><a href="#${anchor(e)}">${escapeHtml(e.name)}</a>${e.gated ? "" : ' <span class="muted">(not gated)</span>'}</td>
<td class="num">${percent(e.sli)} / ${objectivePercent(e.objective)}</td>
<td class="num">${hasNumbers(e) ? percent(e.errorBudget.remaining, 1) : "–"}</td>
<td class="num">${trend ? `<span class="${trend.direction}">${TREND_ARROW[trend.direction]} ${trend.direction === "same" ? "" : `${Math.abs(trend.sliDeltaPoints).toFixed(3)} pp`}</span>` : "–"}</td>
<td>${firingNow(e)}</td>
<td class="num">${e.alertHistory ? fired : "–"}</td>
</tr>`;
  });
  return `<section>
<table class="summary">
<thead><tr><th>status</th><th>service</th><th>SLO</th><th class="num">SLI / objective</th><th class="num">budget left</th><th class="num">trend</th><th>firing now</th><th class="num">alerts fired</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

function hasNumbers(e: SloReportEntry): boolean {
  return e.status !== "no-data" && e.status !== "error";
}

function firingNow(e: SloReportEntry): string {
  const firing = e.alerts.filter((a) => a.firing);
  if (firing.length === 0) return "–";
  return firing
    .map(
      (a) =>
        `<span class="firing">${a.severity} ${escapeHtml(a.long)}/${escapeHtml(a.short)}</span>`,
    )
    .join(", ");
}

function sloSection(e: SloReportEntry, options: HtmlOptions): string {
  const parts: string[] = [
    `<h2>${escapeHtml(e.service)} / ${escapeHtml(e.name)} ${statusBadge(e.status)}</h2>`,
  ];
  if (e.description) parts.push(`<p>${escapeHtml(e.description)}</p>`);
  parts.push(facts(e));
  if (e.error) {
    parts.push(
      `<p class="firing">Source ${escapeHtml(e.error.source)} failed: ${escapeHtml(e.error.message)}</p>`,
    );
  }
  parts.push(chart(e, options), deployTable(e));
  parts.push(burnRateTable(e), alertHistory(e), breakdown(e));
  if (e.diagnostics.notes.length > 0) {
    parts.push(
      `<h3>Notes</h3>\n<ul>${e.diagnostics.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`,
    );
  }
  return `<section class="slo" id="${anchor(e)}">\n${parts.filter(Boolean).join("\n")}\n</section>`;
}

function facts(e: SloReportEntry): string {
  const w = e.window;
  const window =
    w.kind === "rolling"
      ? `rolling ${escapeHtml(w.duration)}`
      : `calendar ${escapeHtml(w.calendar)} (${escapeHtml(w.timeZone)})`;
  const rows: [string, string][] = [
    ["Objective", objectivePercent(e.objective)],
    ["Window", `${window}, ${escapeHtml(shortTime(w.start))} → ${escapeHtml(shortTime(w.end))}`],
    [
      "Events",
      `${e.events.total.toLocaleString("en-US")} in all, ${e.events.bad.toLocaleString("en-US")} bad${e.timeslices ? `; ${e.timeslices.good} of ${e.timeslices.total} time slices good` : ""}`,
    ],
    ["SLI", percent(e.sli)],
  ];
  if (e.runbook) rows.push(["Runbook", runbookHtml(e.runbook)]);
  if (hasNumbers(e)) {
    rows.push([
      "Error budget",
      `${percent(e.errorBudget.consumed, 1)} spent, <strong>${percent(e.errorBudget.remaining, 1)} left</strong>`,
    ]);
  }
  if (e.previous) {
    const trend = trendOf(e);
    rows.push([
      "Trend",
      `<span class="${trend?.direction ?? "same"}">${escapeHtml(trendText(e))}</span>`,
    ]);
  }
  if (e.sli !== null && e.errorBudget.remaining <= 0) {
    rows.push(["Budget", '<span class="worse">exhausted: fix reliability before shipping</span>']);
  } else if (e.exhaustion) {
    const at = (label: "1h" | "1d") => {
      const t = e.exhaustion?.[label];
      return t ? `${escapeHtml(shortTime(t))} at the ${label} burn rate` : null;
    };
    const parts = [at("1h"), at("1d")].filter((p): p is string => p !== null);
    if (parts.length > 0) rows.push(["Budget runs out", parts.join("; ")]);
  }
  return `<dl class="facts">\n${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("\n")}\n</dl>`;
}

function chart(e: SloReportEntry, options: HtmlOptions): string {
  const startMs = Date.parse(e.window.start);
  const endMs = Date.parse(e.window.end);
  const bands = (e.alertHistory?.episodes ?? []).map((ep) => ({
    severity: ep.severity,
    startMs: Date.parse(ep.start),
    endMs: ep.end === null ? null : Date.parse(ep.end),
  }));
  const svg = burnDownSvg({
    points: e.burnDown,
    startMs,
    endMs,
    bands,
    warnRemaining: options.warnRemaining?.[`${e.service}/${e.name}`],
    title: `Error budget burn-down of ${e.service} / ${e.name}`,
    markers: deployMarkers(e),
  });
  const bandKey =
    bands.length > 0
      ? ` Shaded: <span class="key" style="background:${CHART_COLORS.page}"></span> page and <span class="key" style="background:${CHART_COLORS.ticket}"></span> ticket alerts firing.`
      : "";
  const deployKey =
    deploysOf(e).length > 0
      ? ` <span class="key" style="background:${CHART_COLORS.deploy}"></span> Deploys, with their version (hover a line for the budget it spent).`
      : "";
  const key = bandKey + deployKey;
  return `<figure>\n${svg}\n<figcaption>Error budget remaining over the ${escapeHtml(windowLabel(e))} window; below the red line it is overspent.${key}</figcaption>\n</figure>`;
}

/** A vertical line per deploy: the version as label, what it spent as tooltip. */
function deployMarkers(e: SloReportEntry): ChartMarker[] {
  const deploys = deploysOf(e);
  return deploys.map((d, i) => ({
    atMs: Date.parse(d.at),
    label: versionText(d.version),
    tooltip: `${versionWithPr(d)}, deployed ${shortTime(d.at)}: ${budgetShare(d.budgetSpent)} of the budget spent until ${i + 1 < deploys.length ? "the next deploy" : "the end of the window"}`,
  }));
}

/** Which deploy spent the budget: the same deploys as the chart's markers, with their numbers. */
function deployTable(e: SloReportEntry): string {
  const deploys = deploysOf(e);
  if (deploys.length === 0) return "";
  const rows: string[] = [];
  if (e.budgetSpentBeforeDeploys !== undefined) {
    rows.push(
      `<tr><td>before the first deploy</td><td></td><td class="num">${budgetShare(e.budgetSpentBeforeDeploys)}</td><td></td></tr>`,
    );
  }
  for (const d of deploys) {
    rows.push(
      `<tr><td>${deployMinute(d.at)}</td><td class="version">${versionCell(d)}</td><td class="num">${budgetShare(d.budgetSpent)}</td><td>${ratioChange(d)}</td></tr>`,
    );
  }
  return `<h3>Deploys</h3>
<p class="muted">${escapeHtml(deploysSummary(e))}.</p>
<table>
<thead><tr><th>deployed (UTC)</th><th>version</th><th class="num">budget spent</th><th>error ratio before → after</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

/** The version, linked to its PR when the PR's address is a web address. */
function versionCell(d: ReportDeploy): string {
  const text = escapeHtml(versionWithPr(d));
  const url = d.pullRequest ? webUrl(d.pullRequest.url) : null;
  return url ? `<a href="${escapeHtml(url.href)}">${text}</a>` : text;
}

function burnRateTable(e: SloReportEntry): string {
  if (e.alerts.length === 0) return "";
  const rows = e.alerts.map(
    (a) => `<tr${a.firing ? ' class="firing"' : ""}>
<td>${a.severity}</td><td>${escapeHtml(a.long)} / ${escapeHtml(a.short)}</td>
<td class="num">${burnRate(a.burnRateLong)}</td><td class="num">${burnRate(a.burnRateShort)}</td>
<td class="num">${burnRate(a.factor)}</td><td>${a.firing ? "firing" : a.pending ? "pending" : "–"}</td></tr>`,
  );
  return `<h3>Burn rates now</h3>
<table>
<thead><tr><th>alert</th><th>windows (long / short)</th><th class="num">long</th><th class="num">short</th><th class="num">threshold</th><th>state</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

function alertHistory(e: SloReportEntry): string {
  const history = e.alertHistory;
  if (!history) return "";
  const since = `since ${escapeHtml(shortTime(history.since))}, at a ${escapeHtml(history.step)} resolution`;
  if (history.episodes.length === 0) {
    return `<h3>Alerts that fired</h3>\n<p class="muted">None ${since}.</p>`;
  }
  const rows = history.episodes.map(
    (ep) => `<tr>
<td>${ep.severity}</td><td>${escapeHtml(shortTime(ep.start))}</td>
<td>${ep.end === null ? '<span class="firing">still firing</span>' : escapeHtml(shortTime(ep.end))}</td>
<td class="num">${episodeDuration(ep) ?? "–"}</td>
<td>${ep.windows.map(escapeHtml).join(", ")}</td><td class="num">${burnRate(ep.peakBurnRate)}</td></tr>`,
  );
  return `<h3>Alerts that fired</h3>
<p class="muted">${history.episodes.length} episode${history.episodes.length === 1 ? "" : "s"} ${since}.</p>
<table>
<thead><tr><th>alert</th><th>from</th><th>to</th><th class="num">for</th><th>windows</th><th class="num">peak burn</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

function breakdown(e: SloReportEntry): string {
  if (e.breakdown.length === 0) return "";
  const total = e.breakdown.reduce((sum, b) => sum + b.count, 0);
  const rows = [...e.breakdown]
    .sort((a, b) => b.count - a.count)
    .map(
      (b) =>
        `<tr><td>${breakdownName(b)}</td><td class="num">${breakdownCount(b)}</td><td class="num">${total > 0 ? percent(b.count / total, 1) : "–"}</td></tr>`,
    );
  return `<h3>What spent the budget</h3>
<table>
<thead><tr><th>bad events by name</th><th class="num">count</th><th class="num">share</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

/** Values as text; slo's own buckets and the empty value in muted italics. */
function breakdownName(b: BreakdownRow): string {
  if ("bucket" in b) return `<em class="muted">${BUCKET_LABEL[b.bucket]}</em>`;
  return b.value === "" ? '<em class="muted">empty</em>' : escapeHtml(b.value);
}

function footer(report: SloReport, options: HtmlOptions): string {
  const run =
    options.runUrl && /^https?:\/\//i.test(options.runUrl)
      ? ` · <a href="${escapeHtml(encodeURI(options.runUrl))}">workflow run</a>`
      : "";
  return `<footer>Made by slo at ${escapeHtml(shortTime(report.evaluatedAt))}${run}. Every number is in the JSON report (<code>slo report --format json</code>).</footer>`;
}

/** A link only to a web address (no `javascript:`); anything else as text. */
function runbookHtml(runbook: string): string {
  const url = markdownUrl(runbook);
  return url ? `<a href="${escapeHtml(url)}">${escapeHtml(runbook)}</a>` : escapeHtml(runbook);
}
